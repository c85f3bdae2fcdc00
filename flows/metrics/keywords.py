"""Top keywords of complaint descriptions per category and month (jieba segmentation, TF-IDF).

jieba segments Chinese text into words with its bundled dictionary (no download), and its
TF-IDF extractor weighs words against a general-language frequency table, so words every
complaint uses ("希望", "没有") fall away without a hand-kept stopword list.
"""

from __future__ import annotations

import logging

import duckdb
import polars as pl

from tousu.warehouse import db

TOP = 10
SCHEMA = {
    "month": pl.Date,
    "category": pl.String,
    "rank": pl.Int32,
    "keyword": pl.String,
    "weight": pl.Float64,
    "mentions": pl.Int64,
    "complaints": pl.Int64,
}
# A category's complaints of a month, their descriptions in a fixed order (the order decides
# which of two equally weighted words ranks first).
GROUPS_SQL = """
    SELECT category, month, string_agg(description, '\n' ORDER BY received_at, description) AS text,
           count(*) AS complaints
    FROM (SELECT category, description, received_at,
                 date_trunc('month', received_at AT TIME ZONE stg.reporting_tz())::DATE AS month
          FROM core.complaints WHERE description IS NOT NULL)
    GROUP BY ALL"""


def keywords_by_category_month(
    con: duckdb.DuckDBPyConnection, only: str | None = None
) -> pl.DataFrame:
    """The top keywords of every (category, month) group, or of the groups listed in the table
    named by `only` (columns category, month)."""
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    query = f"SELECT * FROM ({GROUPS_SQL})"
    if only:
        query += f" SEMI JOIN {only} USING (category, month)"
    rows = []
    for category, month, text, complaints in con.sql(query + " ORDER BY ALL").fetchall():
        for rank, (word, weight) in enumerate(
            jieba.analyse.extract_tags(text, topK=TOP, withWeight=True), start=1
        ):
            rows.append(
                (month, category, rank, word, round(weight, 4), text.count(word), complaints)
            )
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def update_keywords(con: duckdb.DuckDBPyConnection, everything: bool = False) -> int:
    """Write mart.category_keywords_monthly, segmenting again only the groups whose descriptions
    changed since the last night (a digest per group, kept in
    intermediate.category_keywords_digests); `everything`: every group. A group's keywords
    depend on its descriptions alone, so the kept ones are what a full run would give. Returns
    how many groups were segmented."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE keyword_groups AS "
        f"SELECT category, month, md5(text) AS digest FROM ({GROUPS_SQL})"
    )
    previous = not everything and db.tables_exist(
        con, "intermediate.category_keywords_digests", "mart.category_keywords_monthly"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE keyword_groups_changed AS SELECT category, month "
        "FROM keyword_groups"
        + (
            " ANTI JOIN intermediate.category_keywords_digests USING (category, month, digest)"
            if previous
            else ""
        )
    )
    changed = con.execute("SELECT count(*) FROM keyword_groups_changed").fetchall()[0][0]
    fresh = (
        keywords_by_category_month(con, only="keyword_groups_changed")
        if changed
        else pl.DataFrame(schema=SCHEMA)  # jieba not even loaded
    )
    con.register("keywords_fresh", fresh)
    try:
        kept = (
            "SELECT * FROM mart.category_keywords_monthly "
            "SEMI JOIN keyword_groups USING (category, month) "
            "ANTI JOIN keyword_groups_changed USING (category, month) UNION ALL BY NAME "
            if previous
            else ""
        )
        con.execute(
            "CREATE OR REPLACE TABLE mart.category_keywords_monthly AS "
            f"{kept}SELECT * FROM keywords_fresh ORDER BY month, category, rank"
        )
    finally:
        con.unregister("keywords_fresh")
    con.execute("CREATE SCHEMA IF NOT EXISTS intermediate")
    con.execute(
        "CREATE OR REPLACE TABLE intermediate.category_keywords_digests AS "
        "SELECT category, month, digest FROM keyword_groups"
    )
    return changed
