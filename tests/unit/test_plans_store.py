"""Improvement plans: create, edit with history, stale edits refused, copied into the warehouse."""

from datetime import UTC, date, datetime

import pytest

from tousu.warehouse import plan_store as store

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def a_plan(**kw) -> store.Plan:
    values = dict(
        title="降低物流破损投诉",
        metric="complaints_per_day",
        target=0.5,
        owner="张经理",
        department="物流部",
        start_date=date(2026, 3, 1),
        deadline=date(2026, 5, 31),
        scope_category="物流配送类",
        baseline=1.2,
    )
    return store.Plan(**{**values, **kw})


def test_create_then_edit_records_each_change(tmp_path):
    path = tmp_path / "improvement_plans.duckdb"
    plan_id = store.create(path, a_plan(), "qm", NOW)
    assert plan_id == "IP-202603-001"
    assert store.create(path, a_plan(title="第二个"), "qm", NOW) == "IP-202603-002"
    plan = store.get(path, plan_id)
    plan.status, plan.done_date, plan.target = "done", date(2026, 5, 20), 0.4
    assert store.update(path, plan, "owner", NOW) == ["target", "status", "done_date"]
    assert plan.version == 2
    history = store.read(
        path,
        "SELECT version, changed_by, field, old_value, new_value "
        "FROM plans.plan_changes WHERE plan_id = ? ORDER BY version, field",
        plan_id,
    )
    assert history == [
        (1, "qm", "created", None, "降低物流破损投诉"),
        (2, "owner", "done_date", None, "2026-05-20"),
        (2, "owner", "status", "planned", "done"),
        (2, "owner", "target", "0.5", "0.4"),
    ]


def test_an_edit_of_a_stale_version_is_refused(tmp_path):
    path = tmp_path / "improvement_plans.duckdb"
    plan_id = store.create(path, a_plan(), "qm", NOW)
    mine, theirs = store.get(path, plan_id), store.get(path, plan_id)
    theirs.owner = "李经理"
    store.update(path, theirs, "other", NOW)
    mine.target = 0.1
    with pytest.raises(store.PlanError, match="changed by someone else"):
        store.update(path, mine, "qm", NOW)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": " "}, "title is empty"),
        ({"deadline": date(2026, 2, 1)}, "deadline is before the start"),
        ({"metric": "csat", "target": 80}, "share between 0 and 1"),
        ({"status": "done"}, "needs its done date"),
        ({"metric": "happiness"}, "metric must be one of"),
    ],
)
def test_invalid_plans_are_refused_with_the_reason(tmp_path, change, message):
    with pytest.raises(store.PlanError, match=message):
        store.create(tmp_path / "improvement_plans.duckdb", a_plan(**change), "qm", NOW)


def test_checkpoints_and_the_nightly_copy(tmp_path, warehouse):
    _, con = warehouse
    path = tmp_path / "improvement_plans.duckdb"
    assert store.copy_into_warehouse(con, path) == 0  # no plans file yet: empty tables
    plan_id = store.create(path, a_plan(), "qm", NOW)
    store.add_checkpoint(path, plan_id, 40, "质检流程已更新", "qm", NOW)
    with pytest.raises(store.PlanError, match="0 to 100"):
        store.add_checkpoint(path, plan_id, 140, "x", "qm", NOW)
    assert store.copy_into_warehouse(con, path) == 1
    assert store.copy_into_warehouse(con, path) == 1  # replaced, not appended
    assert con.execute("SELECT plan_id, owner FROM plans.improvement_plans").fetchall() == [
        (plan_id, "张经理")
    ]
    assert con.execute("SELECT progress, note FROM plans.plan_checkpoints").fetchall() == [
        (40, "质检流程已更新")
    ]


def test_demo_plans(tmp_path):
    from tousu.flows.demo.plans import write_demo_plans

    path = tmp_path / "improvement_plans.duckdb"
    ids = write_demo_plans(path, NOW)
    assert write_demo_plans(path, NOW) == ids  # replaced, not doubled
    assert [(p.status, p.done_date) for p in (store.get(path, i) for i in ids)] == [
        ("done", date(2026, 4, 30)),
        ("in_progress", None),
    ]
