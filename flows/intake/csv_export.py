"""Reading a CSV export (any encoding) record by record, every record accounted for.

One reader for the built-in CSV channels and for declared CSV sources. A quoted field may span
lines, so physical lines are never taken for records: the csv module reports where each record
starts and ends, and a record is rejected when any of its lines did not decode (no replacement
character reaches raw), when it has too few or too many fields, or when the file ends inside it
(an export cut short).
"""

from __future__ import annotations

import csv
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from tousu.flows.intake.decoding import decode_export, encoding_reason, excerpt
from tousu.flows.intake.delivered import Delivered, FileRejected, Reject, as_record, rename_columns

QUOTE = '"'
BARE_CR = re.compile(r"\r(?!\n)")
# Below this size the record-by-record reader is faster than starting DuckDB's (measured: a
# 600 KB phone export 0.08 s by record, 0.18 s by DuckDB; a 12 MB events export 0.8 s / 0.17 s).
DUCKDB_FROM_BYTES = 1 << 20


# Records kept as Python lists before they become a frame: a record as a list of str costs
# ~0.8 KB, in a frame ~0.15 KB, so a 600,000-record export read record by record stays within a
# few hundred MB instead of growing to gigabytes.
CHUNK_RECORDS = 100_000


@dataclass
class CsvRecords:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (record number, values as read), not yet framed
    rejects: list[Reject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    read_whole: pl.DataFrame | None = None  # the clean file's records, read by DuckDB
    framed: list[pl.DataFrame] = field(default_factory=list)  # earlier records, in order

    def add(self, number: int, values: list[str]) -> None:
        self.rows.append((number, values))
        if len(self.rows) >= CHUNK_RECORDS:
            self.framed.append(self._frame_of(self.rows))
            self.rows = []

    def frame(self) -> pl.DataFrame:
        """The records as text columns (empty text as null), with _row_number."""
        if self.read_whole is not None:
            return self.read_whole
        return pl.concat([*self.framed, self._frame_of(self.rows)])

    def _frame_of(self, rows: list[tuple[int, list[str]]]) -> pl.DataFrame:
        columns = list(zip(*(r for _, r in rows), strict=True)) or [()] * len(self.header)
        frame = pl.DataFrame(
            {h: pl.Series(h, c, dtype=pl.String) for h, c in zip(self.header, columns, strict=True)}
        )
        return _blank_as_null(frame, self.header).with_columns(
            pl.Series("_row_number", [n for n, _ in rows], dtype=pl.Int32)
        )


def _blank_as_null(frame: pl.DataFrame, header: list[str]) -> pl.DataFrame:
    """An empty field is a missing value, whichever reader read it."""
    return frame.with_columns(pl.when(pl.col(h) != "").then(pl.col(h)).alias(h) for h in header)


def _physical_lines(text: str) -> list[str]:
    """Lines split on LF only (str.splitlines also splits on U+2028, form feeds, ...: those are
    text inside a field, and splitting on them would shift every later line number)."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _spans_bad(first: int, last: int, bad_lines: set[int]) -> bool:
    """Whether any physical line first..last (1-based) did not decode."""
    return any(n - 1 in bad_lines for n in range(first, last + 1))


def _clean_file(path: Path, header: list[str], delimiter: str) -> pl.DataFrame | None:
    """A UTF-8 file's records read by DuckDB's CSV reader in strict mode, or None when DuckDB
    rejects any line (a short or long record, a stray quote, an overlong line): then the record
    by record reader runs and says which record and why. DuckDB skips blank lines and keeps
    quoted line breaks exactly as the csv module does, so a file it reads without a reject gives
    the same records, numbered the same."""
    columns = {f"c{i}": "VARCHAR" for i in range(len(header))}
    con = duckdb.connect()
    try:
        frame = pl.from_arrow(
            con.sql(
                "SELECT * FROM read_csv($path, header = true, auto_detect = false, all_varchar = "
                "true, strict_mode = true, store_rejects = true, null_padding = false, delim = $d, "
                "quote = '\"', escape = '\"', columns = $columns)",
                params={"path": str(path), "d": delimiter, "columns": columns},
            ).to_arrow_table()
        )
        if con.execute("SELECT count(*) FROM reject_errors").fetchone()[0]:
            return None
    except duckdb.Error:
        return None
    finally:
        con.close()
    frame.columns = header
    return _blank_as_null(frame, header).with_columns(
        pl.int_range(1, frame.height + 1, dtype=pl.Int32).alias("_row_number")
    )


def read_csv_records(
    data: bytes,
    encoding: str,
    fix: str,
    delimiter: str = ",",
    names: dict[str, str] | None = None,
    path: Path | None = None,
    duckdb_from_bytes: int = DUCKDB_FROM_BYTES,
) -> CsvRecords:
    """Every record of a CSV file's bytes: the readable ones, and a reject for each other one
    (its fields as read, keyed by `names` of the export's columns where given). With `path`, a
    clean file (nothing to reject, nothing to note) of at least `duckdb_from_bytes` is read by
    DuckDB, about five times faster; anything else goes record by record."""
    decoded = decode_export(data, encoding)
    notes = list(decoded.notes)
    text = decoded.text
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")  # an old Mac export: CR ends lines
    else:
        if text.endswith("\r"):
            text += "\n"  # cut between CR and LF: the line ended
        bare = len(BARE_CR.findall(text))
        if bare:
            # A bare CR inside an unquoted field would split the record in two; CRLF line ends
            # (and CRLF inside quoted fields) stay as they are.
            text = BARE_CR.sub(" ", text)
            notes.append(f"{bare} bare carriage return(s) inside fields read as spaces")
    lines = _physical_lines(text)
    bad_lines = set(decoded.bad_lines)
    reader = csv.reader(iter(lines), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration as exc:
        raise FileRejected("the file is empty: no header line") from exc
    except csv.Error as exc:
        raise FileRejected(f"the header line cannot be read as CSV ({exc})") from exc
    if any(n in bad_lines for n in range(reader.line_num)):
        raise FileRejected(
            f"the header line is not {decoded.encoding.upper()} CSV text "
            f"('{excerpt(lines[0] if lines else '', 60)}'); {fix}"
        )
    if len(set(header)) != len(header):
        raise FileRejected(f"the header names a column twice: {excerpt(', '.join(header), 200)}")
    records = CsvRecords(header, [], [], notes)
    # DuckDB reads the file as delivered: only when the text needed no repair at all.
    if (
        path is not None
        and len(data) >= duckdb_from_bytes
        and reader.line_num == 1
        and text == decoded.text
        and not notes
        and not bad_lines
        and text.count(QUOTE) % 2 == 0
    ):
        if decoded.encoding == "utf-8":
            records.read_whole = _clean_file(path, header, delimiter)
        else:  # DuckDB reads UTF-8 only: hand it the decoded text (GBK exports)
            with tempfile.TemporaryDirectory(prefix="tousu-csv-") as folder:
                utf8 = Path(folder) / "decoded.csv"
                utf8.write_text(text, encoding="utf-8", newline="")
                records.read_whole = _clean_file(utf8, header, delimiter)
        if records.read_whole is not None:
            return records
    width, total = len(header), len(lines)
    number, last_line = 0, reader.line_num
    while True:
        try:
            for values in reader:
                first, last_line = last_line + 1, reader.line_num
                if not values or values == [""]:
                    continue  # a blank line is not a record
                number += 1
                # The usual record: one line, decoded, the right width, not the file's last.
                if (
                    len(values) == width
                    and last_line < total
                    and (not bad_lines or not _spans_bad(first, last_line, bad_lines))
                ):
                    records.add(number, values)
                else:
                    _unusual(
                        records,
                        number,
                        values,
                        first,
                        last_line,
                        lines,
                        bad_lines,
                        decoded.encoding,
                        fix,
                        names,
                    )
            break
        except csv.Error as exc:
            number += 1
            records.rejects.append(
                Reject(
                    number,
                    "record_readable",
                    f"record at line {last_line + 1} cannot be read as CSV ({exc}) / "
                    f"第 {last_line + 1} 行无法按 CSV 读取 ({fix}).",
                    "{}",
                )
            )
            last_line = reader.line_num
    return records


def _unusual(
    records: CsvRecords,
    number: int,
    values: list[str],
    first: int,
    last: int,
    lines: list[str],
    bad_lines: set[int],
    encoding: str,
    fix: str,
    names: dict[str, str] | None,
) -> None:
    """A record that spans an undecodable line, has the wrong width, or ends the file: rejected
    with the reason, or kept when it is whole after all."""
    header, width = records.header, len(records.header)
    as_read = as_record({(names or {}).get(h, h): v for h, v in zip(header, values, strict=False)})
    if bad_lines and _spans_bad(first, last, bad_lines):
        records.rejects.append(
            Reject(number, "encoding_valid", encoding_reason(encoding, fix), as_read)
        )
        return
    at_end = last == len(lines)
    # The file ends inside a quoted field: the csv module returns what it has.
    cut = at_end and "".join(lines[first - 1 : last]).count(QUOTE) % 2 == 1
    if not cut and len(values) == width:
        records.add(number, values)
        return
    short = cut or (at_end and len(values) < width)
    why = (
        "the file ends inside this record: it was cut short (truncated export)"
        if short
        else "a delimiter or quote inside a field is not escaped"
    )
    zh = "文件在此记录中途结束（导出被截断）" if short else "字段中的分隔符或引号未转义"
    records.rejects.append(
        Reject(
            number,
            "record_complete",
            f"record at line {first} has {len(values)} of {width} fields"
            f"{' and an unclosed quote' if cut else ''}: {why} / 第 {first} 行记录有 "
            f"{len(values)} 个字段（应为 {width} 个）：{zh} ({fix}).",
            as_read,
        )
    )


def read_csv_export(
    path: Path, rel: str, encoding: str, columns: dict[str, str], fix: str
) -> Delivered:
    """Read a CSV file whose header row names `columns` (export name -> raw column)."""
    records = read_csv_records(path.read_bytes(), encoding, fix, names=columns, path=path)
    frame = rename_columns(records.frame(), {"_row_number": "_row_number", **columns}, rel)
    return Delivered(frame, records.rejects, records.notes)
