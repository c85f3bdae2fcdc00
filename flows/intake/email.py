"""Email: one .eml file per message (MIME; encoded-word headers in GB2312 or UTF-8).

Parsed one message at a time with the standard library's email package (there is no columnar
reader for MIME); encoded words and body charsets are decoded to text.
"""

from __future__ import annotations

import email
import re
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

import polars as pl

from tousu.flows.intake.decoding import encoding_reason
from tousu.flows.intake.delivered import Delivered, FileRejected, OneRecord, Reject, as_record

FIX = "ask the mail server's administrator to export the message again (.eml, as received)"

COLUMNS = (
    "message_id",
    "in_reply_to",
    "from_name",
    "from_address",
    "to_address",
    "subject",
    "date_header",
    "sent_at",
    "body",
    "charset",
)


def parse_message(msg: Message) -> dict[str, str | None]:
    """The fields tousu keeps of one email, decoded to text.

    The legacy (compat32) parser is used with explicit decoding of the few headers kept: the
    modern policy builds a structured object for every header and is ~5x slower on the
    nightly's tens of thousands of messages.
    """
    name, address = parseaddr(_decoded(msg.get("From")) or "")
    date_header = _decoded(msg.get("Date"))
    body_part = _text_part(msg)
    charset = body_part.get_content_charset() if body_part is not None else None
    return {
        "message_id": _decoded(msg.get("Message-ID")),
        "in_reply_to": _decoded(msg.get("In-Reply-To")),
        "from_name": name or None,
        "from_address": address or None,
        "to_address": _decoded(msg.get("To")),
        "subject": _decoded(msg.get("Subject")),
        "date_header": date_header,
        "sent_at": _iso_time(date_header),
        "body": _body_text(body_part, charset),
        "charset": charset,
    }


def _decoded(value) -> str | None:
    """A header's text with its encoded words (=?gb2312?B?...?=) decoded."""
    if value is None:
        return None
    try:
        return str(make_header(decode_header(str(value)))).strip()
    except (LookupError, UnicodeDecodeError, HeaderParseError):
        return str(value).strip()  # unknown charset: keep the words as delivered


def _iso_time(date_header: str | None) -> str | None:
    if not date_header:
        return None
    try:
        sent = parsedate_to_datetime(date_header)
    except (TypeError, ValueError, IndexError):
        return None
    return sent.isoformat() if sent.tzinfo is not None else None


def _text_part(msg: Message) -> Message | None:
    for wanted in ("text/plain", "text/html"):
        for part in msg.walk():
            if part.get_content_type() == wanted and not part.is_multipart():
                return part
    return None


def _body_text(part: Message | None, charset: str | None) -> str | None:
    if part is None:
        return None
    payload = part.get_payload(decode=True) or b""
    try:
        text = payload.decode(charset or "us-ascii")
    except (LookupError, UnicodeDecodeError):
        # A mislabelled charset: GB18030 is a superset of GB2312/GBK, try it before giving up.
        try:
            text = payload.decode("gb18030")
        except UnicodeDecodeError:
            text = payload.decode("utf-8", errors="replace")
    return text.strip()


def read(path: Path, rel: str) -> Delivered | OneRecord:
    data = path.read_bytes()
    if not data.strip():
        raise FileRejected("the file is empty, not an email")
    try:
        msg = email.message_from_bytes(data)
        row = parse_message(msg)
    except Exception as exc:  # the parser raises many types on broken MIME
        raise FileRejected(f"not a readable email message ({exc})") from exc
    cut = _cut_short(data, msg)
    if cut:
        return _quarantined(
            Reject(
                1, "record_complete", f"{cut} / 邮件不完整（文件被截断） ({FIX}).", _readable(row)
            )
        )
    notes = []
    nuls = sum((v or "").count("\x00") for v in row.values())
    if nuls:
        row = {k: v.replace("\x00", "") if v else v for k, v in row.items()}
        notes.append(f"{nuls} NUL character(s) removed")
    unreadable = [k for k, v in row.items() if v and not _is_text(v)]
    if unreadable:
        # Bytes in no charset the message names (nor GB18030 / UTF-8): quarantined, never
        # loaded with replacement characters.
        return _quarantined(
            Reject(
                1,
                "encoding_valid",
                encoding_reason(row.get("charset") or "us-ascii", FIX)
                + f" [{', '.join(unreadable)}]",
                _readable(row),
            ),
            notes,
        )
    return OneRecord({c: row.get(c) for c in COLUMNS}, notes)


def _quarantined(reject: Reject, notes: list[str] | None = None) -> Delivered:
    """The message as one rejected record and no row."""
    empty = pl.DataFrame(schema={**{c: pl.String for c in COLUMNS}, "_row_number": pl.Int32})
    return Delivered(empty, [reject], notes or [])


def _readable(row: dict[str, str | None]) -> str:
    """The fields of a rejected message that are text, for a person to see."""
    return as_record({k: v for k, v in row.items() if v and _is_text(v)})


def _cut_short(data: bytes, msg: Message) -> str | None:
    """Why a message file is evidently incomplete (a text body cut inside cannot be told)."""
    if b"\n\n" not in data and b"\r\n\r\n" not in data:
        return "the message ends inside its headers: the file was cut short"
    boundary = msg.get_boundary() if msg.is_multipart() else None
    if boundary and f"--{boundary}--".encode() not in data:
        return "the multipart message has no closing boundary: the file was cut short"
    return None


NOT_TEXT = re.compile("[\ufffd\ud800-\udfff]")


def _is_text(value: str) -> bool:
    """Decoded text: no replacement character, no undecodable byte kept as a surrogate."""
    return NOT_TEXT.search(value) is None
