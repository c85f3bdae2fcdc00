"""The review app on a small published warehouse: every page renders, values equal the marts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import sign_in_as
from tousu.dashboards.i18n import COLUMNS
from tousu.dashboards.pages import SCRIPTS


def zh(column: str) -> str:
    """A column's header on a Chinese page."""
    return COLUMNS[column][0]


def en(column: str) -> str:
    return COLUMNS[column][1]


def pct(rate: float) -> str:
    """A stored rate as the app shows it: one rounding, half up, of its decimal digits."""
    from decimal import ROUND_HALF_UP, Decimal

    return f"{(Decimal(str(rate)) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)} %"


APP = str(Path(__file__).resolve().parents[2] / "dashboards" / "app.py")
PAGES = tuple(s for s in SCRIPTS if s != "views/audit.py")  # as a quality manager


def app(lang: str = "中文", user: str = "manager") -> AppTest:
    """The app as `user` (a demo user, added to the app's file if missing) sees it, signed in."""
    from tousu.dashboards.data import plans_path

    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    return sign_in_as(at, plans_path(), user)


def mart(published, sql, *params):
    con = duckdb.connect(str(published), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_an_exception(published, page):
    at = app().run()
    at.switch_page(page).run()
    assert not at.exception, at.exception


def test_overview_shows_the_marts_figures_for_the_latest_month(published):
    at = app().run()
    assert not at.exception
    month, volume, csat = mart(
        published,
        """
        SELECT month, complaints, csat FROM mart.satisfaction_closure_monthly
        WHERE channel = '(all)' AND department = '(all)' AND category = '(all)'
          AND priority = '(all)' ORDER BY month DESC LIMIT 1""",
    )[0]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["投诉量"] == f"{volume:,}"
    assert metrics["满意率"] == pct(csat)
    assert at.selectbox(key="month").value == month


def test_filters_narrow_the_figures_to_one_channel(published):
    at = app().run()
    at.selectbox(key="channel").select("phone").run()
    month = at.selectbox(key="month").value
    [(volume,)] = mart(
        published,
        """
        SELECT complaints FROM mart.satisfaction_closure_monthly
        WHERE month = ? AND channel = 'phone' AND department = '(all)' AND category = '(all)'
          AND priority = '(all)'""",
        month,
    )
    assert {m.label: m.value for m in at.metric}["投诉量"] == f"{volume:,}"


def test_english_labels(published):
    at = app("English").run()
    assert {m.label for m in at.metric} >= {
        "Complaints",
        "SLA compliance",
        "Repeat rate",
        "CSAT",
        "Closure rate",
        "Overdue open",
    }


def test_complaint_detail_shows_the_timeline(published):
    [(complaint_id, events)] = mart(
        published,
        """
        SELECT complaint_id, count(*) FROM core.complaint_events GROUP BY 1
        ORDER BY 2 DESC, 1 LIMIT 1""",
    )
    at = app().run()
    at.switch_page("views/complaint.py").run()
    at.text_input(key="complaint_input").input(complaint_id).run()
    assert not at.exception
    [timeline] = [d.value for d in at.dataframe if zh("event") in d.value.columns]
    assert len(timeline) == events
    assert complaint_id in at.subheader[0].value
    # the customer's words are plain text, never Markdown (links, remote images, bold)
    [(description,)] = mart(
        published, "SELECT description FROM core.complaints WHERE complaint_id = ?", complaint_id
    )
    assert [t.value for t in at.text] == [description]
    assert not any(description in m.value for m in at.markdown)


def test_plan_round_trip_create_edit_verify(published, tmp_path, monkeypatch):
    from tousu.warehouse import plan_store as store

    path = tmp_path / "improvement_plans.duckdb"
    monkeypatch.setenv("TOUSU_PLANS", str(path))
    at = app()
    at.run()
    at.switch_page("views/plans.py").run()
    assert not at.exception, at.exception
    at.text_input(key="new_plan_0_title").input("降低物流破损投诉")
    at.selectbox(key="new_plan_0_cat").select("物流配送类")
    at.number_input(key="new_plan_0_target").set_value(0.5)
    at.text_input(key="new_plan_0_owner").input("张经理")
    at.date_input(key="new_plan_0_start").set_value(date(2026, 3, 1))
    at.date_input(key="new_plan_0_deadline").set_value(date(2026, 5, 31))
    at.button[0].click().run()
    assert not at.exception, at.exception
    [(plan_id, title, status)] = store.read(
        path, "SELECT plan_id, title, status FROM plans.improvement_plans"
    )
    assert (plan_id, title, status) == ("IP-202603-001", "降低物流破损投诉", "planned")
    # the saved message stays after the rerun, and the new form starts empty
    assert any(f"已保存: {plan_id}" in m.value for m in at.success)
    assert at.text_input(key="new_plan_1_title").value == ""
    assert at.dataframe[0].value[zh("plan_id")].tolist() == [plan_id]

    # mark it done: the page verifies the effect against the marts
    at.selectbox(key=f"edit_{plan_id}_1_status").select("done")
    at.date_input(key=f"edit_{plan_id}_1_done").set_value(date(2026, 5, 20))
    next(
        b for b in at.button if b.key and b.key.startswith(f"FormSubmitter:edit_{plan_id}")
    ).click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert store.get(path, plan_id).status == "done"
    verdict = {m.label: m.value for m in at.metric}["效果验证"]
    assert verdict in ("有效", "尚待观察", "未见效")
    history = store.read(path, "SELECT field FROM plans.plan_changes ORDER BY version, field")
    assert history == [("created",), ("done_date",), ("status",)]
    # the plan's chart marks its start and done dates
    import pyarrow as pa

    [chart] = [c for c in at.get("vega_lite_chart") if "strokeDash" in c.proto.spec]
    drawn = [pa.ipc.open_stream(d.data.data).read_all().to_pylist() for d in chart.proto.datasets]
    labels = {r.get("label") for rows in drawn for r in rows}
    assert {"开始日期", "完成日期"} <= labels
    # the page of the category it targets opens it
    at.switch_page("views/problem_types.py").run()
    at.button(key=f"open_plan_{plan_id}").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="plan_select").value == plan_id


