"""Online and in-app chat: JSON Lines, one session per line, messages with timestamps.

Lines are decoded and parsed by DuckDB's JSON functions in one pass; a line that is not UTF-8 or
not a JSON object is rejected with its text, the rest load.
"""

from pathlib import Path

import duckdb
import polars as pl

from tousu.flows.intake.decoding import decode_export, encoding_reason
from tousu.flows.intake.delivered import Delivered, Reject

FIX = "re-export the session from the chat system as UTF-8 JSON Lines"

EXTRACT = """
SELECT
    _row_number::INTEGER                              AS _row_number,
    CASE WHEN json_valid(line) THEN json_type(line) = 'OBJECT' ELSE false END AS is_object,
    line,
    CASE WHEN json_valid(line) THEN line ->> '$.session_id' END        AS session_id,
    CASE WHEN json_valid(line) THEN line ->> '$.entry' END             AS entry,
    CASE WHEN json_valid(line) THEN line ->> '$.started_at' END        AS started_at,
    CASE WHEN json_valid(line) THEN line ->> '$.user.user_id' END      AS user_id,
    CASE WHEN json_valid(line) THEN line ->> '$.user.nickname' END     AS nickname,
    CASE WHEN json_valid(line) THEN line ->> '$.user.phone' END        AS phone,
    CASE WHEN json_valid(line) THEN line ->> '$.user.member_no' END    AS member_no,
    CASE WHEN json_valid(line) THEN line ->> '$.demand' END            AS demand,
    CASE WHEN json_valid(line) THEN json_extract(line, '$.messages') END::VARCHAR AS messages
FROM lines
"""


def read(path: Path, rel: str) -> Delivered:
    decoded = decode_export(path.read_bytes(), "utf-8")
    lines = pl.DataFrame({"line": decoded.text.split("\n")}).with_row_index("_row_number", offset=1)
    bad_encoding = {n + 1 for n in decoded.bad_lines}
    lines = lines.filter(pl.col("line").str.strip_chars() != "")
    con = duckdb.connect()
    con.register("lines", lines)
    parsed = con.sql(EXTRACT).pl()
    con.close()
    rejects = [
        Reject(row["_row_number"], "encoding_valid", encoding_reason("utf-8", FIX), row["line"])
        for row in parsed.filter(pl.col("_row_number").is_in(bad_encoding)).iter_rows(named=True)
    ]
    rest = parsed.filter(~pl.col("_row_number").is_in(bad_encoding))
    rejects += [
        Reject(
            row["_row_number"],
            "json_object",
            f"this line is not a JSON object (it may be cut short or hand-edited) / "
            f"此行不是 JSON 对象（可能被截断或手工改过） ({FIX}).",
            row["line"],
        )
        for row in rest.filter(~pl.col("is_object")).iter_rows(named=True)
    ]
    rows = rest.filter(pl.col("is_object")).drop("is_object", "line")
    return Delivered(rows, sorted(rejects, key=lambda r: r.row_number))
