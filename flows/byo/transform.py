"""Applying a mapping: a declared source's rows (text) -> tousu's intake schema (typed).

Values are cleaned the way real exports need: ids written as floats ("3.0") and ids whose
leading zeros a spreadsheet dropped, masked values ("XXXX") read as withheld, several date and
time formats (US M/D/YYYY, 12-hour clocks), dates without a time (the time is then unknown,
not midnight). What cannot be mapped stays beside its value as given, for the suite to
quarantine with a reason that names the mapping line to change.
"""

from __future__ import annotations

import hashlib
import string
from datetime import datetime

import polars as pl

from tousu.flows import vocab
from tousu.flows.byo.mapping import ALLOWED, FIELDS, TIMES, Mapping
from tousu.flows.settings import PHONE_REGION
from tousu.warehouse.db import phone_e164

TEXT_FIELDS = [f for f in FIELDS if f not in TIMES and f != "sla_met"]
MAPPED = ("channel", "category", "urgency", "priority", "status", "satisfaction")
MASK = r"^[Xx*]{2,}$"  # a whole value of X's or stars: withheld


def _raw(frame: pl.DataFrame, m: Mapping, name: str) -> pl.Expr:
    """The field's value as given (text, trimmed, masked values as null)."""
    spec = m.field(name)
    if spec is None or spec.column is None:
        return pl.lit(None, dtype=pl.String)
    value = pl.col(spec.column).str.strip_chars()
    withheld = value.str.contains(MASK) | value.is_in(m.masked)
    return pl.when((value == "") | withheld).then(None).otherwise(value)


def _mapped(value: pl.Expr, m: Mapping, name: str) -> pl.Expr:
    """The field's value in our terms: value map, else the value if ours already, else default."""
    spec = m.field(name)
    if spec is None:
        return pl.lit(None, dtype=pl.String)
    values = {str(k): v for k, v in (spec.values or {}).items()}
    lowered = {k.lower(): v for k, v in values.items()}
    if name == "sla_met":
        mapped = value.str.to_lowercase().replace_strict(
            {k: bool(v) for k, v in lowered.items()}, default=None, return_dtype=pl.Boolean
        )
        return mapped
    mapped = value.str.to_lowercase().replace_strict(lowered, default=None, return_dtype=pl.String)
    # A value already in our terms passes; a free-text field passes whatever its map misses;
    # any other value stays unmapped (null) for the suite to quarantine with its reason.
    allowed = ALLOWED.get(name)
    mapped = pl.coalesce(mapped, pl.when(value.is_in(allowed)).then(value) if allowed else value)
    default = pl.lit(spec.default, dtype=pl.String) if spec.default is not None else None
    if default is not None and spec.unmapped == "default":  # the explicit catch-all
        mapped = pl.coalesce(mapped, default)
    if default is not None:
        mapped = pl.when(value.is_null()).then(default).otherwise(mapped)
    return mapped


def matches(frame: pl.DataFrame, condition: dict[str, list[str] | str]) -> pl.Series:
    """Rows whose every named column holds one of the condition's values (case and surrounding
    spaces ignored; "" matches an empty cell)."""
    hit = pl.lit(True)
    for column, values in condition.items():
        wanted = [str(v).strip().lower() for v in ([values] if isinstance(values, str) else values)]
        value = pl.col(column).str.strip_chars().str.to_lowercase().fill_null("")
        hit = hit & value.is_in(wanted)
    return frame.select(hit.alias("hit"))["hit"] if frame.height else pl.Series([], dtype=bool)


def _time(value: pl.Expr, m: Mapping) -> tuple[pl.Expr, pl.Expr]:
    """(local time parsed with the first format that fits, whether the time of day is known).

    A format with an offset (%z) gives the moment it names, read in the mapping's time zone.
    """

    def parse(f: str) -> pl.Expr:
        stamp = value.str.strptime(pl.Datetime("us"), f, strict=False, exact=True)
        if "%z" in f:
            stamp = stamp.dt.convert_time_zone(m.timezone).dt.replace_time_zone(None)
        return stamp

    with_time = [f for f in m.datetime_formats if any(d in f for d in ("%H", "%I"))]
    stamp = pl.coalesce([parse(f) for f in m.datetime_formats]).dt.replace_time_zone(
        m.timezone, ambiguous="earliest", non_existent="null"
    )
    timed = (
        pl.coalesce([parse(f) for f in with_time]) if with_time else pl.lit(None, pl.Datetime("us"))
    )
    # A time of 00:00:00 in an export with times is a placeholder, as good as no time.
    known = timed.is_not_null() & (timed.dt.time() != pl.time(0, 0, 0))
    return stamp, known


def clean_id(value: pl.Expr, m: Mapping) -> pl.Expr:
    ident = value.str.replace(r"^(\d+)\.0+$", "${1}")  # 3.0 -> 3 (an id read as a float)
    pad = m.field("record_id").zero_pad
    return ident.str.zfill(pad) if pad else ident


def id_digits(text: str) -> str:
    """A 16-digit number standing for an id that is not a number (a composite id or a content
    hash), for the complaint id's YYYYMM-NNNNN form: the first 52 bits of its SHA-256."""
    return str(int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:13], 16)).zfill(16)


