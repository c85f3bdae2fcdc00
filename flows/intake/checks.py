"""Row-set checks: the row checks that need more rows than the delivery's own.

The per-row checks of every source are its Great Expectations suite
(expectations/source_<source>.json, run by flows.quality.source_suites). What a batch-only
expectation cannot see is here, as SQL over the source's staging view: a record delivered again
(compared with every earlier delivery) and an email reply dated before the message it answers.
Each suite file names the row-set checks its source runs. Labels are bound as query parameters;
only the fixed SQL below is ever run.
"""

from __future__ import annotations


def _earlier_copy_sql(check: str, scope: str, english: str, chinese: str) -> str:
    """Rows of the delivery whose record id an earlier row already has (within `scope`),
    each naming the first such copy."""
    return f"""
SELECT n._source_file, n._row_number, '{check}' AS check_name,
       format('{{}} {{}} {english} {{}} (record {{}}); this copy was not loaded / '
              '{{}} {{}} {chinese}（{{}} 第 {{}} 条），本条未加载 ({{}}).',
              $id_label, n.{{key}}, o._source_file, o._row_number,
              $id_label, n.{{key}}, o._source_file, o._row_number, $fix) AS reason
FROM {{view}} n
JOIN {{view}} o
  ON o.{{key}} = n.{{key}}
 AND ({scope})
WHERE n._load_id = $load_id
QUALIFY row_number() OVER (PARTITION BY n._source_file, n._row_number
                           ORDER BY o._load_id <> n._load_id DESC, o._source_file, o._row_number) = 1
"""


EARLIER_ROW = "(o._source_file, o._row_number) < (n._source_file, n._row_number)"
DUPLICATE_SQL = _earlier_copy_sql(
    "record_not_duplicate", f"o._load_id <> n._load_id OR {EARLIER_ROW}",
    "was already delivered in", "已交付过，见")
# Declared sources: a record delivered again in a later export is an update (the latest wins
# in core); the same record twice in one delivery is a duplicate.
REPEATED_IN_DELIVERY_SQL = _earlier_copy_sql(
    "record_not_repeated_in_delivery", f"o._load_id = n._load_id AND {EARLIER_ROW}",
    "appears again in this delivery, first in", "在本次交付中重复出现，首次见")

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
    "record_not_duplicate": DUPLICATE_SQL,
    "record_not_repeated_in_delivery": REPEATED_IN_DELIVERY_SQL,
    "reply_not_before_complaint": EMAIL_REPLY_ORDER_SQL,
}


def row_set_sql(names: list[str], view: str, key: str) -> str | None:
    """One query of (_source_file, _row_number, check_name, reason) for the named checks."""
    parts = [ROW_SET_CHECKS[n].replace("{view}", view).replace("{key}", key) for n in names]
    return "\nUNION ALL\n".join(f"({p.strip()})" for p in parts) or None
