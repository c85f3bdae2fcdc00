"""Reading a declared source's file into text columns, one reject per record it cannot read.

Real exports are messy: a file cut short ends in half a record, a bare carriage return sits
inside an unquoted field, a line is in another encoding, a JSON line is broken. Each such record
is rejected with a reason a person can act on; the rest load.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl

from flows.byo.mapping import Mapping
from flows.intake.decoding import decode_export, encoding_reason
from flows.intake.delivered import FileRejected, Reject, as_record
from flows.intake.workbook import read_sheet


def read_table(path: Path, m: Mapping) -> tuple[pl.DataFrame, list[Reject], list[str]]:
    """(rows as text with _row_number, rejected records, notes) of one file."""
    reader = {"csv": _csv, "xlsx": _xlsx, "json": _json, "jsonl": _jsonl}[m.format.type]
    return reader(path, m)


def _frame(header: list[str], rows: list[tuple[int, list[str | None]]]) -> pl.DataFrame:
    columns = {name: [r[i] for _, r in rows] for i, name in enumerate(header)}
    frame = pl.DataFrame(columns, schema={h: pl.String for h in header})
    return frame.with_columns(pl.Series("_row_number", [n for n, _ in rows], dtype=pl.Int32))


def _csv(path: Path, m: Mapping):
    decoded = decode_export(path.read_bytes(), m.format.encoding)
    notes = [decoded.note] if decoded.note else []
    text = decoded.text
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")  # an old Mac export: CR ends lines
    else:
        bare = text.count("\r") - text.count("\r\n")
        if bare:
            # A bare CR inside an unquoted field would split the record in two.
            text = text.replace("\r\n", "\n").replace("\r", " ")
            notes.append(f"{bare} bare carriage return(s) inside fields read as spaces")
    lines = text.splitlines(keepends=True)
    bad_lines = set(decoded.bad_lines)
    reader = csv.reader(iter(lines), delimiter=m.format.delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration as exc:
        raise FileRejected("the file is empty: no header line") from exc
    if len(set(header)) != len(header):
        raise FileRejected(f"the header names a column twice: {', '.join(header)}")
    rows, rejects = [], []
    number, last_line = 0, reader.line_num
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            number += 1
            rejects.append(Reject(number, "record_readable",
                                  f"record at line {last_line + 1} cannot be read as CSV ({exc}) / "
                                  f"第 {last_line + 1} 行无法按 CSV 读取 ({m.fix}).", "{}"))
            last_line = reader.line_num
            continue
        first, last_line = last_line + 1, reader.line_num
        if not record or record == [""]:
            continue  # blank line
        number += 1
        if any(n - 1 in bad_lines for n in range(first, last_line + 1)):
            rejects.append(Reject(number, "encoding_valid",
                                  encoding_reason(decoded.encoding, m.fix),
                                  as_record(dict(zip(header, record, strict=False)))))
            continue
        if len(record) != len(header):
            at_end = last_line == len(lines)
            why = ("the file ends inside this record: it was cut short (truncated export)"
                   if at_end and len(record) < len(header) else
                   "a delimiter or quote inside a field is not escaped")
            zh = "文件在此记录中途结束（导出被截断）" if at_end and len(record) < len(header) \
                else "字段中的分隔符或引号未转义"
            rejects.append(Reject(
                number, "record_complete",
                f"record at line {first} has {len(record)} of {len(header)} fields: {why} / "
                f"第 {first} 行记录有 {len(record)} 个字段（应为 {len(header)} 个）：{zh} "
                f"({m.fix}).", as_record(dict(zip(header, record, strict=False)))))
            continue
        rows.append((number, [v if v != "" else None for v in record]))
    return _frame(header, rows), rejects, notes


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
        raise FileRejected(f"not a JSON document ({exc.msg} at line {exc.lineno}): "
                           f"the file may be cut short") from exc
    for key in (m.format.record_path or "").split(".") if m.format.record_path else []:
        if not isinstance(data, dict) or key not in data:
            raise FileRejected(f"record_path {m.format.record_path!r}: no {key!r} in the file")
        data = data[key]
    if not isinstance(data, list):
        raise FileRejected("the records are not a JSON list; set format.record_path")
    rejects = [Reject(n, "json_object", f"record {n} is not a JSON object / 第 {n} 条记录不是 "
                                        f"JSON 对象 ({m.fix}).", json.dumps(r, ensure_ascii=False))
               for n, r in enumerate(data, start=1) if not isinstance(r, dict)]
    records = [(n, r) for n, r in enumerate(data, start=1) if isinstance(r, dict)]
    return _records_frame(records), rejects, [decoded.note] if decoded.note else []


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
            rejects.append(Reject(number, "encoding_valid",
                                  encoding_reason(decoded.encoding, m.fix), line))
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            value = None
        if not isinstance(value, dict):
            rejects.append(Reject(number, "json_object",
                                  f"line {index + 1} is not a JSON object (cut short or "
                                  f"hand-edited) / 第 {index + 1} 行不是 JSON 对象 ({m.fix}).",
                                  line))
            continue
        records.append((number, value))
    return _records_frame(records), rejects, [decoded.note] if decoded.note else []
