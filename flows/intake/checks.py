"""Row checks run on each delivery before it is kept: failing rows go to ops.quarantine.

Each check is a condition over the source's staging view (so parsing lives in one place, the
staging SQL) and a reason a person can act on. Labels and allowed values are bound as query
parameters; only the fixed SQL below is ever run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flows import vocab


@dataclass(frozen=True)
class Check:
    name: str
    condition: str  # SQL over the staging view's columns, true when the row fails
    reason: str  # SQL expression for the reason text


@dataclass(frozen=True)
class ExtraCheck:
    name: str  # the check_name its SQL gives
    sql: str  # a query of (_source_file, _row_number, check_name, reason); {view}, {key} filled


@dataclass(frozen=True)
class SourceChecks:
    view: str  # staging view checked, filtered to the delivery being loaded
    key: str  # column that identifies a record across deliveries
    labels: dict[str, str]  # how the source's own export names things, for reasons
    checks: tuple[Check, ...]
    extra: tuple[ExtraCheck, ...] = field(default=())  # checks that need more than one row

    @property
    def names(self) -> list[str]:
        """Every check this source runs, by name."""
        return sorted({c.name for c in self.checks} | {e.name for e in self.extra})


FIX = "format(' ({}).', $fix)"

INTAKE = (
    Check("record_id_present", "source_ref IS NULL",
          f"format('{{}} is empty: every record needs its id', $id_label) || {FIX}"),
    Check("received_time_present", "stg.blank_to_null(received_at_as_given) IS NULL",
          f"format('{{}} is empty: the time the complaint was received is required', "
          f"$received_label) || {FIX}"),
    Check("received_time_parses",
          "stg.blank_to_null(received_at_as_given) IS NOT NULL AND received_at IS NULL",
          f"format('{{}} ''{{}}'' is not a date and time of the form {{}}', $received_label, "
          f"received_at_as_given, $received_format) || {FIX}"),
    Check("received_time_not_in_future", "received_at > $run_end",
          f"format('{{}} {{}} is after the night being loaded ({{}})', $received_label, "
          f"received_at, $run_date) || {FIX}"),
    Check("description_present", "description IS NULL",
          f"format('{{}} is empty: a complaint needs its description', $description_label) "
          f"|| {FIX}"),
    Check("customer_contact_present",
          "phone_as_given IS NULL AND email IS NULL AND member_no IS NULL AND social_id IS NULL "
          "AND app_user_id IS NULL",
          f"format('no way to reach the customer: {{}} are all empty', $contact_label) || {FIX}"),
    Check("phone_number_valid", "phone_as_given IS NOT NULL AND phone IS NULL",
          f"format('{{}} ''{{}}'' is not a valid phone number (checked with libphonenumber, "
          f"default region {{}})', $phone_label, phone_as_given, $phone_region) || {FIX}"),
    Check("response_not_before_receipt", "first_response_at < received_at",
          f"format('{{}} {{}} is before the complaint was received ({{}}): a reply cannot come "
          f"first; check the system clock or the record', $response_label, first_response_at, "
          f"received_at) || {FIX}"),
)

DUPLICATE_SQL = """
SELECT n._source_file, n._row_number, 'record_not_duplicate' AS check_name,
       format('{} {} was already delivered in {} (record {}); this copy was not loaded again.',
              $id_label, n.{key}, o._source_file, o._row_number) AS reason
FROM {view} n
JOIN {view} o
  ON o.{key} = n.{key}
 AND (o._load_id <> n._load_id
      OR (o._source_file, o._row_number) < (n._source_file, n._row_number))
WHERE n._load_id = $load_id
QUALIFY row_number() OVER (PARTITION BY n._source_file, n._row_number
                           ORDER BY o._load_id <> n._load_id DESC, o._source_file, o._row_number) = 1
"""

EMAIL_REPLY_ORDER_SQL = """
SELECT r._source_file, r._row_number, 'reply_not_before_complaint' AS check_name,
       format('reply dated {} answers message {} received {}: a reply cannot come before the '
              'complaint; check the Date header or the mail server''s clock ({}).',
              r.sent_at, r.in_reply_to, c.sent_at, $fix) AS reason
