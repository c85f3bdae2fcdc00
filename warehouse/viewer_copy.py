"""A viewer's copy of the published warehouse: the complaints they may see, personal data masked.

The review app (and every export it offers) never queries the published copy directly. Each
signed-in user's pages run on an in-memory DuckDB database built from it for their scope, so
what a role may not see cannot reach their browser whatever a page asks:

- **Rows.** A restricted viewer (an agent, a supervisor: `Scope.operators` set) gets the
  complaints an operator of theirs handled (core.complaint_events.operator) and, of every table
  about complaints, those complaints' rows (ROW_LEVEL: tables with a complaint_id, the customers
  they belong to). Facts about one complaint keep their meaning (an SLA clock, whether the
  customer came back, whichever agent handled the earlier complaint).
- **Aggregates over their complaints only.** The aggregate marts (AGGREGATES) are computed again
  on those rows by the marts' own SQL files, as a first night computes them, and the marts'
  agreement checks run on the result: one formula for every viewer.
- **Masking.** Names (already 张* in core), phone numbers, e-mails, member / order / account
  numbers, and phone numbers and e-mails inside free text are masked for every role (MASKED);
  quarantined records and their reasons are masked, and withheld from restricted viewers
  (they cannot be attributed to anyone's complaints). A masked table is a view that masks as
  it is read: a copy of every complaint costs no more at 10,000,000 complaints than at 10,000.
  Raw and staging are not in the copy.
  `unmasked_complaint` is the one way to a record's personal data, for roles with the right,
  and the caller audits it.
- **Shared tables** (SHARED: calendars, policies, data-quality results, plans) are the same for
  every viewer and are read through views of the published copy. A table neither shared, row
  level nor an aggregate is left out of a restricted copy (a new mart leaks nothing before
  it is classified; tests/unit/test_access.py fails until it is).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import yaml
from duckdb import func

from tousu.flows.settings import TIMEZONE, night_end
from tousu.warehouse import db
from tousu.warehouse.masking import mask_email, mask_identifier, mask_phone, mask_record, mask_text

# The layers a viewer's copy holds; raw and staging (unmasked source records) never.
SCHEMAS = ("core", "mart", "ops", "plans", "ref")

# Computed again over a restricted viewer's complaints, by their file in warehouse/marts/.
AGGREGATES = (
    "mart.sla_compliance_daily",
    "mart.sla_compliance_weekly",
    "mart.sla_compliance_monthly",
    "mart.repeat_rate_monthly",
    "mart.satisfaction_closure_monthly",
    "mart.open_backlog",
    "mart.open_at_export",
    "mart.complaints_daily",
    "mart.category_weekly",  # counted from mart.complaints_daily
    "mart.category_keywords_monthly",  # flows/metrics/keywords.py, a month when asked (keywords)
)
# Tables about complaints without a complaint_id column, and how their rows are chosen.
ROW_LEVEL = {
    "core.customers": "customer_id IN (SELECT customer_id FROM core.customer_links)",
    # both ends of a repeat: an agent's complaint that a customer came back after counts as
    # came back even when another agent took the comeback
    "mart.repeat_complaints": "complaint_id IN (SELECT complaint_id FROM intermediate.visible) "
    "OR previous_complaint_id IN (SELECT complaint_id FROM intermediate.visible)",
}
# The same for every viewer: no complaint-level or personal data.
SHARED = (
    "core.product_catalogue",
    "mart.calendar_days",
    "mart.declared_clocks",
    "mart.declared_sources",
    "mart.sla_policy_rules",
    "mart.provisional_months",
    "mart.provisional_problems",
    "mart.dq_failing_checks",
    "mart.dq_pass_rate_nightly",
    "mart.dq_sources",
    "mart.dq_volume_nightly",
    "ops.alerts_sent",  # alert texts: categories, sources, checks, plan owners; no customer
    "ops.audit_anchors",
    "ops.core_builds",
    "ops.core_loads",
    "ops.mart_builds",
    "ops.dq_results",
    "ops.file_loads",
    "ops.pending_links",
    "ops.policy_versions",
    "ops.quarantine",  # masked; records and reasons withheld from restricted viewers
    "ops.recomputes",
    "ops.redeliveries",
    "ops.report_history",  # file names and checksums of the monthly packs
    "ops.runs",
    "ops.runs_published",
    "ops.files_waiting",
    "ops.published_nights",
    "plans.improvement_plans",
    "plans.plan_changes",
    "plans.plan_checkpoints",
    "plans.dq_acknowledgements",
    "ref.channels",
    "ref.satisfaction_levels",
)


@dataclass(frozen=True)
class Each:
    """A list column (a customer's phone numbers): every value in it masked by `mask`."""

    mask: Callable[[str], str | None]


# Masked for every role: table -> column -> how.
MASKED: dict[str, dict[str, Callable[[str], str | None] | Each]] = {
    "core.complaints": {
        "phone": mask_phone,
        "email": mask_email,
        "member_no": mask_identifier,
        "social_id": mask_identifier,
        "app_user_id": mask_identifier,
        "source_customer_id": mask_identifier,
        "order_no": mask_identifier,
        "description": mask_text,
        "demand": mask_text,
    },
    "core.customers": {
        "phones": Each(mask_phone),
        "emails": Each(mask_email),
        "member_nos": Each(mask_identifier),
        "social_ids": Each(mask_identifier),
        "app_user_ids": Each(mask_identifier),
        "source_customer_ids": Each(mask_identifier),
    },
    "core.satisfaction": {"comment": mask_text},
    "ops.quarantine": {"record": mask_record, "reason": mask_text},
}
WITHHELD_FROM_RESTRICTED = {"ops.quarantine": ("record", "reason")}


@dataclass(frozen=True)
class Scope:
    """Whose complaints a copy holds: every complaint (operators None) or those an operator in
    `operators` handled."""

    operators: tuple[str, ...] | None = None

    @property
    def restricted(self) -> bool:
        return self.operators is not None

    @property
    def key(self) -> str:
        return "all" if self.operators is None else "ops:" + ",".join(sorted(self.operators))


EVERYTHING = Scope()


def build(published: Path, scope: Scope, timezone: str = TIMEZONE) -> duckdb.DuckDBPyConnection:
    """The viewer's copy: an in-memory database holding the tables described above."""
    con = db.connect(":memory:", timezone=timezone)
    _create_mask_functions(con)
    con.execute("CREATE SCHEMA stg")
    con.execute((db.SQL_DIR / "staging" / "00_macros.sql").read_text(encoding="utf-8"))
    # kept attached: the shared tables are views of it
    con.execute(f"ATTACH {db._quote(str(published))} AS pub (READ_ONLY)")
    for schema in (*SCHEMAS, "intermediate"):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    if scope.restricted:
        con.execute(
            # a table, not a temporary one: the masked tables are views that read it, from
            # the cursors each page's query runs on
            "CREATE TABLE intermediate.visible AS SELECT DISTINCT complaint_id "
            "FROM pub.core.complaint_events WHERE operator IN (SELECT unnest(?::VARCHAR[]))",
            [list(scope.operators or ())],
        )
    tables, views = _published_objects(con)
    # sorted: core.customer_links is copied before core.customers, which is chosen by it
    for name in sorted(tables):
        if name in AGGREGATES and scope.restricted:
            continue
        _copy(con, name, tables[name], scope)
    for name in views:
        if name in SHARED:
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM pub.{name}")
    if scope.restricted:
        _aggregate_again(con)
    return con


def _published_objects(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, list[str]], list[str]]:
    schemas = list(SCHEMAS)
    tables: dict[str, list[str]] = {}
    for schema, table, column in con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = 'pub' AND schema_name IN (SELECT unnest(?::VARCHAR[])) "
        "AND table_name IN (SELECT table_name FROM duckdb_tables() "
        "  WHERE database_name = 'pub' AND schema_name = duckdb_columns.schema_name) "
        "ORDER BY schema_name, table_name, column_index",
        [schemas],
    ).fetchall():
        tables.setdefault(f"{schema}.{table}", []).append(column)
    views = [
        f"{s}.{v}"
        for s, v in con.execute(
            "SELECT schema_name, view_name FROM duckdb_views() "
            "WHERE database_name = 'pub' AND NOT internal AND schema_name IN "
            "(SELECT unnest(?::VARCHAR[])) ORDER BY ALL",
            [schemas],
        ).fetchall()
    ]
    return tables, views


