"""Loading a source's new files: each delivery in one transaction, every row accounted for.

A delivery is one file (or, for sources of many small files, one folder of them). Its rows land
in the source's raw table, the row checks run on them through the staging view, and failing rows
move to ops.quarantine, all before COMMIT: a crash leaves nothing of the delivery behind, and a
re-run finds the same files new again. A file whose sha256 was loaded before is not read again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import statistics
import tempfile
import uuid
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from tousu.flows.faults import describe
from tousu.flows.inbox import InboxBoundary
from tousu.flows.intake import redelivery
from tousu.flows.intake.checks import row_set_sql
from tousu.flows.intake.decoding import excerpt
from tousu.flows.intake.delivered import FileRejected, LayoutChanged
from tousu.flows.intake.source import Source
from tousu.flows.intake.thresholds import load_thresholds, too_few_rows
from tousu.flows.quality.source_suites import (
    VALIDATE_ROWS,
    SourceSuite,
    find_problems,
    source_suite,
)
from tousu.flows.reading import FileRead, FileToRead, UnitRead, read_units
from tousu.flows.settings import PHONE_REGION, TIMEZONE, night_end
from tousu.warehouse import db

# Set by tests to prove that a crash inside the transaction leaves no partial file behind.


@dataclass(frozen=True, slots=True)
class InboxFile:
    path: str  # the file's path, as text (flows/reading.py says why)
    rel: str  # path relative to the inbox: what ops tables record
    sha256: str
    size: int
    modified_ns: int | None = None  # the file's mtime when it was read


@dataclass(slots=True)
class FileOutcome:
    source: str
    path: str
    sha256: str
    status: str  # loaded | skipped_duplicate | failed | held
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_skipped: int = 0  # identical to a record already loaded (ops.redeliveries)
    duplicate_of: str | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def new_files(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    source: Source,
    arrived_by: datetime | None = None,
) -> tuple[list[InboxFile], list[tuple[InboxFile, FileOutcome]]]:
    """The source's files not yet recorded with the same path and content, and a failed outcome
    for each path that leads outside the inbox (a symlink: it is never opened).

    A file recorded with the same path, size and modification time is not read again to hash
    it (as rsync decides): a night with nothing new costs a directory listing, not a read of
    the whole history. A changed export gets a new size or time and is hashed.

    `arrived_by` (a replayed night): files modified after it had not arrived yet that night;
    they are left for the night they arrived in."""
    arrived_ns = None if arrived_by is None else int(arrived_by.timestamp() * 1e9)
    recorded = con.execute(
        "SELECT path, sha256, size_bytes, modified_ns FROM ops.file_loads WHERE source = ? "
        "AND status NOT IN ('failed', 'held')",
        [source.name],
    ).fetchall()
    seen = {(path, digest) for path, digest, _, _ in recorded}
    unchanged = {(path, size, ns) for path, _, size, ns in recorded if ns is not None}
    files, outside = [], []
    boundary = InboxBoundary(inbox)
    prefix = os.path.join(os.fspath(inbox), "")
    for rel, status in source.listed_files(inbox):
        name = prefix + rel
        is_link = stat.S_ISLNK(status.st_mode)
        if not boundary.contains(name, is_link):
            # Recorded under a digest of its name: the target's content is never read.
            digest = hashlib.sha256(f"outside:{rel}".encode()).hexdigest()
            outside.append(
                (
                    InboxFile(name, rel, digest, os.lstat(name).st_size),
                    FileOutcome(
                        source.name,
                        rel,
                        digest,
                        "failed",
                        error=(
                            "not read: this path leads outside the inbox (a symbolic link "
                            "to a file elsewhere); only files inside the inbox are read. "
                            "Copy the export into the inbox instead of linking it"
                        ),
                    ),
                )
            )
            continue
        if is_link:  # inside the inbox: what counts is the file it leads to
            status = os.stat(name)
        if (rel, status.st_size, status.st_mtime_ns) in unchanged:
            continue
        if arrived_ns is not None and status.st_mtime_ns > arrived_ns:
            continue
        digest = sha256_of(name)
        if (rel, digest) not in seen:
            files.append(InboxFile(name, rel, digest, status.st_size, status.st_mtime_ns))
    return files, outside


def deliveries(source: Source, files: list[InboxFile]) -> list[list[InboxFile]]:
    """Group files into the units that load in one transaction."""
    if not source.batch_by_folder:
        return [[f] for f in files]
    # the folder by text, not a Path per file (1.4 s of a first night's 239,498 emails)
    return [list(g) for _, g in groupby(files, key=lambda f: f.rel.rpartition("/")[0])]


def load_source(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    source: Source,
    run_id: str,
    run_date: date,
    timezone: str = TIMEZONE,
    phone_region: str = PHONE_REGION,
    scratch: Path | None = None,
    arrived_by: datetime | None = None,
) -> list[FileOutcome]:
    """Load every new file of one source; return what happened to each.

    Every new file is read first (its rows into Parquet parts in a folder under `scratch`, the
    system's temporary folder if None; flows/reading.py). If one of them has a changed layout
    (a column renamed or missing), the whole source stops for the night: nothing of it loads,
    each file says why in ops.file_loads (`failed` for the changed file, `held` for the
    others), and all are tried again next run. Other sources go on.
    """
    if source.setup_sql:
        con.execute(source.setup_sql)
    files, outside = new_files(con, inbox, source, arrived_by)
    if outside:
        _record(con, run_id, uuid.uuid4().hex, [f for f, _ in outside], [o for _, o in outside])
    outside_outcomes = [o for _, o in outside]
    if scratch is not None:
        scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"{source.name}-", dir=scratch) as folder:
        units = deliveries(source, files)
        reads = read_units(source.read, [[_to_read(f) for f in u] for u in units], Path(folder))
        results = {rel: r for unit in reads for rel, r in unit.results.items()}
        stopped = {
            f.rel: excerpt(str(results[f.rel]), 400)
            for f in files
            if isinstance(results[f.rel], LayoutChanged)
        }
        short, usual = _short_files(con, source, files, results)
        stopped |= short
        _record_batch_checks(con, run_id, source.name, files, results, short, usual)
        if stopped:
            first = next(iter(stopped))
            held = [
                FileOutcome(source.name, f.rel, f.sha256, "failed", error=stopped[f.rel])
                if f.rel in stopped
                else FileOutcome(
                    source.name,
                    f.rel,
                    f.sha256,
                    "held",
                    error=f"not loaded: {source.name} is stopped tonight because of "
                    f"{first} ({stopped[first]})",
                )
                for f in files
            ]
            _record(con, run_id, uuid.uuid4().hex, files, held)
            return outside_outcomes + held
        load_ids = [uuid.uuid4().hex for _ in units]
        found = _validate_ahead(con, source, reads, load_ids, run_date, timezone, phone_region)
        outcomes: list[FileOutcome] = list(outside_outcomes)
        for unit, read, load_id in zip(units, reads, load_ids, strict=True):
            outcomes += load_delivery(
                con,
                source,
                unit,
                run_id,
                run_date,
                timezone,
                phone_region,
                read=read,
                load_id=load_id,
                found=found.get(load_id),
            )
        return outcomes


def _validate_ahead(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    reads: list[UnitRead],
    load_ids: list[str],
    run_date: date,
    timezone: str,
    phone_region: str,
) -> dict[str, pl.DataFrame]:
    """Each delivery's rows that fail its suite, found before any delivery loads: GX runs over
    batches of the night's rows across deliveries (flows/quality/source_suites.VALIDATE_ROWS),
    not once per file, since a GX run costs a fraction of a second whatever its size.

    Deliveries go into the raw table in groups of about a batch, in a transaction that is always
    rolled back, so staging reads each row exactly as the delivery's own transaction will (no
    suite compares rows with each other). A group GX cannot validate is left to the deliveries'
    own transactions, which fail with the reason."""
    suite = _suite(source)
    run_end, now = night_end(run_date, timezone), datetime.now(ZoneInfo(timezone))
    found: dict[str, pl.DataFrame] = {}
    for group in _groups(reads, load_ids):
        try:
            with suppress(_RolledBack), db.transaction(con):
                for read, load_id in group:
                    _insert_rows(con, source, read.parts, read.loaded_files, load_id, now)
                problems = find_problems(
                    con,
                    suite,
                    [load_id for _, load_id in group],
                    run_end,
                    run_date.isoformat(),
                    phone_region,
                    name=f"{source.name}: {_first_file(group)} and the next "
                    f"{len(group) - 1} deliveries, batch",
                )
                raise _RolledBack  # nothing of this stays: each delivery loads on its own
        except Exception as exc:  # each delivery's own transaction says why, file by file
            logging.getLogger(__name__).warning(
                "%s: validating %d deliveries one by one: %s",
                source.name,
                len(group),
                describe(exc),
            )
            continue
        for _, load_id in group:
            found[load_id] = problems.filter(pl.col("_load_id") == load_id)
    return found


def _first_file(group: list[tuple[UnitRead, str]]) -> str:
    return group[0][0].loaded_files[0]


class _RolledBack(Exception):
    """Ends the validation's transaction without committing."""


