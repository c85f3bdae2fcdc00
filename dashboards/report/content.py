"""What the monthly review pack says: sections of tables (and charts) for one month, read from a
copy of the published warehouse by the same functions the review app's pages use.

The copy is the viewer's copy for every complaint (warehouse/viewer_copy, EVERYTHING): personal
data masked as on the app's pages. Figures come from warehouse/figures.py (the Overview's tiles,
the SLA table, the departments), warehouse/data_gaps.py (how much a provisional month lacks),
warehouse/alerts.py and the marts the pages read; labels from the app's translation table, in
the report's language. Both writers (xlsx.py, pdf.py) draw the same sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from tousu.dashboards.filters import ALL, Filters
from tousu.dashboards.i18n import column_label, in_language, t, value_labels
from tousu.flows.metrics.verification import plan_daily_query, verify_plan
from tousu.warehouse import alerts, data_gaps, figures
from tousu.warehouse.acknowledgements import in_force
from tousu.warehouse.db import tables_exist
from tousu.warehouse.periods import Period
from tousu.warehouse.plan_store import PLANS_WITH_PROGRESS

HEADLINE = ("volume", "sla_compliance", "repeat_rate", "csat", "closure_rate")
METRICS_DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


@dataclass
class Section:
    key: str  # the sheet's name and the PDF's anchor
    title: str
    frame: pl.DataFrame
    note: str = ""
    chart: dict | None = None  # a Vega-Lite spec (the PDF draws it)
    rate_rows: frozenset[int] = frozenset()  # rows whose numbers are rates (the headline)


@dataclass
class Report:
    month: date
    lang: str
    night: date | None
    built_at: datetime
    filters: str
    sections: list[Section] = field(default_factory=list)


def _frame(con: duckdb.DuckDBPyConnection, sql: str, *params) -> pl.DataFrame:
    frame = pl.from_arrow(con.sql(sql, params=list(params)).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def collect(
    con: duckdb.DuckDBPyConnection,
    month: date,
    lang: str,
    plans_file: Path | None = None,
    breakdown: dict[str, str] | None = None,
) -> Report:
    """The month's report from a viewer's copy `con`, under the breakdown filters (channel,
    department, category, priority; every value when not given), as the app's sidebar filters
    its pages; acknowledgements from the app's file."""
    with in_language(0 if lang == "zh" else 1):
        return _collect(con, month.replace(day=1), lang, plans_file, breakdown or {})


def described(breakdown: dict[str, str]) -> str:
    """The filters in words, for the cover: '全部' when none."""
    labels = value_labels()
    chosen = [
        f"{column_label(k)}: {labels.get(k, {}).get(v, v)}"
        for k, v in breakdown.items()
        if v != ALL
    ]
    return " · ".join(chosen) or t("all")


