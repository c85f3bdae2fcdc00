"""The real nightly flow on a small demo inbox, against one Prefect test server."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from tousu.flows.nightly import nightly
from tousu.warehouse import db

pytestmark = pytest.mark.e2e
NIGHT = date(2026, 11, 1)

# What the reason given for each planted defect kind must say.
REASON_FOR = {
    "missing_required_field": ("description_present", "customer_contact_present"),
    "unparseable_date": ("received_time_parses",),
    "invalid_phone": ("phone_number_valid",),
    "reply_before_receipt": ("reply_not_before_complaint", "response_not_before_receipt"),
    "wrong_encoding": ("encoding_valid",),
    "unknown_category": ("category_known",),
}
# What the reason must say for each kind, in English and in Chinese.
REASON_TEXT = {
    "missing_required_field": (("is empty", "no way to reach the customer"), ("为空",)),
    "unparseable_date": (("is not a date and time of the form",), ("不是",)),
    "invalid_phone": (("is not a valid phone number",), ("无效",)),
    "reply_before_receipt": (("cannot come",), ("早于",)),
    "wrong_encoding": (("is not valid UTF-8 text",), ("不是有效的 UTF-8 文本",)),
    "unknown_category": (("is not one of the process categories",), ("不是流程规定的类别",)),
}


@pytest.fixture(scope="module")
def two_nights(prefect_server, small_inbox, tmp_path_factory):
    inbox, manifest = small_inbox
    warehouse = tmp_path_factory.mktemp("wh") / "tousu.duckdb"
    published = warehouse.with_name("tousu.published.duckdb")
    first = nightly(inbox=inbox, warehouse=warehouse, run_date=NIGHT, published=published)
    con = db.connect(published, read_only=True)
    after_first = snapshot(con)
    # A reader holding the published copy open must not block the next night.
    second = nightly(inbox=inbox, warehouse=warehouse, run_date=NIGHT, published=published)
    reader_still_sees = con.execute("SELECT count(*) FROM core.complaints").fetchall()[0][0]
    con.close()
    return {
        "inbox": inbox,
        "manifest": manifest,
        "warehouse": warehouse,
        "published": published,
        "first": first,
        "second": second,
        "after_first": after_first,
        "reader_still_sees": reader_still_sees,
    }


def snapshot(con) -> dict:
    tables = [
        "raw.phone_calls",
        "raw.chat_sessions",
        "raw.email_messages",
        "raw.social_mentions",
        "raw.store_registers",
        "raw.webform_submissions",
        "raw.ticket_events",
        "raw.satisfaction_followups",
        "ops.quarantine",
        "ops.file_loads",
        "core.complaints",
        "core.complaint_events",
        "core.satisfaction",
    ]
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}


def test_first_night_succeeds_and_every_file_reconciles(two_nights):
    first = two_nights["first"]
    assert first.succeeded
    con = db.connect(two_nights["published"], read_only=True)
    bad = con.execute("""
        SELECT path FROM ops.file_loads
        WHERE status = 'loaded'
          AND rows_read <> rows_loaded + rows_quarantined + rows_skipped""").fetchall()
    assert bad == []
    # The counts in ops.file_loads are the rows really in raw and in quarantine, per file.
    per_file = con.execute("""
        WITH raw_rows AS (
            SELECT _source_file AS path, count(*) AS n FROM raw.phone_calls GROUP BY 1
            UNION ALL SELECT _source_file, count(*) FROM raw.chat_sessions GROUP BY 1
            UNION ALL SELECT _source_file, count(*) FROM raw.email_messages GROUP BY 1
            UNION ALL SELECT _source_file, count(*) FROM raw.social_mentions GROUP BY 1
            UNION ALL SELECT _source_file, count(*) FROM raw.store_registers GROUP BY 1
            UNION ALL SELECT _source_file, count(*) FROM raw.webform_submissions GROUP BY 1
            UNION ALL SELECT _source_file, count(*) FROM raw.ticket_events GROUP BY 1
            UNION ALL SELECT _source_file, count(*) FROM raw.satisfaction_followups GROUP BY 1),
        q AS (SELECT file AS path, count(*) AS n FROM ops.quarantine GROUP BY 1)
        SELECT f.path FROM ops.file_loads f
        LEFT JOIN raw_rows r USING (path) LEFT JOIN q USING (path)
        WHERE f.status = 'loaded'
          AND (coalesce(r.n, 0) <> f.rows_loaded OR coalesce(q.n, 0) <> f.rows_quarantined)
           OR f.rows_read <> f.rows_loaded + f.rows_quarantined + f.rows_skipped
    """).fetchall()
    assert per_file == []
    inbox = two_nights["inbox"]
    files_in_inbox = {
        p.relative_to(inbox).as_posix()
        for p in inbox.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    recorded = {r[0] for r in con.execute("SELECT path FROM ops.file_loads").fetchall()}
    assert recorded == files_in_inbox
    totals = first.totals()
    assert (
        totals.rows_read == totals.rows_loaded + totals.rows_quarantined + totals.rows_skipped > 0
    )
    complaints = con.execute("SELECT count(*) FROM core.complaints").fetchall()[0][0]
    assert complaints == first.complaints > 0.9 * two_nights["manifest"]["complaints"]
    con.close()


def test_second_run_of_the_same_night_changes_nothing(two_nights):
    second = two_nights["second"]
    assert second.succeeded and second.totals().files_new == 0
    # a night that brings nothing still publishes, and says so
    assert second.warnings[0].startswith("no new file in any source tonight")
    assert "warning: no new file in any source tonight" in second.text()
    con = db.connect(two_nights["published"], read_only=True)
    assert snapshot(con) == two_nights["after_first"]
    assert con.execute("SELECT count(*) FROM ops.runs").fetchall()[0][0] == 2
    con.close()


def test_an_open_reader_does_not_block_the_writer(two_nights):
    assert two_nights["second"].published == str(two_nights["published"])
    assert two_nights["reader_still_sees"] == two_nights["after_first"]["core.complaints"]


def test_each_planted_defect_lands_in_quarantine_with_its_reason(two_nights):
    con = db.connect(two_nights["published"], read_only=True)
    quarantined = {
        (file, row): (checks, reason)
        for file, row, checks, reason in con.execute(
            "SELECT file, row_number, check_name, reason FROM ops.quarantine"
        ).fetchall()
    }
    skipped = dict(
        con.execute(
            "SELECT path, duplicate_of FROM ops.file_loads WHERE status = 'skipped_duplicate'"
        ).fetchall()
    )
    redelivered = {
        (file, row): (key, kind)
        for file, row, key, kind in con.execute(
            "SELECT file, row_number, record_key, kind FROM ops.redeliveries"
        ).fetchall()
    }
    missed = []
    caught = Counter()
    for d in two_nights["manifest"]["defects"]:
        if d["expect"] == "skipped_duplicate_file":
            ok = skipped.get(d["file"]) == d["record_id"]
        elif d["expect"] == "skipped_duplicate_record":  # counted and listed, not quarantined
            ok = redelivered.get((d["file"], d["row_number"])) == (d["record_id"], "duplicate")
        else:
            checks, reason = quarantined.get((d["file"], d["row_number"]), ("", ""))
            english, chinese = REASON_TEXT[d["kind"]]
            ok = (
                any(name in checks for name in REASON_FOR[d["kind"]])
                and any(text in reason for text in english)
                and any(text in reason for text in chinese)
            )
        caught[d["kind"]] += ok
        if not ok:
            missed.append(d)
    assert missed == [], json.dumps(missed[:5], ensure_ascii=False)
    assert set(caught) == set(REASON_FOR) | {"duplicate_file", "duplicate_row"}
    assert len(redelivered) == caught["duplicate_row"]  # nothing else was taken for a copy
    # Nothing was quarantined that the generator did not plant.
    planted_rows = {(d["file"], d["row_number"]) for d in two_nights["manifest"]["defects"]}
    unexpected = set(quarantined) - planted_rows
    assert unexpected == set(), sorted(unexpected)[:5]
    con.close()


def test_flow_run_left_a_table_artifact(two_nights):
    import httpx
    from prefect.settings import PREFECT_API_URL

    # Through the REST API: prefect 3.8.8's client sends nulls for the flow-run and task-run
    # filters, which the server (on fastapi 0.152) refuses, and empty filters drop flow-level
    # artifacts.
    response = httpx.post(
        f"{PREFECT_API_URL.value()}/artifacts/filter",
        json={
            "artifacts": {"key": {"any_": ["nightly-intake"]}},
            "sort": "CREATED_DESC",
            "limit": 50,
            "offset": 0,
        },
    )
    response.raise_for_status()
    tables = [json.loads(a["data"]) for a in response.json() if a["type"] == "table"]
    first = two_nights["first"].totals()
    matching = [
        rows
        for rows in tables
        if {r["source"]: r for r in rows}["total"]["rows read"] == first.rows_read
    ]
    assert matching, "no nightly-intake artifact with the first night's figures"
    by_source = {r["source"]: r for r in matching[0]}
    # every source, the declared ones too (warehouse/sources/cfpb.yml: no files tonight)
    assert set(by_source) == {
        "phone",
        "chat",
        "email",
        "social",
        "store",
        "webform",
        "ticket_events",
        "satisfaction",
        "cfpb",
        "total",
    }
    assert by_source["total"]["rows quarantined"] == first.rows_quarantined
    assert by_source["phone"]["duplicate files skipped"] == 1

    response = httpx.post(
        f"{PREFECT_API_URL.value()}/artifacts/filter",
        json={
            "artifacts": {"key": {"any_": ["nightly-data-quality"]}},
            "sort": "CREATED_DESC",
            "limit": 50,
            "offset": 0,
        },
    )
    response.raise_for_status()
    markdowns = [a["data"] for a in response.json() if a["type"] == "markdown"]
    con = db.connect(two_nights["published"], read_only=True)
    failing = con.execute("""
        SELECT DISTINCT source, check_name FROM ops.dq_results
        WHERE NOT success AND run_id = (SELECT run_id FROM ops.runs ORDER BY started_at
                                        LIMIT 1)""").fetchall()
    con.close()
    assert failing  # the small inbox plants more than the tolerances allow somewhere
    assert any(all(f"| {s} | `{c}` |" in m for s, c in failing) for m in markdowns)
    assert any("No new rows were checked tonight." in m for m in markdowns)  # second night


PUBLIC_TABLES = (
    "core.complaints",
    "core.complaint_events",
    "core.satisfaction",
    "ops.runs",
    "ops.file_loads",
    "ops.quarantine",
    "ops.pending_links",
    "core.customers",
    "core.customer_links",
    "mart.sla_clocks",
    "mart.sla_compliance_daily",
    "mart.sla_compliance_weekly",
    "mart.sla_compliance_monthly",
    "mart.sla_breaches",
    "mart.repeat_complaints",
    "mart.repeat_chains",
    "mart.repeat_rate_monthly",
    "mart.satisfaction_closure_monthly",
    "ops.policy_versions",
)


def test_public_tables_open_in_any_duckdb_client(two_nights):
    import duckdb

    con = duckdb.connect(str(two_nights["published"]), read_only=True)  # no tousu functions
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in PUBLIC_TABLES}
    con.close()
    assert all(n > 0 for n in counts.values()), counts


def test_core_tables_pass_their_great_expectations_suites(two_nights):
    con = db.connect(two_nights["published"], read_only=True)
    results = con.execute(
        "SELECT source, check_name, success FROM ops.dq_results WHERE load_id = 'core'"
    ).fetchall()
    con.close()
    assert {s for s, _, _ in results} == {
        "core.complaints",
        "core.complaint_events",
        "core.satisfaction",
    }
    assert [r for r in results if not r[2]] == []
    assert len(results) == 2 * len({(s, c) for s, c, _ in results})  # once per night


def test_marts_agree_with_core_on_the_demo_night(two_nights):
    con = db.connect(two_nights["published"], read_only=True)
    complaints = con.execute("SELECT count(*) FROM core.complaints").fetchall()[0][0]
    # every complaint has a first-response and an investigation clock
    per_clock = dict(
        con.execute("SELECT clock, count(*) FROM mart.sla_clocks GROUP BY 1").fetchall()
    )
    assert per_clock["first_response"] == complaints
    assert per_clock["investigation_started"] == complaints
    # the daily compliance mart holds every clock once
    assert con.execute("SELECT sum(clocks) FROM mart.sla_compliance_daily").fetchall()[0][0] == sum(
        per_clock.values()
    )
    # the '(all)' rows of the monthly marts count every complaint once
    for mart in ("repeat_rate_monthly", "satisfaction_closure_monthly"):
        total = con.execute(
            f"SELECT sum(complaints) FROM mart.{mart} WHERE channel = '(all)' AND "
            f"department = '(all)' AND category = '(all)' AND priority = '(all)'"
        ).fetchall()[0][0]
        assert total == complaints, mart
    # customers recur across channels in the demo, so chains cross channels
    assert (
        con.execute("SELECT max(channels_in_chain) FROM mart.repeat_chains").fetchall()[0][0] >= 2
    )
    assert con.execute("SELECT count(*) FROM core.customers").fetchall()[0][0] < complaints
    con.close()


def test_every_delivery_is_validated_by_its_source_suite_and_shown_in_the_data_docs(two_nights):
    from tousu.flows.settings import data_docs_beside
    from tousu.flows.sources import SOURCES

    con = db.connect(two_nights["published"], read_only=True)
    validated = dict(
        con.execute("""
        SELECT f.source, count(DISTINCT d.load_id) FROM ops.dq_results d
        JOIN ops.file_loads f USING (load_id)
        WHERE d.suite = 'source_' || f.source AND f.status = 'loaded' GROUP BY 1""").fetchall()
    )
    loaded = dict(
        con.execute(
            "SELECT source, count(DISTINCT load_id) FROM ops.file_loads "
            "WHERE status = 'loaded' GROUP BY 1"
        ).fetchall()
    )
    con.close()
    assert validated == loaded and set(loaded) == set(SOURCES)
    # The second night found nothing new and kept core: it validated nothing, so the site of
    # the first night stays (its deliveries and core tables), not an empty one.
    site = data_docs_beside(two_nights["published"])
    pages = [p.relative_to(site).parts[1] for p in (site / "validations").rglob("*.html")]
    assert set(pages) == {"core_complaints", "core_complaint_events", "core_satisfaction"} | {
        f"source_{s}" for s in SOURCES
    }
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "static/vendor/jquery@3.7.1/dist/jquery.min.js" in index  # works offline
    assert "code.jquery.com" not in index


def test_a_declared_source_goes_through_the_same_nightly_flow(prefect_server, tmp_path):
    """The CFPB export, declared by warehouse/sources/cfpb.yml, loaded by the nightly flow."""
    import shutil
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "data" / "cfpb_complaints_2023_sample.csv"
    inbox = tmp_path / "inbox"
    (inbox / "cfpb").mkdir(parents=True)
    shutil.copy(sample, inbox / "cfpb" / "complaints_2023.csv")
    warehouse = tmp_path / "tousu.duckdb"
    summary = nightly(inbox=inbox, warehouse=warehouse, run_date=date(2023, 9, 30))
    [cfpb] = [c for c in summary.channels if c.source == "cfpb"]
    assert (cfpb.rows_read, cfpb.rows_loaded, cfpb.rows_quarantined) == (2068, 2067, 1)
    con = db.connect(summary.published, read_only=True)
    assert con.execute(
        "SELECT count(*) FROM core.complaints WHERE register = 'cfpb'"
    ).fetchall() == [(2067,)]
    clocks = con.execute(
        "SELECT count(*) FROM mart.sla_clocks WHERE clock = 'cfpb_company_response'"
    ).fetchall()[0][0]
    suite_checks = con.execute(
        "SELECT count(DISTINCT check_name) FROM ops.dq_results WHERE suite = 'source_cfpb'"
    ).fetchall()[0][0]
    con.close()
    assert clocks == 2067 and suite_checks >= 10
