"""`tousu sources init --sample FILE`: a first mapping drafted from a file, for a person to finish.

It guesses the format, delimiter and encoding, which column feeds which intake field (by its
name, in English or Chinese), the date formats that read the time column, and lists the values
of the columns that need a value map with TODO targets. The check refuses the draft, naming the
lines, until a person has filled those in.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from flows.byo.mapping import ALLOWED, Format, Mapping
from flows.byo.read import read_table

# Intake field -> words a column name for it tends to contain (lower case), first match wins.
HINTS = {
    "record_id": ("complaint id", "ticket id", "case id", "record id", "id", "编号", "单号"),
    "received_at": ("date received", "received", "created", "submitted", "受理时间", "投诉时间",
                    "登记时间", "时间", "日期", "date"),
    "channel": ("submitted via", "channel", "source", "via", "渠道", "来源"),
    "description": ("narrative", "description", "complaint text", "message", "描述", "内容"),
    "category": ("category", "product", "type", "类别", "类型", "分类"),
    "problem": ("issue", "problem", "问题"),
    "department": ("department", "company", "team", "部门", "责任"),
    "status": ("status", "response to consumer", "状态"),
    "phone": ("phone", "mobile", "tel", "电话", "手机"),
    "email": ("email", "e-mail", "邮箱"),
    "customer_name": ("customer name", "name", "姓名", "客户"),
    "order_no": ("order", "订单"),
    "first_response_at": ("first response", "responded", "回复时间", "响应时间"),
    "closed_at": ("closed", "resolved", "结案", "关闭"),
    "due_at": ("due", "deadline", "期限"),
    "satisfaction": ("satisfaction", "满意"),
}
CANDIDATE_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S",
                     "%Y/%m/%d", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M", "%m/%d/%Y",
                     "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"]


def sniff(path: Path) -> Format:
    kind = {".xlsx": "xlsx", ".json": "json", ".jsonl": "jsonl"}.get(path.suffix.lower(), "csv")
    if kind != "csv":
        return Format(type=kind)
    data = path.read_bytes()[:65536]
    encoding = "utf-8"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        encoding = "utf-8" if exc.start > len(data) - 4 else "gbk"  # cut inside a character
    text = data.decode(encoding, errors="ignore")
    try:
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    return Format(type="csv", delimiter=delimiter, encoding=encoding)


def guess_fields(columns: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    taken: set[str] = set()
    for exact in (True, False):  # a column named just so beats one that contains the word
        for field, hints in HINTS.items():
            if field in out:
                continue
            for hint in hints:
                match = next((c for c in columns if c not in taken and (
                    c.lower().strip() == hint if exact else hint in c.lower())), None)
                if match:
                    out[field] = match
                    taken.add(match)
                    break
    return dict(sorted(out.items(), key=lambda kv: list(HINTS).index(kv[0])))


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def draft(sample: Path, source: str) -> str:
    fmt = sniff(sample)
    probe = Mapping(source=source, files=f"{source}/*{sample.suffix}", format=fmt,
                    fields={"record_id": "x", "received_at": "y"})
    frame, _, _ = read_table(sample, probe)
    columns = [c for c in frame.columns if c != "_row_number"]
    fields = guess_fields(columns)
    formats = []
    if "received_at" in fields:
        import polars as pl

        values = frame[fields["received_at"]].drop_nulls().head(200)
        formats = [f for f in CANDIDATE_FORMATS
                   if values.str.strptime(pl.Datetime("us"), f, strict=False, exact=True)
                   .is_not_null().any()]
    lines = [
        f"# Drafted by `tousu sources init --sample {sample.name}`: check every line, fill in",
        "# the TODOs, then run `tousu sources check <sample> --source "
        f"{source}` until it loads what you expect.",
        f"source: {source}",
        "description: TODO what this export is",
        f"files: {source}/*{sample.suffix.lower()}",
        "format:",
        f"  type: {fmt.type}",
    ]
    if fmt.type == "csv":
        lines += [f"  delimiter: {_quote(fmt.delimiter)}", f"  encoding: {fmt.encoding}"]
    lines += ["timezone: Asia/Shanghai  # TODO the time zone of times without an offset",
              "datetime_formats:"]
    lines += [f"  - {_quote(f)}" for f in formats or ["%Y-%m-%d %H:%M:%S"]]
    lines += ["fix: TODO who corrects a bad record, and where", "fields:"]
    for field, column in fields.items():
        if field in ALLOWED:
            values = frame[column].drop_nulls().unique().sort().head(30).to_list()
            lines += [f"  {field}:", f"    column: {_quote(column)}", "    values:"]
            options = ", ".join(map(str, ALLOWED[field]))
            lines += [f"      {_quote(v)}: TODO  # one of {options}" for v in values]
        else:
            lines.append(f"  {field}: {_quote(column)}")
    for required in ("record_id", "received_at"):
        if required not in fields:
            lines.append(f"  {required}: TODO  # the column with the {required.replace('_', ' ')}")
    unmapped = [c for c in columns if c not in fields.values()]
    if unmapped:
        lines.append("# Columns not mapped (map them above if they feed an intake field):")
        lines += [f"#   {c}" for c in unmapped]
    return "\n".join(lines) + "\n"


def slug(path: Path) -> str:
    name = re.sub(r"[^a-z0-9_]+", "_", path.stem.lower()).strip("_")
    name = re.sub(r"^[^a-z]+", "", name) or "my_source"
    return name[:30]
