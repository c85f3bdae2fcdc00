"""One customer across channels: complaints linked by any identifier they share.

Two complaints belong to the same customer when they share a normalised phone (E.164), email,
member number, social account, app account or a declared source's own customer id, directly or through a chain of complaints (the
same phone on one, the same phone and an email on another, that email on a third). This is
exact-key linkage; names are not used (they are masked and often nicknames).
"""

from __future__ import annotations

import duckdb
import polars as pl

IDENTIFIERS = ("phone", "email", "member_no", "social_id", "app_user_id", "source_customer_id")


def link_customers(complaints: pl.DataFrame) -> pl.DataFrame:
    """complaint_id -> customer_id (CUST- + the customer's earliest complaint id)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    ordered = complaints.sort("received_at", "complaint_id")
    for cid in ordered["complaint_id"]:
        parent[cid] = cid
    first_with: dict[tuple[str, str], str] = {}
    for row in ordered.select("complaint_id", *IDENTIFIERS).iter_rows():
        cid = row[0]
        for kind, value in zip(IDENTIFIERS, row[1:], strict=True):
            if value is None:
                continue
            other = first_with.setdefault((kind, value), cid)
            if other != cid:
                a, b = find(other), find(cid)
                if a != b:
                    parent[b] = a  # a came first: roots stay the earliest complaint
    return pl.DataFrame({
        "complaint_id": ordered["complaint_id"],
        "customer_id": ["CUST-" + find(c) for c in ordered["complaint_id"]],
    })


CUSTOMERS_SQL = """
CREATE OR REPLACE TABLE core.customers AS
SELECT l.customer_id,
       min(c.received_at)                                   AS first_complaint_at,
       max(c.received_at)                                   AS last_complaint_at,
       count(*)                                             AS complaints,
       list_sort(list_distinct(list(c.channel)))            AS channels,
       list_sort(list_distinct(list(c.phone)))              AS phones,
       list_sort(list_distinct(list(c.email)))              AS emails,
       list_sort(list_distinct(list(c.member_no)))          AS member_nos,
       list_sort(list_distinct(list(c.social_id)))          AS social_ids,
       list_sort(list_distinct(list(c.app_user_id)))        AS app_user_ids,
       list_sort(list_distinct(list(c.source_customer_id))) AS source_customer_ids
FROM core.customer_links l JOIN core.complaints c USING (complaint_id)
GROUP BY l.customer_id
ORDER BY l.customer_id
"""


def build_customers(con: duckdb.DuckDBPyConnection) -> int:
    """Write core.customer_links and core.customers; return the number of customers."""
    complaints = con.sql(
        "SELECT complaint_id, received_at, " + ", ".join(IDENTIFIERS) + " FROM core.complaints"
    ).pl()
    links = link_customers(complaints)
    con.register("customer_links_frame", links)
    try:
        con.execute("CREATE OR REPLACE TABLE core.customer_links AS "
                    "SELECT * FROM customer_links_frame ORDER BY complaint_id")
    finally:
        con.unregister("customer_links_frame")
    con.execute(CUSTOMERS_SQL)
    return con.execute("SELECT count(*) FROM core.customers").fetchall()[0][0]