FROM stg.email_messages r
JOIN stg.email_messages c ON c.message_id = r.in_reply_to
WHERE r._load_id = $load_id AND r.sent_at < c.sent_at
"""

DUPLICATE = ExtraCheck("record_not_duplicate", DUPLICATE_SQL)
EMAIL_REPLY_ORDER = ExtraCheck("reply_not_before_complaint", EMAIL_REPLY_ORDER_SQL)

EMAIL = (
    Check("record_id_present", "message_id IS NULL",
          f"'the Message-ID header is missing' || {FIX}"),
    Check("sent_time_parses", "sent_at IS NULL",
          f"format('the Date header ''{{}}'' is not an RFC 5322 date', date_header) || {FIX}"),
    Check("sender_present", "from_address IS NULL",
          f"'the From header has no address: the customer cannot be reached' || {FIX}"),
    Check("body_present", "in_reply_to IS NULL AND stg.blank_to_null(body) IS NULL",
          f"'the complaint email has no text body' || {FIX}"),
)

COMPLAINT_ID = r"^\d{6}-\d{5,}$"
COMPLAINT_ID_FORM = Check(
    "complaint_id_form", "NOT regexp_full_match(coalesce(complaint_id, ''), $id_pattern)",
    f"format('ticket_no ''{{}}'' is not a complaint id of the form YYYYMM-NNNNN', complaint_id)"
    f" || {FIX}")

EVENTS = (
    Check("record_id_present", "event_id IS NULL", f"'event_id is empty' || {FIX}"),
    COMPLAINT_ID_FORM,
    Check("event_known", "NOT list_contains($event_types, event)",
          f"format('event ''{{}}'' is not one of: {{}}', event, array_to_string($event_types, ', '))"
          f" || {FIX}"),
    Check("event_time_parses", "occurred_at IS NULL",
          f"format('occurred_at ''{{}}'' is not an ISO 8601 time with offset', "
          f"occurred_at_as_given) || {FIX}"),
    Check("category_known",
          "event = 'registered' AND NOT list_contains($categories, coalesce(category, ''))",
          f"format('category ''{{}}'' is not one of the process categories: {{}}', category, "
          f"array_to_string($categories, '、')) || {FIX}"),
    Check("urgency_known",
          "event = 'registered' AND NOT list_contains($levels, coalesce(urgency, ''))",
          f"format('urgency ''{{}}'' is not 高, 中 or 低', urgency) || {FIX}"),
    Check("priority_known",
          "event = 'registered' AND NOT list_contains($levels, coalesce(priority, ''))",
          f"format('priority ''{{}}'' is not 高, 中 or 低', priority) || {FIX}"),
    Check("channel_known",
          "event = 'registered' AND NOT list_contains($channels, coalesce(channel, ''))",
          f"format('channel ''{{}}'' is not one of: {{}}', channel, "
          f"array_to_string($channels, ', ')) || {FIX}"),
    Check("source_ref_present", "event = 'registered' AND source_ref IS NULL",
          f"'a registered event needs source_ref, the channel record it was registered from'"
          f" || {FIX}"),
)

FOLLOWUPS = (
    Check("record_id_present", "followup_id IS NULL", f"'followup_id is empty' || {FIX}"),
    COMPLAINT_ID_FORM,
    Check("followup_time_parses", "followed_up_at IS NULL",
          f"format('followed_up_at ''{{}}'' is not a time of the form YYYY-MM-DD HH:MM', "
          f"followed_up_at_as_given) || {FIX}"),
    Check("result_on_scale", "NOT list_contains($results, coalesce(result, ''))",
          f"format('result ''{{}}'' is not on the follow-up scale: {{}}', result, "
          f"array_to_string($results, '、')) || {FIX}"),
)


def _intake(view: str, **labels: str) -> SourceChecks:
    return SourceChecks(view=view, key="source_ref", labels=labels, checks=INTAKE,
                        extra=(DUPLICATE,))


SOURCE_CHECKS: dict[str, SourceChecks] = {
    "phone": _intake(
        "stg.phone_calls", id_label="通话编号 (call id)", received_label="来电时间 (call time)",
        received_format="YYYY/MM/DD HH:MM:SS", description_label="问题描述 (description)",
        contact_label="来电号码 and 会员号 (caller number, member number)",
        phone_label="来电号码 (caller number)", response_label="接通时间 (answered time)",
        fix="correct it in the call-centre system and re-export the file"),
    "chat": _intake(
        "stg.chat_sessions", id_label="session_id", received_label="the customer's first message",
        received_format="ISO 8601 with offset", description_label="the customer's first message",
        contact_label="user_id, phone and member_no", phone_label="user.phone",
        response_label="the first agent message",
        fix="correct the session in the chat system and re-export it as UTF-8 JSON Lines"),
    "social": _intake(
        "stg.social_mentions", id_label="id", received_label="created_at",
        received_format="'Tue Nov 04 07:47:33 +0800 2025'", description_label="text",
        contact_label="user.id", phone_label="phone", response_label="the brand's first reply",
        fix="check the platform export; re-export the month if it was cut"),
    "store": _intake(
        "stg.store_registers", id_label="登记编号 (register no.)",
        received_label="登记时间 (registered time)",
        received_format="a date cell or YYYY-MM-DD HH:MM:SS", description_label="问题描述 (description)",
        contact_label="联系电话 and 会员卡号 (phone, member card)",
        phone_label="联系电话 (phone)", response_label="first response",
        fix="the store corrects the register line and sends the workbook again"),
    "webform": _intake(
        "stg.webform_submissions", id_label="submission_id", received_label="submitted_at",
        received_format="ISO 8601 UTC, e.g. 2025-11-03T06:05:22Z", description_label="message",
        contact_label="phone, email and member_no", phone_label="phone",
        response_label="first response",
        fix="correct the submission in the website's admin and re-export the CSV as UTF-8"),
    "email": SourceChecks(
        view="stg.email_messages", key="message_id", labels={"id_label": "Message-ID",
        "fix": "check the mailbox export; re-export the message as .eml"},
        checks=EMAIL, extra=(DUPLICATE, EMAIL_REPLY_ORDER)),
    "ticket_events": SourceChecks(
        view="stg.ticket_events", key="event_id", labels={"id_label": "event_id",
        "fix": "correct the ticket in the ticket system and re-export the events"},
        checks=EVENTS, extra=(DUPLICATE,)),
    "satisfaction": SourceChecks(
        view="stg.satisfaction_followups", key="followup_id",
        labels={"id_label": "followup_id",
                "fix": "correct the follow-up in the ticket system and re-export"},
        checks=FOLLOWUPS, extra=(DUPLICATE,)),
}


def checks_sql(spec: SourceChecks) -> str:
    """One query giving (_source_file, _row_number, check_name, reason) for the failing rows."""
    parts = [
        f"SELECT _source_file, _row_number, '{c.name}' AS check_name, {c.reason} AS reason\n"
        f"FROM {spec.view} WHERE _load_id = $load_id AND ({c.condition})"
        for c in spec.checks
    ]
    parts += [e.sql.replace("{view}", spec.view).replace("{key}", spec.key) for e in spec.extra]
    return "\nUNION ALL\n".join(f"({p.strip()})" for p in parts)


def check_parameters(spec: SourceChecks, load_id: str, run_date: str, run_end: str,
                     phone_region: str) -> dict:
    """The bound values a source's check query uses (only those it mentions)."""
    values = {
        "load_id": load_id, "run_date": run_date, "run_end": run_end,
        "phone_region": phone_region, "id_pattern": COMPLAINT_ID,
        "event_types": list(vocab.EVENT_TYPES), "categories": list(vocab.CATEGORIES),
        "levels": list(vocab.URGENCY), "channels": list(vocab.CHANNELS),
        "results": [*vocab.SATISFACTION_LEVELS, vocab.SATISFACTION_NO_ANSWER],
        **spec.labels,
    }
    sql = checks_sql(spec)
    return {k: v for k, v in values.items() if f"${k}" in sql}
