"""The code's structure: no import circle between the project's modules (imports inside
functions included: a deferred import that closes a circle is still a circle)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("flows", "warehouse", "dashboards")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    # the folders are installed as subpackages of `tousu` (pyproject.toml's package-dir)
    return ".".join(["tousu", *(parts[:-1] if parts[-1] == "__init__" else parts)])


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for target in targets:
                if target in modules and target != name and not name.startswith(target + "."):
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_the_import_graph_has_no_circle():
    assert cycles(import_graph()) == []


def test_the_circle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_the_fingerprint_sees_a_changed_figure(tmp_path):
    import duckdb

    from tousu.flows.fingerprint import fingerprint

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA mart")
    con.execute("CREATE TABLE mart.m AS SELECT 1 AS a, 'x' AS b, now() AS loaded_at")
    before = fingerprint(con)
    con.execute("UPDATE mart.m SET loaded_at = now() + INTERVAL 1 DAY")  # lineage: not a figure
    assert fingerprint(con) == before
    con.execute("UPDATE mart.m SET a = 2")
    after = fingerprint(con)
    assert after[0][:2] == before[0][:2] == ("mart.m", 1) and after[0][2] != before[0][2]
    con.close()


def test_the_channels_the_built_in_sources_are_named_after_are_the_vocabularys():
    from tousu.flows.sources import SOURCES
    from tousu.flows.vocab import CHANNELS, OWN_CHANNELS

    assert set(OWN_CHANNELS) <= set(CHANNELS)
    assert sorted(name for name in SOURCES if name in CHANNELS) == sorted(OWN_CHANNELS)


def test_the_satisfaction_scale_as_a_table_is_the_vocabularys(warehouse):
    from tousu.flows import vocab
    from tousu.warehouse import db

    _, con = warehouse
    db.write_reference_tables(con)
    rows = con.execute(
        "SELECT result, score, satisfied, dissatisfied FROM "
        "ref.satisfaction_levels WHERE answered ORDER BY score DESC"
    ).fetchall()
    assert [r[0] for r in rows] == list(vocab.SATISFACTION_LEVELS)
    assert [r[0] for r in rows if r[2]] == list(vocab.SATISFIED)
    assert [r[0] for r in rows if r[3]] == list(vocab.DISSATISFIED)


def test_each_sql_file_holds_one_model():
    import re

    models = re.compile(
        r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?"
        r"([a-z_]+\.[a-z_0-9]+)",
        re.I,
    )
    crowded = {}
    for path in sorted((ROOT / "warehouse").rglob("*.sql")):
        names = set(models.findall(path.read_text(encoding="utf-8")))
        if len(names) > 1:
            crowded[str(path.relative_to(ROOT))] = sorted(names)
    assert crowded == {}


def test_a_mart_file_is_named_after_its_model():
    import re

    for path in sorted((ROOT / "warehouse" / "marts").glob("*.sql")):
        [model] = set(
            re.findall(
                r"CREATE (?:OR REPLACE )?TABLE (?:IF NOT EXISTS )?"
                r"([a-z_]+)\.([a-z_]+)",
                path.read_text(encoding="utf-8"),
            )
        )
        assert re.fullmatch(rf"\d\d_{model[1]}\.sql", path.name), (path.name, model)


def test_the_pages_import_from_flows_only_the_shared_vocabulary_and_settings():
    # plan verification is still computed when the page is drawn (one pure call): the one
    # exception left, until it is a nightly mart
    allowed = {
        "tousu.flows",
        "tousu.flows.vocab",
        "tousu.flows.settings",
        "tousu.flows.metrics.verification",
    }
    graph = import_graph()
    reached = {
        t
        for m, targets in graph.items()
        if m.startswith("tousu.dashboards")
        for t in targets
        if t.startswith("tousu.flows")
    }
    assert reached <= allowed, sorted(reached - allowed)


def test_the_pages_read_rates_and_do_not_recompute_them():
    # the period marts hold '(all)' rows: a page selects its row (Filters.cube_where)
    for path in sorted((ROOT / "dashboards").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for formula in ("stg.compliance_rate", "sum(met)", "sum(breached)"):
            assert formula not in text, (path.name, formula)


def test_core_finds_each_channels_raw_rows_by_the_sources_record_key():
    """07_touched_intake selects raw rows by their record id before staging types them; the id
    column of each raw table is the one its source names (flows/sources.py)."""
    import re

    from tousu.flows.sources import SOURCES
    from tousu.flows.vocab import OWN_CHANNELS

    text = (ROOT / "warehouse/core/touched/07_touched_intake.sql").read_text(encoding="utf-8")
    found = set(re.findall(r"FROM (raw\.[a-z_]+)\s+WHERE wanted\((\w+), '(\w+)'\)", text))
    assert found == {(SOURCES[c].raw_table, SOURCES[c].key, c) for c in OWN_CHANNELS}
