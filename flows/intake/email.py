"""Email: one .eml file per message (MIME; encoded-word headers in GB2312 or UTF-8).

Parsed one message at a time with the standard library's RFC 5322 parser, which decodes
encoded words and body charsets; there is no columnar reader for MIME.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import polars as pl

from flows.intake.delivered import Delivered, FileRejected

COLUMNS = ("message_id", "in_reply_to", "from_name", "from_address", "to_address", "subject",
           "date_header", "sent_at", "body", "charset")


def parse_message(data: bytes) -> dict[str, str | None]:
    """The fields tousu keeps of one email, decoded to text."""
    msg: EmailMessage = email.message_from_bytes(data, policy=email.policy.default)
    sender = msg["from"]
    address = sender.addresses[0] if sender is not None and sender.addresses else None
    date = msg["date"]
    sent = getattr(date, "datetime", None) if date is not None else None
    body_part = msg.get_body(preferencelist=("plain", "html"))
    body = body_part.get_content() if body_part is not None else None
    return {
        "message_id": _text(msg["message-id"]),
        "in_reply_to": _text(msg["in-reply-to"]),
        "from_name": address.display_name if address else None,
        "from_address": address.addr_spec if address else None,
        "to_address": _text(msg["to"]),
        "subject": _text(msg["subject"]),
        "date_header": _text(date),
        "sent_at": sent.isoformat() if sent is not None and sent.tzinfo is not None else None,
        "body": body.strip() if isinstance(body, str) else None,
        "charset": body_part.get_content_charset() if body_part is not None else None,
    }


def _text(header) -> str | None:
    return str(header).strip() if header is not None else None


def read(path: Path, rel: str) -> Delivered:
    data = path.read_bytes()
    if not data.strip():
        raise FileRejected(f"{rel}: the file is empty, not an email")
    try:
        row = parse_message(data)
    except Exception as exc:  # the parser raises many types on broken MIME
        raise FileRejected(f"{rel}: not a readable email message ({exc})") from exc
    frame = pl.DataFrame([row], schema={c: pl.String for c in COLUMNS})
    return Delivered(frame.with_columns(pl.lit(1, pl.Int32).alias("_row_number")))
