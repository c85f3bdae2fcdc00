"""The monthly review pack read back with real readers: poppler (pdftotext, pdffonts, pdftoppm)
for the PDF, openpyxl for the workbook; its figures against the marts (issue 16)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e
MONTH = date(2026, 10, 1)
EVERY = "channel = '(all)' AND department = '(all)' AND category = '(all)' AND priority = '(all)'"


def pct(rate: float) -> str:
    return f"{(Decimal(str(rate)) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)} %"


@pytest.fixture(scope="module")
def written(published_demo, tmp_path_factory):
    from tousu.dashboards.report import build

    out = tmp_path_factory.mktemp("reports")
    plans = out / "app.duckdb"
    files = build(published_demo, MONTH, ("zh", "en"), out, plans)
    return {p.name: p for p in files}, plans


@pytest.fixture(scope="module")
def marts(published_demo):
    con = duckdb.connect(str(published_demo), read_only=True)
    try:
        [(volume, csat, closure)] = con.execute(
            f"SELECT complaints, csat, closure_rate FROM mart.satisfaction_closure_monthly "
            f"WHERE month = ? AND {EVERY}",
            [MONTH],
        ).fetchall()
        [(repeat,)] = con.execute(
            f"SELECT repeat_rate FROM mart.repeat_rate_monthly WHERE month = ? AND {EVERY}",
            [MONTH],
        ).fetchall()
        [(sla,)] = con.execute(
            f"SELECT compliance_rate FROM mart.sla_compliance_monthly WHERE month = ? "
            f"AND {EVERY} AND clock = '(all)'",
            [MONTH],
        ).fetchall()
    finally:
        con.close()
    return {
        "volume": volume,
        "csat": csat,
        "closure_rate": closure,
        "repeat_rate": repeat,
        "sla_compliance": sla,
    }


def test_the_pdf_has_the_chinese_headings_the_marts_figures_and_embedded_fonts(written, marts):
    files, _ = written
    pdf = files["report-2026-10-zh.pdf"]
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for heading in ("投诉数据月度复盘报告", "目录", "核心指标", "帕累托图", "数据质量", "指标定义"):
        assert heading in text, heading
    assert f"{marts['volume']:,}" in text
    for key in ("csat", "closure_rate", "repeat_rate", "sla_compliance"):
        assert pct(marts[key]) in text, key
    assert "1 / " in text  # page numbers
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # emb
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "2",
            "-l",
            "2",
            "-singlefile",
            str(pdf),
            str(ARTIFACTS / "report_zh_page2"),
        ],
        check=True,
    )
    assert (ARTIFACTS / "report_zh_page2.png").stat().st_size > 10_000
    english = subprocess.run(
        ["pdftotext", str(files["report-2026-10-en.pdf"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Headline figures" in english and "核心指标" not in english


def test_the_workbook_holds_numbers_with_formats(written, marts):
    import openpyxl

    files, _ = written
    book = openpyxl.load_workbook(files["report-2026-10-zh.xlsx"])
    assert book.sheetnames[:3] == [
        "核心指标",
        "达标率（按节点、渠道、优先级）",
        "本月最严重的超时（前 20）",
    ]
    assert "指标定义" in book.sheetnames
    kpi = book["核心指标"]
    rows = {r[0].value: r[1] for r in kpi.iter_rows(min_row=2) if r[0].value}
    assert rows["投诉量"].value == marts["volume"] and rows["投诉量"].number_format == "#,##0"
    assert rows["满意率"].value == pytest.approx(marts["csat"])
    assert rows["满意率"].number_format == "0.0%"
    assert kpi.freeze_panes == "A2" and kpi.auto_filter.ref
    assert kpi["A1"].font.b
    breaches = book["本月最严重的超时（前 20）"]
    started = [c.value for c in breaches["H"][1:] if c.value is not None]
    assert started and all(hasattr(v, "year") for v in started)  # dates, not text


def test_each_file_is_an_audited_export(written):
    from tousu.warehouse import audit

    files, plans = written
    exports = [e for e in audit.entries(plans) if e.action == "export"]
    assert sorted(e.target for e in exports) == sorted(files)
    assert all(e.user_name.startswith("cli:") for e in exports)


def test_tousu_report_refuses_a_month_it_cannot_read(tmp_path):
    tousu = shutil.which("tousu") or str(Path(__file__).resolve().parents[2] / ".venv/bin/tousu")
    done = subprocess.run(
        [tousu, "report", "--month", "2026-13", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "YYYY-MM" in done.stderr


def test_the_monthly_deployment_runs_on_the_first_for_the_month_before():
    from tousu.flows.deployments import monthly_report_deployment
    from tousu.flows.report.flow import month_before

    deployment = monthly_report_deployment("Asia/Shanghai")
    [schedule] = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 6 1 * *", "Asia/Shanghai")
    assert month_before(date(2026, 1, 1)) == date(2025, 12, 1)
    assert month_before(date(2026, 11, 30)) == date(2026, 10, 1)


def test_the_monthly_flow_writes_both_languages_and_records_them(
    prefect_server, published_demo, tmp_path
):
    """The flow end to end on a copy of the demo warehouse: four files, four history rows with
    their checksums and the published night, carried into the next published copy."""
    import hashlib

    from tousu.flows.report.flow import monthly_report
    from tousu.warehouse import db

    writer, published = tmp_path / "tousu.duckdb", tmp_path / "tousu.published.duckdb"
    shutil.copyfile(published_demo.with_name("tousu.duckdb"), writer)
    shutil.copyfile(published_demo, published)
    files = monthly_report(
        month="2026-10", out=tmp_path / "reports", published=published, warehouse=writer
    )
    assert sorted(Path(f).name for f in files) == [
        "report-2026-10-en.pdf",
        "report-2026-10-en.xlsx",
        "report-2026-10-zh.pdf",
        "report-2026-10-zh.xlsx",
    ]
    con = db.connect(writer, read_only=True)
    try:
        rows = con.execute(
            "SELECT month, lang, file, sha256, published_night FROM ops.report_history "
            "ORDER BY file"
        ).fetchall()
    finally:
        con.close()
    assert [(m, lang) for m, lang, *_ in rows] == [
        (MONTH, "en"),
        (MONTH, "en"),
        (MONTH, "zh"),
        (MONTH, "zh"),
    ]
    for _, _, file, sha, night in rows:
        assert hashlib.sha256(Path(file).read_bytes()).hexdigest() == sha
        assert night == date(2026, 11, 1)  # the demo fixture's night


def test_libreoffice_opens_the_workbook_and_reads_every_sheet(written, marts, tmp_path):
    """The workbook converted headless by LibreOffice: one CSV per sheet, the figures in them."""
    files, _ = written
    book = files["report-2026-10-zh.xlsx"]
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(tmp_path / "csv"),
            str(book),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    import openpyxl

    sheets = openpyxl.load_workbook(book).sheetnames
    written_csv = sorted(p.name for p in (tmp_path / "csv").glob("*.csv"))
    assert written_csv == sorted(f"{book.stem}-{s}.csv" for s in sheets)
    kpi = (tmp_path / "csv" / f"{book.stem}-核心指标.csv").read_text(encoding="utf-8")
    assert f"投诉量,{marts['volume']}," in kpi


def test_a_report_of_one_channel_counts_that_channel(published_demo, tmp_path):
    from tousu.dashboards.report import build

    [pdf] = [
        p
        for p in build(
            published_demo, MONTH, ("zh",), tmp_path, tmp_path / "app.duckdb", {"channel": "phone"}
        )
        if p.suffix == ".pdf"
    ]
    assert pdf.name == "report-2026-10-zh-phone.pdf"
    con = duckdb.connect(str(published_demo), read_only=True)
    try:
        [(volume,)] = con.execute(
            "SELECT complaints FROM mart.satisfaction_closure_monthly WHERE month = ? "
            "AND channel = 'phone' AND department = '(all)' AND category = '(all)' "
            "AND priority = '(all)'",
            [MONTH],
        ).fetchall()
    finally:
        con.close()
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "筛选条件: 渠道: 电话" in text
    kpi = text.split("核心指标")[2].split("达标率（按节点")[0]  # the section, not the contents
    line = next(x for x in kpi.splitlines() if x.strip().startswith("投诉量"))
    assert line.split()[1] == f"{volume:,}"


def test_a_monthly_pack_that_fails_sends_one_alert(prefect_server, tmp_path, monkeypatch):
    """No published copy to read: the flow fails, and the operator gets one message."""
    from tests.receivers import http_receiver
    from tousu.flows.report.flow import monthly_report

    with http_receiver() as receiver:
        monkeypatch.setenv("TOUSU_ALERT_URLS", receiver.url)
        state = monthly_report(
            month="2026-10",
            out=tmp_path / "reports",
            published=tmp_path / "missing.published.duckdb",
            warehouse=tmp_path / "tousu.duckdb",
            return_state=True,
        )
        assert state.is_failed()
        [message] = receiver.messages
    assert "[月度报告生成失败 / monthly review pack failed]" in message["message"]
    assert "2026-10" in message["message"] and "missing.published.duckdb" in message["message"]
