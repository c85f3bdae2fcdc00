"""Improvement plans: create and edit them, note progress, follow the metric, verify the effect.

Plans are written to their own small file (warehouse/plan_store.py) and copied into the warehouse
every night; the metric series and the before/after comparison come from mart.complaints_daily.
"""

from datetime import date, datetime, timedelta

import altair as alt
import polars as pl
import streamlit as st

from tousu.dashboards.data import plans_path, query, viewer
from tousu.dashboards.filters import keep_choice, kept_choice
from tousu.dashboards.i18n import category_label, error_text, t
from tousu.dashboards.provisional import data_status, provisional_note, status_colour
from tousu.dashboards.tables import show
from tousu.flows.metrics.verification import monthly_series, plan_daily_query, verify_plan
from tousu.flows.vocab import CATEGORIES, DEPARTMENTS
from tousu.warehouse import plan_store as store
from tousu.warehouse.users import EDIT_PLANS

PATH = plans_path()
# Overdue and "after" windows are judged as of the published night, not the wall clock.
as_of = (
    query(
        "SELECT coalesce((SELECT max(run_date) FROM ops.published_nights), "
        "(SELECT max(day) FROM mart.complaints_daily)) AS d"
    )["d"][0]
    or date.today()
)

st.subheader(t("plans"))
if saved := st.session_state.pop("plan_saved", None):
    st.success(saved)  # kept across the rerun that clears the form
plans = pl.DataFrame(
    store.read(PATH, f"{store.PLANS_WITH_PROGRESS} ORDER BY p.plan_id"),
    schema=store.PLANS_WITH_PROGRESS_COLUMNS,
    orient="row",
    infer_schema_length=None,
)
if plans.height:
    # overdue first, then by deadline: what needs chasing is on top
    plans = plans.with_columns(
        ((pl.col("deadline") < as_of) & ~pl.col("status").is_in(store.FINISHED)).alias("overdue")
    ).sort("overdue", "deadline", descending=[True, False])
    # what a meeting reads, without scrolling sideways; the rest is in the plan below
    show(
        plans.select(
            "overdue",
            "plan_id",
            "title",
            "status",
            "owner",
            "deadline",
            "progress",
            "metric",
            "target",
        ),
        column_config={"overdue": st.column_config.CheckboxColumn(width="small")},
    )
    st.caption(f"{t('overdue')}: {plans['overdue'].sum()} · {t('as_of')} {as_of}")


def plan_form(key: str, plan: store.Plan | None) -> store.Plan | None:
    """The plan's fields; returns the plan when submitted and valid."""
    p = plan or store.Plan(
        title="",
        metric="complaints_per_day",
        target=0.0,
        owner="",
        department=DEPARTMENTS[0],
        start_date=as_of,
        deadline=as_of + timedelta(days=90),
    )
    categories = [None, *CATEGORIES]
    departments = [None, *DEPARTMENTS]
    products = [
        None,
        *query("SELECT DISTINCT product FROM core.product_catalogue ORDER BY product")[
            "product"
        ].to_list(),
    ]
    if p.scope_product not in products:
        products.append(p.scope_product)
    with st.form(key):
        title = st.text_input(t("plan_title"), p.title, key=f"{key}_title")
        c1, c2, c2b, c3 = st.columns(4)
        scope_category = c1.selectbox(
            t("scope_category"),
            categories,
            index=categories.index(p.scope_category),
            format_func=lambda v: t("all") if v is None else category_label(v),
            key=f"{key}_cat",
        )
        scope_department = c2.selectbox(
            t("scope_department"),
            departments,
            index=departments.index(p.scope_department),
            format_func=lambda v: t("all") if v is None else v,
            key=f"{key}_scope_dept",
        )
        scope_product = c2b.selectbox(
            t("scope_product"),
            products,
            index=products.index(p.scope_product),
            format_func=lambda v: t("all") if v is None else v,
            key=f"{key}_product",
        )
        metric = c3.selectbox(
            t("metric"),
            store.METRICS,
            index=store.METRICS.index(p.metric),
            format_func=lambda m: t(m),
            key=f"{key}_metric",
        )
        c4, c5, c6 = st.columns(3)
        baseline = c4.number_input(
            t("baseline"), value=p.baseline, min_value=0.0, key=f"{key}_baseline"
        )
        target = c5.number_input(
            t("target"), value=float(p.target), min_value=0.0, key=f"{key}_target"
        )
        owner = c6.text_input(t("owner"), p.owner, key=f"{key}_owner")
        c7, c8, c9 = st.columns(3)
        department = c7.selectbox(
            t("department"), DEPARTMENTS, index=DEPARTMENTS.index(p.department), key=f"{key}_dept"
        )
        start = c8.date_input(t("start_date"), p.start_date, key=f"{key}_start")
        deadline = c9.date_input(t("deadline"), p.deadline, key=f"{key}_deadline")
        c10, c11 = st.columns(2)
        status = c10.selectbox(
            t("status"),
            store.STATUSES,
            index=store.STATUSES.index(p.status),
            format_func=lambda s: t(s),
            key=f"{key}_status",
        )
        done = c11.date_input(t("done_date"), p.done_date, key=f"{key}_done")
        if not st.form_submit_button(t("save")):
            return None
    edited = store.Plan(
        title=title,
        metric=metric,
        target=target,
        owner=owner,
        department=department,
        start_date=start,
        deadline=deadline,
        scope_category=scope_category,
        scope_department=scope_department,
        scope_product=scope_product,
        baseline=baseline,
        status=status,
        done_date=done,
        plan_id=p.plan_id,
        version=p.version,
    )
    try:
        edited.check()
    except store.PlanError as exc:
        st.error(error_text(str(exc)))
        return None
    return edited


