"""Declared sources: each mapping file becomes a Source loaded by the same nightly flow.

The mapping folder is warehouse/sources/ (bundled mappings, e.g. cfpb.yml) or TOUSU_SOURCES_DIR.
A mapping that cannot be used does not stop the night: its source's files fail with the
mapping's error (naming the line to fix) and are tried again next run; other sources go on.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from tousu.flows.byo.mapping import Mapping, MappingError, column_line, load_mapping
from tousu.flows.byo.read import read_table
from tousu.flows.byo.suite import generate_suite, view_of
from tousu.flows.byo.transform import first_replies, matches, to_intake
from tousu.flows.intake.delivered import Delivered, LayoutChanged
from tousu.flows.intake.source import Source
from tousu.flows.settings import PHONE_REGION, PROJECT_ROOT, Settings, current_settings

BUNDLED = PROJECT_ROOT / "warehouse" / "sources"
RAW_TABLE = "raw.declared_intake"


def sources_dir(settings: Settings | None = None) -> Path:
    # Read at each call (not the cached settings) so a changed folder is seen by the next run.
    return (settings or current_settings()).sources_dir or BUNDLED


def mapping_files(folder: Path | None = None) -> list[Path]:
    return sorted((folder or sources_dir()).glob("*.yml"))


def declared(folder: Path | None = None) -> dict[str, Mapping | MappingError]:
    """Every mapping of the folder by source name (its file's stem if it cannot be read)."""
    out: dict[str, Mapping | MappingError] = {}
    for path in mapping_files(folder):
        try:
            m = load_mapping(path)
        except MappingError as exc:
            out[path.stem] = exc
            continue
        if m.source in out:
            first = out[m.source]
            where = first.where if isinstance(first, Mapping) else "another file"
            out[m.source] = MappingError(
                f"{path}:1: source {m.source!r} is declared by "
                f"{where} too; give each source its own name"
            )
        else:
            out[m.source] = m
    return out


def setup_sql(source: str) -> str:
    """The source's own staging view (its records of stg.declared_intake)."""
    return (
        f"CREATE OR REPLACE VIEW {view_of(source)} AS "
        f"SELECT * FROM stg.declared_intake WHERE source = '{source}'"
    )


def read_declared(m: Mapping, phone_region: str, path: Path, rel: str) -> Delivered:
    frame, rejects, notes = read_table(path, m)
    missing = [c for c in m.required_columns if c not in frame.columns]
    if missing:
        raise LayoutChanged(
            "; ".join(
                f"column {c!r} (mapping {column_line(m, c)}) is not in the file" for c in missing
            )
            + f". The file has: {', '.join(c for c in frame.columns if c != '_row_number')}. "
            f"Was the export's layout changed, or is the mapping wrong?"
        )
    withheld = (
        sum(
            frame[c].str.strip_chars().is_in(m.masked).sum()
            for c in m.columns
            if c in frame.columns
        )
        if m.masked
        else 0
    )
    if withheld:
        notes.append(f"{withheld} masked value(s) ({', '.join(m.masked)}) read as withheld")
    absent = [c for c in m.columns if c not in frame.columns]  # fields with a default
    if absent:
        notes.append(f"column(s) {', '.join(absent)} not in the file: their default is used")
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in absent)
    frame, replies, skipped = split_rows(frame, m)
    return Delivered(
        to_intake(frame, m, phone_region, replies, export_as_of(m, path, rel)),
        rejects,
        notes,
        skipped,
    )


def split_rows(
    frame: pl.DataFrame, m: Mapping
) -> tuple[pl.DataFrame, pl.DataFrame | None, dict[str, int]]:
    """(the complaint rows, the first reply to each record, rows skipped by each rule)."""
    skipped: dict[str, int] = {}
    replies = None
    if m.replies:
        is_reply = matches(frame, m.replies.when)
        replies = first_replies(frame.filter(is_reply), m)
        skipped["replies (their time is the first response of the record they answer)"] = int(
            is_reply.sum()
        )
        frame = frame.filter(~is_reply)
    if m.keep_when:
        keep = matches(frame, m.keep_when)
        skipped["keep_when"] = int((~keep).sum())
        frame = frame.filter(keep)
    if m.skip_when:
        skip = matches(frame, m.skip_when)
        skipped["skip_when"] = int(skip.sum())
        frame = frame.filter(~skip)
    return frame, replies, skipped


DATE_IN_NAME = re.compile(r"(20\d\d|19\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])")


def export_as_of(m: Mapping, path: Path, rel: str) -> datetime | None:
    """When the file's export was taken, if the mapping says where to find it (UTC)."""
    spec = m.as_of
    if spec is None or spec.column:
        return None  # a live export (measured as of the night), or per record
    zone = ZoneInfo(m.timezone)
    if spec.fixed:
        fixed = spec.fixed if spec.fixed.tzinfo else spec.fixed.replace(tzinfo=zone)
        return fixed.astimezone(UTC)
    if spec.file == "modified":
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    found = DATE_IN_NAME.search(Path(rel).name)
    if not found:
        raise LayoutChanged(
            f"as_of: file: name, but {Path(rel).name!r} has no date in its name "
            f"(YYYY-MM-DD or YYYYMMDD): rename the file, or change as_of"
        )
    day = date(*map(int, found.groups()))
    # An export dated a day holds that whole day: it is as of the day's end.
    return datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)


def _broken(error: MappingError, path: Path, rel: str) -> Delivered:
    raise LayoutChanged(f"the source's mapping cannot be used: {error}")


def as_source(name: str, m: Mapping | MappingError, phone_region: str = PHONE_REGION) -> Source:
    if isinstance(m, MappingError):
        # Its files are found by the folder named after the mapping file, as documented.
        return Source(
            name, (f"{name}/*",), RAW_TABLE, partial(_broken, m), "source_ref", shared_raw=True
        )
    return Source(
        m.source,
        m.patterns,
        RAW_TABLE,
        partial(read_declared, m, phone_region),
        "source_ref",
        setup_sql=setup_sql(m.source),
        suite=generate_suite(m),
        shared_raw=True,
    )
