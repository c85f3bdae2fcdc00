"""Top keywords of complaint descriptions per category and month (jieba segmentation, TF-IDF).

jieba segments Chinese text into words with its bundled dictionary (no download), and its
TF-IDF extractor weighs words against a general-language frequency table, so words every
complaint uses ("希望", "没有") fall away without a hand-kept stopword list.

The segmenting itself is jieba-rs (rjieba): jieba's dictionary and HMM in Rust, the same words
for Chinese text (every line of jieba's own test texts and of the demo's descriptions), 17x
faster than jieba's Python, which took 53.6 s of a first night at 1,000,000 complaints. Latin
text differs slightly: jieba-rs keeps "e-mail" and "U.S.C" whole where jieba splits them at
the hyphen and the dots.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from functools import cache
from itertools import chain

import duckdb
import polars as pl

from tousu.flows.workers import cores, in_processes
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
# The complaints with a description, by category and month (local).
DESCRIBED = """
    SELECT category, description, received_at,
           date_trunc('month', received_at AT TIME ZONE stg.reporting_tz())::DATE AS month
    FROM core.complaints WHERE description IS NOT NULL"""
# A category's complaints of a month, their descriptions in a fixed order (the order decides
# which of two equally weighted words ranks first).
GROUPS_SQL = f"""
    SELECT category, month, string_agg(description, '\n' ORDER BY received_at, description) AS text,
           count(*) AS complaints
    FROM ({DESCRIBED})
    GROUP BY ALL"""
# What a group's keywords are computed from, as a digest that does not build the group's text
# (the texts of a 10,000,000-complaint history do not fit a night's memory): the keyword rule
# (KEYWORD_RULE: a new rule computes every group again), how many descriptions and the sum of
# their and their times' hashes.
# 2: words with a digit are never keywords; 3: segmented by jieba-rs
KEYWORD_RULE = "kw3"
DIGESTS_SQL = f"""
    SELECT category, month,
           '{KEYWORD_RULE}:' || count(*) || ':' || sum(hash(description, received_at))::VARCHAR
               AS digest
    FROM ({DESCRIBED})
    GROUP BY ALL"""


# Segmenting holds the GIL, so the groups are segmented on every core once their text pays for
# starting the workers (~0.5 s each): a first night at 1,000,000 complaints segments 78 groups
# of ~12,000 descriptions (27 M characters), about 6 s on one core (the 5.4 M characters at
# 200,000 complaints: 1.2 s).
POOL_FROM_CHARS = 10_000_000


class _RustSegmenter:
    """jieba's tokenizer interface (`cut`) over jieba-rs, for jieba's TF-IDF extractor."""

    def cut(self, text: str) -> list[str]:
        import rjieba

        return rjieba.cut(text, hmm=True)


@cache
def _extractor():
    """jieba's TF-IDF extractor (its IDF table and stop words), segmenting with jieba-rs."""
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    extractor = jieba.analyse.TFIDF()
    extractor.tokenizer = _RustSegmenter()
    return extractor


def top_words(text: str) -> list[tuple[str, float, int]]:
    """A group's TOP keywords: (word, TF-IDF weight, how often the word occurs in the text).
    A word with a digit is never one: a phone, member or order number a customer wrote is
    personal data that would otherwise rank high (it is rare in general language), and a
    number says nothing about the problem."""
    candidates = _extractor().extract_tags(text, topK=TOP * 3, withWeight=True)
    words = [(w, x) for w, x in candidates if not any(c.isdigit() for c in w)][:TOP]
    return [(word, round(weight, 4), text.count(word)) for word, weight in words]


