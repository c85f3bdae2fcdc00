"""The marts stage stops, and commits nothing, when a mart disagrees with the table it counts."""

import duckdb
import pytest

from tests.unit.test_core_suites import clean_inbox
from tests.unit.test_sla import build
from tousu.warehouse import db


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
    build(con, clean_inbox(tmp_path))  # the checks ran inside: they pass on marts built right
    assert con.execute("SELECT count(*) FROM mart.sla_breaches").fetchall()[0][0] > 0
    con.execute(tamper)
    with pytest.raises(duckdb.Error, match=says):
        db.apply_layers(con, ("checks",))
