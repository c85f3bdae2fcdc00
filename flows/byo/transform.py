"""Applying a mapping: a declared source's rows (text) -> tousu's intake schema (typed).

Values are cleaned the way real exports need: ids written as floats ("3.0") and ids whose
leading zeros a spreadsheet dropped, masked values ("XXXX") read as withheld, several date and
time formats (US M/D/YYYY, 12-hour clocks), dates without a time (the time is then unknown,
not midnight). What cannot be mapped stays beside its value as given, for the suite to
quarantine with a reason that names the mapping line to change.
"""

from __future__ import annotations

import string

import polars as pl

from flows import vocab
from flows.byo.mapping import ALLOWED, FIELDS, TIMES, Mapping
from warehouse.db import phone_e164

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
            {k: bool(v) for k, v in lowered.items()}, default=None, return_dtype=pl.Boolean)
        return mapped
    mapped = value.str.to_lowercase().replace_strict(lowered, default=None,
                                                     return_dtype=pl.String)
    # A value already in our terms passes; a free-text field passes whatever its map misses;
    # any other value stays unmapped (null) for the suite to quarantine with its reason.
    allowed = ALLOWED.get(name)
    mapped = pl.coalesce(mapped, pl.when(value.is_in(allowed)).then(value) if allowed else value)
    default = pl.lit(spec.default, dtype=pl.String) if spec.default is not None else None
    if default is not None:
        mapped = pl.when(value.is_null()).then(default).otherwise(mapped)
    return mapped


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
        m.timezone, ambiguous="earliest", non_existent="null")
    timed = pl.coalesce([parse(f) for f in with_time]) if with_time else \
        pl.lit(None, pl.Datetime("us"))
    # A time of 00:00:00 in an export with times is a placeholder, as good as no time.
    known = timed.is_not_null() & (timed.dt.time() != pl.time(0, 0, 0))
    return stamp, known


def _record_id(value: pl.Expr, m: Mapping) -> pl.Expr:
    ident = value.str.replace(r"^(\d+)\.0+$", "${1}")  # 3.0 -> 3 (an id read as a float)
    pad = m.field("record_id").zero_pad
    return ident.str.zfill(pad) if pad else ident


def _phone(value: pl.Expr, region: str) -> pl.Expr:
    return value.map_elements(lambda n: phone_e164(n, region), return_dtype=pl.String,
                              skip_nulls=True)


def to_intake(frame: pl.DataFrame, m: Mapping, phone_region: str = "CN") -> pl.DataFrame:
    """The intake columns of raw.declared_intake, plus the record as delivered (JSON)."""
    given = {name: _raw(frame, m, name) for name in FIELDS}
    columns = {
        "source": pl.lit(m.source),
        "record_id_as_given": given["record_id"],
        "source_ref": _record_id(given["record_id"], m),
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
    delivered = [c for c in frame.columns if c != "_row_number"]
    out = frame.select(
        **{k: v for k, v in columns.items()},
        record=pl.struct(delivered).struct.json_encode() if delivered else pl.lit("{}"),
        _row_number=pl.col("_row_number"))
    received = pl.col("received_at")
    out = out.with_columns(department=pl.coalesce(  # the category's department by default
        "department", pl.col("category").replace_strict(vocab.CATEGORIES, default=None,
                                                        return_dtype=pl.String)))
    return out.with_columns(
        pl.col(pl.Datetime("us", m.timezone)).dt.convert_time_zone("UTC"),
        complaint_id=pl.when(received.is_not_null() & pl.col("source_ref").is_not_null())
        .then(pl.format(_id_format(m), *_id_parts(m))))


def _id_format(m: Mapping) -> str:
    """The complaint id template as a polars format string ({} per part)."""
    return "".join(text + ("{}" if name else "")
                   for text, name, _, _ in string.Formatter().parse(m.complaint_id))


def _id_parts(m: Mapping) -> list[pl.Expr]:
    parts = []
    for _, name, spec, _ in string.Formatter().parse(m.complaint_id):
        if not name:
            continue
        if name == "received":
            parts.append(pl.col("received_at").dt.strftime(spec or "%Y%m"))
        else:
            parts.append(pl.col("source_ref").str.zfill(int(spec.lstrip("0>") or 0))
                         if spec.startswith("0>") else pl.col("source_ref"))
    return parts
