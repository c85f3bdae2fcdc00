"""Social media: the platform's JSON export of posts mentioning the brand, replies nested."""

from pathlib import Path

import duckdb
import polars as pl

from tousu.flows.intake.decoding import decode_export, excerpt
from tousu.flows.intake.delivered import Delivered, FileRejected, LayoutChanged

FIX = "Re-export it from the platform as UTF-8 JSON"

EXTRACT = """
WITH export AS (
    SELECT platform, mentions
    FROM read_json($path, format = 'unstructured', maximum_object_size = 268435456,
                   columns = {platform: 'VARCHAR', mentions: 'JSON[]'})
),
posts AS (
    SELECT platform, unnest(mentions) AS post, generate_subscripts(mentions, 1) AS n FROM export
)
SELECT
    n::INTEGER                        AS _row_number,
    post ->> '$.id'                   AS mention_id,
    platform,
    post ->> '$.created_at'           AS created_at,
    post ->> '$.user.id'              AS user_id,
    post ->> '$.user.screen_name'     AS screen_name,
    post ->> '$.text'                 AS text,
    (post -> '$.comments')::VARCHAR   AS comments
FROM posts
ORDER BY n
"""


SHAPE = """
SELECT json_type(json) AS kind, json_exists(json, '$.mentions') AS has_mentions,
       json_type(json, '$.mentions') AS mentions_kind
FROM read_json_objects($path, format = 'unstructured', maximum_object_size = 268435456)
"""


def read(path: Path, rel: str) -> Delivered:
    """One export file. A file that is not readable JSON fails alone (FileRejected); only a
    readable export without the platform's 'mentions' list is a changed layout."""
    decoded = decode_export(path.read_bytes(), "utf-8")
    if decoded.bad_lines:
        raise FileRejected(
            f"not UTF-8 text (line {decoded.bad_lines[0] + 1} is in another encoding): {FIX}"
        )
    con = duckdb.connect()
    try:
        try:
            shape = con.sql(SHAPE, params={"path": str(path)}).fetchall()
        except duckdb.Error as exc:
            raise FileRejected(
                f"not readable JSON (cut short, or not JSON at all): "
                f"{excerpt(str(exc).splitlines()[0], 160)}. {FIX}"
            ) from exc
        if len(shape) != 1 or shape[0][0] != "OBJECT":
            raise FileRejected(
                f"not a platform export: expected one JSON object with "
                f"'platform' and 'mentions'. {FIX}"
            )
        if not shape[0][1] or shape[0][2] != "ARRAY":
            raise LayoutChanged(
                "the export has no 'mentions' list: was the platform's export layout changed?"
            )
        rows = pl.from_arrow(con.sql(EXTRACT, params={"path": str(path)}).to_arrow_table())
    except duckdb.Error as exc:
        raise FileRejected(
            f"not a readable platform export: {excerpt(str(exc).splitlines()[0], 160)}. {FIX}"
        ) from exc
    finally:
        con.close()
    return Delivered(rows, notes=list(decoded.notes))
