"""Render complaints as each channel's system exports them, planting defects on the way."""

from __future__ import annotations

import base64
import json
import shutil
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from pathlib import Path

import polars as pl
import xlsxwriter

from tousu.flows.demo import texts
from tousu.flows.demo.defects import Planter
from tousu.flows.demo.model import SHANGHAI, Complaint

BRAND_MAIL = "service@brand.example.cn"
EXCEL_EPOCH = datetime(1899, 12, 30)
BAD_LOCAL_DATES = (
    "2025/02/30 10:15:00",
    "2025年11月3日 下午2点",
    "昨天下午",
    "2025/13/01 09:00:00",
    "25:61:00",
)


def _by_month(complaints: list[Complaint], at=lambda c: c.received_at) -> dict[str, list]:
    groups: dict[str, list] = defaultdict(list)
    for c in complaints:
        groups[at(c).strftime("%Y%m")].append(c)
    return dict(sorted(groups.items()))


def _csv_text(rows: list[dict], columns: list[str]) -> str:
    return pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row").write_csv()


def _local(dt: datetime, fmt: str) -> str:
    return dt.astimezone(SHANGHAI).strftime(fmt)


def _display_phone(rng, phone: str) -> str:
    r = rng.random()
    if r < 0.06:
        return "+86" + phone
    if r < 0.10:
        return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    return phone


def _bad_phone(rng, phone: str) -> str:
    return rng.choice((phone[:7], "12" + phone[2:], phone + "9", "+86 1234"))


def _plant_common(planter: Planter, source: str, row: dict, fields: dict, rng) -> str | None:
    """Plant at most one of the field-level defects into row; return its kind."""
    if planter.pick("missing_required_field", source):
        for f in fields["required"]:
            row[f] = ""
        return "missing_required_field"
    if planter.pick("unparseable_date", source):
        row[fields["date"]] = fields.get("bad_date", rng.choice(BAD_LOCAL_DATES))
        return "unparseable_date"
    if planter.pick("invalid_phone", source):
        row[fields["phone"]] = _bad_phone(rng, row[fields["phone"]] or "13800000000")
        return "invalid_phone"
    return None


def _append_redelivered(
    planter: Planter, source: str, files: list[tuple[str, list]], record_id_of
) -> None:
    """Re-deliver some rows: a copy of a row appears again at the end of the next file.

    Only clean rows are re-delivered: a copy of a defective row would be its correction's twin.
    """
    defective = {p.record_id for p in planter.planted if p.source == source}
    for i, (_name, rows) in enumerate(files):
        target = files[min(i + 1, len(files) - 1)]
        for row in list(rows):
            if record_id_of(row) in defective:
                continue
            if planter.pick("duplicate_row", source):
                defective.add(record_id_of(row))
                target[1].append(dict(row) if isinstance(row, dict) else row)
                planter.record(
                    "duplicate_row",
                    source,
                    target[0],
                    len(target[1]),
                    record_id_of(row),
                    "skipped_duplicate_record",
                )


