"""Social media: the platform's JSON export of posts mentioning the brand, replies nested."""

from pathlib import Path

import duckdb
import polars as pl

from flows.intake.delivered import Delivered, LayoutChanged

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


def read(path: Path, rel: str) -> Delivered:
    con = duckdb.connect()
    try:
        rows = pl.from_arrow(con.sql(EXTRACT, params={"path": str(path)}).to_arrow_table())
    except duckdb.Error as exc:
        raise LayoutChanged(
            f"not a readable platform export (a JSON object with 'platform' and "
            f"'mentions'): {str(exc).splitlines()[0]}. Re-export it as UTF-8 JSON.") from exc
    finally:
        con.close()
    return Delivered(rows)
