"""A source mapping file (YAML): how one company export maps onto tousu's intake schema.

The file is checked before anything loads; every problem names the line of the file to fix.
See warehouse/sources/README.md for the format, and cfpb.yml for a complete example.
"""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
)

from tousu.flows import vocab
from tousu.flows.inbox import pattern_problem
from tousu.flows.metrics.policy import CLOCKS as PROCESS_CLOCKS
from tousu.flows.settings import TIMEZONE

# The intake schema: what a field means, and the values it may take after mapping.
FIELDS = {
    "record_id": "the record's own id in the source (required)",
    "received_at": "when the complaint was received (required)",
    "channel": "how it came in: " + ", ".join(vocab.CHANNELS),
    "customer_name": "the customer's name (stored masked)",
    "phone": "the customer's phone number",
    "email": "the customer's email address",
    "member_no": "member or account number",
    "customer_id": "any other id of the customer in the source",
    "order_no": "order number",
    "category": "problem category: " + "、".join(vocab.CATEGORIES),
    "problem": "the source's own problem / issue text",
    "product": "the product concerned",
    "department": "responsible department (or the company concerned)",
    "urgency": "高, 中 or 低",
    "priority": "高, 中 or 低",
    "description": "the customer's words (required unless a default is given)",
    "demand": "what the customer asks for",
    "status": "case status: " + ", ".join(vocab.STATUSES),
    "first_response_at": "first response to the customer",
    "closed_at": "when the case was closed",
    "due_at": "the source's own due date for the case",
    "satisfaction": "satisfaction level: " + "、".join(vocab.SATISFACTION_LEVELS),
    "sla_met": "the source's own verdict whether its deadline was met (true/false)",
}
TIMES = ("received_at", "first_response_at", "closed_at", "due_at")
ALLOWED = {
    "channel": list(vocab.CHANNELS),
    "category": list(vocab.CATEGORIES),
    "urgency": list(vocab.URGENCY),
    "priority": list(vocab.PRIORITY),
    "status": list(vocab.STATUSES),
    "satisfaction": list(vocab.SATISFACTION_LEVELS),
    "sla_met": [True, False],
}
DIRECTIVE = re.compile(r"%(.)")
KNOWN_DIRECTIVES = set("YmdHMSIpyBbfzjaAe%")


class MappingError(ValueError):
    """The mapping cannot be used; the message names the file, the line and what to fix."""


