"""Opening the warehouse, applying its SQL files, and publishing the readers' copy.

DuckDB lets one process hold a database file for writing and then no other process may open it,
not even read-only. So the nightly run is the only process that opens the writer's file; at the
end of a successful run it publishes a consistent copy (checkpoint, copy, atomic rename) that
dashboards and reports open read-only. A reader never blocks the writer and never sees half a
night: it sees last night's copy until the rename, then the new one.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import duckdb
import phonenumbers
import polars as pl
import yaml

from tousu.flows.settings import PHONE_REGION, TIMEZONE

SQL_DIR = Path(__file__).resolve().parent
TABLE_LAYERS = ("raw", "ops")  # CREATE TABLE IF NOT EXISTS: safe to apply every run
VIEW_LAYERS = ("staging",)  # CREATE OR REPLACE: staging views over raw
BUILD_LAYERS = ("core", "ops/derived")  # rebuilt from staging at the end of each night
# What a core build writes again (the complaints the new loads touch, their events and
# follow-ups typed): scratch tables, written before the build's own transaction (build_core).
TOUCHED_LAYERS = ("core/touched",)
# The data-quality marts: aggregates of the ops tables, built with the marts and again once the
# night's end is recorded (so the night itself is in them).
QUALITY_LAYERS = ("quality",)
# warehouse/marts/*.sql is applied by flows.metrics.build, after the tables it writes from Python.


def sql_files(layer: str) -> list[Path]:
    """A layer's SQL files in the order they apply (by name)."""
    return sorted((SQL_DIR / layer).glob("*.sql"))


# libphonenumber is Python (~55 us a number), and a first night reads every number at least
# twice (the delivery's validation, then core): 787,446 numbers, 364,023 distinct at 1,000,000
# complaints. A cache that holds them all makes the second read 0.6 s instead of ~20 s (it
# held 200,000 and missed nearly every number the second time); 364,023 entries take 81 MiB.
@lru_cache(maxsize=2**19)
def phone_e164(number: str | None, region: str = PHONE_REGION) -> str | None:
    """A phone number in E.164 form, or None when libphonenumber finds it invalid."""
    if number is None or not number.strip():
        return None
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# Writer files a night holds open in this process (held_open): connections to them are cursors
# of the held connection. DuckDB shares one database per file within a process, and a Python
# function registered on a connection stays in its catalog after that connection closes (calling
# it then crashes the process), so the function is registered once, on the connection that
# lives longest.
_HELD: dict[Path, duckdb.DuckDBPyConnection] = {}