def keywords_by_category_month(
    con: duckdb.DuckDBPyConnection, only: str | None = None, workers: int | None = None
) -> pl.DataFrame:
    """The top keywords of every (category, month) group, or of the groups listed in the table
    named by `only` (columns category, month); on `workers` processes (default: every core)
    when the text is large enough."""
    query = GROUPS_SQL
    if only:  # only those groups' texts are built
        query = query.replace(
            f"FROM ({DESCRIBED})", f"FROM ({DESCRIBED}) SEMI JOIN {only} USING (category, month)"
        )
    # A group's text is fetched when a worker can take it, not every text at once: a first
    # night at 1,000,000 complaints held all its groups' texts (POOL_FROM_CHARS above) as
    # Python strings, and again as the pickles on their way to the workers.
    result = con.execute(
        f"SELECT category, month, text, complaints, count(*) OVER (), sum(length(text)) OVER () "
        f"FROM ({query}) ORDER BY category, month"
    )
    fetched = iter(result.fetchone, None)
    first = next(fetched, None)
    if first is None:
        return pl.DataFrame(schema=SCHEMA)
    groups: list[tuple[str, date, int]] = []  # (category, month, complaints), as fetched

    def texts() -> Iterator[tuple[str]]:
        for category, month, text, complaints, _, _ in chain([first], fetched):
            groups.append((category, month, complaints))
            yield (text,)

    *_, count, chars = first
    workers = workers or cores()
    if workers > 1 and count > 1 and chars >= POOL_FROM_CHARS:
        tops = in_processes(top_words, texts(), workers, ahead=2 * workers)
    else:
        tops = [top_words(text) for (text,) in texts()]
    rows = [
        (month, category, rank, word, weight, mentions, complaints)
        for (category, month, complaints), top in zip(groups, tops, strict=True)
        for rank, (word, weight, mentions) in enumerate(top, start=1)
    ]
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def update_keywords(
    con: duckdb.DuckDBPyConnection, everything: bool = False, within: str | None = None
) -> int:
    """Write mart.category_keywords_monthly, segmenting again only the groups whose descriptions
    changed since the last night (a digest per group, kept in
    intermediate.category_keywords_digests); `everything`: every group. A group's keywords
    depend on its descriptions alone, so the kept ones are what a full run would give. Returns
    how many groups were segmented.

    `within`: a table of the complaint ids core wrote since the last build
    (intermediate.marts_pending): only the months they were received in, as the marts last
    counted them (intermediate.complaint_received_days) and as they are now, can have changed,
    so only those months' digests are computed, not the whole history's descriptions."""
    previous = not everything and db.tables_exist(
        con, "intermediate.category_keywords_digests", "mart.category_keywords_monthly"
    )
    months = (
        previous
        and within is not None
        and db.tables_exist(con, "intermediate.complaint_received_days")
    )
    if months:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE keyword_months AS
            SELECT DISTINCT date_trunc('month', received_day)::DATE AS month
            FROM intermediate.complaint_received_days SEMI JOIN {within} USING (complaint_id)
            UNION
            SELECT date_trunc('month', received_at AT TIME ZONE stg.reporting_tz())::DATE
            FROM core.complaints SEMI JOIN {within} USING (complaint_id)
            """
        )
        only_months = " SEMI JOIN keyword_months USING (month)"
    else:
        only_months = ""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE keyword_groups AS SELECT * FROM ({DIGESTS_SQL}){only_months}"
    )
    # the groups to segment again: new or changed digests
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
    con.execute("CREATE SCHEMA IF NOT EXISTS intermediate")
    con.register("keywords_fresh", fresh)
    try:
        if not previous:
            con.execute(
                "CREATE OR REPLACE TABLE mart.category_keywords_monthly AS "
                "SELECT * FROM keywords_fresh ORDER BY month, category, rank"
            )
            con.execute(
                "CREATE OR REPLACE TABLE intermediate.category_keywords_digests AS "
                "SELECT category, month, digest FROM keyword_groups"
            )
            return changed
        # the groups looked at (every group, or those of the months that can have changed)
        # whose digest is gone or changed lose their keywords
        looked_at = "SEMI JOIN keyword_months USING (month)" if months else ""
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE keyword_groups_dropped AS
            SELECT category, month FROM intermediate.category_keywords_digests {looked_at}
            ANTI JOIN keyword_groups USING (category, month, digest)
            """
        )
        for table in ("mart.category_keywords_monthly", "intermediate.category_keywords_digests"):
            con.execute(
                f"DELETE FROM {table} WHERE (category, month) IN "
                "(SELECT (category, month) FROM keyword_groups_dropped)"
            )
        con.execute(
            "INSERT INTO mart.category_keywords_monthly "
            "SELECT * FROM keywords_fresh ORDER BY month, category, rank"
        )
        con.execute(
            "INSERT INTO intermediate.category_keywords_digests SELECT category, month, digest "
            "FROM keyword_groups SEMI JOIN keyword_groups_changed USING (category, month)"
        )
    finally:
        con.unregister("keywords_fresh")
    return changed