def _groups(reads: list[UnitRead], load_ids: list[str]) -> list[list[tuple[UnitRead, str]]]:
    """Deliveries in groups of about VALIDATE_ROWS rows. A delivery of a batch or more is in
    none: it fills its batches alone, so it is validated in its own transaction, and its rows
    go into the raw table once, not also into a transaction rolled back."""
    groups: list[list[tuple[UnitRead, str]]] = []
    rows = VALIDATE_ROWS
    for read, load_id in zip(reads, load_ids, strict=True):
        if read.height == 0 or read.height >= VALIDATE_ROWS:
            continue
        if rows + read.height > VALIDATE_ROWS:
            groups.append([])
            rows = 0
        groups[-1].append((read, load_id))
        rows += read.height
    return groups


def _insert_rows(
    con, source: Source, parts: list[Path], files: list[str], load_id: str, now: datetime
) -> None:
    """Insert the named files' rows from a delivery's Parquet parts into the raw table."""
    con.execute(
        f"INSERT INTO {source.raw_table} BY NAME "
        "SELECT *, $load_id AS _load_id, $now AS _loaded_at "
        "FROM read_parquet($parts, union_by_name = true) "
        "WHERE _source_file IN (SELECT unnest($files::VARCHAR[]))",
        {"load_id": load_id, "now": now, "parts": [str(p) for p in parts], "files": files},
    )


