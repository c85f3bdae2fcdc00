"""The README documents every public table with exactly its columns, and every source."""

import re
from pathlib import Path

import yaml

from tousu.flows.sources import SOURCES
from tousu.warehouse import db

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
PUBLIC = (
    "core.complaints",
    "core.complaint_events",
    "core.satisfaction",
    "ops.runs",
    "ops.file_loads",
    "ops.redeliveries",
    "ops.quarantine",
    "ops.pending_links",
    "ops.dq_results",
)


TABLES_DOC = (Path(__file__).resolve().parents[2] / "docs" / "tables.md").read_text(
    encoding="utf-8"
)


def documented_columns(table: str) -> list[str]:
    section = TABLES_DOC.split(f"## `{table}`", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_0-9]+)` \|", section, flags=re.M)


def test_every_public_table_is_documented_with_its_columns(warehouse):
    _, con = warehouse
    db.build_core(con)
    for table in PUBLIC:
        actual = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        assert documented_columns(table) == actual, table


def test_every_source_folder_is_in_the_readme():
    for source in SOURCES.values():
        for pattern in source.patterns:
            folder = pattern.split("/")[0]
            assert f"{folder}/" in README, folder


METRICS_DOC = (Path(__file__).resolve().parents[2] / "docs" / "metrics.md").read_text(
    encoding="utf-8"
)


MODELS = yaml.safe_load((db.SQL_DIR / "marts" / "models.yml").read_text(encoding="utf-8"))


def test_every_mart_is_described_built_and_defined(published_demo):
    """warehouse/marts/models.yml names every model the marts stage builds, with its grain and
    exactly its columns; docs/metrics.md defines each; the README's metrics table names each."""
    import duckdb

    con = duckdb.connect(str(published_demo), read_only=True)
    built = {
        f"{s}.{t}": [
            c
            for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
                "ORDER BY column_index",
                [s, t],
            ).fetchall()
        ]
        for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name = 'mart' "
            "OR (schema_name = 'core' AND table_name IN ('customers', 'customer_links'))"
        ).fetchall()
    }
    con.close()
    assert sorted(built) == sorted(MODELS)
    for name, model in MODELS.items():
        assert model["columns"] == built[name], name
        assert model["grain"].startswith("one row per"), name
        assert f"#### `{name}`" in METRICS_DOC, name
        assert f"`{name}`" in README, name


def test_every_clock_the_policy_may_name_is_defined():
    from tousu.flows.metrics.policy import CLOCKS

    for clock in CLOCKS:
        assert f"| `{clock}` |" in METRICS_DOC, clock
