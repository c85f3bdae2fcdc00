"""Compliance marts on arbitrary clock results: rates in [0, 1], counts add up everywhere."""

from datetime import date

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from tousu.warehouse.db import SQL_DIR

MACROS_SQL = (SQL_DIR / "staging" / "00_macros.sql").read_text(encoding="utf-8")
COMPLIANCE_SQL = "\n".join(
    (SQL_DIR / "marts" / name).read_text(encoding="utf-8")
    for name in (
        "30_sla_compliance_daily.sql",
        "31_sla_compliance_weekly.sql",
        "32_sla_compliance_monthly.sql",
    )
)
STATUSES = ("met", "breached", "open_breached", "open_within", "no_target")

clock_rows = st.lists(
    st.tuples(
        st.dates(min_value=date(2025, 9, 25), max_value=date(2025, 10, 10)),
        st.sampled_from(("first_response", "follow_up")),
        st.sampled_from(("phone", "email", "store")),
        st.sampled_from(("高", "中", "低")),
        st.sampled_from(STATUSES),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(clock_rows)
def test_rates_are_shares_and_counts_add_up_across_breakdowns_and_periods(rows):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA mart")
    con.execute("CREATE SCHEMA stg")
    con.execute("CREATE SCHEMA intermediate")
    con.execute(MACROS_SQL)
    con.execute(
        "CREATE TABLE mart.sla_clocks (start_day DATE, clock VARCHAR, channel VARCHAR, "
        "priority VARCHAR, department VARCHAR, category VARCHAR, status VARCHAR)"
    )
    con.executemany(
        "INSERT INTO mart.sla_clocks VALUES (?, ?, ?, ?, '物流部', '物流配送类', ?)",
        [list(r) for r in rows],
    )
    # every clock counts as changed, as on a first night (22_sla_changed.sql)
    con.execute("CREATE TABLE intermediate.sla_changed AS SELECT * FROM mart.sla_clocks")
    con.execute(COMPLIANCE_SQL)
    for table in ("daily", "weekly", "monthly"):
        bad = con.execute(f"""
            SELECT count(*) FROM mart.sla_compliance_{table}
            WHERE compliance_rate NOT BETWEEN 0 AND 1
               OR clocks <> met + breached + open_within + no_target
               OR open_breached > breached
               OR (met + breached > 0) <> (compliance_rate IS NOT NULL)
               OR abs(compliance_rate - round(met / (met + breached), 4)) > 1e-9
        """).fetchall()[0][0]
        assert bad == 0, table
        levels = (
            ["TRUE"]
            if table == "daily"
            else [
                # the detail rows, and the '(all)' row of all five breakdowns: the same totals
                "'(all)' NOT IN (clock, channel, priority, department, category)",
                "clock = '(all)' AND channel = '(all)' AND priority = '(all)' "
                "AND department = '(all)' AND category = '(all)'",
            ]
        )
        for level in levels:
            totals = con.execute(
                f"SELECT sum(met), sum(breached), sum(open_within), "
                f"sum(no_target) FROM mart.sla_compliance_{table} WHERE {level}"
            ).fetchall()[0]
            assert totals == (
                sum(r[4] == "met" for r in rows),
                sum(r[4] in ("breached", "open_breached") for r in rows),
                sum(r[4] == "open_within" for r in rows),
                sum(r[4] == "no_target" for r in rows),
            ), (table, level)
    # a middle level: per clock and channel (other breakdowns '(all)'), the monthly rows hold
    # the counts of that clock and channel
    per_clock_channel = con.execute("""
        SELECT clock, channel, sum(met), sum(breached) FROM mart.sla_compliance_monthly
        WHERE clock <> '(all)' AND channel <> '(all)' AND priority = '(all)'
          AND department = '(all)' AND category = '(all)' GROUP BY 1, 2
        EXCEPT
        SELECT clock, channel, count(*) FILTER (WHERE status = 'met'),
               count(*) FILTER (WHERE status IN ('breached', 'open_breached'))
        FROM mart.sla_clocks GROUP BY 1, 2""").fetchall()
    assert per_clock_channel == []
    # per clock and day, the channels' counts add up to the clock's count
    per_day = con.execute("""
        SELECT day, clock, sum(met), sum(breached) FROM mart.sla_compliance_daily GROUP BY 1, 2
        EXCEPT
        SELECT start_day, clock, count(*) FILTER (WHERE status = 'met'),
               count(*) FILTER (WHERE status IN ('breached', 'open_breached'))
        FROM mart.sla_clocks GROUP BY 1, 2""").fetchall()
    assert per_day == []
    con.close()
