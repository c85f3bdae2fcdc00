"""The README documents every public table with exactly its columns, and every source."""

import re
from pathlib import Path

from flows.sources import SOURCES
from warehouse import db

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
PUBLIC = ("core.complaints", "core.complaint_events", "core.satisfaction", "ops.runs",
          "ops.file_loads", "ops.redeliveries", "ops.quarantine", "ops.pending_links", "ops.dq_results")


def documented_columns(table: str) -> list[str]:
    section = README.split(f"#### `{table}`", 1)[1].split("\n#### ", 1)[0].split("\n## ", 1)[0]
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
    encoding="utf-8")


def test_every_mart_is_defined_in_the_metrics_doc():
    created = set()
    for path in db.sql_files("marts"):
        created |= set(re.findall(r"CREATE (?:OR REPLACE )?TABLE (?:IF NOT EXISTS )?"
                                  r"(mart\.[a-z_]+)", path.read_text(encoding="utf-8")))
    created |= {"mart.calendar_days", "mart.sla_policy_rules",  # written from Python
                "mart.declared_clocks", "mart.declared_sources"}
    assert created, "no marts found"
    for table in sorted(created | {"core.customers", "core.customer_links"}):
        assert f"#### `{table}`" in METRICS_DOC, table


def test_every_clock_the_policy_may_name_is_defined():
    from flows.metrics.policy import CLOCKS

    for clock in CLOCKS:
        assert f"| `{clock}` |" in METRICS_DOC, clock
