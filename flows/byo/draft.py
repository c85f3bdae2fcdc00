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

import polars as pl

from tousu.flows.byo.mapping import ALLOWED, Format, Mapping
from tousu.flows.byo.read import read_table

# Intake field -> phrases a column name for it tends to be (lower case words, or Chinese text),
# best first. A phrase matches whole words ("id" is not inside "provided"); Chinese, which has
# no spaces between words, matches inside the name.
HINTS = {
    "record_id": (
        "complaint id",
        "ticket id",
        "case id",
        "record id",
        "unique key",
        "case enquiry id",
        "request id",
        "tweet id",
        "id",
        "编号",
        "单号",
    ),
    "received_at": (
        "date received",
        "received",
        "created date",
        "created at",
        "created",
        "open dt",
        "opened",
        "submitted",
        "受理时间",
        "投诉时间",
        "登记时间",
        "时间",
        "日期",
        "date",
    ),
    "channel": ("submitted via", "channel", "source", "via", "渠道", "来源"),
    "description": (
        "narrative",
        "description",
        "complaint text",
        "message",
        "text",
        "descriptor",
        "描述",
        "内容",
    ),
    "category": ("category", "product", "complaint type", "type", "类别", "类型", "分类"),
    "problem": ("issue", "problem", "reason", "问题"),
    "department": ("department", "agency", "company", "team", "部门", "责任"),
    "status": ("status", "case status", "response to consumer", "状态"),
    "phone": ("phone", "mobile", "tel", "电话", "手机"),
    "email": ("email", "e mail", "邮箱"),
    "customer_name": ("customer name", "consumer name", "client name", "姓名", "客户"),
    "customer_id": ("customer id", "author id", "account id", "user id", "客户编号"),
    "order_no": ("order", "order number", "订单"),
    "first_response_at": ("first response", "responded", "回复时间", "响应时间"),
    "closed_at": ("closed date", "closed dt", "closed", "resolved", "结案", "关闭"),
    "due_at": ("due date", "target dt", "due", "deadline", "期限"),
    "satisfaction": ("satisfaction", "满意"),
    "sla_met": ("timely response", "timely", "ontime", "on time", "是否及时"),
}
# Words that make a column the wrong one for a field whatever else it says: an agency's
# resolution text is not the customer's description, an agency's name is not the customer's.
AVOID = {
    "description": ("resolution", "response", "reply", "answer", "处理结果", "回复"),
    "customer_name": ("agency", "company", "department", "机构", "公司"),
    "received_at": ("closed", "due", "resolution", "updated"),
}
# What a column's values must look like for the guess to be trusted.
TIME_FIELDS = ("received_at", "first_response_at", "closed_at", "due_at")
LISTED = 30  # values listed per value map
CANDIDATE_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S",
    "%a %b %d %H:%M:%S %z %Y",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def name_matches(column: str, hint: str) -> bool:
    """Whole-word match of a hint in a column name (Chinese hints: inside the name)."""
    if not hint.isascii():
        return hint in column
    words, wanted = _words(column), _words(hint)
    return any(words[i : i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1))


def time_formats(values: pl.Series) -> list[str]:
    """The candidate formats that read some of the values, the most useful first."""
    values = values.drop_nulls().str.strip_chars().head(500)
    hits = [
        (
            int(
                values.str.strptime(pl.Datetime("us"), f, strict=False, exact=True)
                .is_not_null()
                .sum()
            ),
            f,
        )
        for f in CANDIDATE_FORMATS
    ]
    return [f for n, f in sorted(hits, key=lambda h: -h[0]) if n]


def doubt(field: str, values: pl.Series) -> str | None:
    """Why the column's values do not look like the field's (None: they do)."""
    present = values.drop_nulls().str.strip_chars()
    present = present.filter(present != "")
    if present.len() == 0:
        return "the column is empty in the sample"
    if field == "record_id" and present.n_unique() < 0.95 * present.len():
        return (
            f"{present.n_unique():,} distinct values in {present.len():,} rows: repeated "
            f"rows, or not an id"
        )
    if field in TIME_FIELDS:
        best = time_formats(present)
        parsed = (
            pl.select(
                pl.coalesce(
                    [
                        present.str.strptime(pl.Datetime("us"), f, strict=False, exact=True)
                        for f in best
                    ]
                )
            ).to_series()
            if best
            else pl.Series([None] * present.len())
        )
        if parsed.is_not_null().mean() < 0.9:
            return f"only {parsed.is_not_null().sum():,} of {present.len():,} values read as times"
    if field == "description" and present.str.len_chars().mean() < 20:
        return "short values: a label rather than the customer's words?"
    return None


