"""CSV files people open in a spreadsheet, with record text that cannot run as a formula.

OWASP's CSV-injection guidance: a cell starting with '=', '+', '-', '@', a tab or a carriage
return is read by Excel / WPS / LibreOffice as a formula (=HYPERLINK(...) opens a link, DDE runs
commands). Such cells get a leading apostrophe, which spreadsheets show as text and do not
evaluate; the CSV writer quotes every field that needs it. Every export of record text (the app's
downloads, the reports) goes through safe_csv.
"""

from __future__ import annotations

import polars as pl

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str | None) -> str | None:
    """A cell's text made inert in a spreadsheet (numbers written as numbers stay numbers)."""
    if value is None or not value.startswith(FORMULA_PREFIXES):
        return value
    if value[:1] in "+-" and _is_number(value):
        return value
    return "'" + value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of a frame neutralised."""
    return frame.with_columns(
        pl.col(c).map_elements(neutralise, return_dtype=pl.String)
        for c, dtype in frame.schema.items()
        if dtype == pl.String
    )


def safe_csv(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a byte order mark (Excel opens Chinese text right), formulas neutralised."""
    return safe_frame(frame).write_csv(quote_style="non_numeric").encode("utf-8-sig")
