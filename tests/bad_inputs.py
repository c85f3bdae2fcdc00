"""A corpus of hostile inputs beside good ones, each case with the outcome the night owes it.

`write_corpus(root)` writes an inbox, a mapping folder and a sibling folder outside the inbox
(with a marker that must never reach the warehouse), and returns the manifest: one Case per file
or mapping. The end-to-end test runs one real night over it (tests/e2e/test_bad_inputs.py).
The bytes are written here on purpose (GBK, Windows-1252, NUL bytes, cut-short records, a
symbolic link): a file checked in would be "fixed" by an editor or git's line-ending rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import PHONE_HEADER, WEBFORM_HEADER

SECRET = "TOUSU-OUTSIDE-MARKER-7f3a"  # in files outside the inbox: must never be read


@dataclass
class Case:
    name: str  # what it is
    file: str  # inbox path (or mapping file name for `refused_at_validation`)
    # loaded | file_failed | refused_at_validation
    outcome: str
    rows_loaded: int = 0
    quarantined: dict[int, str] = field(default_factory=dict)  # record number -> check
    says: str = ""  # the error or note must contain this


def _phone(n: int, desc: str = "电饭煲坏了", name: str = "张伟") -> str:
    return (
        f"CALL{n},2025/11/0{n} 10:00:00,2025/11/0{n} 10:00:30,1381234567{n},{name},,{desc},退款,A1"
    )


def _event(n: int, ref: str, channel: str = "phone") -> str:
    return (
        f"EV{n},202511-{n:05d},registered,2025-11-0{n}T10:01:00+08:00,A1,客服部,产品质量类,"
        f"中,中,{channel},{ref},"
    )


def _chat(n: int) -> str:
    return json.dumps(
        {
            "session_id": f"CS{n}",
            "entry": "app",
            "started_at": f"2025-11-0{n}T10:00:00+08:00",
            "user": {
                "user_id": f"U{n}",
                "nickname": "小王",
                "phone": "13900001111",
                "member_no": None,
            },
            "demand": "退款",
            "messages": [
                {"ts": f"2025-11-0{n}T10:00:05+08:00", "from": "customer", "text": "耳机没声音"}
            ],
        },
        ensure_ascii=False,
    )


def write_corpus(root: Path) -> tuple[Path, Path, list[Case]]:
    """(inbox, mapping folder, manifest)."""
    inbox, mappings, outside = root / "inbox", root / "mappings", root / "outside"
    for folder in (
        "phone",
        "chat",
        "webform",
        "social",
        "ticket_system",
        "shop",
        "escape",
        "absolute",
    ):
        (inbox / folder).mkdir(parents=True, exist_ok=True)
    mappings.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    # Outside the inbox: what a pattern with '..' or a symlink would read.
    (outside / "secret.csv").write_text(
        f"工单号;受理时间;内容\n{SECRET};2023-07-01 10:00:00;{SECRET}\n", encoding="utf-8"
    )
    (outside / "passwd").write_text(f"root:x:0:0:{SECRET}:/root:/bin/bash\n", encoding="utf-8")

    # 1. JSONL: a line cut short and a line of random bytes among good sessions.
    (inbox / "chat" / "sessions_bad_lines.jsonl").write_bytes(
        (_chat(1) + "\n" + _chat(2)[:40] + "\n").encode()
        + b"\x8f\xff\x00garbage\xfe\n"
        + (_chat(4) + "\n").encode()
    )
    cases.append(
        Case(
            "jsonl: a cut line and random bytes; the rest loads",
            "chat/sessions_bad_lines.jsonl",
            "loaded",
            2,
            {2: "json_object", 3: "encoding_valid"},
        )
    )

    # 2. Built-in CSV cut inside a quoted field of its last record.
    lines = [PHONE_HEADER, _phone(1), _phone(2), _phone(3).replace("电饭煲坏了", '"电饭煲坏了，')]
    (inbox / "phone" / "callcenter_cut.csv").write_bytes("\r\n".join(lines).encode("gbk"))
    cases.append(
        Case(
            "phone CSV cut inside a quoted field",
            "phone/callcenter_cut.csv",
            "loaded",
            2,
            {3: "record_complete"},
            says="",
        )
    )

    # 3. Quoted newline in record 1, wrong-encoding line in record 3: the reject is record 3.
    web = [
        WEBFORM_HEADER.encode(),
        '"WF1",2025-11-01T02:00:00Z,李娜,13812345671,,,,"第一行\n第二行",退款'.encode(),
        "WF2,2025-11-02T02:00:00Z,王芳,13812345672,,,,坏了,退款".encode(),
        "WF3,2025-11-03T02:00:00Z,赵六,13812345673,,,,GBK 写的行,退款".encode("gbk"),
        "WF4,2025-11-04T02:00:00Z,周七,13812345674,,,,好的一行,退款".encode(),
    ]
    (inbox / "webform" / "web_multiline.csv").write_bytes(b"\xef\xbb\xbf" + b"\n".join(web) + b"\n")
    cases.append(
        Case(
            "quoted newline before a wrong-encoding line: the right record is rejected",
            "webform/web_multiline.csv",
            "loaded",
            3,
            {3: "encoding_valid"},
        )
    )

    # 5a. Windows-1252 text in a GBK export: loads, with a note saying it looks mis-declared.
    cp = [PHONE_HEADER.encode("gbk")] + [
        _phone(n, desc="broken kettle", name=name).replace("退款", "").encode("cp1252")
        for n, name in ((4, "Renée"), (5, "Müller"), (6, "Françoise"))
    ]
    (inbox / "phone" / "callcenter_cp1252.csv").write_bytes(b"\r\n".join(cp) + b"\r\n")
    cases.append(
        Case(
            "Windows-1252 names in a GBK export: noted",
            "phone/callcenter_cp1252.csv",
            "loaded",
            3,
            says="look like Windows-1252",
        )
    )

    # 5b. NUL bytes inside a ticket-system export: stripped, with a note; nothing reaches raw.
    events = (
        "event_id,ticket_no,event,occurred_at,operator,department,category,urgency,"
        "priority,channel,source_ref,note\n"
        + _event(1, "CALL1")
        + "\n"
        + _event(2, "CALL2").replace("客服部", "客服\x00部")
        + "\n"
    )
    (inbox / "ticket_system" / "ticket_events_nul.csv").write_bytes(events.encode())
    cases.append(
        Case(
            "NUL bytes in a CSV: removed with a note",
            "ticket_system/ticket_events_nul.csv",
            "loaded",
            2,
            says="NUL byte",
        )
    )

    # 6a. A symlink in an inbox folder to a system file outside: never opened.
    (inbox / "phone" / "linked.csv").symlink_to(outside / "passwd")
    cases.append(
        Case(
            "symlink to a file outside the inbox",
            "phone/linked.csv",
            "file_failed",
            says="outside the inbox",
        )
    )

    # 6b / 7. Mappings whose files: pattern escapes the inbox: refused when validated.
    (mappings / "escape.yml").write_text(
        'source: escape\nfiles: "../outside/*.csv"\nformat: {type: csv, delimiter: ";"}\n'
        "fields:\n  record_id: 工单号\n  received_at: 受理时间\n  description: 内容\n",
        encoding="utf-8",
    )
    cases.append(
        Case(
            "mapping pattern with '..'",
            "escape.yml",
            "refused_at_validation",
            says="climbs out of the inbox",
        )
    )
    (mappings / "absolute.yml").write_text(
        f'source: absolute\nfiles: "{outside / "passwd"}"\nformat: {{type: csv}}\n'
        "fields:\n  record_id: a\n  received_at: b\n",
        encoding="utf-8",
    )
    cases.append(
        Case(
            "mapping with an absolute pattern",
            "absolute.yml",
            "refused_at_validation",
            says="absolute path",
        )
    )
    # A file in the refused mappings' own folders fails with the mapping's error.
    (inbox / "escape" / "x.csv").write_text(
        "工单号;受理时间;内容\n1;2023-07-01 10:00:00;x\n", encoding="utf-8"
    )
    cases.append(
        Case(
            "a file of a source whose mapping is refused",
            "escape/x.csv",
            "file_failed",
            says="mapping cannot be used",
        )
    )

    # 8. An unreadable social export fails alone; the good one beside it loads.
    (inbox / "social" / "weibo_cut.json").write_text(
        '{"platform": "weibo", "mentions": [{"id": ', encoding="utf-8"
    )
    cases.append(
        Case(
            "unreadable social JSON fails alone",
            "social/weibo_cut.json",
            "file_failed",
            says="not readable JSON",
        )
    )
    good_post = {
        "id": "M1",
        "created_at": "Mon Nov 03 10:00:00 +0800 2025",
        "user": {"id": "u1", "screen_name": "小李"},
        "text": "快递丢了",
        "comments": [],
    }
    (inbox / "social" / "weibo_good.json").write_text(
        json.dumps({"platform": "weibo", "mentions": [good_post]}, ensure_ascii=False),
        encoding="utf-8",
    )
    cases.append(Case("a good social export beside it", "social/weibo_good.json", "loaded", 1))

    # Good files of the register so the channel records become complaints.
    (inbox / "ticket_system" / "ticket_events_good.csv").write_text(
        "event_id,ticket_no,event,occurred_at,operator,department,category,urgency,priority,"
        "channel,source_ref,note\n"
        + _event(3, "CALL4")
        + "\n"
        + _event(4, "WF2", "webform")
        + "\n",
        encoding="utf-8",
    )
    cases.append(Case("good ticket events", "ticket_system/ticket_events_good.csv", "loaded", 2))
    # 15. A description that is a spreadsheet formula: loads (it is the customer's text).
    (inbox / "phone" / "callcenter_formula.csv").write_bytes(
        (
            "\r\n".join([PHONE_HEADER, _phone(7, desc='"=HYPERLINK(""http://x.example"",""y"")"')])
            + "\r\n"
        ).encode("gbk")
    )
    cases.append(
        Case("a formula as description loads as text", "phone/callcenter_formula.csv", "loaded", 1)
    )
    return inbox, mappings, cases
