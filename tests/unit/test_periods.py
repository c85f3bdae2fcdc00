"""Review periods (warehouse/periods.py) and their figures (warehouse/figures.py) against the
marts and an independent count from core (issue 15 item 11)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import sign_in_as
from tousu.warehouse import alerts, figures
from tousu.warehouse.periods import Period

APP = str(Path(__file__).resolve().parents[2] / "dashboards" / "app.py")
EVERY = "channel = '(all)' AND department = '(all)' AND category = '(all)' AND priority = '(all)'"


def test_periods_and_their_comparisons():
    nov = date(2026, 11, 1)
    q = Period.of("quarter", nov)
    assert (q.start, q.end, len(q.months)) == (date(2026, 10, 1), nov, 2)
    assert (q.previous().start, q.previous().end) == (date(2026, 8, 1), date(2026, 9, 1))
    assert (q.last_year().start, q.last_year().end) == (date(2025, 10, 1), date(2025, 11, 1))
    assert Period.of("ytd", nov).months[0] == date(2026, 1, 1)
    rolling = Period.of("rolling12", date(2026, 1, 1))
    assert (rolling.start, len(rolling.months)) == (date(2025, 2, 1), 12)
    custom = Period.of("custom", date(2026, 3, 1), date(2026, 5, 1))  # given the wrong way round
    assert (custom.start, custom.end) == (date(2026, 3, 1), date(2026, 5, 1))
    assert custom.label() == "2026-03 – 2026-05" and Period.of("month", nov).label() == "2026-11"
    with pytest.raises(ValueError, match="unknown period kind"):
        Period.of("fortnight", nov)


@pytest.fixture(scope="module")
def con(published_demo):
    c = duckdb.connect(str(published_demo), read_only=True)
    c.execute("SET timezone = 'Asia/Shanghai'; SET VARIABLE tousu_tz = 'Asia/Shanghai'")
    yield c
    c.close()


def headline(con, months, where=EVERY, params=()):
    return figures.headline(
        alerts.reader(con),
        months,
        where,
        list(params),
        f"{where} AND clock = '(all)'",
        list(params),
    )


def test_a_one_month_period_is_the_months_stored_row(con):
    """The period formulas are the marts' own: every month and channel gives the stored rates."""
    rows = con.execute(
        """
        SELECT s.month, s.channel, s.complaints, s.closure_rate, s.csat, r.repeat_rate,
               c.compliance_rate, c.no_target
        FROM mart.satisfaction_closure_monthly s
        JOIN mart.repeat_rate_monthly r USING (month, channel, department, category, priority)
        JOIN mart.sla_compliance_monthly c USING (month, channel, department, category, priority)
        WHERE s.department = '(all)' AND s.category = '(all)' AND s.priority = '(all)'
          AND c.clock = '(all)'"""
    ).fetchall()
    assert len(rows) > 20
    for month, channel, volume, closure, csat, repeat, sla, no_target in rows:
        where = "channel = ? AND department = '(all)' AND category = '(all)' AND priority = '(all)'"
        got = headline(con, [month], where, [channel])
        assert got == {
            "volume": volume,
            "closure_rate": closure,
            "csat": csat,
            "repeat_rate": repeat,
            "sla_compliance": sla,
            "no_target": no_target,
        }, (month, channel)


def test_a_quarters_figures_are_counted_from_its_complaints(con):
    """Three months together, against core: complaints received (local month) and closed."""
    months = [date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)]
    [(volume, closed)] = con.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE status = 'closed') FROM core.complaints
        WHERE date_trunc('month', received_at)::DATE IN (DATE '2026-07-01', DATE '2026-08-01',
                                                          DATE '2026-09-01')"""
    ).fetchall()
    got = headline(con, months)
    assert got["volume"] == volume
    assert got["closure_rate"] == round(closed / volume, 4)


def test_the_overview_shows_a_year_to_date_against_the_year_before(published, monkeypatch):
    from tousu.dashboards.data import plans_path

    at = sign_in_as(AppTest.from_file(APP, default_timeout=60), plans_path(), "manager").run()
    at.selectbox(key="period").select("ytd").run()
    assert not at.exception, at.exception
    month = at.selectbox(key="month").value
    period = Period.of("ytd", month)
    [(volume,)] = (
        duckdb.connect(str(published), read_only=True)
        .execute(
            f"SELECT sum(complaints) FROM mart.satisfaction_closure_monthly WHERE {EVERY} "
            "AND month BETWEEN ? AND ?",
            [period.start, period.end],
        )
        .fetchall()
    )
    assert period.label() in at.subheader[0].value
    assert {m.label: m.value for m in at.metric}["投诉量"] == f"{volume:,}"
    assert any(c.value.startswith("去年同期") for c in at.caption)
    # the period lives in the link too
    assert at.query_params["period"] in ("ytd", ["ytd"])
