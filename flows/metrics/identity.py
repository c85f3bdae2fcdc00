"""One customer across channels: complaints linked by any identifier they share.

Two complaints belong to the same customer when they share a normalised phone (E.164), email,
member number, social account, app account or a declared source's own customer id, directly or through a chain of complaints (the
same phone on one, the same phone and an email on another, that email on a third). This is
exact-key linkage; names are not used (they are masked and often nicknames).
"""

from __future__ import annotations

import duckdb
import polars as pl

from tousu.warehouse import db

IDENTIFIERS = ("phone", "email", "member_no", "social_id", "app_user_id", "source_customer_id")


def link_customers(complaints: pl.DataFrame) -> pl.DataFrame:
    """complaint_id -> customer_id (CUST- + the customer's earliest complaint id).

    Union-find over the complaints' positions in time order: each complaint holding an
    identifier is joined to the first complaint that held it, and a customer's root is always
    its earliest complaint. Positions and edges are integers (polars finds each value's first
    holder), so a million complaints take tens of megabytes, not a dictionary of every value."""
    ordered = complaints.sort("received_at", "complaint_id").with_row_index("i")
    parent = list(range(ordered.height))

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for kind in IDENTIFIERS:
        held = ordered.select("i", kind).drop_nulls(kind)
        edges = held.with_columns(first=pl.col("i").min().over(kind)).filter(
            pl.col("i") != pl.col("first")
        )
        for i, first in zip(edges["i"].to_list(), edges["first"].to_list(), strict=True):
            a, b = find(first), find(i)
            if a != b:
                parent[max(a, b)] = min(a, b)  # the earlier complaint stays the root
    ids = ordered["complaint_id"].to_list()
    return pl.DataFrame(
        {
            "complaint_id": ids,
            "customer_id": ["CUST-" + ids[find(i)] for i in range(len(ids))],
        }
    )


INPUTS = "intermediate.customer_link_inputs"  # what core.customer_links was linked from
# The linking rule the links were built by, kept as INPUTS' comment: links built by another rule
# are linked again in full. 2: the root is the earliest complaint (the first rule could keep a
# later one when a complaint joined two customers by two identifiers).
LINK_RULE = "link rule 2"
INPUT_COLUMNS = ("complaint_id", "received_at", "channel", *IDENTIFIERS)
# The customers whose links or complaints changed tonight (warehouse/marts/00_customers.sql
# builds only those again).
CHANGED = "intermediate.customers_changed"


