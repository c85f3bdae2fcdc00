"""A year the calendar package does not know, declared in the SLA policy (issue 17: years the
calendar does not know). The dates below show the shape; they are not the State Council's notice."""

from __future__ import annotations

from datetime import date

import pytest

from tousu.flows.metrics.calendar import calendar_days, calendar_runs_out, calendar_warning
from tousu.flows.metrics.policy import DEFAULT_POLICY, DeclaredYear, PolicyError, load_policy

EXAMPLE = {
    2027: DeclaredYear(days_off=["2027-01-01", "2027-02-08..2027-02-12"], workdays=["2027-02-14"])
}


def test_a_declared_year_is_used_before_the_package():
    days = {
        d.day: d for d in calendar_days("CN", date(2027, 1, 1), date(2027, 2, 28), EXAMPLE, "t1")
    }
    assert not days[date(2027, 1, 1)].is_workday  # a Friday, declared off
    assert not days[date(2027, 2, 10)].is_workday  # a Wednesday in the declared range
    assert days[date(2027, 2, 14)].is_workday  # a Sunday, declared worked
    assert days[date(2027, 2, 15)].is_workday  # an ordinary Monday
    assert days[date(2027, 2, 14)].calendar_source == "policy t1: declared 2027"
    # undeclared, the package cannot know the Sunday is worked: the fallback says so
    plain = {d.day: d for d in calendar_days("CN", date(2027, 2, 14), date(2027, 2, 14))}
    assert not plain[date(2027, 2, 14)].is_workday
    assert plain[date(2027, 2, 14)].calendar_source.startswith("fallback")


def test_the_night_warns_60_days_before_the_calendar_runs_out():
    assert calendar_runs_out("CN") == date(2026, 12, 31)  # chinesecalendar 1.11
    warning = calendar_warning("CN", {}, date(2026, 11, 26))
    assert warning and "2026-12-31 (35 days)" in warning and "2027" in warning
    assert calendar_warning("CN", {}, date(2026, 10, 1)) is None  # 91 days ahead
    assert calendar_runs_out("CN", EXAMPLE) == date(2027, 12, 31)
    assert calendar_warning("CN", EXAMPLE, date(2026, 11, 26)) is None
    assert calendar_runs_out("DE") is None


@pytest.mark.parametrize(
    ("years", "problem"),
    [
        ('{2027: {days_off: ["2028-01-01"]}}', "2028-01-01 is not in 2027"),
        ('{2027: {days_off: ["2027-02-14"], workdays: ["2027-02-14"]}}', "both a day off"),
        ('{2027: {days_off: ["2027-02-12..2027-02-08"]}}', "ends before it starts"),
    ],
)
def test_a_declared_year_that_cannot_be_right_is_refused_with_where(tmp_path, years, problem):
    text = DEFAULT_POLICY.read_text(encoding="utf-8").replace(
        "calendar:\n  country: CN\n", f"calendar:\n  country: CN\n  years: {years}\n"
    )
    path = tmp_path / "metrics.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match="calendar") as refused:
        load_policy(path)
    assert problem in str(refused.value)


def test_tousu_status_reports_health_with_an_exit_code_a_monitor_can_use(published_demo, tmp_path):
    """On the demo copy: published, but the calendar runs out within 60 days (as of today,
    2026-11-26, with chinesecalendar 1.11): 3. Without a copy: 1. A copy two days old: 1."""
    import os
    import shutil
    import time

    from typer.testing import CliRunner

    from tousu.flows.cli import app

    copy = tmp_path / "tousu.published.duckdb"
    shutil.copyfile(published_demo, copy)
    result = CliRunner().invoke(app, ["status", "--warehouse", str(copy)])
    assert "last night: 2026-11-01 (run r1)" in result.output
    assert "hours old" in result.output and "disk free beside it" in result.output
    if date.today() >= date(2026, 11, 1) and calendar_runs_out("CN") == date(2026, 12, 31):
        assert "calendar: the working-day calendar ends 2026-12-31" in result.output
    assert result.exit_code in (0, 3) and result.output.rstrip().endswith(
        "healthy" if result.exit_code == 0 else "needs attention"
    )
    old = time.time() - 48 * 3600
    os.utime(copy, (old, old))
    assert CliRunner().invoke(app, ["status", "--warehouse", str(copy)]).exit_code == 1
    missing = CliRunner().invoke(app, ["status", "--warehouse", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1 and "no night has been published" in missing.output
