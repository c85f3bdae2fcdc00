"""SLA clocks computed by hand: every clock, pauses, working days across National Day 2025."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import event, write_events, write_followups, write_phone, write_webform
from tousu.flows.loading import load_source
from tousu.flows.metrics.build import build_marts
from tousu.flows.settings import night_end
from tousu.flows.sources import SOURCES
from tousu.warehouse import db

SH = ZoneInfo("Asia/Shanghai")
AS_OF = night_end(date(2025, 11, 30), "Asia/Shanghai")  # 2025-12-01 00:00 +08:00


def at(month, day, hour, minute=0, second=0, year=2025):
    return datetime(year, month, day, hour, minute, second, tzinfo=SH)


def iso(month, day, hour, minute=0, year=2025):
    return at(month, day, hour, minute, year=year).isoformat()


def register(n, ticket, ref, when, channel="phone", urg="中", prio="中", cat="物流配送类"):
    return event(f"R{n}", ticket, "registered", when, "物流部", cat, urg, prio, channel, ref)


def build(con, inbox, run_date=date(2025, 11, 30), **kw):
    """A night: the deliveries loaded, core and the marts updated for what they bring (built in
    full the first time)."""
    for name in ("phone", "webform", "ticket_events", "satisfaction"):
        load_source(con, inbox, SOURCES[name], "r", run_date)
    db.build_core(con, new_loads=db.loads_core_lacks(con, "settings"))
    db.record_core_build(con, "r", str(run_date), True, "settings")
    return build_marts(con, night_end(run_date, "Asia/Shanghai"), **kw)


def clocks(con, clock):
    return {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT complaint_id || '#' || instance, status, deadline_at, stop_at, overrun_seconds, "
            "target_label, paused_seconds, elapsed_share FROM mart.sla_clocks WHERE clock = ? "
            "ORDER BY 1",
            [clock],
        ).fetchall()
    }


@pytest.fixture
def first_response_case(warehouse, tmp_path):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(
        inbox,
        "c.csv",
        [
            "CALL1,2025/11/03 10:00:00,2025/11/03 10:05:00,13812345671,甲,,坏了,退款,A1",  # exactly 5 min
            "CALL2,2025/11/03 10:00:00,2025/11/03 10:05:01,13812345672,乙,,坏了,退款,A1",  # 1 s late
            "CALL3,2025/11/29 10:00:00,,13812345673,丙,,坏了,退款,A1",  # never answered
        ],
    )
    write_webform(
        inbox,
        "w.csv",
        [
            "WF1,2025-11-03T02:00:00Z,丁,,d@x.cn,,,坏了,退款",  # 10:00 local, urgent: 1 h
            "WF2,2025-11-30T15:58:00Z,戊,,e@x.cn,,,坏了,退款",  # 23:58 local, 2 h: due after the night
        ],
    )
    write_events(
        inbox,
        "ticket_events_202511.csv",
        [
            register(1, "202511-00001", "CALL1", iso(11, 3, 10, 1)),
            register(2, "202511-00002", "CALL2", iso(11, 3, 10, 1)),
            register(3, "202511-00003", "CALL3", iso(11, 29, 10, 1)),
            register(4, "202511-00004", "WF1", iso(11, 3, 10, 1), "webform", urg="高"),
            event("E4", "202511-00004", "first_response", iso(11, 3, 11, 30)),
            register(5, "202511-00005", "WF2", iso(11, 30, 23, 59), "webform"),
        ],
    )
    build(con, inbox)
    return con


def test_first_response_met_at_the_deadline_breached_a_second_after(first_response_case):
    got = clocks(first_response_case, "first_response")
    assert got["202511-00001#1"][:4] == ("met", at(11, 3, 10, 5), at(11, 3, 10, 5), None)
    assert got["202511-00002#1"][0] == "breached"
    assert got["202511-00002#1"][3] == 1.0  # overrun seconds
    assert got["202511-00001#1"][4] == "5 minutes"


def test_urgent_complaint_gets_the_tighter_of_its_targets(first_response_case):
    status, deadline, stop, overrun, label, *_ = clocks(first_response_case, "first_response")[
        "202511-00004#1"
    ]
    # webform "messages" 2 h, urgent 1 h, everyone 24 h: 1 h wins
    assert (status, label, deadline, overrun) == ("breached", "1 hour", at(11, 3, 11), 1800.0)


def test_open_complaint_past_its_deadline_is_breached_today(first_response_case):
    status, deadline, stop, overrun, *_ = clocks(first_response_case, "first_response")[
        "202511-00003#1"
    ]
    assert (status, deadline, stop) == ("open_breached", at(11, 29, 10, 5), None)
    assert overrun == (AS_OF - at(11, 29, 10, 5)).total_seconds()
    breaches = first_response_case.execute(
        "SELECT complaint_id, status FROM mart.sla_breaches WHERE clock = 'first_response' "
        "ORDER BY 1"
    ).fetchall()
    assert breaches == [
        ("202511-00002", "breached"),
        ("202511-00003", "open_breached"),
        ("202511-00004", "breached"),
    ]


def test_open_complaint_not_yet_due_is_reported_apart(first_response_case):
    status, deadline, *_, share = clocks(first_response_case, "first_response")["202511-00005#1"]
    assert (status, deadline) == ("open_within", at(12, 1, 1, 58))
    assert share == round(2 / 120, 4)
    day = first_response_case.execute(
        "SELECT clocks, met, breached, open_within, compliance_rate FROM mart.sla_compliance_daily "
        "WHERE clock = 'first_response' AND day = DATE '2025-11-30'"
    ).fetchall()
    assert day == [(1, 0, 0, 1, None)]


@pytest.mark.parametrize("answered_a_night_later", [False, True])
def test_investigation_clock_pauses_while_waiting_on_the_customer(
    warehouse, tmp_path, answered_a_night_later
):
    """Answered a night later: that first night the clock pauses until the night; the next
    night's marts (an update, not a build in full) pause it until the answer only
    (warehouse/marts/11_sla_waits.sql)."""
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(
        inbox,
        "c.csv",
        ["CALL1,2025/11/03 10:00:00,2025/11/03 10:00:10,13812345671,甲,,坏了,退款,A1"],
    )
    waiting = [
        register(1, "202511-00001", "CALL1", iso(11, 3, 10)),  # priority 中: 48 h
        event("E2", "202511-00001", "awaiting_customer", iso(11, 3, 12)),
    ]
    answered = [
        event("E3", "202511-00001", "customer_responded", iso(11, 4, 12)),  # 24 h paused
        event("E4", "202511-00001", "investigation_started", iso(11, 6, 9)),  # 71 h - 24 h
    ]
    if answered_a_night_later:
        write_events(inbox, "ticket_events_20251104.csv", waiting)
        build(con, inbox, run_date=date(2025, 11, 4))  # the night ends 5 Nov 00:00
        status, deadline, *_, paused, _ = clocks(con, "investigation_started")["202511-00001#1"]
        assert (status, paused) == ("open_within", 36 * 3600.0)  # 3 Nov 12:00 to the night
        assert deadline == at(11, 6, 22)
        write_events(inbox, "ticket_events_20251130.csv", answered)
    else:
        write_events(inbox, "ticket_events_202511.csv", waiting + answered)
    build(con, inbox)
    status, deadline, stop, overrun, label, paused, _ = clocks(con, "investigation_started")[
        "202511-00001#1"
    ]
    assert (status, label, paused) == ("met", "48 hours", 86400.0)
    assert deadline == at(11, 6, 10)  # 48 h after registration, plus the 24 h paused
    assert con.execute("SELECT status FROM core.complaints").fetchall() == [("investigating",)]
    in_full = con.execute("SELECT in_full FROM ops.mart_builds ORDER BY as_of").fetchall()
    assert in_full == ([(True,), (False,)] if answered_a_night_later else [(True,)])


def test_a_clock_breached_without_a_stop_is_measured_to_each_night(warehouse, tmp_path):
    """A complaint closed without a first response: its clock is breached and measured up to
    the night, every night. On a night that brings another (earlier) event of the complaint, so
    that its core row is written again, the clock is measured up to that night too."""
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(inbox, "c.csv", ["CALL1,2025/11/03 10:00:00,,13812345671,甲,,坏了,退款,A1"])
    write_events(
        inbox,
        "ticket_events_20251104.csv",
        [
            register(1, "202511-00001", "CALL1", iso(11, 3, 10, 1)),
            event("E2", "202511-00001", "closed", iso(11, 3, 18)),
        ],
    )
    build(con, inbox, run_date=date(2025, 11, 4))  # the night ends 5 Nov 00:00
    status, deadline, stop, overrun, *_ = clocks(con, "first_response")["202511-00001#1"]
    assert (status, deadline, stop) == ("breached", at(11, 3, 10, 5), None)
    assert overrun == (at(11, 5, 0) - deadline).total_seconds()
    write_events(
        inbox,
        "ticket_events_20251130.csv",
        [event("E3", "202511-00001", "assigned", iso(11, 3, 12), "物流部")],
    )
    build(con, inbox)
    status, deadline, stop, overrun, *_ = clocks(con, "first_response")["202511-00001#1"]
    assert (status, deadline, stop) == ("breached", at(11, 3, 10, 5), None)
    assert overrun == (AS_OF - deadline).total_seconds()
    # a night that brings nothing for it moves its measures on (23_sla_refreshed.sql)
    build(con, inbox, run_date=date(2025, 12, 10))
    status, deadline, stop, overrun, *_ = clocks(con, "first_response")["202511-00001#1"]
    assert (status, stop, overrun) == ("breached", None, (at(12, 11, 0) - deadline).total_seconds())
    assert con.execute("SELECT in_full FROM ops.mart_builds ORDER BY as_of").fetchall() == [
        (True,),
        (False,),
        (False,),
    ]


@pytest.mark.parametrize(
    ("executed", "followed_up", "deadline", "status"),
    [
        # Tue 30 Sep 2025; 1-8 Oct off; Sat 11 Oct is a make-up workday: 9, 10, 11 Oct
        (iso(9, 30, 15), iso(10, 11, 16), at(10, 12, 0), "met"),
        (iso(9, 30, 15), iso(10, 12, 9), at(10, 12, 0), "breached"),
        # Fri 26 Sep; Sun 28 Sep is a make-up workday: 28, 29, 30 Sep
        (iso(9, 26, 17), iso(9, 30, 20), at(10, 1, 0), "met"),
        (iso(9, 26, 17), iso(10, 9, 9), at(10, 1, 0), "breached"),
    ],
)
def test_follow_up_within_three_working_days_across_national_day(
    warehouse, tmp_path, executed, followed_up, deadline, status
):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(
        inbox,
        "c.csv",
        ["CALL1,2025/09/20 10:00:00,2025/09/20 10:00:10,13812345671,甲,,坏了,退款,A1"],
    )
    write_events(
        inbox,
        "ticket_events_202509.csv",
        [
            register(1, "202509-00001", "CALL1", iso(9, 20, 10)),
            event("E2", "202509-00001", "executed", executed),
            event("E3", "202509-00001", "follow_up", followed_up),
        ],
    )
    build(con, inbox, run_date=date(2025, 10, 31))
    got = clocks(con, "follow_up")["202509-00001#1"]
    assert (got[0], got[1], got[4]) == (status, deadline, "3 working days")


def test_dissatisfied_follow_up_needs_a_new_remedy_within_24_hours(warehouse, tmp_path):
    _, con = warehouse
    inbox = tmp_path / "inbox"
    write_phone(
        inbox,
        "c.csv",
        [
            "CALL1,2025/11/03 10:00:00,2025/11/03 10:00:10,13812345671,甲,,坏了,退款,A1",
            "CALL2,2025/11/03 10:00:00,2025/11/03 10:00:10,13812345672,乙,,坏了,退款,A1",
        ],
    )
    write_events(
        inbox,
        "ticket_events_202511.csv",
        [
            register(1, "202511-00001", "CALL1", iso(11, 3, 10)),
            event("E2", "202511-00001", "follow_up", iso(11, 6, 10)),
            event("E3", "202511-00001", "reopened", iso(11, 6, 10, 5)),
            event("E4", "202511-00001", "remedy_agreed", iso(11, 7, 9)),
            register(5, "202511-00002", "CALL2", iso(11, 3, 10)),
            event("E6", "202511-00002", "follow_up", iso(11, 6, 10)),
            event("E7", "202511-00002", "closed", iso(11, 6, 10, 5)),  # closed without a new remedy
        ],
    )
    write_followups(
        inbox,
        "followups_202511.csv",
        [
            "F1,202511-00001,2025-11-06 10:00,电话回访,不满意,",
            "F2,202511-00002,2025-11-06 10:00,电话回访,非常不满意,",
        ],
    )
    build(con, inbox)
    got = clocks(con, "new_remedy_after_dissatisfaction")
    assert got["202511-00001#1"][:3] == ("met", at(11, 7, 10), at(11, 7, 9))
    assert got["202511-00002#1"][:3] == ("breached", at(11, 7, 10), None)
