"""Stores: .xlsx complaint registers kept by staff (sheet 投诉登记, Chinese headers).

Date cells are Excel serial numbers shown as dates; fastexcel (Rust calamine) reads them as ISO
text, and a serial number typed without date format stays a number that staging converts.
"""

from pathlib import Path

from tousu.flows.intake.delivered import Delivered, rename_columns
from tousu.flows.intake.workbook import read_sheet

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
    frame, sheet = read_sheet(path, SHEET, fallback_to_first=True)
    notes = [] if sheet == SHEET else [f"no sheet named {SHEET}; read the first sheet '{sheet}'"]
    frame = rename_columns(frame, {"_row_number": "_row_number", **COLUMNS}, rel)
    return Delivered(frame, notes=notes)