def _suite(source: Source) -> SourceSuite:
    return SourceSuite(source.suite) if source.suite else source_suite(source.name)


def _to_read(f: InboxFile) -> FileToRead:
    return FileToRead(f.path, f.rel, f.sha256)


def _short_files(
    con, source: Source, files: list[InboxFile], results: dict[str, FileRead | FileRejected]
) -> tuple[dict[str, str], float | None]:
    """Files with far fewer rows than the source's usual files (cut short or half-empty),
    and the usual rows per file (None while the source has too little history to judge)."""
    volume = load_thresholds().volume
    history = [
        n
        for (n,) in con.execute(
            "SELECT rows_read FROM ops.file_loads WHERE source = ? AND status = 'loaded' "
            "ORDER BY loaded_at DESC LIMIT ?",
            [source.name, volume.history_files],
        ).fetchall()
    ]
    if len(history) < 3:
        return {}, None
    median = statistics.median(history)
    read = {rel: r.rows_read for rel, r in results.items() if isinstance(r, FileRead)}
    return {
        f.rel: (
            f"volume: {read[f.rel]:,} rows where the last {len(history)} "
            f"files had a median of {median:,.0f}; the export looks cut short or "
            f"half-empty: re-export it (expectations/thresholds.yml sets the band)"
        )
        for f in files
        if f.rel in read and too_few_rows(read[f.rel], median, volume)
    }, median


def _record_batch_checks(
    con,
    run_id: str,
    source: str,
    files: list[InboxFile],
    results: dict[str, FileRead | FileRejected],
    short: dict[str, str],
    usual: float | None,
) -> None:
    """The night's batch-level checks of a source in ops.dq_results: one row per check."""
    if not files:
        return
    changed = [f.rel for f in files if isinstance(results[f.rel], LayoutChanged)]
    rows = [
        (
            "layout_as_expected",
            len(files),
            len(changed),
            "; ".join(f"{rel}: {results[rel]}" for rel in changed)
            or f"{len(files)} files with the expected columns",
        )
    ]
    delivered = [f.rel for f in files if isinstance(results[f.rel], FileRead)]
    if usual is not None and delivered:
        rows.append(
            (
                "volume_within_band",
                len(delivered),
                len(short),
                "; ".join(short.values())
                or f"{len(delivered)} files; usual rows per file {usual:,.0f}",
            )
        )
    now = datetime.now().astimezone()
    con.executemany(
        "INSERT INTO ops.dq_results (run_id, load_id, source, check_name, rows_checked, "
        "rows_failed, success, checked_at, suite, observed_value) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'batch', ?)",
        [
            [run_id, f"batch-{run_id}", source, name, checked, failed, failed == 0, now, observed]
            for name, checked, failed, observed in rows
        ],
    )