def write_phone(out: Path, complaints: list[Complaint], planter: Planter, rng) -> None:
    columns = [
        "通话编号",
        "来电时间",
        "接通时间",
        "来电号码",
        "客户姓名",
        "会员号",
        "问题描述",
        "客户诉求",
        "坐席工号",
    ]
    fields = {"required": ["问题描述"], "date": "来电时间", "phone": "来电号码"}
    files = []
    for month, group in _by_month(complaints).items():
        name = f"phone/callcenter_{month}.csv"
        rows = []
        for c in group:
            row = {
                "通话编号": c.source_ref,
                "来电时间": _local(c.received_at, "%Y/%m/%d %H:%M:%S"),
                "接通时间": _local(c.first_response_at, "%Y/%m/%d %H:%M:%S")
                if c.first_response_at
                else "",
                "来电号码": _display_phone(rng, c.customer.phone),
                "客户姓名": c.customer.name,
                "会员号": c.customer.member_no or "",
                "问题描述": c.description,
                "客户诉求": c.demand,
                "坐席工号": f"A{rng.randrange(1000, 1100)}",
            }
            kind = _plant_common(planter, "phone", row, fields, rng)
            if kind:
                planter.record(kind, "phone", name, len(rows) + 1, c.source_ref)
            rows.append(row)
        files.append((name, rows))
    _append_redelivered(planter, "phone", files, lambda r: r["通话编号"])
    for name, rows in files:
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        # The call centre's export is GBK with CRLF line ends, as its Windows tooling writes it.
        path.write_bytes(_csv_text(rows, columns).replace("\n", "\r\n").encode("gbk"))
    if len(files) > 1:  # one export sent twice, under a new name
        original = files[len(files) // 2][0]
        copy = original.replace(".csv", "_resent.csv")
        shutil.copyfile(out / original, out / copy)
        planter.record("duplicate_file", "phone", copy, None, original, "skipped_duplicate_file")


def write_chat(out: Path, complaints: list[Complaint], planter: Planter, rng) -> None:
    files = []
    for month, group in _by_month(complaints).items():
        name = f"chat/sessions_{month}.jsonl"
        lines = []
        for c in group:
            start = c.received_at - timedelta(seconds=rng.randrange(5, 40))
            messages = [
                {
                    "ts": start.isoformat(timespec="seconds"),
                    "from": "bot",
                    "text": "您好，请问有什么可以帮您？",
                },
                {
                    "ts": c.received_at.isoformat(timespec="seconds"),
                    "from": "customer",
                    "text": c.description,
                },
                {
                    "ts": (c.received_at + timedelta(seconds=20)).isoformat(timespec="seconds"),
                    "from": "customer",
                    "text": texts.DEMAND_SENTENCES[c.demand],
                },
            ]
            if c.first_response_at:
                messages.append(
                    {
                        "ts": c.first_response_at.isoformat(timespec="seconds"),
                        "from": "agent",
                        "text": rng.choice(texts.AGENT_REPLIES),
                    }
                )
            messages.sort(key=lambda m: m["ts"])
            cust = c.customer
            session = {
                "session_id": c.source_ref,
                "entry": rng.choice(("app", "app", "web")),
                "started_at": start.isoformat(timespec="seconds"),
                "user": {
                    "user_id": cust.app_user_id,
                    "nickname": cust.social_name,
                    "phone": cust.phone if rng.random() < 0.5 else None,
                    "member_no": cust.member_no,
                },
                "demand": c.demand,
                "messages": messages,
            }
            line = json.dumps(session, ensure_ascii=False).encode("utf-8")
            if planter.pick("wrong_encoding", "chat"):
                line = json.dumps(session, ensure_ascii=False).encode("gbk")
                planter.record("wrong_encoding", "chat", name, len(lines) + 1, c.source_ref)
            lines.append(line)
        files.append((name, lines))
    _append_redelivered(
        planter,
        "chat",
        files,
        lambda line: json.loads(line.decode("utf-8", "replace"))["session_id"],
    )
    for name, lines in files:
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\n".join(lines) + b"\n")


def _eml(
    sender: tuple[str, str],
    to: str,
    subject: str,
    body: str,
    charset: str,
    sent: datetime,
    message_id: str,
    in_reply_to: str | None = None,
) -> bytes:
    msg = MIMEText(body, "plain", charset)
    msg["From"] = formataddr(sender, charset="utf-8")
    msg["To"] = to
    # Mail clients label GB2312 words "gb2312" (Python's Header would write "eucgb2312_cn").
    encoded = base64.b64encode(subject.encode(charset)).decode("ascii")
    msg["Subject"] = f"=?{charset}?B?{encoded}?="
    msg["Date"] = format_datetime(sent)
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    return msg.as_bytes()


def write_email(out: Path, complaints: list[Complaint], planter: Planter, rng) -> None:
    for seq, c in enumerate(complaints, start=1):
        cust = c.customer
        charset = "gb2312" if rng.random() < 0.5 else "utf-8"
        lines = ["你们好：", c.description, texts.DEMAND_SENTENCES[c.demand]]
        if cust.member_no and rng.random() < 0.7:
            lines.append(f"会员号：{cust.member_no}")
        if rng.random() < 0.5:
            lines.append(f"联系电话：{cust.phone}")
        lines.append(cust.name)
        subject = f"投诉：{c.description[:14]}"
        month = c.received_at.strftime("%Y%m")
        name = f"email/{month}/{seq:07d}_in.eml"
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            _eml(
                (cust.name, cust.email),
                BRAND_MAIL,
                subject,
                "\n".join(lines),
                charset,
                c.received_at,
                c.source_ref,
            )
        )
        if c.first_response_at:
            sent = c.first_response_at
            kind = None
            if planter.pick("reply_before_receipt", "email"):
                sent = c.received_at - timedelta(minutes=rng.uniform(5, 600))
                kind = "reply_before_receipt"
            rmonth = sent.strftime("%Y%m")
            rname = f"email/{rmonth}/{seq:07d}_re.eml"
            (out / rname).parent.mkdir(parents=True, exist_ok=True)
            reply_id = c.source_ref.replace("@mail.customer.example", ".re@brand.example.cn")
            (out / rname).write_bytes(
                _eml(
                    ("客户服务中心", BRAND_MAIL),
                    cust.email,
                    "Re: " + subject,
                    rng.choice(texts.AGENT_REPLIES),
                    "utf-8",
                    sent,
                    reply_id,
                    c.source_ref,
                )
            )
            if kind:
                planter.record(kind, "email", rname, 1, reply_id)


