"""Bring your own export: the CFPB sample through its mapping, mapping errors, messy data."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.helpers import sign_in_as
from tousu.flows.byo.draft import draft
from tousu.flows.byo.mapping import MappingError, load_mapping
from tousu.flows.byo.source import BUNDLED, as_source
from tousu.flows.loading import load_source
from tousu.flows.metrics.build import build_marts
from tousu.flows.settings import night_end
from tousu.warehouse import db

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "cfpb_complaints_2023_sample.csv"
NIGHT = date(2023, 9, 30)


def cfpb_rows() -> list[dict]:
    with SAMPLE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r for r in rows if r.get("Complaint ID")]  # the cut last line has no id


@pytest.fixture
def cfpb_loaded(warehouse, tmp_path):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    (inbox / "cfpb").mkdir(parents=True)
    shutil.copy(SAMPLE, inbox / "cfpb" / SAMPLE.name)
    m = load_mapping(BUNDLED / "cfpb.yml")
    [outcome] = load_source(con, inbox, as_source("cfpb", m), "r1", NIGHT)
    return con, outcome


def test_the_cfpb_sample_reconciles_and_the_cut_last_line_is_quarantined(cfpb_loaded):
    con, outcome = cfpb_loaded
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (
        "loaded",
        2068,
        2067,
        1,
    )
    assert con.execute("SELECT count(*) FROM raw.declared_intake").fetchall() == [(2067,)]
    [(row, check, reason)] = con.execute(
        "SELECT row_number, check_name, reason FROM ops.quarantine"
    ).fetchall()
    assert (row, check) == (2068, "record_complete")
    assert "has 2 of 18 fields" in reason and "cut short" in reason and "截断" in reason
    ids = {r["Complaint ID"] for r in cfpb_rows()}
    loaded = {i for (i,) in con.execute("SELECT source_ref FROM raw.declared_intake").fetchall()}
    assert loaded == ids


def test_cfpb_channels_and_its_15_day_clock_reach_the_metrics(cfpb_loaded):
    con, _ = cfpb_loaded
    db.build_core(con)
    build_marts(con, night_end(NIGHT, "Asia/Shanghai"))
    rows = cfpb_rows()
    channels = dict(
        con.execute(
            "SELECT channel, count(*) FROM core.complaints WHERE register = 'cfpb' GROUP BY 1"
        ).fetchall()
    )
    via = {"Web": "webform", "Phone": "phone", "Referral": "referral", "Postal mail": "post"}
    expected = {}
    for r in rows:
        expected[via[r["Submitted via"]]] = expected.get(via[r["Submitted via"]], 0) + 1
    assert channels == expected
    statuses = dict(
        con.execute(
            "SELECT status, count(*) FROM mart.sla_clocks "
            "WHERE clock = 'cfpb_company_response' GROUP BY 1"
        ).fetchall()
    )
    closed = [r for r in rows if r["Company response to consumer"] != "In progress"]
    assert statuses.get("met", 0) == sum(r["Timely response?"] == "Yes" for r in closed)
    assert statuses.get("breached", 0) == sum(r["Timely response?"] == "No" for r in closed)
    # the CFPB's verdict decides complaints still in progress too (verdict_decides: always)
    in_progress = [r for r in rows if r["Company response to consumer"] == "In progress"]
    assert statuses.get("open_within", 0) == sum(
        r["Timely response?"] == "Yes" for r in in_progress
    )
    assert statuses.get("open_breached", 0) == sum(
        r["Timely response?"] == "No" for r in in_progress
    )
    assert len(in_progress) == len(rows) - len(closed) == 616
    # The deadline is 15 calendar days after the complaint was sent to the company.
    ref = rows[2]
    [(start, deadline)] = con.execute(
        """
        SELECT (start_at AT TIME ZONE 'America/New_York')::DATE,
               (deadline_at AT TIME ZONE 'America/New_York')::DATE
        FROM mart.sla_clocks s JOIN core.complaints c USING (complaint_id)
        WHERE c.register = 'cfpb' AND c.source_ref = ?""",
        [ref["Complaint ID"]],
    ).fetchall()
    assert str(start) == ref["Date sent to company"] and (deadline - start).days == 15
    monthly = con.execute(
        "SELECT sum(clocks) FROM mart.sla_compliance_monthly "
        "WHERE clock = 'cfpb_company_response' AND channel = 'phone' AND priority = '(all)' "
        "AND department = '(all)' AND category = '(all)'"
    ).fetchall()[0][0]
    assert monthly == expected["phone"]


def write_mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.yml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = """source: shop
files: shop/*.csv
format: {type: csv, delimiter: ";", encoding: gbk}
datetime_formats: ["%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S"]
fields:
  record_id: {column: 工单号, zero_pad: 6}
  received_at: 受理时间
  phone: 电话
  description: 内容
  first_response_at: 回复时间
  channel:
    column: 渠道
    values: {热线: phone, 官网: webform}
"""


def test_a_mapping_naming_an_unknown_column_is_refused_before_anything_loads(warehouse, tmp_path):
    _, con = warehouse
    m = load_mapping(write_mapping(tmp_path, BASE.replace("受理时间", "受理日期")))
    inbox = tmp_path / "inbox"
    (inbox / "shop").mkdir(parents=True)
    (inbox / "shop" / "a.csv").write_bytes(
        "工单号;受理时间;电话;内容;回复时间;渠道\n1;07/04/2023;13812345678;坏了;;热线\n".encode(
            "gbk"
        )
    )
    [outcome] = load_source(con, inbox, as_source("shop", m), "r1", NIGHT)
    assert outcome.status == "failed"
    assert "'受理日期'" in outcome.error and "m.yml:7" in outcome.error
    assert con.execute("SELECT count(*) FROM raw.declared_intake").fetchall() == [(0,)]


@pytest.mark.parametrize(
    ("change", "line", "says"),
    [
        (('%m/%d/%Y"', '%m/%Q/%Y"'), 4, "unknown directive(s) %Q"),
        (("官网: webform", "官网: website"), 13, "'官网' maps to 'website'"),
        (("  phone: 电话\n", "  telephone: 电话\n"), 5, "unknown intake field(s) telephone"),
    ],
)
def test_a_broken_mapping_names_the_line_to_fix(tmp_path, change, line, says):
    path = write_mapping(tmp_path, BASE.replace(*change))
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    assert f"m.yml:{line}:" in str(caught.value) and says in str(caught.value)


def test_messy_rows_load_or_are_quarantined_with_a_reason(warehouse, tmp_path):
    _, con = warehouse
    m = load_mapping(write_mapping(tmp_path, BASE))
    inbox = tmp_path / "inbox"
    (inbox / "shop").mkdir(parents=True)
    lines = [
        "工单号;受理时间;电话;内容;回复时间;渠道",
        "3.0;07/04/2023 01:05:09 PM;13812345678;收到的货\r坏了;07/04/2023 02:00:00 PM;热线",
        "12345;7/5/2023;XXXXX;漏发;;官网",  # date only; phone withheld
        "12345;7/5/2023;XXXXX;漏发;;官网",  # the same row twice
        "777;07/06/2023 10:00:00 AM;13812345679;慢;07/06/2023 09:00:00 AM;热线",  # reply first
        "778;2023-07-07 00:00:00;13812345670;慢;;传真",  # midnight; unmapped channel
        "779;07/08/2023 11:00:00 AM;1381;退款;;热线",  # bad phone
        "780;07/09/20",  # cut short
    ]
    (inbox / "shop" / "a.csv").write_bytes(("\r\n".join(lines)).encode("gbk"))
    [outcome] = load_source(con, inbox, as_source("shop", m), "r1", NIGHT)
    assert (
        outcome.rows_read,
        outcome.rows_loaded,
        outcome.rows_quarantined,
        outcome.rows_skipped,
    ) == (7, 2, 4, 1), outcome
    assert any("bare carriage return" in n for n in outcome.notes)
    got = dict(con.execute("SELECT row_number, check_name FROM ops.quarantine").fetchall())
    assert got == {
        4: "first_response_not_before_receipt",
        5: "channel_mapped",
        6: "phone_number_valid",
        7: "record_complete",
    }
    # the same row twice is a duplicate: skipped by rule, listed, not a data-quality failure
    assert con.execute(
        "SELECT row_number, record_key, kind, previous_row_number FROM ops.redeliveries"
    ).fetchall() == [(3, "012345", "duplicate", 2)]
    [reason] = con.execute("SELECT reason FROM ops.quarantine WHERE row_number = 5").fetchone()
    assert "渠道 '传真' has no mapping onto channel" in reason and "m.yml:" in reason
    rows = {
        r[0]: r[1:]
        for r in con.execute("""
        SELECT source_ref, description, phone, received_time_known, complaint_id,
               strftime(received_at AT TIME ZONE 'Asia/Shanghai', '%Y-%m-%d %H:%M')
        FROM raw.declared_intake ORDER BY 1""").fetchall()
    }
    assert rows["000003"] == (
        "收到的货 坏了",
        "+8613812345678",
        True,
        "202307-000003",
        "2023-07-04 13:05",
    )
    assert rows["012345"] == ("漏发", None, False, "202307-012345", "2023-07-05 00:00")


def test_init_drafts_a_mapping_that_is_refused_until_a_person_finishes_it(tmp_path):
    sample = tmp_path / "export.csv"
    sample.write_text(
        "Ticket ID,Created,Channel,Description,Status\n"
        "1001,2024-01-02 10:00:00,Hotline,broken,Open\n",
        encoding="utf-8",
    )
    text = draft(sample, "export")
    assert 'record_id: "Ticket ID"' in text and 'received_at: "Created"' in text
    assert '"%Y-%m-%d %H:%M:%S"' in text and '"Hotline": TODO' in text
    path = write_mapping(tmp_path, text)
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    refused = str(caught.value).splitlines()
    todo_lines = [
        n
        for n, line in enumerate(text.splitlines(), start=1)
        if "TODO" in line and not line.lstrip().startswith("#")
    ]
    # every unfilled TODO is named by its line, none is let through into quarantine reasons
    assert [int(r.split(":")[1]) for r in refused] == todo_lines
    assert all("still to be filled in" in r for r in refused)
    finished = (
        text.replace('"Hotline": TODO', '"Hotline": phone')
        .replace('"Open": TODO', '"Open": investigating')
        .replace("description: TODO what this export is", "description: a test export")
        .replace("fix: TODO who corrects a bad record, and where", "fix: ask Lee")
        # one word is no complaint text: the guess is marked for a person to confirm
        .replace(
            '"TODO check: Description (short values: a label rather than the customer\'s words?)"',
            '"Description"',
        )
    )
    finished = "\n".join(
        line.split(":")[0] + ": UTC" if line.startswith("timezone:") else line
        for line in finished.splitlines()
    )
    assert not [line for line in finished.splitlines() if "TODO" in line.split("#")[0]]
    assert load_mapping(write_mapping(tmp_path, finished)).source == "export"


def test_the_review_app_renders_every_page_on_a_declared_source(cfpb_loaded, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    con, _ = cfpb_loaded
    db.build_core(con)
    build_marts(con, night_end(NIGHT, "Asia/Shanghai"))
    writer = Path(
        con.execute(
            "SELECT path FROM duckdb_databases() WHERE NOT internal "
            "AND database_name NOT IN ('temp', 'system')"
        ).fetchall()[0][0]
    )
    con.execute("CHECKPOINT")
    published = tmp_path / "cfpb.published.duckdb"
    shutil.copyfile(writer, published)
    monkeypatch.setenv("TOUSU_PUBLISHED", str(published))
    monkeypatch.setenv("TOUSU_PLANS", str(tmp_path / "improvement_plans.duckdb"))
    app = str(Path(__file__).resolve().parents[2] / "dashboards" / "app.py")
    for page in (
        "views/overview.py",
        "views/sla.py",
        "views/repeats.py",
        "views/problem_types.py",
        "views/departments.py",
        "views/complaint.py",
        "views/data_quality.py",
    ):
        at = sign_in_as(
            AppTest.from_file(app, default_timeout=60), tmp_path / "improvement_plans.duckdb"
        )
        at.run()
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    at = sign_in_as(
        AppTest.from_file(app, default_timeout=60), tmp_path / "improvement_plans.duckdb"
    )
    at.run()
    at.switch_page("views/sla.py").run()
    shown = " ".join(str(df.value) for df in at.dataframe)
    assert "cfpb_company_response" in shown


def test_xlsx_and_json_exports_load_through_their_mappings(warehouse, tmp_path):
    import json

    import xlsxwriter

    _, con = warehouse
    inbox = tmp_path / "inbox"
    (inbox / "branch").mkdir(parents=True)
    book = xlsxwriter.Workbook(inbox / "branch" / "register.xlsx")
    sheet = book.add_worksheet("登记")
    for r, row in enumerate(
        [
            ["编号", "时间", "描述"],
            ["B1", "2023-07-01 10:00:00", "退款慢"],
            ["B2", "2023-07-02 11:00:00", "态度差"],
        ]
    ):
        sheet.write_row(r, 0, row)
    book.close()
    (inbox / "app").mkdir()
    (inbox / "app" / "feedback.json").write_text(
        json.dumps(
            {
                "data": {
                    "items": [
                        {
                            "id": 77001,
                            "created": "2023-07-03T09:00:00",
                            "user": {"phone": "13812345678"},
                            "text": "闪退",
                        },
                        {
                            "id": 77002,
                            "created": "2023-07-03T10:00:00",
                            "user": {"phone": None},
                            "text": "",
                        },
                    ]
                }
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    xlsx = load_mapping(
        write_mapping(
            tmp_path,
            """source: branch
files: branch/*.xlsx
format: {type: xlsx, sheet: 登记}
complaint_id: "{received:%Y%m}-{record_id}"
fields:
  record_id: {column: 编号}
  received_at: 时间
  description: 描述
  channel: {default: store}
""",
        )
    )
    [x] = load_source(con, inbox, as_source("branch", xlsx), "r1", NIGHT)
    assert (x.rows_read, x.rows_loaded) == (2, 0), x  # B1 makes no YYYYMM-NNNNN id
    [(reason,)] = con.execute(
        "SELECT reason FROM ops.quarantine "
        "WHERE check_name = 'complaint_id_form' AND row_number = 1"
    ).fetchall()
    assert "the complaint id '202307-B1'" in reason
    app = load_mapping(
        write_mapping(
            tmp_path,
            """source: app
files: app/*.json
format: {type: json, record_path: data.items}
datetime_formats: ["%Y-%m-%dT%H:%M:%S"]
complaint_id: "{received:%Y%m}-{record_id}"
fields:
  record_id: id
  received_at: created
  phone: user.phone
  description: text
  channel: {default: chat}
""",
        )
    )
    [a] = load_source(con, inbox, as_source("app", app), "r1", NIGHT)
    assert (a.rows_read, a.rows_loaded, a.rows_quarantined) == (2, 1, 1)
    assert con.execute(
        "SELECT complaint_id, phone, channel FROM raw.declared_intake WHERE source = 'app'"
    ).fetchall() == [("202307-77001", "+8613812345678", "chat")]
    assert con.execute("SELECT check_name FROM ops.quarantine WHERE source = 'app'").fetchall() == [
        ("description_present",)
    ]


def test_sources_check_reports_what_would_load_and_refuses_a_broken_mapping(tmp_path):
    from typer.testing import CliRunner

    from tousu.flows.cli import app

    runner = CliRunner()
    done = runner.invoke(app, ["sources", "check", str(SAMPLE), "--source", "cfpb"])
    assert done.exit_code == 0, done.output
    assert "2,068  2,067  1" in done.output
    assert "record_complete: 1 row(s)" in done.output and "cut short" in done.output
    assert "complaints it would add to core.complaints: 2,067" in done.output
    assert "columns left unmapped: Company public response" in done.output
    broken = write_mapping(
        tmp_path,
        (BUNDLED / "cfpb.yml")
        .read_text(encoding="utf-8")
        .replace("Date received", "Date recieved"),
    )
    refused = runner.invoke(
        app, ["sources", "check", str(SAMPLE), "--source", "cfpb", "--mapping", str(broken)]
    )
    assert refused.exit_code == 1
    assert "'Date recieved' (mapping " in refused.output and "m.yml:26)" in refused.output
    assert "would load" in refused.output and "failed" in refused.output


def test_a_clock_on_the_records_own_due_date_is_met_or_breached_by_its_closing_time(
    warehouse, tmp_path, monkeypatch
):
    _, con = warehouse
    folder = tmp_path / "sources"  # the company's own mapping folder
    folder.mkdir()
    monkeypatch.setenv("TOUSU_SOURCES_DIR", str(folder))
    m = load_mapping(
        write_mapping(
            folder,
            """source: regulator
files: regulator/*.csv
format: {type: csv}
timezone: Asia/Shanghai
datetime_formats: ["%Y-%m-%d %H:%M"]
complaint_id: "{received:%Y%m}-{record_id:0>5}"
fields:
  record_id: 案件号
  received_at: 转办时间
  due_at: 办理期限
  closed_at: 办结时间
  description: 诉求
  status:
    column: 状态
    values: {已办结: closed, 办理中: investigating}
  satisfaction:
    column: 评价
    values: {好: 满意, 差: 不满意}
  channel: {default: referral}
sla:
  clock: regulator_due_date
  due: due_at
  stop: closed_at
""",
        )
    )
    inbox = tmp_path / "inbox"
    (inbox / "regulator").mkdir(parents=True)
    (inbox / "regulator" / "cases.csv").write_text(
        "案件号,转办时间,办理期限,办结时间,诉求,状态,评价\n"
        "1,2023-07-01 09:00,2023-07-08 18:00,2023-07-05 10:00,退款,已办结,好\n"
        "2,2023-07-01 09:00,2023-07-08 18:00,2023-07-10 10:00,退款,已办结,差\n"
        "3,2023-09-20 09:00,2023-10-20 18:00,,维修,办理中,\n"
        "4,2023-07-02 09:00,2023-07-09 18:00,,赔偿,办理中,\n",
        encoding="utf-8",
    )
    [outcome] = load_source(con, inbox, as_source("regulator", m), "r1", NIGHT)
    assert outcome.rows_loaded == 4, outcome
    db.build_core(con)
    build_marts(con, night_end(NIGHT, "Asia/Shanghai"))
    got = dict(
        con.execute("""
        SELECT c.source_ref, s.status || ' ' || strftime(s.deadline_at AT TIME ZONE
               'Asia/Shanghai', '%m-%d %H:%M')
        FROM mart.sla_clocks s JOIN core.complaints c USING (complaint_id)
        WHERE s.clock = 'regulator_due_date'""").fetchall()
    )
    assert got == {
        "1": "met 07-08 18:00",
        "2": "breached 07-08 18:00",
        "3": "open_within 10-20 18:00",
        "4": "open_breached 07-09 18:00",
    }
    [(label,)] = con.execute(
        "SELECT DISTINCT target_label FROM mart.sla_clocks WHERE clock = 'regulator_due_date'"
    ).fetchall()
    assert label == "the record's due date (regulator)"
    # Its satisfaction reaches CSAT: one answered follow-up per rated case.
    [(month, csat)] = con.execute("""
        SELECT month, csat FROM mart.satisfaction_closure_monthly
        WHERE channel = 'referral' AND department = '(all)' AND category = '(all)'
          AND priority = '(all)' AND month = DATE '2023-07-01'""").fetchall()
    assert csat == 0.5


def test_a_refused_mapping_in_the_folder_fails_its_files_and_not_the_night(
    warehouse, tmp_path, monkeypatch
):
    from tousu.flows.sources import all_sources

    _, con = warehouse
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "hotline.yml").write_text(
        BASE.replace("source: shop", "source: hotline")
        .replace("shop/*.csv", "hotline/*.csv")
        .replace('%m/%d/%Y"', '%m/%Q/%Y"'),
        encoding="utf-8",
    )
    monkeypatch.setenv("TOUSU_SOURCES_DIR", str(folder))
    sources = all_sources()
    assert "hotline" in sources and "phone" in sources and "cfpb" not in sources
    inbox = tmp_path / "inbox"
    (inbox / "hotline").mkdir(parents=True)
    (inbox / "hotline" / "a.csv").write_text("x\n1\n", encoding="utf-8")
    [outcome] = load_source(con, inbox, sources["hotline"], "r1", NIGHT)
    assert outcome.status == "failed"
    assert "mapping cannot be used" in outcome.error and "hotline.yml:4:" in outcome.error


def test_times_with_an_offset_and_without_one_mix_in_one_column():
    import polars as pl

    from tousu.flows.byo.mapping import Mapping
    from tousu.flows.byo.transform import _time

    m = Mapping(
        source="mixed",
        files="mixed/*.csv",
        format={"type": "csv"},
        timezone="Asia/Shanghai",
        datetime_formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        fields={"record_id": "id", "received_at": "at"},
    )
    stamp, known = _time(pl.col("v"), m)
    got = pl.DataFrame(
        {"v": ["2023-07-01T01:00:00+00:00", "2023-07-01 09:30", "2023-07-02", "31/06/2023"]}
    ).select(stamp.dt.strftime("%Y-%m-%d %H:%M %z"), known.alias("known"))
    assert got.rows() == [
        ("2023-07-01 09:00 +0800", True),
        ("2023-07-01 09:30 +0800", True),
        ("2023-07-02 00:00 +0800", False),
        (None, False),
    ]
