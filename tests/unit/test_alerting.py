"""Alerts reach people: one message per night to every channel, each condition once, a channel
that refuses is said and tried again, a failed night alerts even when the warehouse is broken.
Against a real SMTP sink and a real HTTP receiver on loopback (tests/receivers.py)."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb

from tests.receivers import http_receiver, smtp_sink
from tousu.flows.alerting import KINDS, announce_failure, announce_night, night_conditions
from tousu.warehouse import db


def writable_copy(published_demo, tmp_path):
    path = tmp_path / "tousu.duckdb"
    shutil.copy(published_demo, path)
    return path


def test_a_nights_alerts_go_once_to_every_channel(published_demo, tmp_path):
    path = writable_copy(published_demo, tmp_path)
    con = db.connect(path)
    try:
        # an early warning in the latest week, an overdue plan (the demo night has neither)
        con.execute(
            "UPDATE mart.category_weekly SET alert = true WHERE (category, week_start) = "
            "(SELECT (category, week_start) FROM mart.category_weekly WHERE complaints > 0 "
            "ORDER BY week_start DESC, category LIMIT 1)"
        )
        con.execute(
            "INSERT INTO plans.improvement_plans (plan_id, title, metric, target, owner, "
            "department, start_date, deadline, status, version, created_at, updated_at) "
            "VALUES ('IP-202609-001', '降低退款投诉', 'complaints_per_day', 3, '李经理', '客服部', "
            "DATE '2026-09-01', DATE '2026-10-15', 'in_progress', 1, now(), now())"
        )
        conditions = night_conditions(con, "r1")
        kinds = {a.kind for a in conditions}
        # the demo inbox plants defects beyond tolerance
        assert {"dq_beyond_tolerance", "early_warning", "plan_overdue"} <= kinds, kinds
        assert len({a.key for a in conditions}) == len(conditions)
        # one alert per source and check, with how many deliveries and rows
        [phone] = [a for a in conditions if a.text.startswith("phone: phone_number_valid")]
        failing = con.execute(
            "SELECT count(*), sum(rows_failed) FROM ops.dq_results WHERE run_id = 'r1' "
            "AND source = 'phone' AND check_name = 'phone_number_valid' AND NOT success"
        ).fetchall()[0]
        assert failing[0] > 1
        assert f"failed in {failing[0]} deliveries tonight, {failing[1]:,} of" in phone.text
        with smtp_sink() as mail, http_receiver() as hook:
            sent, delivery = announce_night(con, "r1", date(2026, 11, 1), f"{mail.url} {hook.url}")
            assert (delivery.channels, delivery.delivered, delivery.errors) == (2, 2, [])
            assert len(sent) == len(conditions)
            # one message per channel, every alert a line of it, in both languages
            [message] = mail.messages
            [posted] = hook.messages
            body = message.get_body(preferencelist=("plain",)).get_content()
            assert message["Subject"] == f"tousu 2026-11-01: {len(sent)} 条提醒 / alert(s)"
            assert posted["title"] == message["Subject"]
            for alert in sent:
                assert alert.text in posted["message"]
                assert alert.text.split(":")[0] in body
            assert "早期预警 / early warning" in posted["message"]
            # the next night: the same conditions are not sent again
            again, delivery = announce_night(con, "r1", date(2026, 11, 2), hook.url)
            assert again == [] and delivery.channels == 0
            assert len(hook.messages) == 1
        recorded = con.execute(
            "SELECT count(*), count(DISTINCT alert_key), min(channels), min(delivered) "
            "FROM ops.alerts_sent"
        ).fetchall()
        assert recorded == [(len(sent), len(sent), 2, 2)]
    finally:
        con.close()


def test_a_channel_that_refuses_is_said_and_the_alerts_go_again_next_night(
    published_demo, tmp_path
):
    path = writable_copy(published_demo, tmp_path)
    con = db.connect(path)
    try:
        with http_receiver() as hook:
            hook.status = 500
            sent, delivery = announce_night(con, "r1", date(2026, 11, 1), hook.url)
            assert sent and delivery.delivered == 0
            [error] = delivery.errors
            assert error.startswith("json://…: not sent") and "500" in error
            assert con.execute("SELECT count(*) FROM ops.alerts_sent").fetchall() == [(0,)]
            hook.status = 200
            again, delivery = announce_night(con, "r1", date(2026, 11, 2), hook.url)
            assert [a.key for a in again] == [a.key for a in sent]
            assert len(hook.messages) == 1 and delivery.errors == []
        # a URL Apprise does not know is said, without its secret part
        _, delivery = announce_night(con, "r1", date(2026, 11, 3), "nosuch://token@x")
        assert delivery.errors == [] and delivery.channels == 0  # nothing new to send
    finally:
        con.close()


def test_a_failed_night_alerts_once_even_when_the_warehouse_is_what_broke(tmp_path):
    broken = tmp_path / "tousu.duckdb"
    broken.write_bytes(b"not a database" * 100)
    with http_receiver() as hook:
        delivery = announce_failure(
            broken, "20261101-x", date(2026, 11, 1), "the file is not a DuckDB database", hook.url
        )
        assert (delivery.channels, delivery.delivered) == (1, 1)
        [posted] = hook.messages
    zh, en = KINDS["night_failed"]
    assert f"[{zh} / {en}]" in posted["message"]
    assert "20261101-x" in posted["message"] and "not a DuckDB database" in posted["message"]
    assert broken.read_bytes() == b"not a database" * 100


def test_an_unknown_alert_url_is_said_without_its_secret(tmp_path):
    path = tmp_path / "tousu.duckdb"
    con = db.connect(path)
    db.migrate(con)
    con.close()
    delivery = announce_failure(
        path, "r9", date(2026, 11, 1), "disk full", "nosuch://SECRET-TOKEN@host"
    )
    assert delivery.errors == ["nosuch://…: not an alert URL Apprise knows (TOUSU_ALERT_URLS)"]
    assert "SECRET" not in " ".join(delivery.errors)
    # nothing took it: not recorded as raised
    rows = (
        duckdb.connect(str(path), read_only=True)
        .execute("SELECT count(*) FROM ops.alerts_sent")
        .fetchall()
    )
    assert rows == [(0,)]