def load_delivery(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    files: list[InboxFile],
    run_id: str,
    run_date: date,
    timezone: str = TIMEZONE,
    phone_region: str = PHONE_REGION,
    read: UnitRead | None = None,
    load_id: str | None = None,
    found: pl.DataFrame | None = None,
) -> list[FileOutcome]:
    """Load one delivery in one transaction, from what was read of it (read here if None), with
    the rows that fail its suite if they were found ahead (else they are found here)."""
    if read is None:
        with tempfile.TemporaryDirectory(prefix=f"{source.name}-") as folder:
            [read] = read_units(source.read, [[_to_read(f) for f in files]], Path(folder))
            return load_delivery(con, source, files, run_id, run_date, timezone, phone_region, read)
    load_id = load_id or uuid.uuid4().hex
    # the delivery's own contents loaded before, not every file ever loaded: each of a first
    # night's ~160 deliveries at 1,000,000 complaints fetched up to 240,000 rows into Python
    loaded_hashes = dict(
        con.execute(
            "SELECT sha256, any_value(path) FROM ops.file_loads WHERE status = 'loaded' "
            "AND sha256 IN (SELECT unnest($digests::VARCHAR[])) GROUP BY sha256",
            {"digests": [f.sha256 for f in files]},
        ).fetchall()
    )
    outcomes: list[FileOutcome] = []
    kept: list[tuple[InboxFile, FileRead]] = []
    for f in files:
        if f.sha256 in loaded_hashes:
            outcomes.append(
                FileOutcome(
                    source.name,
                    f.rel,
                    f.sha256,
                    "skipped_duplicate",
                    duplicate_of=loaded_hashes[f.sha256],
                )
            )
            continue
        result = read.results[f.rel]
        if isinstance(result, FileRejected):
            outcomes.append(
                FileOutcome(source.name, f.rel, f.sha256, "failed", error=excerpt(str(result), 400))
            )
            continue
        loaded_hashes[f.sha256] = f.rel  # a second copy in the same delivery is a duplicate
        kept.append((f, result))
    stored: list[FileOutcome] = []
    if kept:
        try:
            stored = _store(
                con,
                source,
                kept,
                read.parts,
                load_id,
                run_id,
                run_date,
                timezone,
                phone_region,
                found,
            )
        except Exception as exc:  # rolled back: record why, and try the files again next run
            outcomes += [
                FileOutcome(
                    source.name,
                    f.rel,
                    f.sha256,
                    "failed",
                    error=f"load rolled back, nothing kept: "
                    f"{describe(exc, f'loading into {source.raw_table}')}",
                )
                for f, _ in kept
            ]
    _record(con, run_id, load_id, files, outcomes)
    return outcomes + stored


