"""The monthly report as an Excel workbook: one sheet per section, real numbers and dates.

XlsxWriter (maintained, already the project's xlsx writer) writes the cells typed: rates as
numbers with a percentage format, dates as dates, counts with thousands separators; headers
formatted, panes frozen under them, an auto-filter, column widths that fit Chinese text (a CJK
character is two columns wide). Record text is neutralised against formulas (safe_export).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path

import polars as pl
import xlsxwriter

from tousu.dashboards.i18n import column_label, in_language, value_labels
from tousu.dashboards.report.content import Report
from tousu.dashboards.safe_export import neutralise
from tousu.dashboards.tables import MONTH, RATE


def width(text: str) -> int:
    """Columns a text takes in a spreadsheet: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def write(report: Report, path: Path) -> Path:
    with in_language(0 if report.lang == "zh" else 1):
        return _write(report, path)


def _write(report: Report, path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path), {"remove_timezone": True})
    header = book.add_format(
        {"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True, "valign": "top"}
    )
    formats = {
        "rate": book.add_format({"num_format": "0.0%"}),
        "int": book.add_format({"num_format": "#,##0"}),
        "float": book.add_format({"num_format": "#,##0.00"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "month": book.add_format({"num_format": "yyyy-mm"}),
        "time": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "text": book.add_format({"text_wrap": False}),
    }
    labels = value_labels()
    for section in report.sections:
        sheet = book.add_worksheet(
            section.title[:31].translate(str.maketrans("[]:*?/\\", "（）：＊？／＼"))
        )
        frame = section.frame
        widths = []
        for col, name in enumerate(frame.columns):
            title = column_label(name)
            sheet.write(0, col, title, header)
            widths.append(width(title))
        for col, (name, dtype) in enumerate(frame.schema.items()):
            kind = _kind(name, dtype)
            values = frame[name].to_list()
            if name in labels:
                values = [labels[name].get(v, v) if isinstance(v, str) else v for v in values]
            for row, value in enumerate(values, start=1):
                if value is None:
                    continue
                if row - 1 in section.rate_rows and kind in ("int", "float"):
                    sheet.write_number(row, col, value, formats["rate"])
                    widths[col] = max(widths[col], 10)
                elif kind == "text":
                    text = neutralise(str(value)) or ""
                    sheet.write_string(row, col, text)
                    widths[col] = max(widths[col], min(width(text), 60))
                elif kind in ("date", "month", "time"):
                    if isinstance(value, datetime):
                        value = value.replace(tzinfo=None)
                    sheet.write_datetime(row, col, value, formats[kind])
                    widths[col] = max(widths[col], 12 if kind != "time" else 17)
                else:
                    whole = isinstance(value, float) and value.is_integer()
                    sheet.write_number(row, col, value, formats["int" if whole else kind])
                    widths[col] = max(widths[col], 10)
        for col, w in enumerate(widths):
            sheet.set_column(col, col, min(w + 2, 62))
        sheet.freeze_panes(1, 0)
        if frame.height:
            sheet.autofilter(0, 0, frame.height, max(frame.width - 1, 0))
        if section.note:
            sheet.write(frame.height + 2, 0, section.note)
    book.close()
    return path


def _kind(name: str, dtype: pl.DataType) -> str:
    if RATE.search(name) and dtype.is_numeric():
        return "rate"
    if dtype == pl.Date:
        return "month" if MONTH.search(name) else "date"
    if isinstance(dtype, pl.Datetime):
        return "time"
    if dtype.is_integer():
        return "int"
    if dtype.is_float():
        return "float"
    return "text"