def _collect(
    con: duckdb.DuckDBPyConnection,
    month: date,
    lang: str,
    plans_file: Path | None,
    breakdown: dict[str, str],
) -> Report:
    read = alerts.reader(con)
    [(night,)] = con.execute("SELECT max(run_date) FROM ops.published_nights").fetchall()
    f = Filters(month=month, previous_month=None, period=Period.of("month", month), **breakdown)
    rows_where, rows_params = f.rows_where()
    report = Report(month, lang, night, datetime.now().astimezone(), described(f.breakdowns))
    where, params = f.cube_where()
    sla_where, sla_params = f.cube_where(clock=ALL)
    period = Period.of("month", month)

    def headline(p: Period) -> dict:
        return figures.headline(read, p.months, where, params, sla_where, sla_params)

    now, before, year_ago = (
        headline(period),
        headline(period.previous()),
        headline(period.last_year()),
    )
    # a period without data (before the history starts) is empty, not zero complaints
    before = before if before.get("volume") else {}
    year_ago = year_ago if year_ago.get("volume") else {}
    [(overdue,)] = con.execute(figures.overdue_open_sql(rows_where), rows_params).fetchall()
    [(open_now, pending)] = con.execute(
        "SELECT sum(complaints - closed)::BIGINT, sum(followup_pending)::BIGINT "
        f"FROM mart.satisfaction_closure_monthly WHERE month = ? AND {where}",
        [month, *params],
    ).fetchall()
    kpis = pl.DataFrame(
        {
            "metric": [t(k) for k in HEADLINE] + [t("overdue_open")],
            "this_month": [now.get(k) for k in HEADLINE] + [overdue],
            "previous_month": [before.get(k) for k in HEADLINE] + [None],
            "same_month_last_year": [year_ago.get(k) for k in HEADLINE] + [None],
        },
        schema={
            "metric": pl.String,
            "this_month": pl.Float64,
            "previous_month": pl.Float64,
            "same_month_last_year": pl.Float64,
        },
    )
    latest = con.execute("SELECT max(month) FROM mart.satisfaction_closure_monthly").fetchall()[0][
        0
    ]
    maturity = t("report_maturity").format(open=open_now or 0, pending=pending or 0)
    report.sections.append(
        Section(
            "kpi",
            t("report_kpis"),
            kpis,
            maturity + (f" {t('maturing_help')}" if month == latest else ""),
            rate_rows=frozenset({1, 2, 3, 4}),  # every headline figure but volume and overdue
        )
    )

    by_where, by_params = f.cube_where("clock", "channel", "priority", clock=ALL)
    sql, sql_params = figures.sla_by([month], by_where, by_params)
    report.sections.append(Section("sla", t("compliance_by"), _frame(con, sql, *sql_params)))

    breaches = _frame(
        con,
        f"""
        SELECT complaint_id, clock, channel, department, category, priority, target_label,
               start_at, deadline_at, overrun_hours
        FROM mart.sla_breaches WHERE date_trunc('month', start_at)::DATE = ? AND {rows_where}
        ORDER BY overrun_hours DESC, complaint_id LIMIT 20""",
        month,
        *rows_params,
    )
    report.sections.append(Section("breaches", t("report_worst_breaches"), breaches))

    pareto_where, pareto_params = f.cube_where("category", category=ALL)
    pareto = _frame(
        con,
        f"""
        SELECT category, complaints,
               round(sum(complaints) OVER (ORDER BY complaints DESC, category)
                     / sum(complaints) OVER (), 4) AS cumulative_share
        FROM mart.satisfaction_closure_monthly WHERE month = ? AND {pareto_where}
        ORDER BY complaints DESC, category""",
        month,
        *pareto_params,
    )
    names = value_labels()
    chart = chart_spec(
        {
            "data": {
                "values": [
                    {"category": names["category"].get(c, c), "complaints": n}
                    for c, n in zip(pareto["category"], pareto["complaints"], strict=True)
                ]
            },
            "mark": "bar",
            "encoding": {
                "x": {
                    "field": "category",
                    "type": "nominal",
                    "sort": "-y",
                    "title": column_label("category"),
                    "axis": {"labelAngle": 0},
                },
                "y": {"field": "complaints", "type": "quantitative", "title": t("volume")},
            },
        }
    )
    warnings = _frame(
        con,
        "SELECT category, week_start, complaints, threshold, alert FROM mart.category_weekly "
        "WHERE alert AND date_trunc('month', week_start)::DATE = ? "
        "AND (? = '(all)' OR category = ?) ORDER BY week_start, category",
        month,
        f.category,
        f.category,
    )
    report.sections.append(
        Section(
            "pareto",
            t("pareto"),
            pareto,
            t("report_warnings").format(n=warnings.height),
            chart,
        )
    )
    report.sections.append(
        Section("warnings", t("report_weekly_warnings"), warnings, t("unfinished_note"))
    )

    cells_where, cells_params = f.cube_where("department", "category")
    cells = _frame(
        con,
        f"""
        SELECT department, category, complaints FROM mart.satisfaction_closure_monthly
        WHERE month = ? AND {cells_where} ORDER BY department, category""",
        month,
        *cells_params,
    )
    heat = {
        "data": {
            "values": [
                {
                    "department": names["department"].get(d, d),
                    "category": names["category"].get(c, c),
                    "complaints": n,
                }
                for d, c, n in cells.iter_rows()
            ]
        },
        "encoding": {
            "x": {
                "field": "category",
                "type": "nominal",
                "title": column_label("category"),
                "axis": {"labelAngle": 0},
            },
            "y": {"field": "department", "type": "nominal", "title": column_label("department")},
        },
        "layer": [
            {
                "mark": "rect",
                "encoding": {
                    "color": {
                        "field": "complaints",
                        "type": "quantitative",
                        "title": t("volume"),
                        "scale": {"scheme": "orangered"},
                    }
                },
            },
            {
                "mark": {"type": "text", "fontSize": 12},
                "encoding": {"text": {"field": "complaints", "type": "quantitative"}},
            },
        ],
    }
    report.sections.append(Section("departments", t("heatmap"), cells, chart=chart_spec(heat)))

    report.sections.append(
        trend_section(
            con,
            "repeats",
            t("repeats"),
            "mart.repeat_rate_monthly",
            ("complaints", "repeat_complaints", "repeat_rate", "came_back_rate"),
            ("repeat_rate", "came_back_rate"),
            month,
            where,
            params,
        )
    )
    chains = _frame(
        con,
        f"""
        SELECT chain_id, position, complaint_id, channel, category, received_at,
               days_since_previous, chain_length
        FROM mart.repeat_chains
        WHERE chain_id IN (
            SELECT ch.chain_id FROM mart.repeat_chains ch
            JOIN (SELECT complaint_id, priority FROM core.complaints) c USING (complaint_id)
            WHERE ch.position = 0 AND date_trunc('month', ch.received_at)::DATE = ?
              AND {rows_where}
            ORDER BY ch.chain_length DESC, ch.chain_id LIMIT 10)
        ORDER BY chain_length DESC, chain_id, position""",
        month,
        *rows_params,
    )
    report.sections.append(Section("chains", t("chains"), chains))
    report.sections.append(
        trend_section(
            con,
            "satisfaction",
            t("followups"),
            "mart.satisfaction_closure_monthly",
            ("complaints", "closed", "closure_rate", "followups_answered", "satisfied", "csat"),
            ("csat", "closure_rate"),
            month,
            where,
            params,
        )
    )

    has_plans = tables_exist(con, "plans.improvement_plans", views=True)
    if has_plans:
        plans = _frame(con, f"{PLANS_WITH_PROGRESS} ORDER BY p.deadline, p.plan_id")
        verdicts: list[str | None] = []
        met: list[str | None] = []
        for row in plans.iter_rows(named=True):
            if row["status"] != "done" or row["done_date"] is None:
                verdicts.append(None)
                met.append(None)
                continue
            sql, sql_params = plan_daily_query(
                row["scope_category"], row["scope_department"], row["scope_product"]
            )
            check = verify_plan(
                row["metric"],
                row["target"],
                row["start_date"],
                row["done_date"],
                _frame(con, sql, *sql_params),
                night or date.today(),
            ).verification
            verdicts.append(t(check.verdict))
            met.append(t("yes") if check.target_met else t("no"))
        shown = (
            "plan_id",
            "title",
            "owner",
            "deadline",
            "status",
            "progress",
            "metric",
            "baseline",
            "target",
        )
        plans = plans.select(*shown).with_columns(
            pl.Series("verdict", verdicts, pl.String), pl.Series("target_met", met, pl.String)
        )
        report.sections.append(Section("plans", t("plans"), plans))

    problems = _frame(con, "SELECT * FROM mart.provisional_problems")
    acknowledged = (
        [(a.source, a.check_name) for a in in_force(plans_file, date.today())] if plans_file else []
    )
    gaps = data_gaps.month_status(problems, acknowledged, f.channel, [month])
    quality = gaps.select("month", "status", "unit", "missing", "rows", "share", "reasons")
    found = alerts.find(read, night or date.today(), plans=has_plans)
    note = " ".join(found.lines()) if lang == "en" else ""
    report.sections.append(
        Section(
            "data_quality",
            t("data_quality"),
            quality.with_columns(
                pl.col("status").replace({s: t(f"data_{s}") for s in data_gaps.STATUSES})
            ),
            t("report_quality_none") if not quality.height else note,
        )
    )
    report.sections.append(Section("definitions", t("report_definitions"), definitions()))
    return report


