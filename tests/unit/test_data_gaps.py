"""How much a provisional month lacks (warehouse/data_gaps.py), by hand-made problems."""

from __future__ import annotations

from datetime import date

import polars as pl

from tousu.dashboards.tables import percent
from tousu.warehouse.data_gaps import month_status, unit_gaps

OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
COLUMNS = [
    "channel",
    "month",
    "source",
    "check_name",
    "load_id",
    "unit",
    "rows_missing",
    "unit_rows",
    "all_rows",
    "reason",
]


def problems(*rows) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=COLUMNS, orient="row")


# phone, October: one delivery failing two checks (its 3 missing rows count once), 97 loaded
# of phone's, 400 of every channel's; webform, October: 1 missing of 49; November: a phone file
# not loaded, size unknown
PROBLEMS = problems(
    ("phone", OCT, "phone", "phone_number_valid", "L1", "records", 3, 97, 400, "a"),
    ("phone", OCT, "phone", "description_present", "L1", "records", 3, 97, 400, "b"),
    ("webform", OCT, "webform", "received_time_parses", "L2", "records", 1, 49, 400, "c"),
    ("phone", NOV, "phone", "file_not_loaded", "L3", "files", None, None, None, "d"),
)


def test_a_deliverys_missing_rows_count_once_against_the_channels_or_every_channels_rows():
    phone = unit_gaps(PROBLEMS, "phone").row(0, named=True)
    assert (phone["missing"], phone["rows"]) == (3, 97)
    assert phone["share"] == 3 / 100
    every = unit_gaps(PROBLEMS, "(all)").row(0, named=True)
    assert (every["missing"], every["rows"]) == (4, 400)  # all_rows once, not per channel


def test_status_alarm_minor_and_acknowledged():
    phone = month_status(PROBLEMS, [], "phone", alarm=0.02)
    assert phone["status"].to_list() == ["alarm", "alarm"]  # 3 % of records; a missing file
    every = month_status(PROBLEMS, [], "(all)", alarm=0.02)
    assert every["status"].to_list() == ["minor", "alarm"]  # 4 of 404 is 1 %
    assert every.row(0, named=True)["problems"] == 3
    acked = month_status(
        PROBLEMS, [("phone", "phone_number_valid"), ("phone", "description_present")], "phone"
    )
    assert acked["status"].to_list() == ["acknowledged", "alarm"]
    # one of two problems acknowledged is still the gap it was
    half = month_status(PROBLEMS, [("phone", "phone_number_valid")], "phone", alarm=0.02)
    assert half["status"].to_list()[0] == "alarm"
    assert half.row(0, named=True)["acknowledged"] == 1


def test_rates_are_rounded_once_half_up():
    assert percent(0.7735) == "77.4 %"  # not 77.3 %: 0.7735 is 0.77349999... in binary
    assert percent(0.1643) == "16.4 %"
    assert percent(None) == ""
