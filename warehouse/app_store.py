"""The review app's own file (TOUSU_PLANS, default data/improvement_plans.duckdb): improvement
plans and acknowledgements (warehouse/plans/, copied into the warehouse each night), users and the
audit log (warehouse/access/, never copied). The app and the nightly each hold it for
milliseconds; DuckDB lets one process at a time hold a file, so both retry when the other has it.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
# One file per table, applied in name order.
PLAN_FILES = sorted((HERE / "plans").glob("*.sql"))
ACCESS_FILES = sorted((HERE / "access").glob("*.sql"))


def create_tables(con: duckdb.DuckDBPyConnection, files: list[Path]) -> None:
    for path in files:
        con.execute(path.read_text(encoding="utf-8"))


def connect_file(path: Path, attempts: int = 50) -> duckdb.DuckDBPyConnection:
    """A connection to the app's file, its tables created if new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(attempts):
        try:
            con = duckdb.connect(str(path))
            create_tables(con, PLAN_FILES + ACCESS_FILES)
            return con
        except duckdb.IOException:  # the nightly is copying the plans right now
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)
    raise AssertionError("unreachable")