def _store(
    con,
    source: Source,
    read: list[tuple[InboxFile, FileRead]],
    parts: list[Path],
    load_id: str,
    run_id: str,
    run_date: date,
    timezone: str,
    phone_region: str,
    found: pl.DataFrame | None,
) -> list[FileOutcome]:
    now = datetime.now(ZoneInfo(timezone))
    # The delivery's rows wait in its Parquet parts (lineage columns included); a copy of a
    # file loaded before (skipped above) is left out by name.
    files = [f.rel for f, _ in read]
    delivered_columns = [
        c
        for c in con.sql(
            "SELECT * FROM read_parquet($parts, union_by_name = true) LIMIT 0",
            params={"parts": [str(p) for p in parts]},
        ).columns
        if not c.startswith("_")
    ]
    rejects = pl.DataFrame(
        [
            (f.rel, r.row_number, r.check_name, r.reason, r.record)
            for f, d in read
            for r in d.rejects
        ],
        schema={
            "file": pl.String,
            "row_number": pl.Int32,
            "check_name": pl.String,
            "reason": pl.String,
            "record": pl.String,
        },
        orient="row",
    )
    suite = _suite(source)
    run_end = night_end(run_date, timezone)
    record = "to_json({" + ", ".join(f"'{c}': r.\"{c}\"" for c in delivered_columns) + "})"
    try:
        with db.transaction(con):
            con.register("reader_rejects", rejects)
            _insert_rows(con, source, parts, files, load_id, now)
            redelivery.classify(
                con, source.raw_table, source.key, load_id, source.name, source.shared_raw
            )
            redelivery.skip_duplicates(con, source.raw_table, load_id)
            delivery = read[0][0].rel + (
                f" and {len(read) - 1} more files" if len(read) > 1 else ""
            )
            if found is None:
                found = find_problems(
                    con, suite, [load_id], run_end, run_date.isoformat(), phone_region, delivery
                )
            _find_row_problems(con, source, suite, load_id, found)
            # The record as delivered is text in quarantine, whatever the source's format (a JSON
            # record unioned with a reader's raw line must not be cast to JSON).
            con.execute(
                f"""
                INSERT INTO ops.quarantine
                SELECT $run_id, $load_id, $source, p._source_file, p._row_number,
                       any_value({record})::VARCHAR,
                       string_agg(p.check_name, ', ' ORDER BY p.check_name),
                       string_agg(p.reason, ' ' ORDER BY p.check_name), $now, NULL, NULL
                FROM row_problems p
                JOIN {source.raw_table} r
                  ON r._load_id = $load_id AND r._source_file = p._source_file
                 AND r._row_number = p._row_number
                GROUP BY p._source_file, p._row_number
                UNION ALL
                SELECT $run_id, $load_id, $source, file, row_number, record::VARCHAR, check_name,
                       reason, $now, NULL, NULL
                FROM reader_rejects
            """,
                {"run_id": run_id, "load_id": load_id, "source": source.name, "now": now},
            )
            con.execute(
                f"""
                DELETE FROM {source.raw_table} t
                USING (SELECT DISTINCT _source_file, _row_number FROM row_problems) p
                WHERE t._load_id = $load_id AND t._source_file = p._source_file
                  AND t._row_number = p._row_number
            """,
                {"load_id": load_id},
            )
            redelivery.supersede_corrected(
                con, source.raw_table, source.key, load_id, source.name, source.shared_raw
            )
            redelivery.record(con, source.raw_table, run_id, load_id, source.name, now)
            again = {
                (f, k): n
                for f, k, n in con.execute(
                    "SELECT file, kind, count(*) FROM ops.redeliveries WHERE load_id = ? GROUP BY ALL",
                    [load_id],
                ).fetchall()
            }
            skipped_total = sum(n for (_, k), n in again.items() if k == "duplicate")
            _record_check_results(
                con,
                suite.names,
                run_id,
                load_id,
                source.name,
                sum(d.height for _, d in read) - skipped_total,
                now,
            )
            _release_corrected(con, source, load_id, now)
            quarantined = dict(
                con.execute(
                    "SELECT file, count(*) FROM ops.quarantine WHERE load_id = ? GROUP BY file",
                    [load_id],
                ).fetchall()
            )
            outcomes = []
            for f, d in read:
                q, skipped = quarantined.get(f.rel, 0), again.get((f.rel, "duplicate"), 0)
                corrected = again.get((f.rel, "correction"), 0)
                notes = list(d.notes)
                if skipped:
                    notes.append(
                        f"{skipped} record(s) identical to ones already loaded: skipped "
                        f"(ops.redeliveries)"
                    )
                notes += [f"{n} row(s) skipped by {rule}" for rule, n in d.skipped if n]
                skipped += sum(n for _, n in d.skipped)
                if corrected:
                    notes.append(
                        f"{corrected} correction(s) of records loaded before: the new "
                        f"version is in force (ops.redeliveries names the changed fields)"
                    )
                outcomes.append(
                    FileOutcome(
                        source.name,
                        f.rel,
                        f.sha256,
                        "loaded",
                        d.rows_read,
                        d.rows_read - q - skipped,
                        q,
                        skipped,
                        notes=notes,
                    )
                )
            _record(con, run_id, load_id, [f for f, _ in read], outcomes)
    finally:
        with suppress(duckdb.Error):  # an aborted transaction must not hide the first error
            con.unregister("reader_rejects")
    return outcomes


