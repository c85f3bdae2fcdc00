"""What reaches people stays safe: masked personal data, inert spreadsheet cells."""

import csv
import io

import polars as pl
import pytest

from tousu.dashboards.safe_export import safe_csv
from tousu.warehouse.masking import mask_name, mask_phone, mask_record, mask_text


@pytest.mark.parametrize("name", ["张伟", "欧阳娜娜", "W", " Renée Müller ", "李"])
def test_the_python_name_mask_is_the_warehouse_macro(warehouse, name):
    _, con = warehouse
    [(in_sql,)] = con.execute("SELECT stg.mask_name(?)", [name]).fetchall()
    assert mask_name(name) == in_sql


def test_phone_numbers_and_emails_are_masked_in_records_and_text():
    record = (
        '{"customer_name": "王芳", "caller_number": "13812345678", '
        '"email": "wang.fang@example.com", "called_at": "2025/11/03 10:00:00", '
        '"description": "订单 20251103001，请回电 +86 139 0000 1111"}'
    )
    masked = mask_record(record)
    assert "王*" in masked and "138****5678" in masked and "w***@example.com" in masked
    assert "2025/11/03 10:00:00" in masked and "20251103001" in masked  # not phone numbers
    assert "0000 1111" not in masked and "王芳" not in masked
    assert mask_text("line CS2,小王,13900001111") == "line CS2,小王,139****1111"
    assert mask_phone("010-12345678") == "010****5678"


def test_csv_export_neutralises_formula_prefixes_per_owasp():
    frame = pl.DataFrame(
        {
            "description": [
                '=HYPERLINK("http://x.example","y")',
                "+1 (800)",
                "-2+3",
                "@SUM(A1)",
                "\tTAB",
                "\rCR",
                "-1.5",
                "正常",
            ],
            "n": list(range(8)),
        }
    )
    rows = list(csv.reader(io.StringIO(safe_csv(frame).decode("utf-8-sig"))))
    cells = [r[0] for r in rows[1:]]
    assert cells[:6] == ["'" + v for v in frame["description"].to_list()[:6]]
    assert cells[6:] == ["-1.5", "正常"]  # numbers and plain text unchanged


def test_night_warnings_name_an_empty_inbox_and_a_source_silent_for_longer_than_usual(warehouse):
    from datetime import date

    from tousu.flows.runs import ChannelSummary, NightSummary, night_warnings

    _, con = warehouse
    for n, night in enumerate([date(2025, 11, 1), date(2025, 11, 2), date(2025, 11, 4)]):
        con.execute(
            "INSERT INTO ops.runs (run_id, run_date, inbox, started_at, status) "
            "VALUES (?, ?, 'i', now(), 'succeeded')",
            [f"r{n}", night],
        )
        con.execute(
            "INSERT INTO ops.file_loads (run_id, load_id, source, path, sha256, "
            "size_bytes, rows_read, rows_loaded, rows_quarantined, status, loaded_at) "
            "VALUES (?, 'l', 'phone', ?, 'x', 1, 1, 1, 0, 'loaded', now())",
            [f"r{n}", f"p{n}.csv"],
        )
    quiet = NightSummary("r9", date(2025, 11, 7), [ChannelSummary("phone")])
    warnings = night_warnings(con, quiet)
    assert warnings[0].startswith("no new file in any source tonight")
    assert (
        "phone: nothing delivered for 3 days (last files on 2025-11-04; its longest gap "
        "so far was 2 days)"
    ) in warnings[1]
    assert (
        night_warnings(
            con, NightSummary("r9", date(2025, 11, 6), [ChannelSummary("phone", files_new=1)])
        )
        == []
    )


def test_refused_earlier_night_and_abandoned_runs(warehouse):
    from datetime import date

    from tousu.flows.runs import NightRefused, abandon_unfinished, refuse_earlier_night

    _, con = warehouse
    con.execute(
        "INSERT INTO ops.runs (run_id, run_date, inbox, started_at, status) VALUES "
        "('a', DATE '2025-11-30', 'i', now(), 'succeeded_with_failures'), "
        "('b', DATE '2025-12-01', 'i', now(), 'running')"
    )
    with pytest.raises(NightRefused, match="before the last published night 2025-11-30"):
        refuse_earlier_night(con, date(2025, 11, 29), rerun=False)
    refuse_earlier_night(con, date(2025, 11, 29), rerun=True)
    refuse_earlier_night(con, date(2025, 11, 30), rerun=False)  # the same night again: fine
    assert abandon_unfinished(con, "c") == ["b"]
    assert con.execute("SELECT status FROM ops.runs WHERE run_id = 'b'").fetchall() == [
        ("abandoned",)
    ]
