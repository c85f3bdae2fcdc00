"""Reading a source's new files before any of them loads: rows to Parquet, on every core.

The loader reads every new file of a source before it loads one (a changed layout stops the
whole source, flows/loading.py). Holding what was read in memory made a night's peak grow with
the night's files: a one-row frame per email costs ~40 KB, so a year of messages took gigabytes
before the first one was stored. So each part of a delivery (a file, or up to PART_FILES files
of a folder) is read into one frame and written as a Parquet file in the night's scratch folder
(beside the warehouse, never in the inbox), and the loader inserts a delivery from its parts.
What stays in memory per file is what was read of it, without its rows (FileRead).

Parts are independent, so a source with many files or many bytes is read by a pool of worker
processes, one per core (flows/workers.py): parsing (MIME, GBK, record-aware CSV) is Python and
holds the GIL.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from tousu.flows.faults import describe
from tousu.flows.intake.delivered import Delivered, FileRejected, OneRecord, Reject
from tousu.flows.workers import cores, in_processes

# Files of one folder per Parquet part: a worker holds one part's frames at a time.
PART_FILES = 2_000
# Below both, a source is read in the night's own process: starting workers costs ~1 s, about
# what 5,000 emails or a 64 MiB CSV export take to parse (384 emails: 0.08 s alone, 0.19 s by
# two workers).
POOL_FROM_FILES = 5_000
POOL_FROM_BYTES = 64 << 20

LINEAGE = {"_source_file": pl.String, "_file_sha256": pl.String, "_row_number": pl.Int32}


# A night holds these per-file records for every new file until its source is loaded, and a
# first night at 1,000,000 complaints has 239,498 emails: slots, tuples (an empty one is shared)
# and paths as text (a Path is ~400 bytes) keep them small.


@dataclass(frozen=True, slots=True)
class FileRead:
    """What was read of one file, without its rows (they wait in a Parquet part)."""

    height: int  # rows delivered to the raw table
    rejects: tuple[Reject, ...] = ()
    notes: tuple[str, ...] = ()
    skipped: tuple[tuple[str, int], ...] = ()  # (rule, rows it skipped)

    @property
    def rows_read(self) -> int:
        return self.height + len(self.rejects) + sum(n for _, n in self.skipped)

    @classmethod
    def of(cls, delivered: Delivered | OneRecord) -> FileRead:
        height = 1 if isinstance(delivered, OneRecord) else delivered.rows.height
        return cls(
            height,
            tuple(delivered.rejects),
            tuple(delivered.notes),
            tuple(delivered.skipped.items()),
        )


@dataclass(frozen=True, slots=True)
class FileToRead:
    path: str  # the file's path (as text: see above)
    rel: str  # path relative to the inbox
    sha256: str


@dataclass
class UnitRead:
    """One delivery's files as read: per file what was read or why it was rejected, and the
    Parquet parts holding its rows (with _source_file, _file_sha256 and _row_number)."""

    results: dict[str, FileRead | FileRejected]
    parts: list[Path]

    @property
    def height(self) -> int:
        """Rows in the parts."""
        return sum(r.height for r in self.results.values() if isinstance(r, FileRead))

    @property
    def loaded_files(self) -> list[str]:
        """The files whose rows are in the parts (the rejected ones have none)."""
        return [rel for rel, r in self.results.items() if isinstance(r, FileRead)]


def read_part(
    read: Callable[[Path, str], Delivered | OneRecord], files: list[FileToRead], out: Path
) -> dict[str, FileRead | FileRejected]:
    """Read files with the source's reader; write their rows to one Parquet file at `out`.

    A file the reader refuses (or fails on) is rejected alone; the others are read."""
    frames: list[pl.DataFrame] = []
    records: list[dict] = []  # one-record files, framed together
    results: dict[str, FileRead | FileRejected] = {}
    for f in files:
        try:
            delivered = read(Path(f.path), f.rel)
        except FileRejected as exc:
            results[f.rel] = exc
            continue
        except Exception as exc:  # a reader's bug or an unforeseen file: this file fails alone
            results[f.rel] = FileRejected(f"could not be read ({describe(exc)})")
            continue
        results[f.rel] = FileRead.of(delivered)
        lineage = {"_source_file": f.rel, "_file_sha256": f.sha256}
        if isinstance(delivered, OneRecord):
            records.append({**delivered.record, "_row_number": 1, **lineage})
        else:
            frames.append(
                delivered.rows.with_columns(
                    pl.lit(v, pl.String).alias(k) for k, v in lineage.items()
                )
            )
    if records:
        columns = {c: pl.String for r in records for c in r} | LINEAGE
        frames.append(pl.DataFrame(records, schema=columns))
    frame = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame(schema=LINEAGE)
    frame.write_parquet(out, compression="lz4")
    return results


def read_units(
    read: Callable[[Path, str], Delivered | OneRecord],
    units: list[list[FileToRead]],
    folder: Path,
    workers: int | None = None,
) -> list[UnitRead]:
    """Read every delivery's files into Parquet parts under `folder` (in a pool of `workers`
    processes when the files are many or large and the reader can be sent to one)."""
    tasks = [
        (u, chunk, folder / f"{u:05d}-{k:05d}.parquet")
        for u, unit in enumerate(units)
        for k, chunk in enumerate(unit[i : i + PART_FILES] for i in range(0, len(unit), PART_FILES))
    ]
    workers = workers or cores()
    done = None
    if workers > 1 and len(tasks) > 1 and _worth_a_pool(tasks) and _can_send(read):
        try:
            done = _in_pool(read, tasks, workers)
        except BrokenProcessPool as exc:
            # a worker that could not start or died (e.g. out of memory): read here instead,
            # slower but the same.
            logging.getLogger(__name__).warning(
                "reading in one process: the worker processes stopped (%s)", exc
            )
    if done is None:
        done = [read_part(read, chunk, out) for _, chunk, out in tasks]
    reads = [UnitRead({}, []) for _ in units]
    for (u, _, out), results in zip(tasks, done, strict=True):
        reads[u].results |= results
        reads[u].parts.append(out)
    return reads


def _in_pool(read, tasks, workers: int) -> list[dict[str, FileRead | FileRejected]]:
    return in_processes(read_part, ((read, chunk, out) for _, chunk, out in tasks), workers)


def _worth_a_pool(tasks) -> bool:
    files = [f for _, chunk, _ in tasks for f in chunk]
    return len(files) >= POOL_FROM_FILES or sum(_size(f) for f in files) >= POOL_FROM_BYTES


def _size(f: FileToRead) -> int:
    try:
        return os.stat(f.path).st_size
    except OSError:
        return 0


def _can_send(read: Callable) -> bool:
    """Whether the reader can go to a worker process (a module's function, or a partial of one
    with plain arguments); a reader that cannot is run here."""
    try:
        pickle.dumps(read)
    except Exception:
        return False
    return True