def connect(
    path: Path | str,
    *,
    timezone: str = TIMEZONE,
    phone_region: str = PHONE_REGION,
    read_only: bool = False,
    memory_limit: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """A connection with the session settings and functions the warehouse SQL relies on.
    `memory_limit` bounds DuckDB's memory for a new connection to the file (a night's): what
    does not fit spills to a folder beside the file (`<file>.tmp/`), emptied by DuckDB."""
    held = None if read_only else _HELD.get(Path(path).resolve())
    if held is not None:
        con = held.cursor()
    else:
        if not read_only:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        config: dict[str, str | bool] = {}
        if memory_limit:
            config = {
                "memory_limit": memory_limit,
                "temp_directory": f"{Path(path)}.tmp",
                # memory_limit bounds DuckDB's buffers, not what its allocator keeps after a
                # query frees it (up to 512 MiB by default before it gives memory back): the
                # allocator hands it back past 32 MiB, in a background thread. A first night
                # at 200,000 complaints peaked at 1,492 MiB with these, 1,708 MiB without.
                "allocator_flush_threshold": "32MB",
                "allocator_bulk_deallocation_flush_threshold": "32MB",
                "allocator_background_threads": True,
            }
        con = duckdb.connect(str(path), read_only=read_only, config=config)
        con.create_function(
            "tousu_phone_e164",
            lambda n: phone_e164(n, phone_region),
            [duckdb.sqltype("VARCHAR")],
            duckdb.sqltype("VARCHAR"),
            null_handling="special",
            side_effects=False,
        )
    con.execute("SET timezone = " + _quote(timezone))
    con.execute("SET VARIABLE tousu_tz = ?", [timezone])
    return con


@contextmanager
def held_open(
    path: Path,
    *,
    timezone: str = TIMEZONE,
    phone_region: str = PHONE_REGION,
    memory_limit: str | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Keep one connection to the writer's file open: every connect() to it in this process is
    then a cursor of this one, and DuckDB refuses the file to every other process until the
    block ends (a night's steps cannot be interrupted by another writer between them)."""
    key = Path(path).resolve()
    con = connect(key, timezone=timezone, phone_region=phone_region, memory_limit=memory_limit)
    _HELD[key] = con
    try:
        yield con
    finally:
        _HELD.pop(key, None)
        con.close()


def _quote(value: str) -> str:
    # SET does not take parameters; the zone name is checked against ICU's list first.
    return "'" + value.replace("'", "''") + "'"


def rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is open, never raising over the error being handled: after a
    failed statement DuckDB may have no active transaction, and a plain ROLLBACK's own error
    ("cannot rollback - no transaction is active") would replace the cause (a full disk)."""
    with suppress(duckdb.Error):
        con.execute("ROLLBACK")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN; COMMIT if the block ends, roll back (quietly, keeping the first error) if not."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        rollback_quietly(con)
        raise


def apply_layers(con: duckdb.DuckDBPyConnection, layers: tuple[str, ...]) -> None:
    for layer in layers:
        for path in sql_files(layer):
            con.execute(path.read_text(encoding="utf-8"))


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schemas, raw and ops tables, and staging views (idempotent)."""
    apply_layers(con, TABLE_LAYERS + VIEW_LAYERS)


PRODUCTS = SQL_DIR / "policies" / "products.yml"


def product_aliases(path: Path = PRODUCTS) -> list[tuple[str, str]]:
    """(product, name or alias) pairs of the product catalogue."""
    catalogue = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs = []
    for i, item in enumerate(catalogue.get("products") or []):
        if not isinstance(item, dict) or not str(item.get("name") or "").strip():
            raise ValueError(f"{path}: products[{i}] needs a name")
        name = str(item["name"]).strip()
        pairs += [(name, name)] + [
            (name, str(a).strip()) for a in item.get("aliases") or [] if str(a).strip()
        ]
    return pairs


def write_reference_tables(con: duckdb.DuckDBPyConnection) -> None:
    """ref.*: the vocabulary of flows/vocab.py as tables, so SQL joins it instead of re-typing
    it (the satisfaction scale, the channels)."""
    from tousu.flows.vocab import reference_rows

    con.execute("CREATE SCHEMA IF NOT EXISTS ref")
    for table, (columns, rows) in reference_rows().items():
        # types from the values; numbers on a small scale are INTEGER, as a SQL literal is
        frame = pl.DataFrame(rows, schema=columns, orient="row").with_columns(
            pl.col(pl.Int64).cast(pl.Int32)
        )
        con.register("reference_rows", frame)
        try:
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM reference_rows")
        finally:
            con.unregister("reference_rows")


def build_quality_marts(con: duckdb.DuckDBPyConnection) -> None:
    """mart.dq_*: what the Data quality page reads, aggregated from the ops tables."""
    apply_layers(con, QUALITY_LAYERS)


def build_core(
    con: duckdb.DuckDBPyConnection, products: Path = PRODUCTS, *, new_loads: list[str] | None = None
) -> int:
    """Build core and the ops tables derived from it, in one transaction, and return how many
    complaints it wrote again (intermediate.core_touched, written with the other scratch tables
    of TOUCHED_LAYERS in a transaction before it). `new_loads`: the deliveries raw holds
    that core does not (loads_core_lacks): only the complaints they touch are written again.
    None: a full build, every core table dropped and written from every load raw holds."""
    aliases = product_aliases(products)
    held = raw_loads(con)
    full = new_loads is None
    # The scratch tables are committed first: DuckDB can then put them back on disk when memory
    # runs short. Held in the build's own transaction, a full build's every event (7.8M at
    # 1,000,000 complaints) kept 10_complaints from the memory it needs under a night's 768 MB.
    with transaction(con):
        con.execute("CREATE OR REPLACE TABLE intermediate.core_new_loads (load_id VARCHAR)")
        con.execute(
            "INSERT INTO intermediate.core_new_loads SELECT unnest(?::VARCHAR[])",
            [sorted(held) if full else new_loads],
        )
        apply_layers(con, TOUCHED_LAYERS)
    with transaction(con):
        write_reference_tables(con)
        con.execute(
            "CREATE OR REPLACE TABLE core.product_catalogue "
            "(product VARCHAR NOT NULL, alias VARCHAR NOT NULL)"
        )
        if aliases:
            con.executemany("INSERT INTO core.product_catalogue VALUES (?, ?)", aliases)
        if full:
            for table in core_tables():
                con.execute(f"DROP TABLE IF EXISTS {table}")
        apply_layers(con, BUILD_LAYERS)
        # read by the build only
        for table in (
            "core_link_records",
            "core_link_registrations",
            "core_touched_events",
            "core_touched_followups",
            "core_touched_intake",
        ):
            con.execute(f"DROP TABLE intermediate.{table}")
        if full:
            con.execute(f"DROP TABLE IF EXISTS {MARTS_PENDING}")  # the marts: in full too
        elif tables_exist(con, MARTS_PENDING):
            con.execute(
                f"INSERT INTO {MARTS_PENDING} SELECT complaint_id FROM intermediate.core_touched"
            )
        con.execute("DELETE FROM ops.core_loads")
        con.execute("INSERT INTO ops.core_loads SELECT unnest(?::VARCHAR[])", [sorted(held)])
        return con.execute("SELECT count(*) FROM intermediate.core_touched").fetchall()[0][0]


def core_tables() -> list[str]:
    """The tables the core and derived ops layers keep from night to night (each file's CREATE
    TABLE IF NOT EXISTS): a full build drops them, so a changed model builds them with its new
    columns."""
    return [
        m.group(1)
        for layer in BUILD_LAYERS
        for path in sql_files(layer)
        for m in re.finditer(r"CREATE TABLE IF NOT EXISTS (\S+)", path.read_text(encoding="utf-8"))
    ]


# The complaints core wrote again since the marts' last build (each core build adds its
# intermediate.core_touched; the marts build empties it). Missing: the marts are built in full.
MARTS_PENDING = "intermediate.marts_pending"


def marts_kept_tables() -> list[str]:
    """The mart tables kept from night to night and updated for what changed (each marts file's
    CREATE TABLE IF NOT EXISTS), which a marts build in full starts again. Not mart.sla_clocks,
    whose final results keep the policy they were computed with until `tousu metrics
    recompute`, nor core.customers, which the customer links decide (flows/metrics/identity.py)."""
    return [
        m.group(1)
        for path in sql_files("marts")
        for m in re.finditer(r"CREATE TABLE IF NOT EXISTS (\S+)", path.read_text(encoding="utf-8"))
        if m.group(1) not in ("mart.sla_clocks", "core.customers")
    ]


def marts_last_as_of(
    con: duckdb.DuckDBPyConnection, settings_key: str, as_of: datetime, recompute: bool
) -> datetime | None:
    """The as-of of the marts' last build when tonight's may update them for what changed since;
    None when they must be built in full: a recompute, never built, built with other SQL, policy
    or declared clocks (settings_key), built as of a later time (a night run again for an
    earlier date), a core built in full since, or a kept table missing."""
    if recompute or not tables_exist(con, MARTS_PENDING, *marts_kept_tables()):
        return None
    last = con.execute(
        "SELECT as_of, settings_key FROM ops.mart_builds ORDER BY built_at DESC LIMIT 1"
    ).fetchall()
    if not last or last[0][1] != settings_key or last[0][0] > as_of:
        return None
    return last[0][0]


def start_marts_again(con: duckdb.DuckDBPyConnection) -> None:
    """A marts build in full: drop the kept tables and count every complaint core holds (and
    every complaint with an SLA clock, so clocks of complaints gone from core go) as changed."""
    for table in marts_kept_tables():
        con.execute(f"DROP TABLE IF EXISTS {table}")
    clocks = (
        " UNION SELECT complaint_id FROM mart.sla_clocks"
        if tables_exist(con, "mart.sla_clocks")
        else ""
    )
    con.execute(
        f"CREATE OR REPLACE TABLE {MARTS_PENDING} AS "
        f"SELECT complaint_id FROM core.complaints{clocks}"
    )


def record_marts_build(
    con: duckdb.DuckDBPyConnection, as_of: datetime, settings_key: str, in_full: bool
) -> int:
    """Record the build, empty the pending complaints, return how many the build took in."""
    changed = con.execute(f"SELECT count(DISTINCT complaint_id) FROM {MARTS_PENDING}").fetchall()
    con.execute(f"DELETE FROM {MARTS_PENDING}")
    con.execute(
        "INSERT INTO ops.mart_builds VALUES (?, ?, ?, ?, now())",
        [as_of, settings_key, in_full, changed[0][0]],
    )
    return int(changed[0][0])


def raw_loads(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every load whose rows raw holds: raw changes only by a load adding its rows (or marking
    the versions it corrected, `_superseded_by`), so these are what core can be built from."""
    tables = con.execute(
        "SELECT DISTINCT table_name FROM duckdb_columns() WHERE database_name = "
        "current_database() AND schema_name = 'raw' AND column_name = '_load_id' ORDER BY 1"
    ).fetchall()
    if not tables:
        return set()
    union = " UNION ".join(f"SELECT DISTINCT _load_id FROM raw.{t}" for (t,) in tables)
    return {load for (load,) in con.execute(union).fetchall()}


def loads_core_lacks(con: duckdb.DuckDBPyConnection, settings_key: str) -> list[str] | None:
    """The loads raw holds that core does not, when adding their complaints brings core up to
    date (an incremental build); None when core must be built in full: never built, last built
    with other SQL, products, vocabulary or settings (core_settings_key), or holding a load raw
    no longer has."""
    last = con.execute(
        "SELECT settings_key FROM ops.core_builds WHERE rebuilt ORDER BY built_at DESC LIMIT 1"
    ).fetchall()
    if not last or last[0][0] != settings_key or not tables_exist(con, *core_tables()):
        return None
    held = {load for (load,) in con.execute("SELECT load_id FROM ops.core_loads").fetchall()}
    in_raw = raw_loads(con)
    if not held <= in_raw:
        return None
    return sorted(in_raw - held)


def core_settings_key(settings: str) -> str:
    """A digest of what core is built from besides the deliveries: the SQL of the staging, core
    and derived ops layers, the product catalogue, the vocabulary's reference rows and
    `settings` (the night's time zone, phone region and declared mappings, as text)."""
    from tousu.flows.vocab import reference_rows

    digest = hashlib.sha256(settings.encode())
    for layer in VIEW_LAYERS + TOUCHED_LAYERS + BUILD_LAYERS:
        for path in sql_files(layer):
            digest.update(path.read_bytes())
    digest.update(PRODUCTS.read_bytes())
    digest.update(repr(reference_rows()).encode())
    return digest.hexdigest()


def core_inputs_key(con: duckdb.DuckDBPyConnection, settings: str) -> str:
    """A digest of everything core is built from: core_settings_key and every delivery loaded
    so far (its load, path and content). Equal keys build equal core tables."""
    digest = hashlib.sha256(core_settings_key(settings).encode())
    loads = con.execute(
        "SELECT count(*), coalesce(string_agg(load_id || ' ' || path || ' ' || sha256, ','"
        " ORDER BY load_id, path), '') FROM ops.file_loads WHERE status = 'loaded'"
    ).fetchall()[0]
    digest.update(repr(loads).encode())
    return digest.hexdigest()


def tables_exist(con: duckdb.DuckDBPyConnection, *tables: str, views: bool = False) -> bool:
    """Whether every `schema.table` named exists in the connected database (as a table, or
    also as a view with `views`: a viewer's copy reads shared tables through views)."""
    sql = "SELECT schema_name, table_name FROM duckdb_tables()"
    if views:
        sql += " UNION ALL SELECT schema_name, view_name FROM duckdb_views()"
    found = {f"{s}.{t}" for s, t in con.execute(sql).fetchall()}
    return set(tables) <= found


def core_is_built_from(con: duckdb.DuckDBPyConnection, key: str) -> bool:
    """Whether the last core build recorded had these inputs (core then holds their rows)."""
    last = con.execute(
        "SELECT inputs_key FROM ops.core_builds ORDER BY built_at DESC LIMIT 1"
    ).fetchall()
    return tables_exist(con, "core.complaints") and bool(last) and last[0][0] == key


def record_core_build(
    con: duckdb.DuckDBPyConnection, run_id: str, key: str, rebuilt: bool, settings_key: str
) -> None:
    con.execute(
        "INSERT INTO ops.core_builds (run_id, inputs_key, rebuilt, built_at, settings_key) "
        "VALUES (?, ?, ?, now(), ?)",
        [run_id, key, rebuilt, settings_key],
    )


def core_rebuilt_by(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    """Whether this run rebuilt core (true when it did not record its build: a plain build)."""
    row = con.execute(
        "SELECT rebuilt FROM ops.core_builds WHERE run_id = ? ORDER BY built_at DESC LIMIT 1",
        [run_id],
    ).fetchall()
    return not row or row[0][0]


def publish(writer_path: Path, published_path: Path) -> Path:
    """Checkpoint the writer's file and replace the readers' copy with it atomically (a clone
    of it where the file system makes them, clone_or_copy).

    Connections of this process may be open but idle: CHECKPOINT writes every committed change
    into the file (nothing left in the write-ahead log) before it is copied. A copy that fails
    (a full disk) is removed: readers keep the previous copy, and no partial file stays behind.
    """
    con = connect(writer_path)  # a cursor of the night's connection, if it holds the file
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    published_path.parent.mkdir(parents=True, exist_ok=True)
    staging = published_path.with_name(published_path.name + ".tmp")
    try:
        clone_or_copy(writer_path, staging)
        os.replace(staging, published_path)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return published_path


# FICLONE (linux/fs.h), which Python's fcntl names from 3.12 on.
FICLONE = 0x40049409
# What a file system without clones (ext4, tmpfs, a share) or another one answers.
NO_CLONE = {errno.EOPNOTSUPP, errno.ENOTTY, errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EBADF}


def clone_or_copy(source: Path, target: Path) -> str:
    """Write `target` as a copy of `source`: a clone where the file system makes them (XFS,
    btrfs, bcachefs, ZFS 2.2: the new file shares the source's blocks, each written apart only
    when one of the two files changes it, so the publish takes milliseconds whatever the
    warehouse's size), else a copy of every byte. Returns "cloned" or "copied"."""
    try:
        import fcntl  # not on Windows
    except ImportError:
        fcntl = None
    if fcntl is not None:
        with source.open("rb") as src, target.open("wb") as dst:
            try:
                fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
                return "cloned"
            except OSError as exc:
                if exc.errno not in NO_CLONE:
                    raise
    shutil.copyfile(source, target)
    return "copied"


def open_published(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published copy, for dashboards, reports and tools."""
    return connect(path, read_only=True)