def _find_row_problems(
    con, source: Source, suite: SourceSuite, load_id: str, found: pl.DataFrame
) -> None:
    """Temp table row_problems: the delivery's rows failing the suite (of those still in it: a
    row skipped as a duplicate is not a failure) or a row-set check."""
    con.register("suite_problems", found.drop("_load_id"))
    try:
        row_set = row_set_sql(suite.row_set_checks, suite.view, suite.key)
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE row_problems AS
            SELECT * FROM suite_problems p
            WHERE EXISTS (SELECT 1 FROM {source.raw_table} r
                          WHERE r._load_id = $load_id AND r._source_file = p._source_file
                            AND r._row_number = p._row_number)
            """
            + (f" UNION ALL ({row_set})" if row_set else ""),
            {"load_id": load_id, **(suite.labels if row_set else {})},
        )
    finally:
        with suppress(duckdb.Error):
            con.unregister("suite_problems")


def _record_check_results(
    con, names: list[str], run_id: str, load_id: str, source: str, rows: int, now: datetime
) -> None:
    """One ops.dq_results row per check of this delivery (failed rows from row_problems)."""
    tolerances = load_thresholds().row_checks
    con.execute(
        """
        INSERT INTO ops.dq_results BY NAME
        SELECT $run_id AS run_id, $load_id AS load_id, $source AS source,
               n.check_name, $rows AS rows_checked, n.failed AS rows_failed,
               n.failed <= (1 - n.mostly) * $rows AS success, $now AS checked_at,
               $suite AS suite,
               format('{} of {} rows failed (tolerance: {}% must pass)', n.failed, $rows,
                      round(n.mostly * 100, 1)) AS observed_value
        FROM (
            SELECT n.check_name, any_value(n.mostly) AS mostly,
                   count(DISTINCT (p._source_file, p._row_number))
                       FILTER (WHERE p._row_number IS NOT NULL) AS failed
            FROM (SELECT unnest($names::VARCHAR[]) AS check_name,
                         unnest($mostly::DOUBLE[]) AS mostly) n
            LEFT JOIN row_problems p USING (check_name)
            GROUP BY n.check_name) n
    """,
        {
            "run_id": run_id,
            "load_id": load_id,
            "source": source,
            "rows": rows,
            "suite": f"source_{source}",
            "names": names,
            "mostly": [tolerances.mostly_for(n) for n in names],
            "now": now,
        },
    )


def _release_corrected(con, source: Source, load_id: str, now: datetime) -> None:
    """Mark quarantined records of this source resolved when this delivery loaded their id."""
    # the delivery's rows with an id waiting in quarantine, not all of them, are grouped by id
    # (0.24 s of each ticket-events delivery at 1,000,000 complaints)
    waiting = "json_extract_string(CASE WHEN json_valid(q.record) THEN q.record END, $path)"
    con.execute(
        f"""
        UPDATE ops.quarantine q
        SET resolved_at = $now,
            resolved_by = format('loaded from {{}} record {{}}', r._source_file, r._row_number)
        FROM (SELECT {source.key} AS k, min(_source_file) AS _source_file,
                     min(_row_number) AS _row_number
              FROM {source.raw_table}
              WHERE _load_id = $load_id
                AND {source.key} IN (SELECT {waiting} FROM ops.quarantine q
                                     WHERE q.source = $source AND q.resolved_at IS NULL)
              GROUP BY 1) r
        WHERE q.source = $source AND q.resolved_at IS NULL AND {waiting} = r.k
    """,
        {"now": now, "load_id": load_id, "source": source.name, "path": f"$.{source.key}"},
    )


def _record(
    con, run_id: str, load_id: str, files: list[InboxFile], outcomes: list[FileOutcome]
) -> None:
    """Write one ops.file_loads row per outcome (in one statement: deliveries can be large)."""
    by_path = {f.rel: f for f in files}
    rows = [o for o in outcomes if o.path in by_path]
    if not rows:
        return
    now = datetime.now().astimezone()
    frame = pl.DataFrame(
        [
            (
                run_id,
                load_id,
                o.source,
                o.path,
                o.sha256,
                by_path[o.path].size,
                by_path[o.path].modified_ns,
                o.rows_read,
                o.rows_loaded,
                o.rows_quarantined,
                o.rows_skipped,
                o.status,
                o.duplicate_of,
                o.error,
                "; ".join(o.notes) or None,
                now,
            )
            for o in rows
        ],
        schema=[
            "run_id",
            "load_id",
            "source",
            "path",
            "sha256",
            "size_bytes",
            "modified_ns",
            "rows_read",
            "rows_loaded",
            "rows_quarantined",
            "rows_skipped",
            "status",
            "duplicate_of",
            "error",
            "note",
            "loaded_at",
        ],
        orient="row",
    )
    con.register("file_load_rows", frame)
    try:
        con.execute("INSERT INTO ops.file_loads BY NAME SELECT * FROM file_load_rows")
    finally:
        con.unregister("file_load_rows")
