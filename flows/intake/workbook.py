"""Reading one sheet of an .xlsx workbook as text, row numbers kept, empty trailing rows dropped.

fastexcel (Rust calamine) reads date cells as ISO text; a serial number typed without a date
format stays a number for staging to convert.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from tousu.flows.intake.delivered import FileRejected


def read_sheet(
    path: Path, sheet: str | int | None, fallback_to_first: bool = False
) -> tuple[pl.DataFrame, str]:
    """(the sheet's rows as text with _row_number, the sheet's name). A missing named sheet is
    refused, or the first sheet read instead when `fallback_to_first`."""
    import fastexcel

    try:
        workbook = fastexcel.read_excel(path)
    except Exception as exc:  # fastexcel raises its own error types per failure
        raise FileRejected(f"not a readable .xlsx workbook ({exc})") from exc
    names = workbook.sheet_names
    if isinstance(sheet, str) and sheet not in names:
        if not fallback_to_first:
            raise FileRejected(f"no sheet named {sheet!r}; the workbook has {', '.join(names)}")
        sheet = 0
    chosen = names[sheet] if isinstance(sheet, int) else (sheet or names[0])
    frame = workbook.load_sheet(chosen, dtypes="string").to_polars()
    frame = frame.with_row_index("_row_number", offset=1).with_columns(
        pl.col("_row_number").cast(pl.Int32)
    )
    # Trailing rows staff left empty are not records.
    return frame.filter(~pl.all_horizontal(pl.exclude("_row_number").is_null())), chosen