@pytest.fixture(scope="module")
def second_night(published_demo, small_inbox, tmp_path_factory):
    """The demo warehouse after a second night that brought nothing: every failure is on the
    first night ('r1'), none on the latest ('r2'), and the months stay provisional."""
    import shutil

    from tousu.flows.night import Night
    from tousu.flows.nightly import run_night
    from tousu.flows.runs import NightSummary

    folder = tmp_path_factory.mktemp("second_night")
    shutil.copyfile(published_demo.with_name("tousu.duckdb"), folder / "tousu.duckdb")
    night = Night.resolve(small_inbox[0], folder / "tousu.duckdb", date(2026, 11, 2), run_id="r2")
    run_night(night, NightSummary(night.run_id, night.run_date, []))
    return night.published


def test_earlier_nights_failures_are_listed_and_acknowledged_from_the_data_quality_page(
    second_night, tmp_path, monkeypatch
):
    """The latest night failed nothing, yet the months are provisional: the page lists the
    first night's failures behind them, an acknowledgement is saved and shown there and on
    the metric pages (issue 15 item 1)."""
    from tousu.warehouse.acknowledgements import in_force

    path = tmp_path / "improvement_plans.duckdb"
    monkeypatch.setenv("TOUSU_PLANS", str(path))
    monkeypatch.setenv("TOUSU_PUBLISHED", str(second_night))
    assert mart(
        second_night, "SELECT count(*) FROM ops.dq_results WHERE run_id = 'r2' AND NOT success"
    ) == [(0,)]
    behind = mart(
        second_night,
        """
        SELECT DISTINCT d.source, d.check_name FROM ops.dq_results d
        WHERE NOT d.success AND d.run_id = 'r1' AND d.suite LIKE 'source_%' ORDER BY ALL""",
    )
    assert behind, "the small demo inbox plants defects beyond the tolerances"
    at = app()
    at.run()
    at.switch_page("views/data_quality.py").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    listed = set(zip(table[zh("source")], table[zh("check_name")], strict=True))
    # sources shown by name (电话), checks by their id
    assert len(listed) == len(behind)
    assert {c for _, c in listed} == {c for _, c in behind}
    assert ("电话", behind[0][1]) in listed or behind[0][0] != "phone"

    # the phone channel's month with the largest gap: acknowledge every check behind it
    phone = [c for s, c in behind if s == "phone"]
    [(month,)] = mart(
        second_night,
        """
        SELECT month FROM mart.provisional_problems WHERE channel = 'phone'
        GROUP BY month ORDER BY count(DISTINCT check_name), month DESC LIMIT 1""",
    )
    checks = [
        c
        for (c,) in mart(
            second_night,
            "SELECT DISTINCT check_name FROM mart.provisional_problems "
            "WHERE channel IN ('phone', '(all)') AND month = ? ORDER BY 1",
            month,
        )
    ]
    assert set(checks) <= set(phone)
    options = at.selectbox(key="ack_check").options
    at.selectbox(key="ack_check").select(options[0])
    at.text_area(key="ack_comment").input("ok")  # too short to say anything: refused
    at.button[0].click().run()
    assert at.error and "需要填写说明" in at.error[0].value  # the refusal in the page language
    assert in_force(path, date.today()) == []

    for check in checks:
        at.selectbox(key="ack_check").select(f"phone · {check}")
        at.text_area(key="ack_comment").input("呼叫中心系统升级导致，已通知 IT 修复")
        at.button[0].click().run()
        assert not at.exception, at.exception
    acks = in_force(path, date.today())
    assert {(a.source, a.check_name, a.run_id) for a in acks} == {
        ("phone", c, "r1") for c in checks
    }
    table = at.dataframe[0].value
    mine = table[(table[zh("source")] == "电话") & table[zh("check_name")].isin(checks)]
    assert mine[zh("comment")].tolist() == ["呼叫中心系统升级导致，已通知 IT 修复"] * len(checks)
    assert mine[zh("acknowledged_by")].tolist() == ["manager"] * len(checks)  # signed in
    assert table[zh("acknowledged_by")].iloc[0] == ""  # the unacknowledged come first

    # the metric pages show the month as acknowledged, with its gap
    at.switch_page("views/overview.py").run()
    at.selectbox(key="channel").select("phone").run()
    at.selectbox(key="month").select(month).run()
    assert not at.exception, at.exception
    assert not any(f"{month:%Y-%m}" in w.value for w in at.warning)
    assert any(
        c.value.startswith("缺口已确认的月份") and f"{month:%Y-%m}" in c.value for c in at.caption
    )