def trend_section(
    con: duckdb.DuckDBPyConnection,
    key: str,
    title: str,
    mart: str,
    columns: tuple[str, ...],
    rates: tuple[str, ...],
    month: date,
    where: str,
    params: list,
) -> Section:
    """The 12 months up to `month` of a monthly cube mart's row under the filters, with its
    rates drawn as lines."""
    frame = _frame(
        con,
        f"SELECT month, {', '.join(columns)} FROM {mart} WHERE month <= ? AND {where} "
        "ORDER BY month DESC LIMIT 12",
        month,
        *params,
    )
    return Section(key, title, frame, chart=trend_chart(frame, rates))


def chart_spec(spec: dict) -> dict:
    """A Vega-Lite chart of the report's size."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 480,
        "height": 220,
        **spec,
    }


def trend_chart(frame: pl.DataFrame, rates: tuple[str, ...]) -> dict:
    """Rates month by month, one line each, named in the report's language."""
    values = [
        {"month": f"{row['month']:%Y-%m}", "series": column_label(r), "rate": row[r]}
        for row in frame.iter_rows(named=True)
        for r in rates
        if row[r] is not None
    ]
    return chart_spec(
        {
            "data": {"values": values},
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {
                    "field": "month",
                    "type": "ordinal",
                    "sort": "ascending",
                    "title": column_label("month"),
                    "axis": {"labelAngle": 0},
                },
                "y": {
                    "field": "rate",
                    "type": "quantitative",
                    "axis": {"format": "%"},
                    "title": column_label("rate"),
                },
                "color": {"field": "series", "type": "nominal", "title": ""},
            },
        }
    )


def definitions() -> pl.DataFrame:
    """Each model's definition, the first paragraph of its section in docs/metrics.md."""
    if not METRICS_DOC.exists():
        return pl.DataFrame(schema={"field": pl.String, "value": pl.String})
    names, texts = [], []
    for block in METRICS_DOC.read_text(encoding="utf-8").split("\n#### ")[1:]:
        heading, _, body = block.partition("\n")
        paragraph = " ".join(body.strip().split("\n\n")[0].split())
        names.append(heading.strip("` "))
        texts.append(paragraph)
    return pl.DataFrame(
        {"field": names, "value": texts}, schema={"field": pl.String, "value": pl.String}
    )
