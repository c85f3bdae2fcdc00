"""Every page in both languages: no header, chart title or coded value left in the other language
or as a raw column name, and figures formatted for people (issue 15, items 8 and 9)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import sign_in_as
from tousu.dashboards.pages import SCRIPTS

APP = str(Path(__file__).resolve().parents[2] / "dashboards" / "app.py")
PAGES = SCRIPTS
CJK = re.compile(r"[\u4e00-\u9fff]")
# Proper nouns and abbreviations that read the same in both languages.
ALLOWED = {"SLA", "CSAT", "GX", "Pareto"}
# Coded values (flows/vocab.py, marts) that a person must never see raw in Chinese mode.
CODES = {
    "first_response",
    "investigation_started",
    "follow_up",
    "closed",
    "in_progress",
    "met",
    "breached",
    "open_breached",
    "open_within",
    "complaints_per_day",
    "registration without its channel record",
    "same_category",
    "ticket_system",
    "24 hours",
    "3 working days",
    "succeeded",
    "loaded",
}


def chart_titles(spec: dict) -> list[str]:
    """Every axis, legend and tooltip title a chart shows."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "title" and isinstance(value, str) and value:
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for layer in [spec, *spec.get("layer", [])]:
        walk(layer.get("encoding", {}))
    return found


def untranslated(text: str, language: str) -> bool:
    if text in ALLOWED:
        return False
    if language == "中文":
        return not CJK.search(text)
    # English: no Chinese and no raw column name (the category's Chinese name with its gloss,
    # e.g. '产品质量类 (Product quality)', is a value, not a label)
    return bool(CJK.search(text)) or "_" in text


def walk_page(page: str, language: str, complaint_id: str | None) -> tuple[list[str], int]:
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["lang"] = language
    from tousu.dashboards.data import plans_path

    at = sign_in_as(at, plans_path(), "admin")
    at.run()
    if complaint_id and page == "views/complaint.py":
        at.session_state["complaint_pick"] = complaint_id
    at.switch_page(page).run()
    assert not at.exception, (page, at.exception)
    problems = []
    for frame in at.dataframe:
        table = frame.value
        for header in table.columns:
            if untranslated(str(header), language):
                problems.append(f"{page}: header {header!r}")
        field = "字段" if language == "中文" else "Field"  # the complaint's record, by field
        if field in table.columns:
            for name in table[field]:
                if untranslated(str(name), language):
                    problems.append(f"{page}: field {name!r}")
        if language == "中文":
            for column in table.columns:
                values = {str(v) for v in table[column].tolist()}
                for code in sorted(values & CODES):
                    problems.append(f"{page}: value {code!r} in column {column!r}")
                if any(re.fullmatch(r"\d+\.\d{5,}", v) or v == "None" for v in values):
                    problems.append(f"{page}: raw number or None in column {column!r}")
    for metric in at.metric:
        if untranslated(metric.label, language):
            problems.append(f"{page}: metric {metric.label!r}")
    titles = [
        title
        for chart in at.get("vega_lite_chart")
        for title in chart_titles(json.loads(chart.proto.spec))
    ]
    problems += [f"{page}: chart title {x!r}" for x in titles if untranslated(x, language)]
    return problems, len(titles)


@pytest.mark.parametrize("language", ["中文", "English"])
def test_every_page_speaks_one_language(published, language):
    import duckdb

    con = duckdb.connect(str(published), read_only=True)
    try:
        # a complaint with a repeat chain, events, follow-ups and clocks: every table drawn
        [(complaint_id,)] = con.execute(
            "SELECT complaint_id FROM mart.repeat_chains WHERE chain_length > 1 "
            "AND complaint_id IN (SELECT complaint_id FROM core.satisfaction) "
            "ORDER BY complaint_id LIMIT 1"
        ).fetchall()
    finally:
        con.close()
    walked = [walk_page(page, language, complaint_id) for page in PAGES]
    problems = [p for found, _ in walked for p in found]
    assert not problems, "\n".join(problems)
    assert sum(n for _, n in walked) >= 20  # the charts' titles were read


def test_every_refusal_the_warehouse_gives_has_its_chinese():
    """Plan, checkpoint and acknowledgement refusals are written in English by the warehouse;
    a Chinese page shows each in Chinese."""
    import ast

    from tousu.dashboards.i18n import error_text

    root = Path(__file__).resolve().parents[2] / "warehouse"
    messages = []
    for path in (root / "plan_store.py", root / "acknowledgements.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Raise)
                and isinstance(node.exc, ast.Call)
                and getattr(node.exc.func, "id", "") == "PlanError"
            ):
                arg = node.exc.args[0]
                # f-strings: their text with a sample value where a value goes
                messages.append(
                    "".join(
                        p.value if isinstance(p, ast.Constant) else "IP-202601-001"
                        for p in (arg.values if isinstance(arg, ast.JoinedStr) else [arg])
                    )
                )
    assert len(messages) >= 15
    untranslated = [m for m in messages if not CJK.search(error_text(m))]
    assert untranslated == []
