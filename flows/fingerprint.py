"""`tousu fingerprint`: every core and mart table's row count and a checksum of its contents.

For restructuring without changing figures: take the fingerprint of a demo night before and
after a change; the two must be identical. Lineage columns that differ on every run (load ids,
load and check times) are left out of the checksum; everything a reader sees is in it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# Columns that name a run or the wall-clock moment something was done, not a figure.
VOLATILE = {
    "_load_id",
    "_loaded_at",
    "run_id",
    "load_id",
    "loaded_at",
    "checked_at",
    "started_at",
    "finished_at",
    "flow_run_id",
    "created_at",
    "updated_at",
    "quarantined_at",
    "recorded_at",
    # derived from when files were loaded (the data-quality page's freshness)
    "last_good_file_at",
    "hours_since_last_good_file",
}


def fingerprint(
    con: duckdb.DuckDBPyConnection,
    schemas: tuple[str, ...] = ("core", "mart"),
    leave_out: frozenset[str] = frozenset(),
) -> list[tuple[str, int, str]]:
    """(schema.table, rows, md5 of the sorted rows as text) of every table in the schemas;
    the volatile columns and those named in `leave_out` are not in the checksum."""
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN "
        f"({', '.join('?' for _ in schemas)}) ORDER BY 1, 2",
        list(schemas),
    ).fetchall()
    out = []
    for schema, table in tables:
        columns = [
            c
            for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
                "ORDER BY column_index",
                [schema, table],
            ).fetchall()
            if c not in VOLATILE and c not in leave_out
        ]
        picked = ", ".join(f'"{c}"' for c in columns)
        rows, digest = con.execute(
            f"SELECT count(*), md5(coalesce(string_agg(r, '\n' ORDER BY r), '')) "
            f"FROM (SELECT CAST(row({picked}) AS VARCHAR) AS r FROM {schema}.{table})"
        ).fetchall()[0]
        out.append((f"{schema}.{table}", rows, digest))
    return out


def main(warehouse: Path) -> str:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return "\n".join(
            f"{name:<40} {rows:>9,}  {digest}" for name, rows, digest in fingerprint(con)
        )
    finally:
        con.close()


if __name__ == "__main__":
    import sys

    print(main(Path(sys.argv[1])))
