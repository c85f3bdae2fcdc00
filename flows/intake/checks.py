"""Row-set checks: the row checks that need more rows than the delivery's own.

The per-row checks of every source are its Great Expectations suite
(expectations/source_<source>.json, run by flows.quality.source_suites). What a batch-only
expectation cannot see is here, as SQL over the source's staging view: a record delivered again
with different content in the same delivery (flows/intake/redelivery.py classifies every copy of
a record id) and an email reply dated before the message it answers.
Each suite file names the row-set checks its source runs. Labels are bound as query parameters;
only the fixed SQL below is ever run.
"""

from __future__ import annotations

from tousu.flows.intake.redelivery import CONFLICT_SQL

EMAIL_REPLY_ORDER_SQL = """
SELECT r._source_file, r._row_number, 'reply_not_before_complaint' AS check_name,
       format('reply dated {} answers message {} received {}: a reply cannot come before the '
              'complaint; check the Date header or the mail server''s clock / 回复时间 {} 早于'
              '所回复的投诉邮件 {}（{}）：请检查 Date 邮件头或邮件服务器时钟 ({}).',
              r.sent_at, r.in_reply_to, c.sent_at, r.sent_at, r.in_reply_to, c.sent_at,
              $fix) AS reason
FROM stg.email_messages r
JOIN stg.email_messages c ON c.message_id = r.in_reply_to
WHERE r._load_id = $load_id AND r.sent_at < c.sent_at
"""

ROW_SET_CHECKS = {
    "record_not_repeated_in_delivery": CONFLICT_SQL,
    "reply_not_before_complaint": EMAIL_REPLY_ORDER_SQL,
}


def row_set_sql(names: list[str], view: str, key: str) -> str | None:
    """One query of (_source_file, _row_number, check_name, reason) for the named checks."""
    parts = [ROW_SET_CHECKS[n].replace("{view}", view).replace("{key}", key) for n in names]
    return "\nUNION ALL\n".join(f"({p.strip()})" for p in parts) or None