def _weibo_time(dt: datetime) -> str:
    return dt.astimezone(SHANGHAI).strftime("%a %b %d %H:%M:%S %z %Y")


def write_social(out: Path, complaints: list[Complaint], planter: Planter, rng) -> None:
    for month, group in _by_month(complaints).items():
        name = f"social/weibo_mentions_{month}.json"
        posts = []
        for c in group:
            cust = c.customer
            comments = []
            kind = None
            if c.first_response_at:
                replied = c.first_response_at
                if planter.pick("reply_before_receipt", "social"):
                    replied = c.received_at - timedelta(minutes=rng.uniform(5, 300))
                    kind = "reply_before_receipt"
                comments.append(
                    {
                        "id": str(int(c.source_ref) + 1),
                        "created_at": _weibo_time(replied),
                        "user": {"id": "1000000001", "screen_name": "品牌客服"},
                        "is_brand": True,
                        "text": rng.choice(texts.AGENT_REPLIES),
                    }
                )
            posts.append(
                {
                    "id": c.source_ref,
                    "created_at": _weibo_time(c.received_at),
                    "user": {"id": cust.social_id, "screen_name": cust.social_name},
                    "text": f"@品牌客服 {c.description}{texts.DEMAND_SENTENCES[c.demand]}",
                    "reposts_count": rng.randrange(0, 50),
                    "comments": comments,
                }
            )
            if kind:
                planter.record(kind, "social", name, len(posts), c.source_ref)
        export = {
            "platform": "weibo",
            "account": "@品牌客服",
            "exported_at": _weibo_time(max(c.received_at for c in group)),
            "mentions": posts,
        }
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(export, ensure_ascii=False, indent=1), encoding="utf-8")


STORE_COLUMNS = [
    "登记编号",
    "登记时间",
    "门店",
    "顾客姓名",
    "联系电话",
    "会员卡号",
    "问题描述",
    "顾客诉求",
    "接待人",
]


def write_store(out: Path, complaints: list[Complaint], planter: Planter, rng) -> None:
    fields = {
        "required": ["问题描述"],
        "date": "登记时间",
        "phone": "联系电话",
        "bad_date": "11月3日下午",
    }
    by_store: dict[tuple[str, str], list[Complaint]] = defaultdict(list)
    for c in complaints:
        by_store[(c.store, c.received_at.strftime("%Y%m"))].append(c)
    for (store, month), group in sorted(by_store.items()):
        name = f"stores/{store}_{texts.STORES[store]}_{month}.xlsx"
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        wb = xlsxwriter.Workbook(path)
        # A fixed creation time keeps the workbook's bytes (and sha256) the same on every run.
        wb.set_properties({"created": datetime(int(month[:4]), int(month[4:]), 1)})
        ws = wb.add_worksheet("投诉登记")
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        ws.write_row(0, 0, STORE_COLUMNS)
        for i, c in enumerate(group, start=1):
            row = {
                "登记编号": c.source_ref,
                "登记时间": c.received_at,
                "门店": texts.STORES[store],
                "顾客姓名": c.customer.name,
                "联系电话": _display_phone(rng, c.customer.phone),
                "会员卡号": c.customer.member_no or "",
                "问题描述": c.description,
                "顾客诉求": c.demand,
                "接待人": rng.choice(("店长", "值班店员", "收银员")),
            }
            kind = _plant_common(planter, "store", row, fields, rng)
            if kind:
                planter.record(kind, "store", name, i, c.source_ref)
            for j, col in enumerate(STORE_COLUMNS):
                value = row[col]
                if isinstance(value, datetime):
                    # Excel keeps dates as serial day numbers; the format only shows them as dates.
                    local = value.astimezone(SHANGHAI).replace(tzinfo=None)
                    ws.write_number(i, j, (local - EXCEL_EPOCH) / timedelta(days=1), date_fmt)
                elif value:
                    ws.write_string(i, j, value)
        wb.close()


WEBFORM_COLUMNS = [
    "submission_id",
    "submitted_at",
    "name",
    "phone",
    "email",
    "member_no",
    "order_no",
    "message",
    "expectation",
]