def month_gap(published, month, channel: str | None) -> tuple[int, int]:
    """Rows missing and rows of a month, recomputed from ops tables: unresolved quarantined
    rows of the failing deliveries with records of that month, and the month's complaints."""
    channel_filter = "" if channel is None else f"AND c.channel = '{channel}'"
    [(missing,)] = mart(
        published,
        f"""
        SELECT count(*) FROM (
            SELECT DISTINCT q.load_id, q.row_number FROM ops.quarantine q
            WHERE q.resolved_at IS NULL AND q.load_id IN (
                SELECT f.load_id FROM core.complaints c
                JOIN ops.file_loads f ON f.path = c.source_file AND f.status = 'loaded'
                WHERE date_trunc('month', c.received_at AT TIME ZONE 'Asia/Shanghai') = ?
                  {channel_filter}
                  AND f.load_id IN (SELECT load_id FROM ops.dq_results
                                    WHERE NOT success AND suite LIKE 'source_%')))""",
        month,
    )
    [(rows,)] = mart(
        published,
        f"""
        SELECT count(*) FROM core.complaints c
        WHERE date_trunc('month', c.received_at AT TIME ZONE 'Asia/Shanghai') = ? {channel_filter}""",
        month,
    )
    return missing, rows


def test_a_provisional_month_says_how_much_is_missing_and_alarms_past_the_threshold(published):
    """Issue 15 item 2: the gap's size is stated; only a gap of 2 % or more is an alarm, and
    the warning and the trend's colours agree."""
    import pyarrow as pa

    months = [
        m
        for (m,) in mart(
            published,
            "SELECT DISTINCT month FROM mart.provisional_problems "
            "WHERE channel = 'phone' AND unit = 'records' ORDER BY 1",
        )
    ]
    gaps = {m: month_gap(published, m, "phone") for m in months}
    share = {m: missing / (rows + missing) for m, (missing, rows) in gaps.items()}
    alarm = [m for m in months if share[m] >= 0.02]
    quiet = [m for m in months if share[m] < 0.02]
    assert alarm, "the small demo inbox has a phone month missing 2 % or more"
    at = app()
    at.run()
    at.selectbox(key="channel").select("phone").run()
    month = alarm[-1]
    at.selectbox(key="month").select(month).run()
    assert not at.exception, at.exception
    missing, rows = gaps[month]
    said = f"{rows + missing:,} 条投诉记录中缺 {missing:,} 条（{pct(share[month])}）"
    assert any(f"{month:%Y-%m}: {said}" in w.value for w in at.warning), [
        w.value for w in at.warning
    ]
    # the trend's colours: every alarm month orange, no other
    [chart] = [e for e in at.get("vega_lite_chart") if '"month"' in e.proto.spec]
    drawn = pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_all().to_pylist()
    status = {r["month"]: r["数据状态"] for r in drawn}
    assert {m for m, s in status.items() if s == "暂定"} == {f"{m:%Y-%m}" for m in alarm}
    assert all(status[f"{m:%Y-%m}"] == "暂定（缺口小）" for m in quiet if f"{m:%Y-%m}" in status)

    # every channel together: the same month's gap is measured against all its complaints
    at.selectbox(key="channel").select("(all)").run()
    missing_all, rows_all = month_gap(published, month, None)
    share_all = missing_all / (rows_all + missing_all)
    shown = " ".join([w.value for w in at.warning] + [c.value for c in at.caption])
    assert f"{rows_all + missing_all:,} 条投诉记录中缺 {missing_all:,} 条" in shown
    assert (share_all >= 0.02) == any(f"{month:%Y-%m}" in w.value for w in at.warning)
    reasons = at.expander[0].dataframe[0].value
    assert f"{month:%Y-%m}" in set(reasons[zh("month")])


