"""One customer across channels: complaints linked by any identifier they share.

Two complaints belong to the same customer when they share a normalised phone (E.164), email,
member number, social account, app account or a declared source's own customer id, directly or through a chain of complaints (the
same phone on one, the same phone and an email on another, that email on a third). This is
exact-key linkage; names are not used (they are masked and often nicknames).
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import numpy as np
import polars as pl
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from tousu.warehouse import db

IDENTIFIERS = ("phone", "email", "member_no", "social_id", "app_user_id", "source_customer_id")


def link_customers(complaints: pl.DataFrame) -> pl.DataFrame:
    """complaint_id -> customer_id (CUST- + the customer's earliest complaint id).

    The complaints' positions in time order are a graph's nodes; each complaint holding an
    identifier is joined to the first complaint that held it, and a customer is a connected
    component, named by its earliest position. Positions and edges are integer arrays (polars
    finds each value's first holder, SciPy the components), not a dictionary of every value.
    The positions come from an argsort, not a sorted copy of the frame: polars took 266 MiB to
    sort the 981,109 complaints of a 1,000,000-complaint demo, the argsort 35 MiB."""
    order = complaints.select(pl.arg_sort_by("received_at", "complaint_id")).to_series().to_numpy()
    position = np.empty_like(order)
    position[order] = np.arange(order.size, dtype=order.dtype)
    at = pl.Series("i", position)
    holders = (
        complaints.select(at, value=pl.col(kind)).drop_nulls("value") for kind in IDENTIFIERS
    )
    roots = _earliest_roots(complaints.height, holders)
    return complaints.select("complaint_id", customer_id=_named_by(order[roots[position]]))


def _named_by(rows: np.ndarray) -> pl.Expr:
    """CUST- + the complaint id at the given row of each (its customer's earliest complaint)."""
    return pl.lit("CUST-") + pl.col("complaint_id").gather(pl.Series(rows))


def _earliest_roots(nodes: int, holders: Iterable[pl.DataFrame]) -> np.ndarray:
    """The root of each of `nodes` positions (0 .. nodes-1, in time order) when every two
    positions holding the same value of one identifier (`holders`: a frame of columns i, value
    per identifier) are one customer: the earliest position of its component.

    SciPy's connected components, not a union-find over Python lists: linking 981,109
    complaints took 1.9 s and 405 MiB above its input that way, 0.6 s and 150 MiB now."""
    edges = pl.concat(
        [
            held.with_columns(first=pl.col("i").min().over("value"))
            .filter(pl.col("i") != pl.col("first"))
            .select(pl.col("i", "first").cast(pl.Int32))
            for held in holders  # one frame per identifier, empty or not
        ]
    )
    graph = coo_array(
        (np.ones(edges.height, dtype=np.int8), (edges["i"].to_numpy(), edges["first"].to_numpy())),
        shape=(nodes, nodes),
    )
    _, component = connected_components(graph, directed=False)
    # positions are in time order: a component's first position in the labels is its earliest
    _, earliest = np.unique(component, return_index=True)
    return earliest[component]


INPUTS = "intermediate.customer_link_inputs"  # what core.customer_links was linked from
# The linking rule the links were built by, kept as INPUTS' comment: links built by another rule
# are linked again in full. 2: the root is the earliest complaint (the first rule could keep a
# later one when a complaint joined two customers by two identifiers).
LINK_RULE = "link rule 2"
INPUT_COLUMNS = ("complaint_id", "received_at", "channel", *IDENTIFIERS)
# The customers whose links or complaints changed tonight (warehouse/marts/00_customers.sql
# builds only those again).
CHANGED = "intermediate.customers_changed"
# Of those, the customers whose complaints changed otherwise than by tonight's new complaints
# joining them (merged, split, renamed, a complaint corrected or gone: under their old and new
# ids): their repeats are decided again over their whole history, the others' only from their
# first new complaint on (warehouse/marts/39_repeat_customers.sql).
MERGED = "intermediate.customers_merged"
# The complaints linked tonight for the first time to a customer that was not merged:
# core.customers adds them to the customer's row as it was (warehouse/marts/00_customers.sql).
ADDED = "intermediate.links_added"


def update_customer_links(
    con: duckdb.DuckDBPyConnection,
    everything: bool = False,
    within: str | None = None,
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
    customers merges them, a corrected identifier can split one. When every changed complaint
    is new, the customers they reach are not linked again but joined whole
    (_link_new_complaints). `everything`: link all (and build every customer again);
    `within`: a table of the complaint ids core wrote since the links were last updated
    (intermediate.marts_pending), the only ones that can have changed, so the comparison with
    INPUTS reads those alone, not the whole history.

    CHANGED names the customers to build again: those of the complaints linked again, under
    their old and their new ids (a customer merged away is deleted); MERGED those of them that
    did not only gain new complaints, ADDED the new complaints of the others."""
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
        con.execute(f"CREATE OR REPLACE TABLE {MERGED} AS SELECT customer_id FROM {CHANGED}")
        con.execute(f"CREATE OR REPLACE TABLE {ADDED} (complaint_id VARCHAR)")
        return links.height
    for table, column in (
        (CHANGED, "customer_id"),
        (MERGED, "customer_id"),
        (ADDED, "complaint_id"),
    ):
        con.execute(f"CREATE OR REPLACE TABLE {table} ({column} VARCHAR)")
    only = f" SEMI JOIN {within} USING (complaint_id)" if within else ""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE changed_complaints AS
        SELECT DISTINCT complaint_id FROM (
            ({current}{only} EXCEPT SELECT {columns} FROM {INPUTS}{only})
            UNION ALL
            (SELECT {columns} FROM {INPUTS}{only} EXCEPT {current}{only}))
        """
    )
    if con.execute("SELECT count(*) FROM changed_complaints").fetchall()[0][0] == 0:
        return 0
    altered = con.execute(
        f"SELECT count(*) FROM changed_complaints SEMI JOIN {INPUTS} USING (complaint_id)"
    ).fetchall()[0][0]
    if not altered:
        joined = _link_new_complaints(con)
        if joined is not None:
            return joined
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
            SELECT customer_id FROM ({_customers_holding("changed_now")})
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
    con.execute(f"INSERT INTO {MERGED} SELECT customer_id FROM {CHANGED}")
    con.execute(f"DELETE FROM {INPUTS} WHERE complaint_id IN (SELECT * FROM changed_complaints)")
    con.execute(
        f"INSERT INTO {INPUTS} {current} WHERE complaint_id IN (SELECT * FROM changed_complaints)"
    )
    return scope.height


def _link_new_complaints(con: duckdb.DuckDBPyConnection) -> int | None:
    """Link tonight's changed complaints when every one is new (none was linked before, none
    changed or went): earlier customers then stay whole, so each is one node, ordered by its
    earliest complaint (the one its id names), beside the new complaints; a new complaint joins
    the customers holding one of its identifiers, and one holding those of two customers merges
    them under the earlier root. A whole relink gives the same links: the links of earlier
    complaints only ever change here by their customer joining another. Reads the new
    complaints, the earlier complaints sharing one of their identifiers and those customers'
    earliest complaints, not the customers' every complaint (a ten-year customer reached by one
    new complaint). Returns how many complaints got a link or a new customer id; None when a
    customer's earliest complaint is missing (links not as the rule builds them): the caller
    links the reached customers again."""
    columns = ", ".join(INPUT_COLUMNS)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE new_complaints AS SELECT {columns} FROM core.complaints "
        "SEMI JOIN changed_complaints USING (complaint_id)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE reached_values AS SELECT kind, value, customer_id AS node "
        f"FROM ({_customers_holding('new_complaints')})"
    )
    nodes = con.sql(
        """
        SELECT complaint_id AS node, received_at, complaint_id, true AS is_new
        FROM new_complaints
        UNION ALL
        SELECT r.node, c.received_at, c.complaint_id, false
        FROM (SELECT DISTINCT node FROM reached_values) r
        LEFT JOIN core.complaints c ON c.complaint_id = substr(r.node, 6)
        """
    ).pl()
    if nodes["received_at"].null_count() > nodes.filter("is_new")["received_at"].null_count():
        return None
    ordered = nodes.sort("received_at", "complaint_id").with_row_index("i")
    index = ordered.select("node", "i")
    new_values = "\nUNION ALL\n".join(
        f"SELECT '{k}' AS kind, {k} AS value, complaint_id AS node FROM new_complaints "
        f"WHERE {k} IS NOT NULL"
        for k in IDENTIFIERS
    )
    values = con.sql(f"{new_values}\nUNION ALL\nSELECT * FROM reached_values").pl()
    values = values.join(index, on="node")
    roots = _earliest_roots(
        ordered.height,
        (values.filter(pl.col("kind") == k).select("i", "value") for k in IDENTIFIERS),
    )
    linked = ordered.select("node", "is_new", customer_id=_named_by(roots))
    links = linked.filter("is_new").select(complaint_id="node", customer_id="customer_id")
    renamed = linked.filter(~pl.col("is_new") & (pl.col("node") != pl.col("customer_id")))
    moved = _rename_customers(con, renamed.select(old="node", new="customer_id"))
    _replace_links(con, links, "complaint_id IN (SELECT complaint_id FROM new_complaints)")
    # the customers reached (under their old ids) and every customer tonight's complaints joined
    con.register("customers_now", linked)
    try:
        con.execute(
            f"INSERT INTO {CHANGED} SELECT node FROM customers_now WHERE NOT is_new "
            "UNION SELECT customer_id FROM customers_now"
        )
        # a customer renamed: merged into an earlier one, or given an earlier first complaint
        con.execute(
            f"INSERT INTO {MERGED} SELECT node FROM customers_now "
            "WHERE NOT is_new AND node <> customer_id "
            "UNION SELECT customer_id FROM customers_now WHERE NOT is_new AND node <> customer_id"
        )
    finally:
        con.unregister("customers_now")
    con.execute(f"INSERT INTO {INPUTS} SELECT * FROM new_complaints")
    con.execute(f"INSERT INTO {ADDED} SELECT complaint_id FROM new_complaints")
    return links.height + int(moved)


def _customers_holding(complaints: str) -> str:
    """SQL of (kind, value, customer_id): each identifier value the complaints of the table
    `complaints` hold, with the customer of the other complaints in core holding it.

    Complaints sharing a value are one customer (the links put them there), so one holder per
    value names it: the value's first other complaint, found by one equi-join per identifier
    (an OR of them would compare every pair of complaints), then its customer by one join with
    the links. On the 9,000,000-complaint history's October night 77,499 new complaints' values
    are held by 2.07M complaints (a long-lived customer's phone is on each of its complaints):
    joining every holder to the links took 5.7-7.0 s, one holder per value 2.7-3.2 s. The
    complaints themselves are left out: a new one has no link yet, and a changed one's customer
    as it was is read from its link by the caller."""
    holding = "\n        UNION ALL\n".join(
        f"SELECT '{k}' AS kind, c.{k} AS value, min(c.complaint_id) AS complaint_id "
        f"FROM core.complaints c WHERE c.{k} IN (SELECT {k} FROM {complaints}) "
        f"AND c.complaint_id NOT IN (SELECT complaint_id FROM {complaints}) GROUP BY c.{k}"
        for k in IDENTIFIERS
    )
    return (
        f"WITH holding AS MATERIALIZED (\n        {holding}\n    )\n"
        "    SELECT DISTINCT h.kind, h.value, l.customer_id\n"
        "    FROM holding h JOIN core.customer_links l USING (complaint_id)"
    )


def _rename_customers(con: duckdb.DuckDBPyConnection, renamed: pl.DataFrame) -> int:
    """Give the links of each customer `renamed` names (columns old, new) the new id; return
    how many links moved. Deleted by their rows and written again, not updated in place: an
    UPDATE of the id column on disk took 5.0 s for the 16,020 links of 1,065 customers merged
    by the 9,000,000-complaint history's October night, this 0.7 s (a scan of the links to find
    them, then 16,020 rows)."""
    con.register("customers_renamed", renamed)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE links_renamed AS "
            "SELECT l.rowid AS link_row, l.complaint_id, r.new AS customer_id "
            "FROM core.customer_links l JOIN customers_renamed r ON l.customer_id = r.old"
        )
    finally:
        con.unregister("customers_renamed")
    con.execute(
        "DELETE FROM core.customer_links WHERE rowid IN (SELECT link_row FROM links_renamed)"
    )
    [(moved,)] = con.execute(
        "INSERT INTO core.customer_links BY NAME "
        "SELECT complaint_id, customer_id FROM links_renamed"
    ).fetchall()
    con.execute("DROP TABLE links_renamed")
    return moved


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
