"""Stores: .xlsx complaint registers kept by staff (sheet 投诉登记, Chinese headers).

Date cells are Excel serial numbers shown as dates; fastexcel (Rust calamine) reads them as ISO
text, and a serial number typed without date format stays a number that staging converts.
"""

from pathlib import Path

import fastexcel
import polars as pl

from flows.intake.delivered import Delivered, FileRejected, rename_columns

SHEET = "投诉登记"
COLUMNS = {
    "登记编号": "register_no",
    "登记时间": "registered_at",
    "门店": "store",
    "顾客姓名": "customer_name",
    "联系电话": "phone",
    "会员卡号": "member_no",
    "问题描述": "description",
    "顾客诉求": "demand",
    "接待人": "staff",
}


def read(path: Path, rel: str) -> Delivered:
    try:
        workbook = fastexcel.read_excel(path)
    except Exception as exc:  # fastexcel raises its own error types per failure
        raise FileRejected(f"not a readable .xlsx workbook ({exc})") from exc
    notes = []
    sheet = SHEET if SHEET in workbook.sheet_names else workbook.sheet_names[0]
    if sheet != SHEET:
        notes.append(f"no sheet named {SHEET}; read the first sheet '{sheet}'")
    frame = workbook.load_sheet(sheet, dtypes="string").to_polars()
    frame = rename_columns(frame, COLUMNS, rel).with_row_index("_row_number", offset=1)
    frame = frame.with_columns(pl.col("_row_number").cast(pl.Int32))
    # Trailing rows staff left empty are not records.
    frame = frame.filter(~pl.all_horizontal(pl.exclude("_row_number").is_null()))
    return Delivered(frame, notes=notes)
