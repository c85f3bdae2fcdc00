"""Repeat complaints across channels: identity, the 30-day edge, chains, pending windows."""

import random
from collections import namedtuple
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import event, write_events, write_phone, write_webform
from tests.unit.test_sla import build, register
from tousu.flows.metrics.identity import IDENTIFIERS, update_customer_links
from tousu.warehouse import db

LOGISTICS, QUALITY = "物流配送类", "产品质量类"
Rates = namedtuple(
    "Rates", "month complaints repeats repeat_rate window_passed came_back pending came_back_rate"
)


def test_repeats_are_found_across_channels_at_the_window_edge(warehouse, tmp_path):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(
        inbox,
        "c.csv",
        [
            "CALL1,2025/09/01 10:00:00,2025/09/01 10:00:10,13812345671,王伟,M1,快递丢了,退款,A1",
            "CALL3,2025/11/05 10:00:00,2025/11/05 10:00:10,+86 138 1234 5671,王伟,,外壳裂了,换货,A1",
            "CALL4,2025/11/06 10:00:00,2025/11/06 10:00:10,13812345671,王伟,,还是裂的,换货,A1",
            "CALL5,2025/11/07 10:00:00,2025/11/07 10:00:10,13912345675,李娜,,慢,道歉,A1",
        ],
    )
    write_webform(
        inbox,
        "w.csv",
        [
            # day 30 after CALL1, linked by the member number
            "WF1,2025-10-01T01:00:00Z,王伟,,wang@x.cn,M1,,又丢了,退款",
            # day 31 after WF1, linked by the email
            "WF2,2025-11-01T01:00:00Z,王伟,,wang@x.cn,,,第三次,退款",
        ],
    )
    t = "2025-{}T10:01:00+08:00"
    write_events(
        inbox,
        "ticket_events_2025.csv",
        [
            register(1, "202509-00001", "CALL1", t.format("09-01"), cat=LOGISTICS),
            register(2, "202510-00001", "WF1", t.format("10-01"), "webform", cat=LOGISTICS),
            register(3, "202511-00001", "WF2", t.format("11-01"), "webform", cat=LOGISTICS),
            register(4, "202511-00002", "CALL3", t.format("11-05"), cat=QUALITY),
            register(5, "202511-00003", "CALL4", t.format("11-06"), cat=QUALITY),
            register(6, "202511-00004", "CALL5", t.format("11-07"), cat=QUALITY),
            event("E7", "202511-00004", "closed", t.format("11-08")),
            event("E8", "202511-00004", "reopened", t.format("11-09")),
        ],
    )
    built = build(con, inbox, run_date=date(2025, 11, 30))

    assert built.customers == 2
    links = dict(
        con.execute("SELECT complaint_id, customer_id FROM core.customer_links").fetchall()
    )
    assert {
        links[c]
        for c in ("202509-00001", "202510-00001", "202511-00001", "202511-00002", "202511-00003")
    } == {"CUST-202509-00001"}
    assert con.execute(
        "SELECT channels, member_nos FROM core.customers WHERE customer_id = 'CUST-202509-00001'"
    ).fetchall() == [(["phone", "webform"], ["M1"])]

    repeats = con.execute(
        "SELECT complaint_id, previous_complaint_id, days_since_previous, repeat_reason "
        "FROM mart.repeat_complaints ORDER BY 1"
    ).fetchall()
    assert repeats == [
        ("202510-00001", "202509-00001", 30, "same_category"),  # day 30: in
        ("202511-00003", "202511-00002", 1, "same_category"),
        ("202511-00004", None, None, "reopened"),
    ]  # 202511-00001 is day 31 after 202510-00001: out; 202511-00002 is another category

    chains = con.execute(
        "SELECT chain_id, position, complaint_id, chain_length, "
        "channels_in_chain FROM mart.repeat_chains ORDER BY 1, 2"
    ).fetchall()
    assert chains == [
        ("202509-00001", 0, "202509-00001", 2, 2),
        ("202509-00001", 1, "202510-00001", 2, 2),
        ("202511-00002", 0, "202511-00002", 2, 1),
        ("202511-00002", 1, "202511-00003", 2, 1),
    ]

    rates = {
        m.month: m
        for m in [
            Rates(*r)
            for r in con.execute(
                "SELECT month, complaints, repeat_complaints, repeat_rate, window_passed, came_back, "
                "pending, came_back_rate FROM mart.repeat_rate_monthly WHERE channel = '(all)' AND "
                "department = '(all)' AND category = '(all)' AND priority = '(all)'"
            ).fetchall()
        ]
    }
    sep, nov = rates[date(2025, 9, 1)], rates[date(2025, 11, 1)]
    assert (sep.complaints, sep.repeats, sep.window_passed, sep.came_back, sep.came_back_rate) == (
        1,
        0,
        1,
        1,
        1.0,
    )
    # November's 30-day windows have not passed on 30 November: all pending, no rate yet
    assert (nov.complaints, nov.repeats, nov.repeat_rate, nov.pending, nov.came_back_rate) == (
        4,
        2,
        0.5,
        4,
        None,
    )


