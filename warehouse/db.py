"""Opening the warehouse, applying its SQL files, and publishing the readers' copy.

DuckDB lets one process hold a database file for writing and then no other process may open it,
not even read-only. So the nightly run is the only process that opens the writer's file; at the
end of a successful run it publishes a consistent copy (checkpoint, copy, atomic rename) that
dashboards and reports open read-only. A reader never blocks the writer and never sees half a
night: it sees last night's copy until the rename, then the new one.
"""

from __future__ import annotations

import os
import shutil
from functools import lru_cache
from pathlib import Path

import duckdb
import phonenumbers
import yaml

SQL_DIR = Path(__file__).resolve().parent
TABLE_LAYERS = ("raw", "ops")  # CREATE TABLE IF NOT EXISTS: safe to apply every run
VIEW_LAYERS = ("staging",)  # CREATE OR REPLACE: staging views over raw
BUILD_LAYERS = ("core", "ops/derived")  # rebuilt from staging at the end of each night
# warehouse/marts/*.sql is applied by flows.metrics.build, after the tables it writes from Python.


def sql_files(layer: str) -> list[Path]:
    """A layer's SQL files in the order they apply (by name)."""
    return sorted((SQL_DIR / layer).glob("*.sql"))


@lru_cache(maxsize=200_000)
def phone_e164(number: str | None, region: str = "CN") -> str | None:
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


def connect(path: Path | str, *, timezone: str = "Asia/Shanghai", phone_region: str = "CN",
            read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection with the session settings and functions the warehouse SQL relies on."""
    if not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("SET timezone = " + _quote(timezone))
    con.execute("SET VARIABLE tousu_tz = ?", [timezone])
    con.create_function(
        "tousu_phone_e164", lambda n: phone_e164(n, phone_region), [duckdb.sqltype("VARCHAR")],
        duckdb.sqltype("VARCHAR"), null_handling="special", side_effects=False)
    return con


def _quote(value: str) -> str:
    # SET does not take parameters; the zone name is checked against ICU's list first.
    return "'" + value.replace("'", "''") + "'"


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
        pairs += [(name, name)] + [(name, str(a).strip()) for a in item.get("aliases") or []
                                   if str(a).strip()]
    return pairs


def build_core(con: duckdb.DuckDBPyConnection, products: Path = PRODUCTS) -> None:
    """Rebuild core tables and the ops tables derived from them, in one transaction."""
    aliases = product_aliases(products)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE OR REPLACE TABLE core.product_catalogue "
                    "(product VARCHAR NOT NULL, alias VARCHAR NOT NULL)")
        if aliases:
            con.executemany("INSERT INTO core.product_catalogue VALUES (?, ?)", aliases)
        apply_layers(con, BUILD_LAYERS)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def publish(writer_path: Path, published_path: Path) -> Path:
    """Checkpoint the writer's file and replace the readers' copy with it atomically.

    Call it with no other connection to the writer's file open in this process, so the file on
    disk holds every committed change (nothing left in the write-ahead log).
    """
    con = duckdb.connect(str(writer_path))
    con.execute("CHECKPOINT")
    con.close()
    published_path.parent.mkdir(parents=True, exist_ok=True)
    staging = published_path.with_name(published_path.name + ".tmp")
    shutil.copyfile(writer_path, staging)
    os.replace(staging, published_path)
    return published_path


def open_published(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published copy, for dashboards, reports and tools."""
    return connect(path, read_only=True)
