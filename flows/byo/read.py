"""Reading a declared source's file into text columns, one reject per record it cannot read.

Real exports are messy: a file cut short ends in half a record, a bare carriage return sits
inside an unquoted field, a line is in another encoding, a JSON line is broken. Each such record
is rejected with a reason a person can act on; the rest load.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from tousu.flows.byo.mapping import Mapping
from tousu.flows.intake.csv_export import CsvRecords, read_csv_records
from tousu.flows.intake.decoding import decode_export, encoding_reason
from tousu.flows.intake.delivered import FileRejected, Reject
from tousu.flows.intake.workbook import read_sheet


def read_table(path: Path, m: Mapping) -> tuple[pl.DataFrame, list[Reject], list[str]]:
    """(rows as text with _row_number, rejected records, notes) of one file."""
    reader = {"csv": _csv, "xlsx": _xlsx, "json": _json, "jsonl": _jsonl}[m.format.type]
    return reader(path, m)


def _frame(header: list[str], rows: list[tuple[int, list[str | None]]]) -> pl.DataFrame:
    return CsvRecords(header, rows).frame()


def _csv(path: Path, m: Mapping):
    records = read_csv_records(
        path.read_bytes(), m.format.encoding, m.fix, m.format.delimiter, path=path
    )
    return records.frame(), records.rejects, records.notes


def _xlsx(path: Path, m: Mapping):
    frame, _ = read_sheet(path, m.format.sheet if m.format.sheet is not None else 0)
    return frame, [], []


def _flatten(record: dict, prefix: str = "") -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= _flatten(value, name + ".")
        elif value is None or value == "":
            out[name] = None
        elif isinstance(value, list):
            out[name] = json.dumps(value, ensure_ascii=False)
        else:
            out[name] = str(value)
    return out


def _records_frame(records: list[tuple[int, dict]]) -> pl.DataFrame:
    flat = [(n, _flatten(r)) for n, r in records]
    header = list(dict.fromkeys(k for _, r in flat for k in r))
    return _frame(header, [(n, [r.get(h) for h in header]) for n, r in flat])


def _json(path: Path, m: Mapping):
    decoded = decode_export(path.read_bytes(), m.format.encoding)
    try:
        data = json.loads(decoded.text)
    except json.JSONDecodeError as exc:
        raise FileRejected(
            f"not a JSON document ({exc.msg} at line {exc.lineno}): the file may be cut short"
        ) from exc
    for key in (m.format.record_path or "").split(".") if m.format.record_path else []:
        if not isinstance(data, dict) or key not in data:
            raise FileRejected(f"record_path {m.format.record_path!r}: no {key!r} in the file")
        data = data[key]
    if not isinstance(data, list):
        raise FileRejected("the records are not a JSON list; set format.record_path")
    rejects = [
        Reject(
            n,
            "json_object",
            f"record {n} is not a JSON object / 第 {n} 条记录不是 JSON 对象 ({m.fix}).",
            json.dumps(r, ensure_ascii=False),
        )
        for n, r in enumerate(data, start=1)
        if not isinstance(r, dict)
    ]
    records = [(n, r) for n, r in enumerate(data, start=1) if isinstance(r, dict)]
    return _records_frame(records), rejects, list(decoded.notes)


def _jsonl(path: Path, m: Mapping):
    decoded = decode_export(path.read_bytes(), m.format.encoding)
    bad_lines = set(decoded.bad_lines)
    records, rejects = [], []
    number = 0
    for index, line in enumerate(decoded.text.split("\n")):
        if not line.strip():
            continue
        number += 1
        if index in bad_lines:
            rejects.append(
                Reject(number, "encoding_valid", encoding_reason(decoded.encoding, m.fix), line)
            )
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            value = None
        if not isinstance(value, dict):
            rejects.append(
                Reject(
                    number,
                    "json_object",
                    f"line {index + 1} is not a JSON object (cut short or "
                    f"hand-edited) / 第 {index + 1} 行不是 JSON 对象 ({m.fix}).",
                    line,
                )
            )
            continue
        records.append((number, value))
    return _records_frame(records), rejects, list(decoded.notes)