@pytest.mark.parametrize("seed", range(6))
def test_a_repeat_is_the_latest_earlier_complaint_it_matches_within_the_window(warehouse, seed):
    """warehouse/marts/40_repeat_complaints.sql against the rule written out pair by pair: a
    complaint repeats the latest earlier complaint (received time, then id) of its customer with
    the same category, or the same order or product when it has one, at most
    repeat_window_days local days before it; else, reopened, it repeats none."""
    _, con = warehouse
    rng = random.Random(seed)
    start = datetime(2025, 10, 1, tzinfo=UTC)
    rows = []
    for n in range(160):
        at = start + timedelta(hours=rng.randrange(24 * 80))
        if rows and rng.random() < 0.1:
            at = rows[-1][6]  # received at the same instant as another
        rows.append(
            (
                f"C{n:03d}",
                f"CUST-{rng.randrange(6)}",
                rng.choice(["phone", "webform"]),
                rng.choice([LOGISTICS, QUALITY, "服务态度类", None]),
                rng.choice([f"O{rng.randrange(4)}", None, None]),
                rng.choice([f"P{rng.randrange(3)}", None]),
                at,
                rng.choice([0, 0, 0, 1]),
            )
        )
    con.execute(
        "CREATE TABLE core.complaints (complaint_id VARCHAR, channel VARCHAR, category VARCHAR, "
        "department VARCHAR, order_no VARCHAR, product VARCHAR, received_at TIMESTAMPTZ, "
        "reopen_count INTEGER)"
    )
    con.execute("CREATE TABLE core.customer_links (complaint_id VARCHAR, customer_id VARCHAR)")
    con.executemany(
        "INSERT INTO core.complaints VALUES (?, ?, ?, 'D', ?, ?, ?, ?)",
        [
            (i, ch, cat, order, product, at, reopen)
            for i, _, ch, cat, order, product, at, reopen in rows
        ],
    )
    con.executemany("INSERT INTO core.customer_links VALUES (?, ?)", [r[:2] for r in rows])
    con.execute("CREATE SCHEMA IF NOT EXISTS intermediate")
    con.execute(
        "CREATE TABLE intermediate.repeat_customers AS "
        "SELECT DISTINCT customer_id, '-infinity'::TIMESTAMPTZ AS redecide_from "
        "FROM core.customer_links"
    )
    con.execute("SET VARIABLE repeat_window_days = 30")
    model = (db.SQL_DIR / "marts" / "40_repeat_complaints.sql").read_text(encoding="utf-8")
    con.execute(model[: model.index("CREATE TABLE IF NOT EXISTS")])
    found = con.execute(
        "SELECT complaint_id, previous_complaint_id, days_since_previous, repeat_reason "
        "FROM changed_repeat_complaints ORDER BY 1"
    ).fetchall()

    local = ZoneInfo("Asia/Shanghai")

    def day(at: datetime) -> date:
        return at.astimezone(local).date()

    expected = []
    for i, customer, _, cat, order, product, at, reopen in rows:
        matches = [
            o
            for o in rows
            if o[1] == customer
            and (o[6], o[0]) < (at, i)
            and (
                (cat is not None and o[3] == cat)
                or (order and o[4] == order)
                or (product and o[5] == product)
            )
            and (day(at) - day(o[6])).days <= 30
        ]
        if matches:
            o = max(matches, key=lambda o: (o[6], o[0]))
            reason = (
                "same_order"
                if order and o[4] == order
                else "same_category"
                if cat is not None and o[3] == cat
                else "same_product"
            )
            expected.append((i, o[0], (day(at) - day(o[6])).days, reason))
        elif reopen:
            expected.append((i, None, None, "reopened"))
    assert found == expected
    assert len(expected) > 20  # the rule is exercised, not vacuous


def _complaint(rng: random.Random, n: int) -> dict:
    """A complaint whose identifiers, categories, orders and products come from small pools, so
    that customers chain, merge and repeat."""
    return {
        "complaint_id": f"202510-{n:05d}",
        "received_at": datetime(2025, 10, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(24 * 90)),
        "channel": rng.choice(["phone", "email", "webform"]),
        **{k: (f"{k}{rng.randrange(60)}" if rng.random() < 0.25 else None) for k in IDENTIFIERS},
        "category": rng.choice([LOGISTICS, QUALITY, None]),
        "department": rng.choice(["D1", "D2"]),
        "order_no": rng.choice([f"O{rng.randrange(6)}", None, None]),
        "product": rng.choice([f"P{rng.randrange(3)}", None]),
        "reopen_count": rng.choice([0, 0, 0, 1]),
    }