def test_quarantine_filters_by_check_and_exports_the_rows(published):
    [(check, n)] = mart(
        published,
        """
        SELECT c, count(*) FROM (SELECT unnest(string_split(check_name, ', ')) AS c
                                 FROM ops.quarantine WHERE resolved_at IS NULL)
        GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1""",
    )
    at = app()
    at.run()
    at.switch_page("views/data_quality.py").run()
    at.selectbox(key="dq_check").select(check).run()
    assert not at.exception, at.exception
    shown = at.dataframe[-1].value
    assert len(shown) == n and all(check in c for c in shown[zh("check_name")])


def test_quarantined_records_are_masked_and_downloads_neutralise_formulas(published):
    at = app().run()
    at.switch_page("views/data_quality.py").run()
    assert not at.exception
    [table] = [d for d in at.dataframe if zh("record") in d.value.columns]
    records = " ".join(v for v in table.value[zh("record")] if v)
    raw = " ".join(r for (r,) in mart(published, "SELECT record FROM ops.quarantine") if r)
    names = [
        n
        for (n,) in mart(
            published,
            """
        SELECT DISTINCT coalesce(json_extract_string(record, '$.customer_name'),
                                 json_extract_string(record, '$.name'))
        FROM ops.quarantine WHERE json_valid(record)""",
        )
        if n and len(n) > 1 and "\ufffd" not in n
    ]
    assert names and all(n in raw for n in names)
    shown_whole = [n for n in names if f'"{n}"' in records]
    assert shown_whole == [], records[:500]  # shown as 张*, never whole


def test_a_long_list_shows_its_first_rows_newest_first_and_counts_them_all(published, monkeypatch):
    """The month's complaints: the heading counts every one (the Overview's volume), the table
    holds the first SHOWN_ROWS in the list's order, and a caption says so."""
    from tousu.dashboards import data
    from tousu.flows.settings import TIMEZONE

    monkeypatch.setattr(data, "SHOWN_ROWS", 7)
    at = app().run()
    at.switch_page("views/complaints.py").run()
    assert not at.exception, at.exception
    month = at.selectbox(key="month").value
    [(volume,)] = mart(
        published,
        "SELECT complaints FROM mart.satisfaction_closure_monthly WHERE month = ? "
        "AND channel = '(all)' AND department = '(all)' AND category = '(all)' "
        "AND priority = '(all)'",
        month,
    )
    newest = [
        c
        for (c,) in mart(
            published,
            "SELECT complaint_id FROM core.complaints "
            "WHERE date_trunc('month', received_at AT TIME ZONE ?)::DATE = ? "
            "ORDER BY received_at DESC, complaint_id LIMIT 7",
            TIMEZONE,
            month,
        )
    ]
    assert volume > 7
    assert at.subheader[0].value.endswith(f"({volume:,})")
    [table] = [d for d in at.dataframe if zh("complaint_id") in d.value.columns]
    assert table.value[zh("complaint_id")].to_list() == newest
    assert f"显示前 7 条（共 {volume:,} 条）" in " ".join(c.value for c in at.caption)
    # the export holds every row: prepared when asked, then downloaded
    assert not at.get("download_button")
    at.button(key="drill_list_prepare").click().run()
    assert not at.exception, at.exception
    [download] = at.get("download_button")
    assert download.proto.label == f"下载全部 {volume:,} 条 CSV"
    _, csv, rows = at.session_state["drill_list_every_row"]
    assert rows == volume and csv.decode("utf-8-sig").count("\n") == volume + 1


