"""Top keywords of complaint descriptions per category and month (jieba segmentation, TF-IDF).

jieba segments Chinese text into words with its bundled dictionary (no download), and its
TF-IDF extractor weighs words against a general-language frequency table, so words every
complaint uses ("希望", "没有") fall away without a hand-kept stopword list.
"""

from __future__ import annotations

import logging

import duckdb
import polars as pl

TOP = 10


def keywords_by_category_month(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    texts = con.sql("""
        SELECT category,
               date_trunc('month', received_at AT TIME ZONE stg.reporting_tz())::DATE AS month,
               string_agg(description, '\n') AS text, count(*) AS complaints
        FROM core.complaints WHERE description IS NOT NULL
        GROUP BY ALL ORDER BY ALL""").fetchall()
    rows = []
    for category, month, text, complaints in texts:
        for rank, (word, weight) in enumerate(
            jieba.analyse.extract_tags(text, topK=TOP, withWeight=True), start=1
        ):
            rows.append(
                (month, category, rank, word, round(weight, 4), text.count(word), complaints)
            )
    return pl.DataFrame(
        rows,
        schema={
            "month": pl.Date,
            "category": pl.String,
            "rank": pl.Int32,
            "keyword": pl.String,
            "weight": pl.Float64,
            "mentions": pl.Int64,
            "complaints": pl.Int64,
        },
        orient="row",
    )