@pytest.mark.parametrize("seed", range(12))
def test_deciding_again_from_each_customers_first_change_equals_deciding_everything(
    warehouse, seed
):
    """Nights of new complaints (some received before the others, some bridging two customers),
    corrections (classification, identifiers, received time, reopening) and complaints gone:
    after each, the repeats kept and those decided again (the links and customers_merged by
    flows/metrics/identity.py, warehouse/marts/39_repeat_customers.sql to 42_repeat_chains.sql)
    equal the repeats of every complaint decided afresh, and so do the chains; and the
    customers kept and built again (00_customers.sql) those built from every complaint."""
    _, con = warehouse
    rng = random.Random(seed)
    con.execute("CREATE SCHEMA IF NOT EXISTS intermediate")
    con.execute("SET VARIABLE repeat_window_days = 30")
    models = [
        (db.SQL_DIR / "marts" / name).read_text(encoding="utf-8")
        for name in (
            "00_customers.sql",
            "39_repeat_customers.sql",
            "40_repeat_complaints.sql",
            "41_repeat_changed.sql",
            "42_repeat_chains.sql",
        )
    ]
    columns = ("complaint_id", "received_at", "channel", *IDENTIFIERS, "category", "department")
    columns += ("order_no", "product", "reopen_count")
    types = {"received_at": "TIMESTAMPTZ", "reopen_count": "INTEGER"}
    fields = ", ".join(f"{c} {types.get(c, 'VARCHAR')}" for c in columns)
    rows = [_complaint(rng, n) for n in range(160)]
    touched = {r["complaint_id"] for r in rows}
    next_id, partial = len(rows), 0
    for night in range(5):
        con.execute(
            "CREATE OR REPLACE TABLE core.complaints AS "
            f"SELECT unnest(?::STRUCT({fields})[], recursive := true)",
            [rows],
        )
        con.execute(
            "CREATE OR REPLACE TABLE intermediate.marts_changed AS "
            "SELECT unnest(?::VARCHAR[]) AS complaint_id",
            [sorted(touched)],
        )
        if night == 0:
            update_customer_links(con)  # core.customers is built by 00_customers.sql
        else:
            update_customer_links(con, within="intermediate.marts_changed")
        for model in models:
            con.execute(model)
        customers = "SELECT * FROM {} ORDER BY customer_id"
        con.execute("CREATE OR REPLACE TEMP TABLE every_complaint AS SELECT * FROM core.complaints")
        assert (
            con.execute(customers.format("core.customers")).fetchall()
            == con.execute(customers.format("customer_rows('every_complaint')")).fetchall()
        )
        kept = con.execute(
            "SELECT complaint_id, customer_id, previous_complaint_id, days_since_previous, "
            "repeat_reason, reopen_count FROM mart.repeat_complaints ORDER BY 1"
        ).fetchall()
        partial += con.execute(
            "SELECT count(*) FROM intermediate.repeat_customers WHERE redecide_from > '-infinity'"
        ).fetchall()[0][0]
        con.execute(
            "CREATE OR REPLACE TABLE intermediate.repeat_customers AS SELECT DISTINCT "
            "customer_id, '-infinity'::TIMESTAMPTZ AS redecide_from FROM core.customer_links"
        )
        afresh = con.execute(
            "SELECT complaint_id, customer_id, previous_complaint_id, days_since_previous, "
            "repeat_reason, reopen_count FROM changed_repeat_complaints ORDER BY 1"
        ).fetchall()
        assert kept == afresh, f"seed {seed}, night {night}"
        assert len(afresh) > 20  # the rule is exercised, not vacuous
        chains = "SELECT * FROM {} ORDER BY chain_id, position, complaint_id"
        kept = con.execute(chains.format("mart.repeat_chains")).fetchall()
        con.execute(
            "CREATE OR REPLACE TEMP TABLE chain_customers AS "
            "SELECT DISTINCT customer_id FROM core.customer_links"
        )
        assert kept == con.execute(chains.format("changed_repeat_chains")).fetchall()
        touched = set()
        for _ in range(rng.randrange(1, 6)):
            change = rng.random()
            if change < 0.5:  # new, at any time of the period: late ones land among the others
                rows.append(_complaint(rng, next_id))
                touched.add(rows[-1]["complaint_id"])
                next_id += 1
            else:
                i = rng.randrange(len(rows))
                touched.add(rows[i]["complaint_id"])
                if change < 0.6:  # assigned to another department: its repeat stays
                    rows[i] |= {"department": "D2" if rows[i]["department"] == "D1" else "D1"}
                elif change < 0.7:  # classified or assigned again, or reopened
                    fresh = _complaint(rng, 0)
                    rows[i] |= {
                        k: fresh[k]
                        for k in ("category", "department", "order_no", "product", "reopen_count")
                    }
                elif change < 0.8:  # other identifiers: a customer may split
                    fresh = _complaint(rng, 0)
                    rows[i] |= {k: fresh[k] for k in IDENTIFIERS}
                elif change < 0.9:  # received at another time
                    rows[i] |= {"received_at": _complaint(rng, 0)["received_at"]}
                else:  # gone from core
                    rows.pop(i)
    assert partial > 0  # some customers were decided again only from their first change