def _record_id(frame: pl.DataFrame, m: Mapping, content: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(the id as given, the record key): one column, several columns, or the content's hash."""
    spec = m.field("record_id")
    if spec.hash:
        digits = content.map_elements(id_digits, return_dtype=pl.String)
        return digits, digits
    if spec.columns:
        parts = [pl.col(c).str.strip_chars().fill_null("") for c in spec.columns]
        joined = pl.concat_str(parts, separator=" | ")
        empty = pl.all_horizontal([p == "" for p in parts])
        joined = pl.when(empty).then(None).otherwise(joined)
        return joined, joined
    given = _raw(frame, m, "record_id")
    return given, clean_id(given, m)


def _phone(value: pl.Expr, region: str) -> pl.Expr:
    return value.map_elements(
        lambda n: phone_e164(n, region), return_dtype=pl.String, skip_nulls=True
    )


def first_replies(replies: pl.DataFrame, m: Mapping) -> pl.DataFrame:
    """The earliest reply to each record a reply stream answers: (source_ref, replied_at)."""
    at = m.replies.at or m.field("received_at").column
    return (
        replies.select(
            source_ref=clean_id(pl.col(m.replies.answers).str.strip_chars(), m),
            replied_at=_time(pl.col(at).str.strip_chars(), m)[0].dt.convert_time_zone("UTC"),
        )
        .drop_nulls()
        .group_by("source_ref")
        .agg(pl.col("replied_at").min())
    )


def to_intake(
    frame: pl.DataFrame,
    m: Mapping,
    phone_region: str = PHONE_REGION,
    replies: pl.DataFrame | None = None,
    file_as_of: datetime | None = None,
) -> pl.DataFrame:
    """The intake columns of raw.declared_intake, plus the record as delivered (JSON).

    `replies`: the first reply to each record (first_replies), its first response unless the
    export has its own; `file_as_of`: when the file's export was taken (the mapping's as_of).
    """
    given = {name: _raw(frame, m, name) for name in FIELDS}
    delivered = [c for c in frame.columns if c != "_row_number"]
    content = pl.struct(delivered).struct.json_encode() if delivered else pl.lit("{}")
    id_as_given, key = _record_id(frame, m, content)
    columns = {
        "source": pl.lit(m.source),
        "record_id_as_given": id_as_given,
        "source_ref": key,
    }
    for name in TEXT_FIELDS:
        if name == "record_id":
            continue
        if name == "phone":
            columns["phone_as_given"] = given["phone"]
            columns["phone"] = _phone(given["phone"], m.phone_region or phone_region)
            continue
        if name in MAPPED or (m.field(name) and m.field(name).values):
            columns[f"{name}_as_given"] = given[name]
            columns[name] = _mapped(given[name], m, name)
        else:
            spec = m.field(name)
            default = spec.default if spec is not None else None
            columns[name] = pl.coalesce(given[name], pl.lit(default, dtype=pl.String))
    for name in TIMES:
        stamp, known = _time(given[name], m)
        columns[f"{name}_as_given"] = given[name]
        columns[name] = stamp
        if name == "received_at":
            columns["received_time_known"] = known
    columns["sla_met_as_given"] = given["sla_met"]
    columns["sla_met"] = _mapped(given["sla_met"], m, "sla_met")
    if m.sla and m.sla.start not in FIELDS:
        start = pl.col(m.sla.start).str.strip_chars()
        columns["sla_start_as_given"] = start
        columns["sla_start_at"] = _time(start, m)[0]
    else:
        columns["sla_start_as_given"] = pl.lit(None, dtype=pl.String)
        columns["sla_start_at"] = pl.lit(None, dtype=pl.Datetime("us", m.timezone))
    if m.as_of and m.as_of.column:
        export = pl.col(m.as_of.column).str.strip_chars()
        columns["export_as_of"] = _time(export, m)[0]
    else:
        columns["export_as_of"] = pl.lit(
            file_as_of, dtype=pl.Datetime("us", "UTC")
        ).dt.convert_time_zone(m.timezone)
    out = frame.select(
        **{k: v for k, v in columns.items()}, record=content, _row_number=pl.col("_row_number")
    )
    if replies is not None and replies.height:
        out = (
            out.join(replies, on="source_ref", how="left")
            .with_columns(
                first_response_at=pl.coalesce(
                    "first_response_at", pl.col("replied_at").dt.convert_time_zone(m.timezone)
                )
            )
            .drop("replied_at")
        )
    received = pl.col("received_at")
    out = out.with_columns(
        department=pl.coalesce(  # the category's department by default
            "department",
            pl.col("category").replace_strict(
                vocab.CATEGORIES, default=None, return_dtype=pl.String
            ),
        )
    )
    return out.with_columns(
        pl.col(pl.Datetime("us", m.timezone)).dt.convert_time_zone("UTC"),
        complaint_id=pl.when(received.is_not_null() & pl.col("source_ref").is_not_null()).then(
            pl.format(_id_format(m), *_id_parts(m))
        ),
    )


def _id_format(m: Mapping) -> str:
    """The complaint id template as a polars format string ({} per part)."""
    return "".join(
        text + ("{}" if name else "")
        for text, name, _, _ in string.Formatter().parse(m.complaint_id)
    )


def _id_parts(m: Mapping) -> list[pl.Expr]:
    parts = []
    for _, name, spec, _ in string.Formatter().parse(m.complaint_id):
        if not name:
            continue
        if name == "received":
            parts.append(pl.col("received_at").dt.strftime(spec or "%Y%m"))
        else:  # an id of several columns enters as the number standing for it
            ref = pl.col("source_ref")
            if m.field("record_id").columns:
                ref = ref.map_elements(id_digits, return_dtype=pl.String)
            parts.append(
                ref.str.zfill(int(spec.lstrip("0>") or 0)) if spec.startswith("0>") else ref
            )
    return parts
