"""Two improvement plans that go with the demo inbox: one done (its effect is in the data from
May 2026), one still in progress past its deadline."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from tousu.warehouse import plan_store as store


def write_demo_plans(path: Path, now: datetime) -> list[str]:
    path.unlink(missing_ok=True)
    done = store.Plan(
        title="优化包装与快递交接，降低物流破损投诉",
        metric="complaints_per_day",
        target=2.0,
        owner="物流部 王经理",
        department="物流部",
        start_date=date(2026, 3, 1),
        deadline=date(2026, 5, 31),
        scope_category="物流配送类",
        baseline=3.0,
    )
    done_id = store.create(path, done, "demo", now)
    store.add_checkpoint(path, done_id, 40, "更换加厚包装，仓库试点两周", "demo", now)
    store.add_checkpoint(path, done_id, 100, "快递交接签收流程上线，全部仓库执行", "demo", now)
    done = store.get(path, done_id)
    done.status, done.done_date = "done", date(2026, 4, 30)
    store.update(path, done, "demo", now)
    training = store.Plan(
        title="客服沟通话术培训，提升满意度",
        metric="csat",
        target=0.8,
        owner="客服运营部 李主管",
        department="客服运营部",
        start_date=date(2026, 8, 1),
        deadline=date(2026, 9, 30),
        scope_category="服务态度类",
        baseline=0.65,
        status="in_progress",
    )
    training_id = store.create(path, training, "demo", now)
    store.add_checkpoint(path, training_id, 60, "完成两期培训，剩余门店待安排", "demo", now)
    return [done_id, training_id]
