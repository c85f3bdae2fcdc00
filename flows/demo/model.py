"""The demo's ground truth: customers and complaints with their whole lifecycle.

Channel writers (writers.py) then render each complaint as its channel's system would export it.
Everything is drawn from one seeded random generator, so the same arguments give the same inbox.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tousu.flows.demo import texts
from tousu.flows.vocab import CATEGORIES, DEMANDS, SATISFACTION_LEVELS, SATISFACTION_NO_ANSWER

SHANGHAI = ZoneInfo("Asia/Shanghai")

CHANNEL_SHARE = {
    "phone": 0.30,
    "chat": 0.24,
    "email": 0.12,
    "social": 0.08,
    "store": 0.10,
    "webform": 0.16,
}
# The demo's logistics plan was done on 30 April 2026; from May the category falls by about 45%.
LOGISTICS_FIX = date(2026, 5, 1)
CATEGORY_SHARE = {
    "产品质量类": 0.30,
    "服务态度类": 0.15,
    "物流配送类": 0.22,
    "售后流程类": 0.18,
    "信息宣传类": 0.07,
    "其他类": 0.08,
}


@dataclass
class Customer:
    key: int
    name: str
    phone: str
    email: str
    member_no: str | None
    social_id: str
    social_name: str
    app_user_id: str


@dataclass
class Complaint:
    complaint_id: str
    channel: str
    source_ref: str
    customer: Customer
    received_at: datetime
    category: str
    department: str
    urgency: str
    priority: str
    description: str
    demand: str
    product: str
    # (event, occurred_at, department) in order; only events up to the demo's end are kept.
    events: list[tuple[str, datetime]] = field(default_factory=list)
    # (followed_up_at, result) per follow-up call.
    followups: list[tuple[datetime, str]] = field(default_factory=list)
    first_response_at: datetime | None = None
    store: str | None = None


def _choice(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def make_customers(rng: random.Random, n: int) -> list[Customer]:
    customers = []
    used_phones: set[str] = set()
    for key in range(n):
        name = rng.choice(texts.SURNAMES) + "".join(rng.choices(texts.GIVEN, k=rng.choice((1, 2))))
        while True:
            phone = (
                rng.choice(("138", "139", "150", "186", "189", "177", "136"))
                + f"{rng.randrange(10**8):08d}"
            )
            if phone not in used_phones:
                used_phones.add(phone)
                break
        email = f"user{key:06d}{rng.randrange(100):02d}@{rng.choice(texts.EMAIL_DOMAINS)}"
        member = f"M{rng.randrange(10**8):08d}" if rng.random() < 0.55 else None
        customers.append(
            Customer(
                key=key,
                name=name,
                phone=phone,
                email=email,
                member_no=member,
                social_id=str(5_000_000_000 + key * 7919),
                social_name=f"{name[0]}{rng.choice(('小', '大', '老', '阿'))}{rng.randrange(1000)}",
                app_user_id=f"U{key:07d}",
            )
        )
    return customers


def _working_hours_time(rng: random.Random, day: date) -> datetime:
    # Complaints cluster in the day: 08:00-22:00 mostly, a few at night.
    hour = rng.choices(
        range(24),
        weights=[1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 10, 9, 9, 10, 10, 9, 8, 8, 8, 7, 6, 4, 2],
    )[0]
    return datetime(
        day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=SHANGHAI
    )


def _lifecycle(rng: random.Random, c: Complaint, until: datetime) -> None:
    """Draw the complaint's events; drop those after the demo's end (the complaint is open)."""
    t = c.received_at
    ev: list[tuple[str, datetime]] = []
    registered = t + timedelta(minutes=rng.uniform(1, 25))
    ev.append(("registered", registered))
    if c.channel in ("store", "webform"):
        # No reply evidence in these exports: the ticket system records the first response.
        delay = (
            timedelta(minutes=rng.uniform(0, 3))
            if c.channel == "store"
            else timedelta(
                minutes=rng.expovariate(1 / 40) if rng.random() < 0.9 else rng.uniform(120, 1800)
            )
        )
        ev.append(("first_response", t + delay))
    assigned = registered + timedelta(minutes=rng.uniform(10, 240))
    ev.append(("assigned", assigned))
    limit_h = {"高": 24, "中": 48, "低": 72}[c.priority]
    inv = assigned + timedelta(
        hours=rng.uniform(0.5, limit_h * (1.25 if rng.random() < 0.1 else 0.9))
    )
    if rng.random() < 0.12:  # the handler needs something from the customer first
        waiting = assigned + timedelta(hours=rng.uniform(0.2, 6))
        answered = waiting + timedelta(hours=rng.uniform(1, 72))
        ev += [("awaiting_customer", waiting), ("customer_responded", answered)]
        inv += answered - waiting
    ev.append(("investigation_started", inv))
    remedy = inv + timedelta(hours=rng.uniform(4, 72))
    ev.append(("remedy_agreed", remedy))
    executed = remedy + timedelta(hours=rng.uniform(2, 96))
    ev.append(("executed", executed))
    rounds = 0
    while True:
        follow = executed + timedelta(hours=rng.uniform(6, 5 * 24 if rng.random() < 0.15 else 60))
        ev.append(("follow_up", follow))
        result = (
            SATISFACTION_NO_ANSWER
            if rng.random() < 0.08
            else rng.choices(SATISFACTION_LEVELS, weights=[30, 38, 15, 11, 6])[0]
        )
        c.followups.append((follow, result))
        if result in ("不满意", "非常不满意") and rounds == 0 and rng.random() < 0.6:
            rounds += 1
            reopened = follow + timedelta(minutes=rng.uniform(5, 120))
            ev.append(("reopened", reopened))
            remedy = reopened + timedelta(hours=rng.uniform(2, 30))
            ev.append(("remedy_agreed", remedy))
            executed = remedy + timedelta(hours=rng.uniform(2, 48))
            ev.append(("executed", executed))
            continue
        ev.append(("closed", follow + timedelta(minutes=rng.uniform(5, 180))))
        break
    c.events = [(name, at) for name, at in ev if at <= until]
    c.followups = [(at, r) for at, r in c.followups if at <= until]


def _first_response(rng: random.Random, c: Complaint) -> datetime | None:
    t = c.received_at
    if c.channel == "phone":  # answered: seconds, a few queued past 5 minutes
        return t + timedelta(
            seconds=rng.expovariate(1 / 60) if rng.random() < 0.93 else rng.uniform(300, 900)
        )
    if c.channel == "chat":
        return t + timedelta(
            seconds=rng.expovariate(1 / 120) if rng.random() < 0.9 else rng.uniform(300, 1800)
        )
    if c.channel == "email":
        return t + timedelta(
            minutes=rng.expovariate(1 / 50) if rng.random() < 0.85 else rng.uniform(120, 1500)
        )
    if c.channel == "social":
        return t + timedelta(
            minutes=rng.expovariate(1 / 70) if rng.random() < 0.8 else rng.uniform(120, 2000)
        )
    # store and webform: the ticket's first_response event, unless it falls after the demo's end
    return next((at for name, at in c.events if name == "first_response"), None)


def make_complaints(rng: random.Random, n: int, start: date, until: date) -> list[Complaint]:
    """n complaints received between start and until (inclusive), ids in registration order."""
    customers = make_customers(rng, max(10, int(n * 0.62)))
    # A few customers complain often: weight by a heavy tail so repeats exist to be found.
    weights = [1 / (1 + (i % 97)) ** 0.6 for i in range(len(customers))]
    end = datetime(until.year, until.month, until.day, 23, 59, 59, tzinfo=SHANGHAI)
    days = (until - start).days + 1
    picked = rng.choices(customers, weights=weights, k=n)  # one draw: weights summed once
    drafts = [
        (cust, _working_hours_time(rng, start + timedelta(days=rng.randrange(days))))
        for cust in picked
    ]
    # Repeats: some complaints are the same customer coming back on the same matter, often on
    # another channel, within days.
    for i in rng.sample(range(n), k=n // 12):
        j = rng.randrange(n)
        cust, t = drafts[j]
        later = t + timedelta(days=rng.uniform(1, 40))
        if later <= end:
            drafts[i] = (cust, later)
    drafts.sort(key=lambda d: (d[1], d[0].key))

    complaints: list[Complaint] = []
    last_category: dict[int, tuple[str, datetime]] = {}
    for cust, received in drafts:
        prev = last_category.get(cust.key)
        if prev and (received - prev[1]).days <= 40 and rng.random() < 0.6:
            category = prev[0]
        else:
            category = _choice(rng, CATEGORY_SHARE)
        if category == "物流配送类" and received.date() >= LOGISTICS_FIX and rng.random() < 0.45:
            # the demo's improvement plan (packaging and hand-over) took effect: fewer of these
            category = _choice(rng, {k: v for k, v in CATEGORY_SHARE.items() if k != category})
        last_category[cust.key] = (category, received)
        urgency = rng.choices(("高", "中", "低"), weights=[12, 58, 30])[0]
        priority = urgency if rng.random() < 0.85 else rng.choice(("高", "中", "低"))
        product = rng.choice(texts.PRODUCTS)
        demand = rng.choice(DEMANDS)
        description = rng.choice(texts.PROBLEMS[category]).format(p=product)
        channel = _choice(rng, CHANNEL_SHARE)
        complaints.append(
            Complaint(
                complaint_id="",
                channel=channel,
                source_ref="",
                customer=cust,
                received_at=received,
                category=category,
                department=CATEGORIES[category],
                urgency=urgency,
                priority=priority,
                description=description,
                demand=demand,
                product=product,
                store=rng.choice(list(texts.STORES)) if channel == "store" else None,
            )
        )

    # Register in order: the ticket system numbers YYYYMM-NNNNN by registration month.
    counters: dict[str, int] = {}
    per_channel: dict[str, int] = {}
    registered_complaints = []
    for c in complaints:
        _lifecycle(rng, c, end)
        if not c.events:  # received in the last minutes, not registered before the end
            continue
        registered_complaints.append(c)
        registered = c.events[0][1]
        month = registered.strftime("%Y%m")
        counters[month] = counters.get(month, 0) + 1
        c.complaint_id = f"{month}-{counters[month]:05d}"
        per_channel[c.channel] = per_channel.get(c.channel, 0) + 1
        c.source_ref = _source_ref(c, per_channel[c.channel])
        fr = _first_response(rng, c)
        c.first_response_at = fr if fr is not None and fr <= end else None
    return registered_complaints


def _source_ref(c: Complaint, seq: int) -> str:
    day = c.received_at.strftime("%Y%m%d")
    return {
        "phone": f"CALL{day}{seq:07d}",
        "chat": f"CS{day}{seq:07d}",
        "email": f"<cmp.{day}.{seq:07d}@mail.customer.example>",
        "social": str(4_900_000_000_000_000 + seq * 104729),
        "store": f"{c.store}-{day}-{seq:06d}",
        "webform": f"WF-{seq:08d}",
    }[c.channel]