def test_the_breach_list_counts_the_companys_month_as_the_compliance_table_does(published):
    """Pages run date_trunc in the reporting time zone: a clock started at 01:00 on the 1st
    (Shanghai) is in that month's list, as in the monthly mart."""
    # a month whose count differs when its clocks are cut at UTC midnight instead
    [(month, breached)] = mart(
        published,
        """
        SELECT m.month, m.breached FROM mart.sla_compliance_monthly m
        WHERE clock = '(all)' AND channel = '(all)' AND priority = '(all)'
          AND department = '(all)' AND category = '(all)'
          AND m.breached <> (SELECT count(*) FROM mart.sla_breaches b
                             WHERE date_trunc('month', b.start_at AT TIME ZONE 'UTC')::DATE
                                   = m.month)
          AND m.month IN (SELECT month FROM mart.satisfaction_closure_monthly)
        ORDER BY m.month DESC LIMIT 1""",
    )
    at = app().run()
    at.switch_page("views/sla.py").run()
    at.selectbox(key="month").select(month).run()
    assert not at.exception, at.exception
    [caption] = [c.value for c in at.caption if c.value.startswith("超时清单")]
    assert caption == f"超时清单 ({breached:,})"


def test_filters_survive_a_page_change_and_come_from_the_link(published):
    at = app().run()
    months = at.selectbox(key="month").options
    at.selectbox(key="month").select_index(1)
    at.selectbox(key="channel").select("phone").run()
    chosen = at.selectbox(key="month").value
    at.switch_page("views/sla.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="channel").value == "phone"
    assert at.selectbox(key="month").value == chosen
    assert at.query_params["channel"] == "phone"
    assert at.query_params["month"] == f"{chosen:%Y-%m}"

    from tousu.dashboards.data import plans_path

    linked = sign_in_as(AppTest.from_file(APP, default_timeout=60), plans_path())
    linked.query_params["channel"] = "email"
    linked.query_params["month"] = months[2]
    linked.query_params["lang"] = "en"
    linked.run()
    assert not linked.exception, linked.exception
    # English draws its own widgets (keys with _en), which take the linked values
    assert linked.selectbox(key="channel_en").value == "email"
    assert f"{linked.selectbox(key='month_en').value:%Y-%m}" == months[2]
    assert linked.selectbox(key="channel_en").options[0] == "All"
    assert any("Complaints" in m.label for m in linked.metric)  # English from the link


def test_english_mode_names_clocks_channels_and_categories_in_english(published):
    """Labels are looked up in the script thread (a label function inside polars' map_elements
    runs without Streamlit's session and fell back to Chinese)."""
    at = app("English").run()
    at.switch_page("views/sla.py").run()
    assert not at.exception, at.exception
    headers = {en("clock"), en("channel"), en("met")}
    [table] = [d.value for d in at.dataframe if headers <= set(d.value.columns)]
    clocks, channels = set(table[en("clock")]), set(table[en("channel")])
    assert "First response" in clocks and "首次响应" not in clocks
    assert {"Phone", "Email"} <= channels
    assert not {"phone", "email", "电话", "邮件"} & channels


def test_records_waiting_to_be_linked_are_counted_on_the_overview_and_listed(published):
    [(waiting,)] = mart(
        published,
        "SELECT count(*) FROM ops.pending_links WHERE waiting_for IN "
        "('registration without its channel record', 'channel record not registered')",
    )
    [(listed,)] = mart(published, "SELECT count(*) FROM ops.pending_links")
    assert waiting, "the small demo inbox has halves waiting"
    at = app().run()
    assert not at.exception, at.exception
    assert any(f"另有 {waiting:,} 条记录在等待配对" in i.value for i in at.info)
    at.switch_page("views/data_quality.py").run()
    assert not at.exception, at.exception
    [table] = [d.value for d in at.dataframe if zh("waiting_for") in d.value.columns]
    assert len(table) == listed


def test_the_weekly_trend_stops_where_the_data_stops(published_demo, tmp_path, monkeypatch):
    """A night weeks after the last delivered data (the demo's data ends in October, `make demo`
    runs today): the weeks after the data are not drawn as a drop to zero."""
    import shutil

    from tousu.flows.metrics.build import build_marts
    from tousu.flows.settings import night_end
    from tousu.warehouse import db

    writer = tmp_path / "tousu.duckdb"
    shutil.copyfile(published_demo.with_name("tousu.duckdb"), writer)
    con = db.connect(writer)
    build_marts(con, night_end(date(2026, 11, 26), "Asia/Shanghai"))
    [(last_data_week, last_week)] = con.execute(
        "SELECT max(week_start) FILTER (WHERE complaints > 0), max(week_start) "
        "FROM mart.category_weekly"
    ).fetchall()
    con.close()
    assert last_week > last_data_week
    published = db.publish(writer, tmp_path / "tousu.published.duckdb")
    monkeypatch.setenv("TOUSU_PUBLISHED", str(published))
    monkeypatch.setenv("TOUSU_PLANS", str(tmp_path / "improvement_plans.duckdb"))
    at = app().run()
    at.switch_page("views/problem_types.py").run()
    assert not at.exception, at.exception
    import pyarrow as pa

    [chart] = [e for e in at.get("vega_lite_chart") if "week_start" in e.proto.spec]
    drawn = pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_all()
    weeks = {w.date() for w in drawn.column("week_start").to_pylist()}
    assert max(weeks) == last_data_week and last_week not in weeks


def test_the_latest_month_is_marked_maturing_and_not_shown_as_a_fall(published):
    at = app().run()
    assert not at.exception, at.exception
    assert sum("本月仍在处理中" in c.value for c in at.caption) == 2  # closure rate and CSAT
    at.selectbox(key="month").select_index(1).run()  # a finished month: compared as usual
    assert not any("本月仍在处理中" in c.value for c in at.caption)


def test_alerts_are_on_the_overview_and_in_the_nights_summary(published):
    """Issue 15 item 15: clocks at risk, early warnings of the latest weeks and overdue plans,
    the same on the Overview and in the night's Markdown summary."""
    from tousu.flows.runs import data_quality_markdown
    from tousu.warehouse import db

    at_risk = mart(
        published, "SELECT clock, count(*) FROM mart.sla_at_risk GROUP BY 1 ORDER BY 2 DESC"
    )
    warnings = mart(
        published,
        """
        SELECT category FROM mart.category_weekly WHERE alert AND week_start >=
            (SELECT max(week_start) - 7 FROM mart.category_weekly WHERE complaints > 0)""",
    )
    assert at_risk or warnings, "the small demo has something to alert on"
    at = app().run()
    assert not at.exception, at.exception
    shown = [w.value for w in at.warning]
    for clock, n in at_risk:
        assert any(f"{n:,} 个「{clock_name(clock)}」节点" in s for s in shown), shown
    for (category,) in warnings:
        assert any(s.startswith(f"预警：{category}") for s in shown), shown
    con = db.open_published(published)
    try:
        text = data_quality_markdown(con, "r1")
    finally:
        con.close()
    listed = text.split("## Alerts")[1] if "## Alerts" in text else ""
    for clock, n in at_risk:
        assert f"SLA at risk: {n:,} open {clock} clocks" in listed
    assert listed.count("early warning:") == len(warnings)


def clock_name(clock: str) -> str:
    from tousu.dashboards.i18n import CLOCK_NAMES

    return CLOCK_NAMES[clock][0]


def test_each_failure_links_its_nights_data_docs_and_the_app_says_what_is_missing(
    published, tmp_path, monkeypatch
):
    """Issue 15 item 7: the site keeps the pages of the nights whose failures are listed; the
    app links each failure to them, and says when the site's scripts come from public CDNs."""
    import json
    import shutil

    docs = published.with_name("data_docs")
    site = json.loads((docs / "tousu_site.json").read_text(encoding="utf-8"))
    assert site["run_id"] == "r1" and site["nights_kept"] == ["r1"]  # r1 had failures
    assert (docs / "nights" / "r1" / "index.html").exists()

    # a copy whose site lost its local scripts, and whose earlier night's pages were not kept
    copy = tmp_path / "tousu.published.duckdb"
    shutil.copyfile(published, copy)
    shutil.copytree(docs, tmp_path / "data_docs")
    (tmp_path / "data_docs" / "tousu_site.json").write_text(
        json.dumps({**site, "run_id": "r0", "offline_assets": False, "nights_kept": []}),
        encoding="utf-8",
    )
    monkeypatch.setenv("TOUSU_PUBLISHED", str(copy))
    monkeypatch.setenv("TOUSU_DATA_DOCS_URL", "http://127.0.0.1:9/index.html")
    at = app().run()
    at.switch_page("views/data_quality.py").run()
    assert not at.exception, at.exception
    assert any("公共 CDN" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert (table[zh("docs")] == "").all()
    assert any("校验页面不在数据文档中" in c.value for c in at.caption)

    # the published site as built: every failure of r1 links to its night's pages
    monkeypatch.setenv("TOUSU_PUBLISHED", str(published))
    at = app().run()
    at.switch_page("views/data_quality.py").run()
    table = at.dataframe[0].value
    assert set(table[zh("docs")]) == {"http://127.0.0.1:9/index.html"}  # r1 is the latest site
    assert not any("公共 CDN" in w.value for w in at.warning) or not site["offline_assets"]


def test_a_plans_target_is_on_the_tile_of_its_metric_and_scope(published, tmp_path, monkeypatch):
    """Issue 15 item 13: an open CSAT plan for a category puts its target on the CSAT tile when
    the Overview shows that category, and only then."""
    import shutil

    from tousu.warehouse import db

    writer = tmp_path / "tousu.duckdb"
    shutil.copyfile(published, writer)
    con = db.connect(writer)
    con.execute(
        "INSERT INTO plans.improvement_plans VALUES ('IP-202609-007', '提升服务满意度', "
        "'服务态度类', NULL, NULL, 'csat', 0.7, 0.85, '客服经理', '客服运营部', "
        "DATE '2026-09-01', DATE '2027-03-31', 'in_progress', NULL, 1, now(), now())"
    )
    con.close()
    monkeypatch.setenv("TOUSU_PUBLISHED", str(db.publish(writer, tmp_path / "p.duckdb")))
    monkeypatch.setenv("TOUSU_PLANS", str(tmp_path / "improvement_plans.duckdb"))
    at = app().run()
    assert not any("IP-202609-007" in c.value for c in at.caption)
    at.selectbox(key="category").select("服务态度类").run()
    assert not at.exception, at.exception
    assert any(c.value == "目标 85.0 %（改进计划 IP-202609-007）" for c in at.caption)


def test_the_report_and_the_overview_show_the_same_headline_figures(published):
    """Issue 16: one source of numbers. The report's headline table and the Overview's tiles for
    the same month, every figure as shown."""
    from tousu.dashboards.report import content
    from tousu.warehouse import viewer_copy

    at = app().run()
    at.selectbox(key="month").select_index(1).run()  # a finished month
    month = at.selectbox(key="month").value
    tiles = {m.label: m.value for m in at.metric}
    con = viewer_copy.build(published, viewer_copy.EVERYTHING)
    try:
        report = content.collect(con, month, "zh")
    finally:
        con.close()
    kpi = report.sections[0]
    for i, row in enumerate(kpi.frame.iter_rows(named=True)):
        value = row["this_month"]
        shown = pct(value) if i in kpi.rate_rows else f"{int(value):,}"
        assert tiles[row["metric"]] == shown, row["metric"]
    assert len(tiles) >= len(kpi.frame) == 6


def test_the_data_docs_take_another_port_when_theirs_is_held(tmp_path):
    """`tousu dashboard` serves the Data Docs on the port after the app's; a program already
    listening there must not stop the review app from starting."""
    import socket
    import urllib.request

    from tousu.flows.data_docs_server import serve_data_docs

    (tmp_path / "index.html").write_text("<p>docs</p>", encoding="utf-8")
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        taken = held.getsockname()[1]
        url, server = serve_data_docs(tmp_path, "127.0.0.1", taken)
        try:
            assert f":{taken}/" not in url
            with urllib.request.urlopen(url, timeout=10) as answer:
                assert answer.read() == b"<p>docs</p>"
        finally:
            server.shutdown()
            server.server_close()
