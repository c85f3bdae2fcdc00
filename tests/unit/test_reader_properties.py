"""Every reader, fed arbitrary bytes, truncations and line splices of a valid file: it never
raises anything but FileRejected, never shifts a record's number, and accounts for every record
(rows + rejects, each number once)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bad_inputs import _chat, _event, _phone
from tests.helpers import PHONE_HEADER, WEBFORM_HEADER
from tousu.flows.byo.mapping import load_mapping
from tousu.flows.byo.source import read_declared
from tousu.flows.intake import chat, email, phone, social, store, ticket_system, webform
from tousu.flows.intake.delivered import Delivered, FileRejected

PHONE_FILE = (
    "\r\n".join(
        [
            PHONE_HEADER,
            _phone(1),
            _phone(2, desc='"多行\r\n描述"'),
            _phone(3),
            _phone(4, desc='"含,逗号"'),
        ]
    )
    + "\r\n"
).encode("gbk")
WEBFORM_FILE = (
    "\ufeff"
    + "\n".join(
        [
            WEBFORM_HEADER,
            "WF1,2025-11-01T02:00:00Z,李娜,13812345671,,,,坏了,退款",
            '"WF2",2025-11-02T02:00:00Z,王芳,,w@x.cn,,,"第一行\n第二行",退款',
            "WF3,2025-11-03T02:00:00Z,赵六,13812345673,,,,慢,道歉",
        ]
    )
    + "\n"
).encode()
EVENTS_FILE = (
    "event_id,ticket_no,event,occurred_at,operator,department,category,urgency,"
    "priority,channel,source_ref,note\n"
    + "\n".join(_event(n, f"CALL{n}") for n in range(1, 5))
    + "\n"
).encode()
FOLLOWUPS_FILE = (
    "followup_id,ticket_no,followed_up_at,method,result,comment\n"
    "F1,202511-00001,2025-11-05T10:00:00+08:00,电话,满意,\n"
    'F2,202511-00002,2025-11-05T11:00:00+08:00,电话,不满意,"还是\n坏的"\n'
).encode()
CHAT_FILE = "\n".join(_chat(n) for n in range(1, 5)).encode() + b"\n"
SOCIAL_FILE = json.dumps(
    {
        "platform": "weibo",
        "mentions": [
            {
                "id": f"M{n}",
                "created_at": "Mon Nov 03 10:00:00 +0800 2025",
                "user": {"id": f"u{n}", "screen_name": "小李"},
                "text": "快递丢了",
                "comments": [],
            }
            for n in range(1, 4)
        ],
    },
    ensure_ascii=False,
).encode()
EMAIL_FILE = (
    "From: =?utf-8?b?"
    + base64.b64encode("王强".encode()).decode()
    + "?= <wq@163.com>\r\nTo: service@brand.example.cn\r\nSubject: complaint\r\n"
    "Date: Mon, 03 Nov 2025 14:05:22 +0800\r\nMessage-ID: <m1@mail.example>\r\n"
    'Content-Type: text/plain; charset="utf-8"\r\n\r\n空气炸锅漏电\r\n'
).encode()
MAPPING = """source: shop
files: shop/*.{ext}
format: {{type: {ext}, delimiter: ";"}}
datetime_formats: ["%Y-%m-%d %H:%M:%S"]
fields:
  record_id: id
  received_at: at
  description: text
"""
DECLARED_CSV = 'id;at;text\n1;2023-07-01 10:00:00;坏了\n2;2023-07-02 10:00:00;"两\n行"\n'.encode()
DECLARED_JSONL = (
    "\n".join(
        json.dumps({"id": n, "at": "2023-07-01 10:00:00", "text": "坏了"}) for n in range(1, 4)
    ).encode()
    + b"\n"
)

# (reader, a valid file, its name, whether record numbers are counted 1..n without gaps)
READERS = {
    "phone": (phone.read, PHONE_FILE, "phone/c.csv", True),
    "webform": (webform.read, WEBFORM_FILE, "webform/w.csv", True),
    "ticket_events": (ticket_system.read_events, EVENTS_FILE, "ticket_system/e.csv", True),
    "satisfaction": (ticket_system.read_followups, FOLLOWUPS_FILE, "ticket_system/f.csv", True),
    "chat": (chat.read, CHAT_FILE, "chat/s.jsonl", False),  # numbered by line: blanks skipped
    "social": (social.read, SOCIAL_FILE, "social/w.json", True),
    "email": (email.read, EMAIL_FILE, "email/m.eml", True),
}


def _declared(ext: str, tmp: Path):
    path = tmp / f"m_{ext}.yml"
    path.write_text(MAPPING.format(ext=ext), encoding="utf-8")
    m = load_mapping(path)
    return lambda p, rel: read_declared(m, "CN", p, rel)


def read(reader, data: bytes, tmp: Path, name: str) -> Delivered | None:
    path = tmp / name.replace("/", "_")
    path.write_bytes(data)
    try:
        return reader(path, name)
    except FileRejected:
        return None  # refused as a whole, with a reason: allowed


def numbers(d: Delivered) -> list[int]:
    return [*d.rows["_row_number"].to_list(), *(r.row_number for r in d.rejects)]


def check_accounting(d: Delivered | None, contiguous: bool) -> None:
    if d is None:
        return
    got = numbers(d)
    assert len(got) == len(set(got)) == d.rows_read  # every record once, loaded or rejected
    if contiguous:
        assert sorted(got) == list(range(1, d.rows_read + 1))
    for column in d.rows.columns:
        if d.rows[column].dtype == d.rows["_row_number"].dtype:
            continue
        texts = [v for v in d.rows[column].to_list() if isinstance(v, str)]
        assert not any("\ufffd" in v or "\x00" in v for v in texts), column


PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize("name", [*READERS, "declared_csv", "declared_jsonl", "store"])
@PROPERTY
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_never_escape_the_reader(name, data, tmp_path):
    if name == "store":
        reader, contiguous, rel = store.read, True, "stores/s.xlsx"
    elif name.startswith("declared"):
        ext = name.split("_")[1]
        reader, contiguous, rel = _declared(ext, tmp_path), ext != "jsonl", f"shop/x.{ext}"
    else:
        reader, _, rel, contiguous = READERS[name]
    check_accounting(read(reader, data, tmp_path, rel), contiguous)


def _valid(name: str, tmp: Path):
    if name == "declared_csv":
        return _declared("csv", tmp), DECLARED_CSV, "shop/x.csv", True
    if name == "declared_jsonl":
        return _declared("jsonl", tmp), DECLARED_JSONL, "shop/x.jsonl", False
    return READERS[name]


def _records(d: Delivered) -> dict[int, dict]:
    return {r["_row_number"]: r for r in d.rows.to_dicts()}


@pytest.mark.parametrize("name", [*READERS, "declared_csv", "declared_jsonl"])
@PROPERTY
@given(cut=st.floats(min_value=0, max_value=1))
def test_a_truncated_file_keeps_every_complete_record_and_its_number(name, cut, tmp_path):
    reader, data, rel, contiguous = _valid(name, tmp_path)
    whole = read(reader, data, tmp_path, rel)
    assert whole is not None and whole.rejects == []
    at = int(len(data) * cut)
    part = read(reader, data[:at], tmp_path, rel)
    check_accounting(part, contiguous)
    if part is None:
        return
    full, kept = _records(whole), _records(part)
    # Known limit: a cut inside the last field of an unquoted last line leaves a record with the
    # right number of fields; nothing in the bytes tells it from a file without a final newline.
    last_unsure = not data[:at].endswith(b"\n") and max(kept, default=0)
    if name == "email":  # one record; a text body cut inside is indistinguishable from a short one
        last_unsure = 1
    for number, record in kept.items():
        assert number in full
        assert record == full[number] or number == last_unsure, (number, record)


@pytest.mark.parametrize(
    "name",
    ["phone", "webform", "ticket_events", "satisfaction", "chat", "declared_csv", "declared_jsonl"],
)
@PROPERTY
@given(
    junk=st.binary(min_size=1, max_size=60).filter(lambda b: b"\n" not in b),
    where=st.floats(min_value=0, max_value=1),
)
def test_a_spliced_line_leaves_the_records_before_it_alone(name, junk, where, tmp_path):
    reader, data, rel, contiguous = _valid(name, tmp_path)
    lines = data.split(b"\n")
    at = max(1, int(len(lines) * where))  # after the header line
    spliced = b"\n".join([*lines[:at], junk, *lines[at:]])
    part = read(reader, spliced, tmp_path, rel)
    check_accounting(part, contiguous)
    if part is None:
        return
    # The records the lines before the splice hold on their own keep their number and values.
    before = read(reader, b"\n".join(lines[:at]) + b"\n", tmp_path, rel)
    if before is None:
        return
    got = _records(part)
    for number, record in _records(before).items():
        assert got.get(number) == record, (number, got.get(number), record)


@PROPERTY
@given(
    rows=st.lists(
        st.lists(
            st.text(alphabet=st.sampled_from(list('ab中文,"\n\r ;=') + ["\u2028"]), max_size=6),
            min_size=3,
            max_size=3,
        ),
        max_size=8,
    ),
    gbk=st.booleans(),
    trailing=st.booleans(),
    cut=st.integers(min_value=0, max_value=3),
    line_end=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_the_clean_file_fast_path_reads_exactly_what_the_record_reader_reads(
    gbk, rows, trailing, cut, line_end, tmp_path
):
    """A clean UTF-8 file goes to DuckDB's strict CSV reader; anything it would reject goes
    record by record. Either way the records and their numbers are the same."""
    import csv as csv_module
    import io

    from tousu.flows.intake.csv_export import read_csv_records

    out = io.StringIO()
    writer = csv_module.writer(out, lineterminator=line_end)
    writer.writerows([["id", "at", "text"], *rows])
    data = (
        out.getvalue().replace("\u2028", "" if gbk else "\u2028").encode("gbk" if gbk else "utf-8")
    )
    data = data if trailing else data.rstrip(b"\r\n")
    data = data[: len(data) - cut] if cut else data
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    try:
        slow = read_csv_records(data, "gbk" if gbk else "utf-8", "fix")
    except FileRejected:
        return
    fast = read_csv_records(data, "gbk" if gbk else "utf-8", "fix", path=path, duckdb_from_bytes=0)
    assert fast.frame().to_dicts() == slow.frame().to_dicts()
    assert [(r.row_number, r.check_name) for r in fast.rejects] == [
        (r.row_number, r.check_name) for r in slow.rejects
    ]