def classify(name: str, columns: list[str]) -> str:
    """row, aggregate, shared, or unknown (left out of a restricted copy)."""
    if name in AGGREGATES:
        return "aggregate"
    if name in ROW_LEVEL or "complaint_id" in columns:
        return "row"
    if name in SHARED:
        return "shared"
    return "unknown"


def _copy(con: duckdb.DuckDBPyConnection, name: str, columns: list[str], scope: Scope) -> None:
    kind = classify(name, columns)
    if kind == "unknown" and scope.restricted:
        return
    where = ""
    if kind == "row" and scope.restricted:
        where = " WHERE " + ROW_LEVEL.get(
            name, "complaint_id IN (SELECT complaint_id FROM intermediate.visible)"
        )
    masks = MASKED.get(name)
    if masks is None and not where:
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM pub.{name}")
        return
    if masks is None:
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM pub.{name}{where}")
        return
    # Masked as it is read, not copied masked: a view masks only the rows and columns a query
    # asks for. Masking every value up front took 19 s for a quality manager's copy at
    # 1,000,000 complaints, and more than 120 s (and 7 GB) at 9,036,100. A restricted viewer's
    # copy too: at 9,036,100 an agent's 688,340 complaints took 37.1 s with their masked rows
    # kept as tables (14.5 s of it masking), 28.9 s as views.
    withheld = WITHHELD_FROM_RESTRICTED.get(name, ()) if scope.restricted else ()
    replaced = ", ".join(
        f'{_masked(column, masks[column], column in withheld)} AS "{column}"'
        for column in columns
        if column in masks
    )
    chosen = f"* REPLACE ({replaced})" if replaced else "*"
    con.execute(f"CREATE VIEW {name} AS SELECT {chosen} FROM pub.{name}{where}")


