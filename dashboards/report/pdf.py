"""The monthly report as an A4 PDF: HTML and CSS printed by a real browser engine.

Why this route: Chromium (Debian's, the one the browser tests already use, driven by
Playwright) lays out Chinese text with the system's Noto CJK fonts and embeds the subset it
uses, repeats a table's header row on every page it breaks across (thead), and prints page
numbers in its footer; charts are Vega-Lite drawn to SVG by vl-convert (vector, no browser
scripts, no network). ReportLab's built-in CJK fonts are not embedded, and WeasyPrint needs
Pango from the system as well: Chromium is already installed by `make install`.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from pathlib import Path

import polars as pl

from tousu.dashboards.i18n import column_label, in_language, t, value_labels
from tousu.dashboards.report.content import Report
from tousu.dashboards.tables import MONTH, RATE, percent

CHROMIUM = "/usr/bin/chromium"
CSS = """
@page { size: A4; margin: 18mm 14mm 18mm 14mm; }
body { font-family: 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif; font-size: 9.5pt;
       color: #222; }
h1 { font-size: 22pt; margin: 40mm 0 6mm 0; }
h2 { font-size: 14pt; margin: 0 0 3mm 0; border-bottom: 1px solid #999; }
section { page-break-before: always; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0; }
thead { display: table-header-group; }
th { background: #dce6f1; text-align: left; }
th, td { border: 1px solid #bbb; padding: 1.2mm 1.6mm; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; }
tr { page-break-inside: avoid; }
.cover p { font-size: 11pt; margin: 2mm 0; }
.toc li { margin: 1.5mm 0; font-size: 11pt; }
.note { color: #555; margin: 2mm 0; }
svg { max-width: 100%; height: auto; }
"""


def cell(name: str, value, labels: dict) -> tuple[str, bool]:
    """A value as the page shows it, and whether it is a number (right-aligned)."""
    if value is None:
        return "", False
    if name in labels and isinstance(value, str):
        return labels[name].get(value, value), False
    if isinstance(value, bool):
        return ("✓" if value else ""), False
    if RATE.search(name) and isinstance(value, int | float):
        return percent(value), True
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}", False
    if isinstance(value, date):
        return (f"{value:%Y-%m}" if MONTH.search(name) else f"{value:%Y-%m-%d}"), False
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return f"{int(value):,}", True
    if isinstance(value, float):
        return f"{value:,.2f}", True
    return str(value), False


def table(frame: pl.DataFrame, rate_rows: frozenset[int] = frozenset()) -> str:
    labels = value_labels()
    head = "".join(f"<th>{html.escape(column_label(c))}</th>" for c in frame.columns)
    rows = []
    for i, row in enumerate(frame.iter_rows(named=True)):
        cells = []
        for name, value in row.items():
            if i in rate_rows and isinstance(value, int | float) and name != "metric":
                text, number = percent(value), True
            else:
                text, number = cell(name, value, labels)
            cells.append(f"<td{' class=n' if number else ''}>{html.escape(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def chart_svg(spec: dict) -> str:
    import vl_convert

    config = {"font": "Noto Sans CJK SC"}
    return vl_convert.vegalite_to_svg({**spec, "config": config})


def render_html(report: Report) -> str:
    with in_language(0 if report.lang == "zh" else 1):
        title = t("report_title").format(month=f"{report.month:%Y-%m}")
        night = f"{report.night:%Y-%m-%d}" if report.night else "—"
        toc = "".join(
            f'<li><a href="#{s.key}">{html.escape(s.title)}</a></li>' for s in report.sections
        )
        parts = [
            f"<div class=cover><h1>{html.escape(title)}</h1>",
            f"<p>{t('report_period')}: {report.month:%Y-%m}</p>",
            f"<p>{t('report_filters')}: {html.escape(report.filters)}</p>",
            f"<p>{t('report_night')}: {night}</p>",
            f"<p>{t('report_built')}: {report.built_at:%Y-%m-%d %H:%M}</p>",
            f"<h2>{t('report_contents')}</h2><ol class=toc>{toc}</ol></div>",
        ]
        for s in report.sections:
            parts.append(f'<section id="{s.key}"><h2>{html.escape(s.title)}</h2>')
            if s.note:
                parts.append(f"<p class=note>{html.escape(s.note)}</p>")
            if s.chart:
                parts.append(chart_svg(s.chart))
            parts.append(table(s.frame, s.rate_rows))
            parts.append("</section>")
        lang = "zh-CN" if report.lang == "zh" else "en"
        return (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head>"
            f"<body>{''.join(parts)}</body></html>"
        )


def write(report: Report, path: Path) -> Path:
    """Print the report's HTML to an A4 PDF with page numbers."""
    from playwright.sync_api import sync_playwright

    document = render_html(report)
    footer = (
        '<div style="font-size:8pt;width:100%;text-align:center;color:#666;">'
        '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
        )
        try:
            page = browser.new_page()
            page.set_content(document, wait_until="load")
            page.pdf(
                path=str(path),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<div></div>",
                footer_template=footer,
                margin={"top": "18mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
            )
        finally:
            browser.close()
    return path
