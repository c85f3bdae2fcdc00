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
    return pl.DataFrame(
        {
            "complaint_id": ordered["complaint_id"],
            "customer_id": ["CUST-" + find(c) for c in ordered["complaint_id"]],
        }
    )


def build_customer_links(con: duckdb.DuckDBPyConnection) -> None:
    """Write core.customer_links (core.customers is built from it by
    warehouse/marts/00_customers.sql)."""
    complaints = con.sql(
        "SELECT complaint_id, received_at, " + ", ".join(IDENTIFIERS) + " FROM core.complaints"
    ).pl()
    links = link_customers(complaints)
    con.register("customer_links_frame", links)
    try:
        con.execute(
            "CREATE OR REPLACE TABLE core.customer_links AS "
            "SELECT * FROM customer_links_frame ORDER BY complaint_id"
        )
    finally:
        con.unregister("customer_links_frame")
