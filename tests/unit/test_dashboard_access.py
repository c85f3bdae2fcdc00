"""The review app per role: signing in, what each role's pages offer, audited actions."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import sign_in_as
from tousu.flows.demo.users import DEMO_USERS, write_demo_users
from tousu.warehouse import audit

APP = str(Path(__file__).resolve().parents[2] / "dashboards" / "app.py")
PASSWORDS = {name: password for name, _, _, _, password in DEMO_USERS}


@pytest.fixture
def store(published_demo, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "improvement_plans.duckdb"
    monkeypatch.setenv("TOUSU_PUBLISHED", str(published_demo))
    monkeypatch.setenv("TOUSU_PLANS", str(path))
    return path


def signed_in(store: Path, name: str, idle: timedelta = timedelta(0)) -> AppTest:
    return sign_in_as(AppTest.from_file(APP, default_timeout=60), store, name, idle)


def audited(store: Path) -> list[tuple[str, str]]:
    return [(e.user_name, e.action) for e in reversed(audit.entries(store))]


def test_without_an_administrator_nothing_is_served_and_the_page_says_how(store):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.error and "tousu users add" in at.code[0].value
    assert not at.metric and not at.dataframe


def test_sign_in_form_refuses_a_wrong_password_then_signs_in(store):
    write_demo_users(store, datetime.now().astimezone())
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="sign_in_name").input("manager")
    at.text_input(key="sign_in_password").input("not the password")
    at.button[0].click().run()
    assert "用户名或密码错误" in at.error[0].value and not at.metric
    at.text_input(key="sign_in_name").input("manager")
    at.text_input(key="sign_in_password").input(PASSWORDS["manager"])
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.metric  # the overview
    assert audited(store)[-2:] == [("manager", "sign_in_failed"), ("manager", "sign_in")]


def test_an_idle_session_is_signed_out(store):
    at = signed_in(store, "manager", idle=timedelta(hours=1)).run()
    assert "user" not in at.session_state and not at.metric
    assert audited(store)[-1] == ("manager", "session_expired")


def test_a_user_disabled_meanwhile_is_signed_out_at_the_next_page(store):
    from tousu.warehouse.users import change_user

    at = signed_in(store, "agent1").run()
    assert at.metric
    change_user(store, "agent1", datetime.now().astimezone(), disabled=True)
    at.run()
    assert not at.metric and "user" not in at.session_state


def test_an_agent_may_not_export_edit_plans_acknowledge_or_unmask(store, published_demo):
    at = signed_in(store, "agent1").run()
    assert not at.exception, at.exception
    at.switch_page("views/data_quality.py").run()
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "您的角色无导出权限" in captions
    assert not at.get("download_button")
    at.switch_page("views/plans.py").run()
    assert any("不能修改" in i.value for i in at.info)
    assert not [t for t in at.text_input if (t.key or "").startswith("new_plan")]
    con = duckdb.connect(str(published_demo), read_only=True)
    [(complaint_id,)] = con.execute(
        "SELECT min(complaint_id) FROM core.complaint_events WHERE operator = 'A1000'"
    ).fetchall()
    con.close()
    at.switch_page("views/complaint.py").run()
    at.text_input(key="complaint_input").input(complaint_id).run()
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.key == "unmask"]


def test_a_quality_manager_sees_one_record_unmasked_and_it_is_audited(store, published_demo):
    con = duckdb.connect(str(published_demo), read_only=True)
    [(complaint_id, phone)] = con.execute(
        "SELECT complaint_id, phone FROM core.complaints WHERE phone IS NOT NULL "
        "ORDER BY complaint_id LIMIT 1"
    ).fetchall()
    con.close()
    at = signed_in(store, "manager").run()
    at.switch_page("views/complaint.py").run()
    at.text_input(key="complaint_input").input(complaint_id).run()
    shown = " ".join(str(d.value.to_dict()) for d in at.dataframe)
    assert phone[-4:] in shown and phone not in shown  # masked: 138****1234
    [button] = [b for b in at.button if b.key == "unmask"]
    button.click().run()
    assert not at.exception, at.exception
    assert phone in str(at.json[0].value)
    [entry] = [e for e in audit.entries(store) if e.action == "unmasked_view"]
    assert (entry.user_name, entry.target) == ("manager", complaint_id)


def test_plan_history_carries_the_signed_in_user(store):
    from datetime import date

    from tousu.warehouse import plan_store

    at = signed_in(store, "lead").run()
    at.switch_page("views/plans.py").run()
    at.text_input(key="new_plan_0_title").input("缩短首次响应")
    at.number_input(key="new_plan_0_target").set_value(0.5)
    at.text_input(key="new_plan_0_owner").input("客服主管")
    at.date_input(key="new_plan_0_start").set_value(date(2026, 3, 1))
    at.date_input(key="new_plan_0_deadline").set_value(date(2026, 5, 31))
    at.button[0].click().run()
    assert not at.exception, at.exception
    [(by,)] = plan_store.read(store, "SELECT changed_by FROM plans.plan_changes")
    assert by == "lead"
    assert ("lead", "plan_created") in audited(store)


def test_an_agent_without_operator_ids_is_told_so(store):
    from tousu.warehouse.users import add_user

    write_demo_users(store, datetime.now().astimezone())
    add_user(store, "newbie", "agent", "a long password", datetime.now().astimezone())
    at = signed_in(store, "newbie").run()
    assert not at.exception, at.exception
    assert any("set-operators" in i.value for i in at.info) and not at.metric
