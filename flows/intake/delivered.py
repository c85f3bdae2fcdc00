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


@dataclass
class OneRecord:
    """A file that holds exactly one record (an email), kept as a dict: the loader frames many
    files' records at once, where a one-row frame per file costs about as much as parsing it."""

    record: dict[str, str | None]  # the raw table's delivered columns, as text
    notes: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)  # none: a bad message is a Delivered
    skipped: dict[str, int] = field(default_factory=dict)
    rows_read: int = 1

    @property
    def rows(self) -> pl.DataFrame:
        """The record as a one-row frame (as Delivered.rows)."""
        return pl.DataFrame(
            [{**self.record, "_row_number": 1}],
            schema={**{c: pl.String for c in self.record}, "_row_number": pl.Int32},
        )


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