def update_customer_links(
    con: duckdb.DuckDBPyConnection, everything: bool = False, core_changed: bool = True
) -> int:
    """Bring core.customer_links up to date with core.complaints; return how many complaints
    were linked again. (core.customers is built from the links by
    warehouse/marts/00_customers.sql.)

    Only the customers a change can reach are linked again: the complaints whose received time
    or identifiers changed (new, corrected or gone, found against INPUTS), the customers they
    belonged to, and every customer holding one of their identifiers now. No complaint outside
    that set shares an identifier with one inside it (it would have been linked to it before,
    or it holds a changed complaint's identifier), so linking the set alone gives the links a
    whole relink gives: a new key joins its customer, a complaint sharing the keys of two
    customers merges them, a corrected identifier can split one. `everything`: link all
    (and build every customer again); `core_changed` False: nothing to link.

    CHANGED names the customers to build again: those of the complaints linked again, under
    their old and their new ids (a customer merged away is deleted)."""
    columns = ", ".join(INPUT_COLUMNS)
    current = f"SELECT {columns} FROM core.complaints"
    if not db.tables_exist(con, "core.customers"):
        everything = True  # a first night, or a warehouse from before customers were kept
    if everything or not _inputs_as_now(con):
        links = link_customers(con.sql(current).pl())
        _replace_links(con, links)
        con.execute(f"CREATE OR REPLACE TABLE {INPUTS} AS {current}")
        con.execute(f"COMMENT ON TABLE {INPUTS} IS '{LINK_RULE}'")
        con.execute("DROP TABLE IF EXISTS core.customers")  # built again, by tonight's model
        con.execute(
            f"CREATE OR REPLACE TABLE {CHANGED} AS "
            "SELECT DISTINCT customer_id FROM core.customer_links"
        )
        return links.height
    con.execute(f"CREATE OR REPLACE TABLE {CHANGED} (customer_id VARCHAR)")
    if not core_changed:
        return 0
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE changed_complaints AS
        SELECT DISTINCT complaint_id FROM (
            ({current} EXCEPT SELECT {columns} FROM {INPUTS})
            UNION ALL
            (SELECT {columns} FROM {INPUTS} EXCEPT {current}))
        """
    )
    if con.execute("SELECT count(*) FROM changed_complaints").fetchall()[0][0] == 0:
        return 0
    # one equi-join per identifier (an OR of them would compare every pair of complaints)
    sharing = "\n            UNION\n".join(
        f"""            SELECT l.customer_id FROM core.complaints c
            JOIN changed_now n ON c.{k} = n.{k}
            JOIN core.customer_links l ON l.complaint_id = c.complaint_id"""
        for k in IDENTIFIERS
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE relinked AS
        WITH changed_now AS (
            SELECT * FROM core.complaints SEMI JOIN changed_complaints USING (complaint_id)
        ),
        reached AS (
            SELECT customer_id FROM core.customer_links
            SEMI JOIN changed_complaints USING (complaint_id)
            UNION
{sharing}
        )
        SELECT complaint_id FROM core.customer_links SEMI JOIN reached USING (customer_id)
        UNION
        SELECT complaint_id FROM changed_complaints
        """
    )
    scope = con.sql(f"{current} SEMI JOIN relinked USING (complaint_id)").pl()
    con.execute(
        f"INSERT INTO {CHANGED} SELECT DISTINCT customer_id FROM core.customer_links "
        "SEMI JOIN relinked USING (complaint_id)"
    )
    _replace_links(
        con, link_customers(scope), "complaint_id IN (SELECT complaint_id FROM relinked)"
    )
    con.execute(
        f"INSERT INTO {CHANGED} SELECT DISTINCT customer_id FROM core.customer_links "
        f"SEMI JOIN relinked USING (complaint_id) EXCEPT SELECT customer_id FROM {CHANGED}"
    )
    con.execute(f"DELETE FROM {INPUTS} WHERE complaint_id IN (SELECT * FROM changed_complaints)")
    con.execute(
        f"INSERT INTO {INPUTS} {current} WHERE complaint_id IN (SELECT * FROM changed_complaints)"
    )
    return scope.height


def _inputs_as_now(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether links and their inputs exist, the inputs with tonight's columns and linking rule
    (else, e.g. after an upgrade that links by more columns, everything is linked again)."""
    if not db.tables_exist(con, "core.customer_links", INPUTS):
        return False
    schema, table = INPUTS.split(".")
    rule = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ?",
        [schema, table],
    ).fetchall()
    if not rule or rule[0][0] != LINK_RULE:
        return False
    return tuple(con.sql(f"SELECT * FROM {INPUTS} LIMIT 0").columns) == INPUT_COLUMNS


def _replace_links(
    con: duckdb.DuckDBPyConnection, links: pl.DataFrame, where: str | None = None
) -> None:
    """Replace the links of the complaints `where` names (SQL), or all links, with `links`."""
    con.register("customer_links_frame", links)
    try:
        if where is None:
            con.execute(
                "CREATE OR REPLACE TABLE core.customer_links AS "
                "SELECT * FROM customer_links_frame ORDER BY complaint_id"
            )
        else:
            con.execute(f"DELETE FROM core.customer_links WHERE {where}")
            con.execute("INSERT INTO core.customer_links SELECT * FROM customer_links_frame")
    finally:
        con.unregister("customer_links_frame")