def guess_fields(frame: pl.DataFrame) -> dict[str, tuple[str, str | None]]:
    """Intake field -> (column, doubt). A guess is sure (no doubt) when its name matches one of
    the field's phrases and its values look right (unique ids, times that parse, long text)."""
    columns = [c for c in frame.columns if c != "_row_number"]
    out: dict[str, tuple[str, str | None]] = {}
    taken: set[str] = set()
    for field, hints in HINTS.items():
        candidates = []
        for rank, hint in enumerate(hints):
            for column in columns:
                if (
                    column in taken
                    or not name_matches(column, hint)
                    or any(name_matches(column, word) for word in AVOID.get(field, ()))
                ):
                    continue
                exact = _words(column) == _words(hint) if hint.isascii() else column == hint
                why = doubt(field, frame[column])
                candidates.append(
                    (why is not None, not exact, rank, columns.index(column), column, why)
                )
        if candidates:
            *_, column, why = min(candidates)
            out[field] = (column, why)
            taken.add(column)
    return out


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


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def draft(sample: Path, source: str) -> str:
    fmt = sniff(sample)
    probe = Mapping(
        source=source,
        files=f"{source}/*{sample.suffix}",
        format=fmt,
        fields={"record_id": "x", "received_at": "y"},
    )
    frame, _, _ = read_table(sample, probe)
    columns = [c for c in frame.columns if c != "_row_number"]
    fields = guess_fields(frame)
    formats: list[str] = []
    for field in TIME_FIELDS:
        if field in fields:
            formats += [f for f in time_formats(frame[fields[field][0]]) if f not in formats]
    lines = [
        f"# Drafted by `tousu sources init --sample {sample.name}`: check every line and replace",
        "# every TODO (the check refuses a mapping that still has one), then run",
        f"# `tousu sources check <sample> --source {source} --mapping <this file>`.",
        f"source: {source}",
        "description: TODO what this export is",
        f"files: {source}/*{sample.suffix.lower()}",
        "format:",
        f"  type: {fmt.type}",
    ]
    if fmt.type == "csv":
        lines += [f"  delimiter: {_quote(fmt.delimiter)}", f"  encoding: {fmt.encoding}"]
    lines += [
        "timezone: TODO the IANA time zone of times written without an offset, e.g. Asia/Shanghai",
        "datetime_formats:",
    ]
    if formats:
        lines += [f"  - {_quote(f)}" for f in formats]
    else:
        lines.append('  - "TODO no usual date format reads the time columns; write one"')
    lines += ["fix: TODO who corrects a bad record, and where", "fields:"]
    for field, (column, why) in fields.items():
        named = _quote(column) if why is None else _quote(f"TODO check: {column} ({why})")
        if field in ALLOWED:
            present = frame[column].drop_nulls().str.strip_chars()
            values = present.filter(present != "").unique().sort()
            lines += [f"  {field}:", f"    column: {named}", "    values:"]
            options = ", ".join(
                str(v).lower() if isinstance(v, bool) else str(v) for v in ALLOWED[field]
            )
            lines += [
                f"      {_quote(v)}: TODO  # one of {options}"
                for v in values.head(LISTED).to_list()
            ]
            if values.len() > LISTED:
                lines.append(
                    f"      # {LISTED} of {values.len()} values listed: list the rest, "
                    f"or give a default with unmapped: default"
                )
        else:
            lines.append(f"  {field}: {named}")
    if "description" not in fields:
        lines.append(
            "  description: TODO the column with the customer's words, or "
            '{default: "(no text in the export)"}'
        )
    for required in ("record_id", "received_at"):
        if required not in fields:
            lines.append(
                f"  {required}: TODO the column with the "
                f"{required.replace('_', ' ')}"
                + ("  # or columns: [...] / hash: content" if required == "record_id" else "")
            )
    if "due_at" in fields or "sla_met" in fields:
        due = "due_at" in fields
        lines += [
            "# The export carries its own deadline"
            + (" (a due date)" if due else " verdict (on time or not)")
            + ": a suggested clock.",
            "sla:",
            "  clock: TODO a name for the source's clock, e.g. " + source + "_due",
        ]
        lines += ["  due: due_at"] if due else ["  calendar_days: TODO the target in days"]
        lines += ["  stop: " + ("closed_at" if "closed_at" in fields else "null")]
        if "sla_met" in fields:
            lines.append("  verdict: sla_met")
    unmapped = [c for c in columns if c not in {c for c, _ in fields.values()}]
    if unmapped:
        lines.append("# Columns not mapped (map them above if they feed an intake field):")
        lines += [f"#   {c}" for c in unmapped]
    return "\n".join(lines) + "\n"


def slug(path: Path) -> str:
    name = re.sub(r"[^a-z0-9_]+", "_", path.stem.lower()).strip("_")
    name = re.sub(r"^[^a-z]+", "", name) or "my_source"
    return name[:30]