# Plan history and checkpoints carry the signed-in user; only roles with the right change plans.
by = viewer().name
may_edit = viewer().may(EDIT_PLANS)
if not may_edit:
    st.info(t("plans_read_only"))
    if plans.height == 0:
        st.stop()
if plans.height:
    # the plan edited and shown below: kept across pages and in the link (?plan=IP-...), so a
    # category's page or a chart can open it
    ids = plans["plan_id"].to_list()
    titles = dict(zip(ids, plans["title"], strict=True))
    kept = kept_choice("plan", ids)
    plan_id = st.selectbox(
        t("plan"),
        ids,
        index=ids.index(kept) if kept is not None else 0,
        format_func=lambda i: f"{i} · {titles[i]}",
        key="plan_select",
    )
    keep_choice("plan", plan_id)
new_tab, edit_tab = st.tabs([t("new_plan"), t("edit_plan")]) if may_edit else (None, None)
if new_tab is not None:
    with new_tab:
        # a new form (new keys) after each plan saved: the fields start empty again
        form_no = st.session_state.setdefault("new_plan_form", 0)
        created = plan_form(f"new_plan_{form_no}", None)
        if created is not None:
            plan_id = store.create(PATH, created, by, datetime.now().astimezone())
            keep_choice("plan", plan_id)
            st.session_state["plan_saved"] = f"{t('saved')}: {plan_id}"
            st.session_state["new_plan_form"] = form_no + 1
            st.rerun()

if plans.height == 0:
    st.stop()


if edit_tab is not None:
    with edit_tab:
        plan = store.get(PATH, plan_id)
        edited = plan_form(f"edit_{plan_id}_{plan.version}", plan)
        if edited is not None:
            try:
                changed = store.update(PATH, edited, by, datetime.now().astimezone())
                st.session_state["plan_saved"] = f"{t('saved')}: {', '.join(changed) or '—'}"
                st.rerun()
            except store.PlanError as exc:
                st.error(error_text(str(exc)))
        with st.form(f"checkpoint_{plan_id}"):
            progress = st.slider(t("progress"), 0, 100, 50, key="checkpoint_progress")
            note = st.text_area(t("note"), key="checkpoint_note")
            if st.form_submit_button(t("add_checkpoint")):
                try:
                    store.add_checkpoint(
                        PATH, plan_id, progress, note, by, datetime.now().astimezone()
                    )
                    st.rerun()
                except store.PlanError as exc:
                    st.error(error_text(str(exc)))

# The chosen plan: its metric over time against the target, history and verification.
plan = store.get(PATH, plan_id)
sql, sql_params = plan_daily_query(plan.scope_category, plan.scope_department, plan.scope_product)
daily = query(sql, *sql_params)
monthly = monthly_series(daily).with_columns(data_status("day"))
st.caption(f"{plan.plan_id} · {plan.title} · {t(plan.metric)}")
line = alt.Chart(monthly.to_pandas()).encode(
    x=alt.X("day:T", title=""), y=alt.Y(f"{plan.metric}:Q", title=t(plan.metric))
)
chart = line.mark_line() + line.mark_point(filled=True, size=60).encode(color=status_colour())
rule = (
    alt.Chart(pl.DataFrame({"target": [plan.target]}).to_pandas())
    .mark_rule(color="#c0392b", strokeDash=[6, 4])
    .encode(y="target:Q")
)
marks = [(plan.start_date, t("start_date"))]
if plan.done_date:
    marks.append((plan.done_date, t("done_date")))
when = alt.Chart(
    pl.DataFrame({"day": [d for d, _ in marks], "label": [x for _, x in marks]}).to_pandas()
)
dates = when.mark_rule(color="#555", strokeDash=[2, 3]).encode(x="day:T") + when.mark_text(
    align="left", dx=4, dy=-6, color="#555"
).encode(x="day:T", y=alt.value(10), text="label:N")
st.altair_chart(chart + rule + dates, width="stretch")

if plan.status == "done" and plan.done_date:
    check = verify_plan(plan.metric, plan.target, plan.start_date, plan.done_date, daily, as_of)
    # The verdict rests on the months of both windows: say so if any of them is provisional.
    provisional_note(check.months)
    v = check.verification
    st.metric(
        t("verdict"),
        t(v.verdict),
        f"{t('target_met')}: {t('yes') if v.target_met else t('no')}",
        delta_color="off",
    )
    st.write(
        f"{t('before')}: {v.before_value if v.before_value is None else round(v.before_value, 3)}"
        f" → {t('after')}: {v.after_value if v.after_value is None else round(v.after_value, 3)}"
        f" · {v.explanation}"
    )

st.caption(t("history"))
show(
    pl.DataFrame(
        store.read(
            PATH,
            "SELECT version, changed_at, changed_by, field, "
            "old_value, new_value FROM plans.plan_changes WHERE "
            "plan_id = ? ORDER BY version, field",
            plan.plan_id,
        ),
        schema=["version", "changed_at", "changed_by", "field", "old_value", "new_value"],
        orient="row",
    )
)
st.caption(t("checkpoints"))
show(
    pl.DataFrame(
        store.read(
            PATH,
            "SELECT noted_at, noted_by, progress, note FROM "
            "plans.plan_checkpoints WHERE plan_id = ? ORDER BY noted_at",
            plan.plan_id,
        ),
        schema=["noted_at", "noted_by", "progress", "note"],
        orient="row",
    )
)
