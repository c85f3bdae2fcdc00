"""Each channel's reader on a small file written the way that channel's system writes it."""

import base64
import json
from datetime import datetime, timedelta

import pytest
import xlsxwriter

from tousu.flows.intake import chat, email, phone, social, store, ticket_system, webform
from tousu.flows.intake.delivered import FileRejected

PHONE_HEADER = "通话编号,来电时间,接通时间,来电号码,客户姓名,会员号,问题描述,客户诉求,坐席工号"


def test_phone_reads_gbk_csv_with_chinese_headers(tmp_path):
    text = (
        PHONE_HEADER + "\r\n"
        "CALL1,2025/11/03 14:05:22,2025/11/03 14:05:40,13812345678,张伟,M00000001,"
        "电饭煲无法开机,退款,A1001\r\n"
        'CALL2,2025/11/03 15:00:00,,+86 139 0000 1111,李娜,,"快递破损, 外箱压坏",换货,A1002\r\n'
    )
    path = tmp_path / "callcenter_202511.csv"
    path.write_bytes(text.encode("gbk"))
    got = phone.read(path, "phone/callcenter_202511.csv")
    assert got.rows_read == 2 and got.rejects == []
    rows = got.rows.to_dicts()
    assert rows[0] == {
        "call_id": "CALL1",
        "called_at": "2025/11/03 14:05:22",
        "answered_at": "2025/11/03 14:05:40",
        "caller_number": "13812345678",
        "customer_name": "张伟",
        "member_no": "M00000001",
        "description": "电饭煲无法开机",
        "demand": "退款",
        "agent_id": "A1001",
        "_row_number": 1,
    }
    assert rows[1]["description"] == "快递破损, 外箱压坏"
    assert rows[1]["answered_at"] is None and rows[1]["member_no"] is None


def test_phone_file_missing_a_column_is_refused_naming_it(tmp_path):
    path = tmp_path / "callcenter.csv"
    path.write_bytes("通话编号,来电时间\r\nCALL1,2025/11/03 14:05:22\r\n".encode("gbk"))
    with pytest.raises(FileRejected, match="接通时间"):
        phone.read(path, "phone/callcenter.csv")


def test_chat_rejects_undecodable_and_broken_lines_and_keeps_row_numbers(tmp_path):
    good = {
        "session_id": "CS1",
        "entry": "app",
        "started_at": "2025-11-03T10:00:00+08:00",
        "user": {"user_id": "U1", "nickname": "小王", "phone": None, "member_no": "M1"},
        "demand": "退款",
        "messages": [{"ts": "2025-11-03T10:00:05+08:00", "from": "customer", "text": "耳机没声音"}],
    }
    gbk_line = json.dumps({**good, "session_id": "CS2"}, ensure_ascii=False).encode("gbk")
    data = (
        json.dumps(good, ensure_ascii=False).encode()
        + b"\n"
        + gbk_line
        + b"\n"
        + b'{"session_id": "CS3", "messa\n'
        + json.dumps({**good, "session_id": "CS4"}, ensure_ascii=False).encode()
        + b"\n"
    )
    path = tmp_path / "sessions.jsonl"
    path.write_bytes(data)
    got = chat.read(path, "chat/sessions.jsonl")
    assert got.rows_read == 4
    assert got.rows["session_id"].to_list() == ["CS1", "CS4"]
    assert got.rows["_row_number"].to_list() == [1, 4]
    assert [(r.row_number, r.check_name) for r in got.rejects] == [
        (2, "encoding_valid"),
        (3, "json_object"),
    ]
    assert "not valid UTF-8" in got.rejects[0].reason
    assert json.loads(got.rows["messages"][0])[0]["text"] == "耳机没声音"


def _eml(subject_b64_charset: str, subject: str, body: str, body_charset: str, extra: str = ""):
    encoded = base64.b64encode(subject.encode(subject_b64_charset)).decode()
    body_b64 = base64.b64encode(body.encode(body_charset)).decode()
    return (
        f"From: =?utf-8?b?{base64.b64encode('王强'.encode()).decode()}?= <wq@163.com>\r\n"
        f"To: service@brand.example.cn\r\n"
        f"Subject: =?{subject_b64_charset}?B?{encoded}?=\r\n"
        f"Date: Mon, 03 Nov 2025 14:05:22 +0800\r\n"
        f"Message-ID: <m1@mail.example>\r\n{extra}"
        f"MIME-Version: 1.0\r\n"
        f'Content-Type: text/plain; charset="{body_charset}"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{body_b64}\r\n"
    ).encode("ascii")


@pytest.mark.parametrize("charset", ["gb2312", "utf-8"])
def test_email_decodes_encoded_word_subject_and_body_charset(tmp_path, charset):
    path = tmp_path / "m1.eml"
    path.write_bytes(
        _eml(charset, "投诉：空气炸锅漏电", "空气炸锅漏电。\n会员号：M12345678", charset)
    )
    row = email.read(path, "email/202511/m1.eml").rows.to_dicts()[0]
    assert row["subject"] == "投诉：空气炸锅漏电"
    assert row["from_name"] == "王强" and row["from_address"] == "wq@163.com"
    assert row["body"] == "空气炸锅漏电。\n会员号：M12345678"
    assert row["sent_at"] == "2025-11-03T14:05:22+08:00"
    assert row["message_id"] == "<m1@mail.example>" and row["in_reply_to"] is None
    assert row["charset"] == charset


def test_email_reply_is_threaded_by_in_reply_to(tmp_path):
    path = tmp_path / "re.eml"
    path.write_bytes(
        _eml("utf-8", "Re: 投诉", "已收到", "utf-8", extra="In-Reply-To: <m0@mail.example>\r\n")
    )
    assert email.read(path, "x.eml").rows["in_reply_to"].to_list() == ["<m0@mail.example>"]


