"""Linking customers night by night gives the links a whole relink gives."""

import random
from datetime import UTC, datetime, timedelta

import duckdb
import polars as pl
import pytest

from tousu.flows.metrics.identity import IDENTIFIERS, link_customers, update_customer_links

START = datetime(2025, 10, 1, tzinfo=UTC)


def complaint(rng: random.Random, n: int) -> dict:
    """A complaint whose identifiers come from small pools, so that customers chain and merge."""
    return {
        "complaint_id": f"202510-{n:05d}",
        "received_at": START + timedelta(hours=rng.randrange(24 * 60)),
        "channel": rng.choice(["phone", "email", "webform"]),
        **{k: (f"{k}{rng.randrange(40)}" if rng.random() < 0.3 else None) for k in IDENTIFIERS},
    }


def write_core(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    frame = pl.DataFrame(
        rows,
        schema={
            "complaint_id": pl.String,
            "received_at": pl.Datetime("us", "UTC"),
            "channel": pl.String,
            **{k: pl.String for k in IDENTIFIERS},
        },
    )
    con.register("frame", frame)
    con.execute("CREATE OR REPLACE TABLE core.complaints AS SELECT * FROM frame")
    con.unregister("frame")


def links(con) -> dict[str, str]:
    return dict(con.execute("SELECT complaint_id, customer_id FROM core.customer_links").fetchall())


@pytest.mark.parametrize("new_only", [False, True], ids=["any change", "new complaints only"])
@pytest.mark.parametrize("seed", range(12))
def test_relinking_only_what_a_change_reaches_equals_linking_everything(seed, new_only):
    """Any change relinks the customers it reaches; nights that bring only new complaints (the
    usual night) join them to the customers they reach, which stay whole."""
    rng = random.Random(seed)
    con = duckdb.connect()
    con.execute("CREATE SCHEMA core; CREATE SCHEMA intermediate")
    rows = [complaint(rng, n) for n in range(150)]
    write_core(con, rows)
    assert update_customer_links(con) == 150  # the first night links everything
    # (warehouse/marts/00_customers.sql builds core.customers after the links; kept from now on)
    con.execute("CREATE TABLE core.customers (customer_id VARCHAR)")
    next_id = 150
    for _night in range(4):
        touched = set()  # what core wrote tonight (intermediate.marts_pending)
        for _ in range(rng.randrange(1, 12)):
            change = rng.random()
            if new_only and change < 0.2:  # arriving late: received before every other, and
                # its id sorts before every other (a value's first holder is no new complaint)
                rows.append(
                    complaint(rng, next_id)
                    | {
                        "complaint_id": f"202509-{next_id:05d}",
                        "received_at": START - timedelta(days=1),
                    }
                )
                touched.add(rows[-1]["complaint_id"])
                next_id += 1
            elif change < 0.4 or new_only:  # a new complaint, often joining or bridging customers
                rows.append(complaint(rng, next_id))
                touched.add(rows[-1]["complaint_id"])
                next_id += 1
            elif change < 0.7:  # a correction: other identifiers (a customer may split)
                i = rng.randrange(len(rows))
                rows[i] = {**complaint(rng, 0), "complaint_id": rows[i]["complaint_id"]}
                touched.add(rows[i]["complaint_id"])
            elif change < 0.85:  # received earlier: the customer's first complaint changes
                i = rng.randrange(len(rows))
                rows[i] = {**rows[i], "received_at": START - timedelta(hours=rng.randrange(99))}
                touched.add(rows[i]["complaint_id"])
            else:  # gone from core (its registration was corrected away)
                touched.add(rows.pop(rng.randrange(len(rows)))["complaint_id"])
        write_core(con, rows)
        before = links(con)
        # half the seeds compare only what core wrote, as the marts build does
        con.execute(
            "CREATE OR REPLACE TABLE pending AS SELECT unnest(?::VARCHAR[]) AS complaint_id",
            [sorted(touched)],
        )
        relinked = update_customer_links(con, within="pending" if seed % 2 else None)
        whole = link_customers(con.sql("SELECT * FROM core.complaints").pl())
        assert links(con) == dict(whole.iter_rows()), f"seed {seed}, night {_night}"
        assert relinked <= len(rows)
        # every customer that gained, lost or changed a complaint is named to be built again
        moved = {c for c in before if before.get(c) != links(con).get(c)}
        named = {
            c
            for (c,) in con.execute(
                "SELECT customer_id FROM intermediate.customers_changed"
            ).fetchall()
        }
        assert {before[c] for c in moved if c in before} <= named
        assert {links(con)[c] for c in moved if c in links(con)} <= named
    write_core(con, rows)
    assert update_customer_links(con) == 0  # nothing changed: nothing relinked


def linked_night(seed: int) -> duckdb.DuckDBPyConnection:
    """Twenty complaints linked by a first night (core.customers kept from then on)."""
    rng = random.Random(seed)
    con = duckdb.connect()
    con.execute("CREATE SCHEMA core; CREATE SCHEMA intermediate")
    write_core(con, [complaint(rng, n) for n in range(20)])
    update_customer_links(con)
    con.execute("CREATE TABLE core.customers (customer_id VARCHAR)")
    return con


def test_inputs_kept_by_an_earlier_version_mean_linking_everything_again():
    con = linked_night(7)
    con.execute("ALTER TABLE intermediate.customer_link_inputs DROP COLUMN channel")
    assert update_customer_links(con) == 20


def test_links_built_by_the_first_rule_mean_linking_everything_again():
    con = linked_night(8)
    assert update_customer_links(con) == 0
    con.execute("COMMENT ON TABLE intermediate.customer_link_inputs IS NULL")  # before the rule
    assert update_customer_links(con) == 20


@pytest.mark.parametrize("seed", range(8))
def test_a_customer_is_every_complaint_an_identifier_chain_reaches_named_by_the_earliest(seed):
    """Against a plain search over the shared identifiers; the earliest complaint names the
    customer even when a later complaint joins two customers by two identifiers (complaint 5
    sharing a phone with 1 and an email with 3 makes one customer CUST-1, not CUST-3)."""
    rng = random.Random(seed)
    rows = [complaint(rng, n) for n in range(120)]
    by_id = {r["complaint_id"]: r for r in rows}
    got = dict(link_customers(pl.DataFrame(rows)).iter_rows())
    seen: set[str] = set()
    for start in by_id:
        if start in seen:
            continue
        group, todo = {start}, [start]
        while todo:
            a = by_id[todo.pop()]
            for b in by_id.values():
                shares = any(a[k] is not None and a[k] == b[k] for k in IDENTIFIERS)
                if shares and b["complaint_id"] not in group:
                    group.add(b["complaint_id"])
                    todo.append(b["complaint_id"])
        seen |= group
        first = min(group, key=lambda c: (by_id[c]["received_at"], c))
        assert {got[c] for c in group} == {f"CUST-{first}"}, f"seed {seed}"