def write_webform(out: Path, complaints: list[Complaint], planter: Planter, rng) -> None:
    fields = {
        "required": ["phone", "email", "member_no"],
        "date": "submitted_at",
        "phone": "phone",
        "bad_date": "2025-11-31T25:99:00Z",
    }
    files = []
    encoding_rows: dict[str, set[int]] = defaultdict(set)
    for month, group in _by_month(complaints).items():
        name = f"webform/submissions_{month}.csv"
        rows = []
        for c in group:
            cust = c.customer
            row = {
                "submission_id": c.source_ref,
                "submitted_at": c.received_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "name": cust.name,
                "phone": cust.phone if rng.random() < 0.8 else "",
                "email": cust.email,
                "member_no": cust.member_no or "",
                "order_no": f"DD{rng.randrange(10**10):010d}" if rng.random() < 0.7 else "",
                "message": c.description,
                "expectation": texts.DEMAND_SENTENCES[c.demand],
            }
            kind = _plant_common(planter, "webform", row, fields, rng)
            if not kind and planter.pick("wrong_encoding", "webform"):
                kind = "wrong_encoding"
                encoding_rows[name].add(len(rows) + 1)
            if kind:
                planter.record(kind, "webform", name, len(rows) + 1, c.source_ref)
            rows.append(row)
        files.append((name, rows))
    _append_redelivered(planter, "webform", files, lambda r: r["submission_id"])
    for name, rows in files:
        lines = _csv_text(rows, WEBFORM_COLUMNS).splitlines()
        data = bytearray("\ufeff".encode())  # the website's export opens cleanly in Excel
        for n, line in enumerate(lines):
            data += line.encode("gbk" if n in encoding_rows[name] else "utf-8") + b"\n"
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes(data))


EVENT_COLUMNS = [
    "event_id",
    "ticket_no",
    "event",
    "occurred_at",
    "operator",
    "department",
    "category",
    "urgency",
    "priority",
    "channel",
    "source_ref",
    "note",
]
UNKNOWN_CATEGORIES = ("价格类", "质量问题", "物流类", "Product")


def write_ticket_events(out: Path, complaints: list[Complaint], planter: Planter, rng) -> None:
    events = []
    for c in complaints:
        for name, at in c.events:
            events.append((at, c, name))
    events.sort(key=lambda e: (e[0], e[1].complaint_id))
    by_month: dict[str, list] = defaultdict(list)
    for e in events:
        by_month[e[0].strftime("%Y%m")].append(e)
    files = []
    seq = 0
    for month, group in sorted(by_month.items()):
        name = f"ticket_system/ticket_events_{month}.csv"
        rows = []
        for at, c, event in group:
            seq += 1
            row = {
                "event_id": f"E{seq:09d}",
                "ticket_no": c.complaint_id,
                "event": event,
                "occurred_at": at.isoformat(timespec="seconds"),
                "operator": f"A{rng.randrange(1000, 1100)}",
                "department": "",
                "category": "",
                "urgency": "",
                "priority": "",
                "channel": "",
                "source_ref": "",
                "note": "",
            }
            if event == "registered":
                row.update(
                    category=c.category,
                    urgency=c.urgency,
                    priority=c.priority,
                    channel=c.channel,
                    source_ref=c.source_ref,
                    department=c.department,
                )
                if planter.pick("unknown_category", "ticket_events"):
                    row["category"] = rng.choice(UNKNOWN_CATEGORIES)
                    planter.record(
                        "unknown_category", "ticket_events", name, len(rows) + 1, row["event_id"]
                    )
            elif event == "assigned":
                row["department"] = c.department
            rows.append(row)
        files.append(name)
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_csv_text(rows, EVENT_COLUMNS), encoding="utf-8")
    if len(files) > 1:
        original = files[-2]
        copy = original.replace(".csv", "_resend.csv")
        shutil.copyfile(out / original, out / copy)
        planter.record(
            "duplicate_file", "ticket_events", copy, None, original, "skipped_duplicate_file"
        )


SATISFACTION_COLUMNS = ["followup_id", "ticket_no", "followed_up_at", "method", "result", "comment"]


def write_satisfaction(out: Path, complaints: list[Complaint], planter: Planter, rng) -> None:
    rows_by_month: dict[str, list] = defaultdict(list)
    followups = sorted(
        ((at, c, r) for c in complaints for at, r in c.followups),
        key=lambda f: (f[0], f[1].complaint_id),
    )
    for seq, (at, c, result) in enumerate(followups, start=1):
        rows_by_month[at.strftime("%Y%m")].append(
            {
                "followup_id": f"F{seq:08d}",
                "ticket_no": c.complaint_id,
                "followed_up_at": _local(at, "%Y-%m-%d %H:%M"),
                "method": rng.choice(("电话回访", "电话回访", "短信问卷")),
                "result": result,
                "comment": ""
                if rng.random() < 0.7
                else rng.choice(("处理及时", "还行", "希望改进", "太慢了")),
            }
        )
    for month, rows in sorted(rows_by_month.items()):
        path = out / f"ticket_system/followups_{month}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_csv_text(rows, SATISFACTION_COLUMNS), encoding="utf-8")
