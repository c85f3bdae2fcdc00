"""Changing the policy never rewrites final results silently; a recompute is explicit."""

from datetime import date

import pytest

from tests.helpers import write_events, write_phone
from tests.unit.test_sla import build, register
from tousu.flows.metrics.build import build_marts
from tousu.flows.metrics.policy import DEFAULT_POLICY, PolicyError, load_policy
from tousu.flows.settings import night_end
from tousu.warehouse import db

CALLS = [
    "CALL1,2025/11/03 10:00:00,2025/11/03 10:07:00,13812345671,甲,,坏了,退款,A1",  # 7 min
    "CALL2,2025/11/29 10:00:00,,13812345672,乙,,坏了,退款,A1",
]  # open


def calls_registered(tmp_path, calls: int):
    """An inbox with the CALLS export and the registrations of its first `calls` calls."""
    inbox = tmp_path / "inbox"
    write_phone(inbox, "c.csv", CALLS)
    registrations = [
        register(1, "202511-00001", "CALL1", "2025-11-03T10:01:00+08:00"),
        register(2, "202511-00002", "CALL2", "2025-11-29T10:01:00+08:00"),
    ]
    write_events(inbox, "ticket_events_202511.csv", registrations[:calls])
    return inbox


def policy_with(tmp_path, version, phone_minutes):
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    text = text.replace('version: "2026.11-1"', f'version: "{version}"')
    text = text.replace(
        "      - when: {channel: [phone, chat]}\n        minutes: 5",
        f"      - when: {{channel: [phone, chat]}}\n        minutes: {phone_minutes}",
    )
    path = tmp_path / f"policy-{version}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def statuses(con):
    return con.execute(
        "SELECT complaint_id, status, policy_version FROM mart.sla_clocks "
        "WHERE clock = 'first_response' ORDER BY 1"
    ).fetchall()


def test_final_results_keep_their_policy_until_an_explicit_recompute(warehouse, tmp_path):
    _, con = warehouse
    inbox = calls_registered(tmp_path, 2)
    build(con, inbox, policy_path=policy_with(tmp_path, "v1", 5))
    assert statuses(con) == [
        ("202511-00001", "breached", "v1"),
        ("202511-00002", "open_breached", "v1"),
    ]

    as_of = night_end(date(2025, 11, 30), "Asia/Shanghai")
    built = build_marts(con, as_of, policy_path=policy_with(tmp_path, "v2", 10))
    # the final result stays as computed; the open clock follows the new policy
    assert statuses(con) == [
        ("202511-00001", "breached", "v1"),
        ("202511-00002", "open_breached", "v2"),
    ]
    assert built.kept_with_older_policy == {"v1": 1}
    assert con.execute("SELECT count(*) FROM ops.recomputes").fetchall() == [(0,)]

    build_marts(con, as_of, policy_path=policy_with(tmp_path, "v2", 10), recompute=True)
    assert statuses(con) == [("202511-00001", "met", "v2"), ("202511-00002", "open_breached", "v2")]
    assert con.execute(
        "SELECT policy_version, clocks_changed > 0 FROM ops.recomputes"
    ).fetchall() == [("v2", True)]
    assert [
        v for (v,) in con.execute("SELECT version FROM ops.policy_versions ORDER BY 1").fetchall()
    ] == ["v1", "v2"]


def test_a_changed_policy_under_the_same_version_is_refused(warehouse, tmp_path):
    _, con = warehouse
    db.build_core(con)
    as_of = night_end(date(2025, 11, 30), "Asia/Shanghai")
    db_policy = policy_with(tmp_path, "v1", 5)
    build_marts(con, as_of, policy_path=db_policy)
    db_policy.write_text(db_policy.read_text().replace("minutes: 5", "minutes: 6"))
    with pytest.raises(PolicyError, match="version is still 'v1'"):
        build_marts(con, as_of, policy_path=db_policy)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("minutes: 5", "minutes: -5"), "clocks.first_response.targets.2.minutes"),
        (("first_response:", "first_reply:"), "unknown clock(s) first_reply"),
        (
            ("channel: [phone, chat]", "channel: [fax]"),
            "clocks.first_response.targets.2.when.channel",
        ),
        (
            (
                "hours: 24\n      - when: {urgency",
                "hours: 24\n        minutes: 3\n      - when: {urgency",
            ),
            "exactly one of minutes, hours, working_days",
        ),
    ],
)
def test_a_policy_with_a_mistake_is_refused_naming_where(tmp_path, edit, message):
    path = tmp_path / "p.yml"
    path.write_text(DEFAULT_POLICY.read_text(encoding="utf-8").replace(*edit, 1), encoding="utf-8")
    with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_policy(path)


def test_the_shipped_policy_encodes_the_seed_clocks():
    policy, _ = load_policy()
    labels = {
        (
            r["clock"],
            tuple(r["when_channel"] or ()),
            tuple(r["when_priority"] or ()),
            tuple(r["when_urgency"] or ()),
        ): r["target_label"]
        for r in policy.rule_rows()
    }
    assert labels[("first_response", ("phone", "chat"), (), ())] == "5 minutes"
    assert labels[("first_response", ("email", "social", "webform"), (), ())] == "2 hours"
    assert labels[("first_response", (), (), ())] == "24 hours"
    assert labels[("first_response", (), (), ("高",))] == "1 hour"
    assert [labels[("investigation_started", (), (p,), ())] for p in "高中低"] == [
        "24 hours",
        "48 hours",
        "72 hours",
    ]
    assert labels[("follow_up", (), (), ())] == "3 working days"
    assert labels[("new_remedy_after_dissatisfaction", (), (), ())] == "24 hours"
    assert policy.repeat.window_days == 30


def test_clocks_kept_by_another_version_of_the_model_are_not_mixed_in(warehouse, tmp_path):
    """mart.sla_clocks is kept across nights; a table whose columns are not the model's stops
    the build with what to do, and the recompute builds it again."""
    _, con = warehouse
    inbox = calls_registered(tmp_path, 1)
    build(con, inbox)
    con.execute("ALTER TABLE mart.sla_clocks ADD COLUMN from_an_older_model VARCHAR")
    as_of = night_end(date(2025, 11, 30), "Asia/Shanghai")
    with pytest.raises(Exception, match="tousu metrics recompute"):
        build_marts(con, as_of)
    build_marts(con, as_of, recompute=True)
    assert statuses(con) == [("202511-00001", "breached", "2026.11-1")]
    assert "from_an_older_model" not in [
        r[0] for r in con.execute("DESCRIBE mart.sla_clocks").fetchall()
    ]