def _masked(column: str, how: Callable[[str], str | None] | Each, withheld: bool) -> str:
    """The SQL that reads a column masked (NULL of its type when it is withheld)."""
    if withheld:
        return f'CASE WHEN false THEN "{column}" END'
    if isinstance(how, Each):
        return f'list_transform("{column}", lambda v: {_function(how.mask)}(v))'
    return f'{_function(how)}("{column}")'


def _function(mask: Callable[[str], str | None]) -> str:
    return f"tousu_{mask.__name__}"


def _create_mask_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Each masking function MASKED names, as a DuckDB function of the copy (tousu_mask_phone):
    called on a vector of values at a time, NULL staying NULL."""

    def vectorised(mask: Callable[[str], str | None]) -> Callable[[pa.Array], pa.Array]:
        return lambda values: pa.array(
            [None if v is None else mask(v) for v in values.to_pylist()], type=pa.string()
        )

    masks = {
        how.mask if isinstance(how, Each) else how
        for columns in MASKED.values()
        for how in columns.values()
    }
    for mask in sorted(masks, key=_function):
        con.create_function(
            _function(mask),
            vectorised(mask),
            [duckdb.sqltype("VARCHAR")],
            duckdb.sqltype("VARCHAR"),
            type=func.PythonUDFType.ARROW,
            side_effects=False,
        )


def _night(con: duckdb.DuckDBPyConnection) -> tuple[datetime, int]:
    """The night the published marts are as of, and the repeat window they were built with."""
    [(run_date,)] = con.execute("SELECT max(run_date) FROM pub.ops.published_nights").fetchall()
    [(policy_text,)] = con.execute(
        "SELECT policy_text FROM pub.ops.policy_versions ORDER BY first_used_at DESC LIMIT 1"
    ).fetchall()
    timezone = con.execute("SELECT getvariable('tousu_tz')").fetchall()[0][0]
    window = int(yaml.safe_load(policy_text)["repeat"]["window_days"])
    return night_end(run_date, timezone), window


def _aggregate_again(con: duckdb.DuckDBPyConnection) -> None:
    """The aggregate marts over the copy's complaints, by the marts' own files, as a build in
    full computes them (no last build: every day and month counted); then the marts' agreement
    checks (warehouse/checks/marts_agree.sql) on the result."""
    as_of, window = _night(con)
    con.execute("SET VARIABLE as_of = ?::TIMESTAMPTZ", [as_of])
    con.execute("SET VARIABLE repeat_window_days = ?", [window])
    con.execute("SET VARIABLE marts_last_as_of = NULL::TIMESTAMPTZ")
    con.execute("SET VARIABLE sla_recompute = false")
    # what a build in full starts from: every complaint changed, no clock or repeat before
    con.execute(
        "CREATE TABLE intermediate.marts_pending AS SELECT complaint_id FROM core.complaints"
    )
    con.execute("CREATE TABLE intermediate.sla_scope AS SELECT complaint_id FROM core.complaints")
    # the clocks as 16_sla_kept.sql and 21_sla_clocks.sql leave them for 22_sla_changed.sql: none
    # before, none kept, every clock of the copy computed
    con.execute("CREATE TEMP TABLE sla_before AS SELECT * FROM mart.sla_clocks LIMIT 0")
    con.execute(
        "CREATE TABLE intermediate.sla_kept AS SELECT complaint_id, clock, instance "
        "FROM mart.sla_clocks LIMIT 0"
    )
    con.execute("CREATE VIEW intermediate.sla_clocks_candidate AS SELECT * FROM mart.sla_clocks")
    con.execute(
        "CREATE TABLE intermediate.repeat_changed AS SELECT NULL::VARCHAR AS complaint_id LIMIT 0"
    )
    files = {p.stem.split("_", 1)[1]: p for p in db.sql_files("marts")}
    preparing = (
        "marts_changed",
        "complaint_received_days",
        "marts_changed_days",
        "sla_changed",
        "repeat_flags",  # what repeat_rate_monthly counts
    )
    for model in (*preparing, *(a.split(".", 1)[1] for a in AGGREGATES)):
        if model in files:
            con.execute(files[model].read_text(encoding="utf-8"))
    # keywords: segmenting every description is most of a copy's cost (17 of 23 s for a
    # supervisor's 110,000 complaints), so a month's are computed when a page asks (keywords)
    con.execute(
        "CREATE TABLE mart.category_keywords_monthly AS "
        "SELECT * FROM pub.mart.category_keywords_monthly LIMIT 0"
    )
    con.execute("CREATE TABLE intermediate.keyword_months (month DATE)")
    for path in db.sql_files("checks"):
        con.execute(path.read_text(encoding="utf-8")).fetchall()  # raises when they disagree


def keywords(
    con: duckdb.DuckDBPyConnection, scope: Scope, month, category: str
) -> duckdb.DuckDBPyRelation:
    """mart.category_keywords_monthly's rows of a month (one category, or '(all)'), computed
    over a restricted copy's complaints on first request, by the nightly's own function."""
    from tousu.flows.metrics.keywords import DESCRIBED, keywords_by_category_month

    if (
        scope.restricted
        and not con.execute(
            "SELECT 1 FROM intermediate.keyword_months WHERE month = ?", [month]
        ).fetchall()
    ):
        # the month's groups, by the nightly's own notion of a group (its category and month)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE keyword_month AS SELECT DISTINCT category, month "
            f"FROM ({DESCRIBED}) WHERE month = ?",
            [month],
        )
        fresh = keywords_by_category_month(con, only="keyword_month", workers=1)
        con.register("fresh_keywords", fresh)
        try:
            con.execute("INSERT INTO mart.category_keywords_monthly SELECT * FROM fresh_keywords")
            con.execute("INSERT INTO intermediate.keyword_months VALUES (?)", [month])
        finally:
            con.unregister("fresh_keywords")
    return con.sql(
        "SELECT category, rank, keyword, mentions, complaints FROM mart.category_keywords_monthly "
        "WHERE month = $month AND ($category = '(all)' OR category = $category) "
        "ORDER BY category, rank",
        params={"month": month, "category": category},
    )
