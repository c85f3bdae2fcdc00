"""What a reader gives back for one file: the rows it could read, and the ones it could not."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import polars as pl


class FileRejected(Exception):
    """The whole file cannot be read as its source (not the expected format)."""


class LayoutChanged(FileRejected):
    """The export's layout changed (a column renamed or missing): the source stops tonight."""


@dataclass(frozen=True)
class Reject:
    row_number: int
    check_name: str
    reason: str
    record: str  # the row as read, for a person to see and fix


@dataclass
class Delivered:
    rows: pl.DataFrame  # the raw table's delivered columns as text, plus _row_number
    rejects: list[Reject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # rows read but not complaints, by the rule that skipped them (a mapping's row filter)
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return self.rows.height + len(self.rejects) + sum(self.skipped.values())


def as_record(values: dict) -> str:
    return json.dumps(values, ensure_ascii=False, default=str)


def rename_columns(frame: pl.DataFrame, columns: dict[str, str], path: str) -> pl.DataFrame:
    """Map an export's own headers to the raw table's names; refuse a file missing any."""
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise LayoutChanged(
            f"expected column(s) {', '.join(missing)} not found; the file has "
            f"{', '.join(frame.columns) or 'no header'}. Was the export's layout changed?"
        )
    return frame.select([pl.col(src).alias(dst) for src, dst in columns.items()])
