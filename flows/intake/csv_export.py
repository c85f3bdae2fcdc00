"""Reading a CSV export (any encoding) into text columns, with undecodable rows rejected."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from flows.intake.decoding import decode_export, encoding_reason
from flows.intake.delivered import Delivered, FileRejected, Reject, as_record, rename_columns


def read_csv_export(path: Path, rel: str, encoding: str, columns: dict[str, str],
                    fix: str) -> Delivered:
    """Read a CSV file whose header row names `columns` (export name -> raw column)."""
    decoded = decode_export(path.read_bytes(), encoding)
    try:
        frame = pl.read_csv(io.StringIO(decoded.text), infer_schema=False,
                            truncate_ragged_lines=False)
    except pl.exceptions.PolarsError as exc:
        raise FileRejected(f"not a readable CSV file ({exc.__class__.__name__}: "
                           f"{str(exc).splitlines()[0]})") from exc
    frame = rename_columns(frame, columns, rel).with_row_index("_row_number", offset=1)
    frame = frame.with_columns(pl.col("_row_number").cast(pl.Int32))
    rejects = []
    if decoded.bad_lines:
        # Physical line n (0-based, header at 0) is data record n when no field spans lines.
        bad_rows = set(decoded.bad_lines)
        reason = encoding_reason(decoded.encoding, fix)
        for row in frame.filter(pl.col("_row_number").is_in(bad_rows)).to_dicts():
            number = row.pop("_row_number")
            rejects.append(Reject(number, "encoding_valid", reason, as_record(row)))
        frame = frame.filter(~pl.col("_row_number").is_in(bad_rows))
    return Delivered(frame, rejects, [decoded.note] if decoded.note else [])
