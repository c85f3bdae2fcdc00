"""Call centre: CSV export, GBK, Chinese headers, local times 'YYYY/MM/DD HH:MM:SS'."""

from pathlib import Path

from tousu.flows.intake.csv_export import read_csv_export
from tousu.flows.intake.delivered import Delivered

COLUMNS = {
    "通话编号": "call_id",
    "来电时间": "called_at",
    "接通时间": "answered_at",
    "来电号码": "caller_number",
    "客户姓名": "customer_name",
    "会员号": "member_no",
    "问题描述": "description",
    "客户诉求": "demand",
    "坐席工号": "agent_id",
}


def read(path: Path, rel: str) -> Delivered:
    return read_csv_export(
        path, rel, "gbk", COLUMNS, "re-export the file from the call-centre system as GBK"
    )