class Format(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["csv", "xlsx", "json", "jsonl"]
    delimiter: str = Field(",", min_length=1, max_length=1)
    encoding: str = "utf-8"
    sheet: str | int | None = None  # xlsx: sheet name or 0-based index
    record_path: str | None = None  # json: dotted path to the list of records

    @field_validator("encoding")
    @classmethod
    def known_encoding(cls, v: str) -> str:
        import codecs

        try:
            codecs.lookup(v)
        except LookupError as exc:
            raise ValueError(f"unknown encoding {v!r} (e.g. utf-8, gbk, gb18030)") from exc
        return v


class Field_(BaseModel):
    model_config = ConfigDict(extra="forbid")
    column: str | None = None
    values: dict[str, Any] | None = None  # the source's value -> ours
    default: Any = None  # used when the column is absent or its value is empty
    # A value the map does not list: quarantined (it may be new and need its own mapping), or
    # given the default (an explicit catch-all).
    unmapped: Literal["quarantine", "default"] = "quarantine"
    zero_pad: int | None = Field(None, gt=0, le=40)  # restore leading zeros a spreadsheet ate
    # record_id only, for an export without an id column: several columns that together
    # identify a record, or a hash of the record's whole content.
    columns: list[str] | None = Field(None, min_length=1)
    hash: Literal["content"] | None = None


# Row conditions: export column -> the value(s) that make the condition true (case ignored).
Condition = dict[str, list[str] | str]


class Replies(BaseModel):
    """Rows that are the company's replies, not complaints: each answers the record whose id is
    in `answers`, and the earliest reply is that complaint's first response."""

    model_config = ConfigDict(extra="forbid")
    when: Condition
    answers: str  # the column with the id of the record the reply answers
    at: str | None = None  # the column with the reply's time (default: received_at's column)


class AsOf(BaseModel):
    """When the export was taken: open items are measured as of then, not as of tonight."""

    model_config = ConfigDict(extra="forbid")
    column: str | None = None  # a column of the export holding the time it was taken
    file: Literal["name", "modified"] | None = None  # a date in the file's name, or its mtime
    fixed: datetime | None = None  # one instant for every file (an archive export)


class Sla(BaseModel):
    model_config = ConfigDict(extra="forbid")
    clock: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    start: str = "received_at"  # an intake time field, or a column of the export
    calendar_days: int | None = Field(None, gt=0)
    hours: float | None = Field(None, gt=0)
    due: str | None = None  # 'due_at': the record's own due date instead
    stop: str | None = "first_response_at"  # the intake time field that stops the clock
    verdict: str | None = None  # 'sla_met': the source's own met/not met
    # When the verdict decides: once the case is closed (default), or also while it is open
    # (an export whose verdict already says whether the open item is late).
    verdict_decides: Literal["closed", "always"] = "closed"


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str = Field(pattern=r"^[a-z][a-z0-9_]{1,30}$")
    description: str = ""
    files: list[str] | str
    format: Format
    timezone: str = TIMEZONE
    datetime_formats: list[str] = Field(default_factory=lambda: ["%Y-%m-%d %H:%M:%S"])
    complaint_id: str = "{received:%Y%m}-{record_id}"
    masked: list[str] = Field(default_factory=list)  # values that mean "withheld"
    phone_region: str | None = None
    fix: str = "correct the record in the source system and export it again"
    fields: dict[str, str | Field_]
    sla: Sla | None = None
    # Row filters: rows that are not complaints are skipped by rule and counted apart.
    keep_when: Condition | None = None
    skip_when: Condition | None = None
    replies: Replies | None = None
    as_of: AsOf | None = None
    # A source that has delivered nothing for this many days has stopped: its open items are
    # measured as of its last delivery and are not in today's open backlog.
    stopped_after_days: int = Field(7, gt=0)
    # Where the mapping was read from, for messages that name a line of it.
    _path: Path | None = PrivateAttr(None)
    _node: yaml.Node | None = PrivateAttr(None)

    @property
    def where(self) -> str:
        return str(self._path) if self._path else "the mapping"

    @field_validator("timezone")
    @classmethod
    def known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r} (e.g. Asia/Shanghai, UTC)") from exc
        return v

    @field_validator("files")
    @classmethod
    def files_inside_inbox(cls, files: list[str] | str) -> list[str] | str:
        for pattern in [files] if isinstance(files, str) else files:
            problem = pattern_problem(pattern)
            if problem:
                raise ValueError(f"{problem} (only files inside the inbox are read)")
        return files

    @field_validator("datetime_formats")
    @classmethod
    def usable_formats(cls, formats: list[str]) -> list[str]:
        for f in formats:
            check_format(f)
        return formats

    @field_validator("fields")
    @classmethod
    def known_fields(cls, fields: dict) -> dict:
        unknown = sorted(set(fields) - set(FIELDS))
        if unknown:
            raise ValueError(
                f"unknown intake field(s) {', '.join(unknown)}; the fields are {', '.join(FIELDS)}"
            )
        missing = [f for f in ("record_id", "received_at") if f not in fields]
        if missing:
            raise ValueError(f"required field(s) {', '.join(missing)} not mapped")
        return {k: Field_(column=v) if isinstance(v, str) else v for k, v in fields.items()}

    @property
    def patterns(self) -> tuple[str, ...]:
        return (self.files,) if isinstance(self.files, str) else tuple(self.files)

    def field(self, name: str) -> Field_ | None:
        return self.fields.get(name)

    @property
    def columns(self) -> dict[str, str]:
        """Export column -> what it feeds (an intake field, the SLA start, a row filter, ...)."""
        out = {f.column: name for name, f in self.fields.items() if f.column}
        for column in self.fields["record_id"].columns or []:
            out.setdefault(column, "record_id")
        if self.sla and self.sla.start not in FIELDS:
            out.setdefault(self.sla.start, "sla.start")
        for key, condition in (
            ("keep_when", self.keep_when),
            ("skip_when", self.skip_when),
            ("replies.when", self.replies and self.replies.when),
        ):
            for column in condition or {}:
                out.setdefault(column, key)
        if self.replies:
            out.setdefault(self.replies.answers, "replies.answers")
            if self.replies.at:
                out.setdefault(self.replies.at, "replies.at")
        if self.as_of and self.as_of.column:
            out.setdefault(self.as_of.column, "as_of.column")
        return out

    @property
    def required_columns(self) -> list[str]:
        """The columns a file must have: all but those of a field with a default."""
        optional = {f.column for f in self.fields.values() if f.column and f.default is not None}
        return [c for c in self.columns if c not in optional]

    @property
    def customer_keys(self) -> list[str]:
        """The mapped fields customers are linked by (flows/metrics/identity.py)."""
        return [k for k in ("phone", "email", "member_no", "customer_id") if k in self.fields]