def test_social_export_rows_keep_replies_as_json(tmp_path):
    export = {
        "platform": "weibo",
        "account": "@品牌客服",
        "mentions": [
            {
                "id": "49001",
                "created_at": "Tue Nov 04 07:47:33 +0800 2025",
                "user": {"id": "5001", "screen_name": "龚小376"},
                "text": "@品牌客服 退款太慢",
                "comments": [
                    {
                        "id": "49002",
                        "created_at": "Tue Nov 04 09:09:10 +0800 2025",
                        "is_brand": True,
                        "text": "已收到",
                    }
                ],
            },
            {
                "id": "49003",
                "created_at": "Wed Nov 05 10:00:00 +0800 2025",
                "user": {"id": "5002", "screen_name": "阿三"},
                "text": "物流慢",
                "comments": [],
            },
        ],
    }
    path = tmp_path / "weibo.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    rows = social.read(path, "social/weibo.json").rows.to_dicts()
    assert [r["mention_id"] for r in rows] == ["49001", "49003"]
    assert [r["_row_number"] for r in rows] == [1, 2]
    assert rows[0]["platform"] == "weibo" and rows[0]["screen_name"] == "龚小376"
    assert json.loads(rows[0]["comments"])[0]["is_brand"] is True


def test_social_file_that_is_not_an_export_is_refused(tmp_path):
    path = tmp_path / "weibo.json"
    path.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(FileRejected, match="not readable JSON"):
        social.read(path, "social/weibo.json")


def test_store_register_reads_date_cells_serial_numbers_and_typed_text(tmp_path):
    path = tmp_path / "SH01.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("投诉登记")
    ws.write_row(0, 0, list(store.COLUMNS))
    date_cell = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    serial = (datetime(2025, 11, 3, 14, 5) - datetime(1899, 12, 30)) / timedelta(days=1)
    ws.write_row(1, 0, ["SH01-1"])
    ws.write_number(1, 1, serial, date_cell)
    ws.write_row(2, 0, ["SH01-2", 45964.5])  # a serial number with no date format
    ws.write_row(3, 0, ["SH01-3", "11月3日下午"])
    ws.write_string(1, 4, "13812345678")
    wb.close()
    got = store.read(path, "stores/SH01.xlsx")
    assert got.rows["registered_at"].to_list() == ["2025-11-03 14:05:00", "45964.5", "11月3日下午"]
    assert got.rows["phone"].to_list()[0] == "13812345678"
    assert got.rows["_row_number"].to_list() == [1, 2, 3]


def test_store_staging_turns_excel_values_into_shanghai_times(warehouse):
    _, con = warehouse
    got = con.execute("""
        SELECT strftime(stg.excel_or_iso_local_time('45964.5') AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M'),
               strftime(stg.excel_or_iso_local_time('2025-11-03 14:05:00.680') AT TIME ZONE 'UTC',
                        '%Y-%m-%d %H:%M:%S'),
               stg.excel_or_iso_local_time('11月3日下午')
    """).fetchall()[0]
    assert got == ("2025-11-03 04:00", "2025-11-03 06:05:00", None)


def test_webform_reads_utf8_with_bom(tmp_path):
    path = tmp_path / "submissions.csv"
    path.write_bytes(
        "\ufeff".encode() + b"submission_id,submitted_at,name,phone,email,member_no,"
        b"order_no,message,expectation\n"
        + "WF-1,2025-11-03T06:05:22Z,田帆,,t@x.cn,,,吸尘器噪音大,换货\n".encode()
    )
    rows = webform.read(path, "webform/submissions.csv").rows.to_dicts()
    assert rows[0]["submission_id"] == "WF-1" and rows[0]["name"] == "田帆"
    assert rows[0]["phone"] is None


def test_ticket_events_and_followups_read(tmp_path):
    events = tmp_path / "ticket_events.csv"
    events.write_text(
        ",".join(ticket_system.EVENT_COLUMNS) + "\n"
        "E1,202511-00001,registered,2025-11-03T14:10:00+08:00,A1,物流部,物流配送类,"
        "中,中,phone,CALL1,\n",
        encoding="utf-8",
    )
    assert ticket_system.read_events(events, "e.csv").rows["category"].to_list() == ["物流配送类"]
    followups = tmp_path / "followups.csv"
    followups.write_text(
        "followup_id,ticket_no,followed_up_at,method,result,comment\n"
        "F1,202511-00001,2025-11-06 10:00,电话回访,满意,\n",
        encoding="utf-8",
    )
    assert ticket_system.read_followups(followups, "f.csv").rows["result"].to_list() == ["满意"]


def test_a_long_export_read_in_chunks_gives_the_same_records(monkeypatch):
    """Records read record by record become a frame every CHUNK_RECORDS (bounded memory)."""
    from tousu.flows.intake import csv_export

    data = b'id,text\n1,a\n2,"two\nlines"\n3,c,extra\n4,d\n\n5,e\n6,"f""g"\n7,h\n8,cut "here'
    whole = csv_export.read_csv_records(data, "utf-8", "fix")
    monkeypatch.setattr(csv_export, "CHUNK_RECORDS", 2)
    chunked = csv_export.read_csv_records(data, "utf-8", "fix")
    assert len(chunked.framed) >= 2  # it did frame in chunks
    assert chunked.frame().to_dicts() == whole.frame().to_dicts()
    assert chunked.frame()["_row_number"].to_list() == [1, 2, 4, 5, 6, 7]
    assert (
        [r.row_number for r in chunked.rejects] == [r.row_number for r in whole.rejects] == [3, 8]
    )
