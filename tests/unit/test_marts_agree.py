"""The marts stage stops, and commits nothing, when a mart disagrees with the table it counts."""

import duckdb
import pytest

from tests.helpers import write_events, write_phone
from tests.unit.test_sla import build, register
from tousu.warehouse import db


def small_marts(con, tmp_path):
    inbox = tmp_path / "inbox"
    write_phone(
        inbox,
        "c.csv",
        [
            "CALL1,2025/11/03 10:00:00,2025/11/03 10:00:30,13812345671,甲,,坏了,退款,A1",
            "CALL2,2025/11/04 10:00:00,,13812345672,乙,,坏了,退款,A1",
        ],
    )
    write_events(
        inbox,
        "ticket_events_202511.csv",
        [
            register(1, "202511-00001", "CALL1", "2025-11-03T10:01:00+08:00"),
            register(2, "202511-00002", "CALL2", "2025-11-04T10:01:00+08:00"),
        ],
    )
    build(con, inbox)  # the checks run inside it: they pass on marts built as they should be


@pytest.mark.parametrize(
    "tamper, says",
    [
        (
            "DELETE FROM mart.sla_compliance_daily WHERE clock = 'first_response'",
            "mart.sla_compliance_daily counts",
        ),
        ("DELETE FROM mart.sla_breaches", "mart.sla_breaches lists 0 clocks"),
        ("DELETE FROM mart.complaints_daily", "mart.complaints_daily counts 0 complaints"),
    ],
)
def test_a_mart_that_lost_rows_stops_the_marts(warehouse, tmp_path, tamper, says):
    _, con = warehouse
    small_marts(con, tmp_path)
    assert con.execute("SELECT count(*) FROM mart.sla_breaches").fetchall()[0][0] > 0
    con.execute(tamper)
    with pytest.raises(duckdb.Error, match=says):
        db.apply_layers(con, ("checks",))