def check_format(fmt: str) -> None:
    """Refuse a date/time format Python cannot both write and read back."""
    unknown = sorted({d for d in DIRECTIVE.findall(fmt) if d not in KNOWN_DIRECTIVES})
    if unknown:
        raise ValueError(
            f"format {fmt!r} has unknown directive(s) "
            f"{', '.join('%' + d for d in unknown)}; use e.g. %Y-%m-%d %H:%M:%S, "
            f"%m/%d/%Y %I:%M:%S %p"
        )
    sample = datetime(2023, 7, 17, 14, 5, 9, tzinfo=UTC)  # %z needs an offset
    try:
        datetime.strptime(sample.strftime(fmt), fmt)
    except ValueError as exc:
        raise ValueError(f"format {fmt!r} cannot be read back: {exc}") from exc


def _line_of(node: yaml.Node, path: tuple) -> int | None:
    """The 1-based line of the YAML node at a pydantic error location."""
    line = node.start_mark.line + 1
    for key in path:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == str(key)]
            if not match:
                return line
            node = match[0][1]
            line = match[0][0].start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; MappingError says which line to fix and how."""
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise MappingError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise MappingError(f"{path}:1: a mapping file is a YAML mapping (source:, files:, ...)")
    todos = [
        f"{path}:{n.start_mark.line + 1}: {n.value!r} is still to be filled in (a draft's "
        f"TODO); replace it, or delete the line"
        for n in _scalars(node)
        if isinstance(n.value, str) and n.value.lstrip().upper().startswith("TODO")
    ]
    if todos:
        raise MappingError("\n".join(todos))
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{path}:{_line_of(node, e['loc'])}: "
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: "
            f"{e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        ]
        raise MappingError("\n".join(problems)) from exc
    problems = [f"{path}:{_line_of(node, loc)}: {msg}" for loc, msg in _semantic(mapping)]
    if problems:
        raise MappingError("\n".join(problems))
    mapping._path, mapping._node = path, node
    return mapping


def _scalars(node: yaml.Node):
    """Every scalar (keys and values) of a YAML document, depth first."""
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(key)
            yield from _scalars(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item)


def _semantic(m: Mapping) -> list[tuple[tuple, str]]:
    """Problems pydantic cannot see: value maps onto unknown values, the id template, the SLA."""
    out = []
    for name, f in m.fields.items():
        allowed = ALLOWED.get(name)
        if allowed is None:
            continue
        for source_value, ours in (f.values or {}).items():
            if ours not in allowed:
                out.append(
                    (
                        ("fields", name, "values", source_value),
                        f"{name}: {source_value!r} maps to {ours!r}, which is not one of "
                        f"{', '.join(map(str, allowed))}",
                    )
                )
        if f.default is not None and f.default not in allowed:
            out.append(
                (
                    ("fields", name, "default"),
                    f"{name}: default {f.default!r} is not one of {', '.join(map(str, allowed))}",
                )
            )
    for name, f in m.fields.items():
        if name != "record_id" and (f.columns or f.hash):
            out.append(
                (
                    ("fields", name),
                    f"{name}: columns and hash make a record id; other fields name one column",
                )
            )
        if f.unmapped == "default" and f.default is None:
            out.append((("fields", name, "unmapped"), f"{name}: unmapped: default needs a default"))
    if "description" not in m.fields:
        # core.complaints requires one: without it every record fails the core suite
        out.append(
            (
                ("fields",),
                "description is not mapped: name the column with the "
                "customer's words, or give fields.description.default "
                '(e.g. "(no text in the export)")',
            )
        )
    rid = m.fields["record_id"]
    if sum(x is not None for x in (rid.column, rid.columns, rid.hash)) != 1:
        out.append(
            (
                ("fields", "record_id"),
                "record_id: give one of column (the id column), columns (several columns "
                "that together identify a record) or hash: content (no id in the export)",
            )
        )
    if m.as_of and sum(x is not None for x in (m.as_of.column, m.as_of.file, m.as_of.fixed)) != 1:
        out.append((("as_of",), "as_of: give one of column, file (name or modified) or fixed"))
    try:
        names = {n for _, n, _, _ in string.Formatter().parse(m.complaint_id) if n}
        m.complaint_id.format(received=datetime(2023, 7, 17), record_id="7264219")
        if names - {"received", "record_id"}:
            raise ValueError(
                f"only {{received}} and {{record_id}} may be used, not "
                f"{', '.join(sorted(names - {'received', 'record_id'}))}"
            )
    except (ValueError, KeyError, IndexError) as exc:
        out.append((("complaint_id",), f"complaint_id template: {exc}"))
    if m.sla:
        units = [u for u in (m.sla.calendar_days, m.sla.hours, m.sla.due) if u is not None]
        if len(units) != 1:
            out.append((("sla",), "give exactly one of calendar_days, hours, due"))
        for key in ("due", "stop", "verdict"):
            value = getattr(m.sla, key)
            fed_by_replies = key == "stop" and value == "first_response_at" and m.replies
            if value is not None and value not in m.fields and not fed_by_replies:
                out.append((("sla", key), f"sla.{key}: {value!r} is not a mapped field"))
        if m.sla.start in FIELDS and m.sla.start not in TIMES:
            out.append((("sla", "start"), f"sla.start: {m.sla.start!r} is not a time field"))
        if m.sla.clock in PROCESS_CLOCKS:
            out.append(
                (
                    ("sla", "clock"),
                    f"sla.clock: {m.sla.clock!r} is one of the process's "
                    f"own clocks; give the source's clock its own name",
                )
            )
    return out


def column_line(m: Mapping, column: str) -> str:
    """'file:line' where a column is named, for messages about the column."""
    node, path = m._node, m.where
    for name, f in m.fields.items():
        if f.column == column:
            loc = ("fields", name, "column") if _is_mapping(node, name) else ("fields", name)
            return f"{path}:{_line_of(node, loc) if node else '?'}"
    if m.sla and m.sla.start == column:
        return f"{path}:{_line_of(node, ('sla', 'start')) if node else '?'}"
    return str(path)


def _is_mapping(node, name: str) -> bool:
    if node is None:
        return False
    for k, v in node.value:
        if k.value == "fields":
            return any(kk.value == name and isinstance(vv, yaml.MappingNode) for kk, vv in v.value)
    return False
