"""Erasing a person's personal data on request (PIPL art. 47, GDPR art. 17): `tousu privacy erase`.

The person is the customer the warehouse links the given phone number, e-mail address or member
number to (flows/metrics/identity.py): every complaint of that customer. In the writer's file,
under the night lock, in one transaction:

- raw: the records of those complaints (the channel record each came from, earlier deliveries
  of the same record, their ticket events and follow-ups, and any record carrying one of the
  customer's identifiers) lose their personal fields: identifiers and names become NULL, free
  text becomes ERASED (in JSON conversations, each message's text);
- quarantine: records holding one of the identifiers are replaced by ERASED;
- ops.erased_complaints names the complaints with a stand-in customer key, and core is built
  again from raw: the complaints stay (counts, SLA clocks, repeats unchanged), their personal
  data is gone; the marts are brought up to date.

Then the file is rewritten (DuckDB's COPY FROM DATABASE into a new file, renamed over the old):
an UPDATE leaves old values in free blocks of the file until they are reused, a rewrite does
not. The published copy is replaced from it.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from tousu.warehouse import db, lookup

ERASED = "[已删除 erased]"


# Per raw table: identifier and name columns (NULL after erasure), free text (ERASED), JSON
# conversations (each message's text ERASED, times and senders kept), and the column naming the
# channel record (core.complaints.source_ref) or the complaint (ticket_no).
@dataclass(frozen=True)
class RawPersonal:
    identifiers: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    json_text: tuple[str, ...] = ()
    record_key: str | None = None
    complaint_key: str | None = None


RAW = {
    "raw.phone_calls": RawPersonal(
        ("caller_number", "customer_name", "member_no"), ("description", "demand"), (), "call_id"
    ),
    "raw.chat_sessions": RawPersonal(
        ("user_id", "nickname", "phone", "member_no"), ("demand",), ("messages",), "session_id"
    ),
    "raw.email_messages": RawPersonal(
        ("from_name", "from_address", "to_address"), ("subject", "body"), (), "message_id"
    ),
    "raw.social_mentions": RawPersonal(
        ("user_id", "screen_name"), ("text",), ("comments",), "mention_id"
    ),
    "raw.store_registers": RawPersonal(
        ("customer_name", "phone", "member_no"), ("description", "demand"), (), "register_no"
    ),
    "raw.webform_submissions": RawPersonal(
        ("name", "phone", "email", "member_no", "order_no"),
        ("message", "expectation"),
        (),
        "submission_id",
    ),
    "raw.ticket_events": RawPersonal((), ("note",), (), None, "ticket_no"),
    "raw.satisfaction_followups": RawPersonal((), ("comment",), (), None, "ticket_no"),
    "raw.declared_intake": RawPersonal(
        (
            "customer_name",
            "phone_as_given",
            "phone",
            "email",
            "member_no",
            "customer_id",
            "order_no",
        ),
        ("description", "demand", "record"),
        (),
        None,
        "complaint_id",
    ),
}
# Keys of a JSON message kept as they are: when and who (customer, agent, bot, brand).
JSON_KEPT = ("ts", "from", "created_at", "is_brand")


class ErasureError(ValueError):
    """Nothing to erase, or the key is not a phone number, e-mail or member number."""


@dataclass(frozen=True)
class Erased:
    request_id: str
    complaints: int
    raw_rows: int
    quarantined: int
    source_files: list[str]


def _erase_json(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return ERASED

    def walk(v, key=""):
        if isinstance(v, dict):
            return {k: walk(x, k) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x, key) for x in v]
        if isinstance(v, str) and key not in JSON_KEPT:
            return ERASED
        return v

    return json.dumps(walk(data), ensure_ascii=False, separators=(",", ":"))


def person_complaints(con: duckdb.DuckDBPyConnection, key: str) -> list[str]:
    """Every complaint of the customer the key (phone, e-mail, member number) belongs to."""
    key = key.strip()
    if not key:
        raise ErasureError("give the person's phone number, e-mail address or member number")
    carrying = lookup.complaints_carrying(con, key, lookup.PERSON_KEYS, by_id=False)
    rows = con.execute(
        """
        SELECT DISTINCT l2.complaint_id
        FROM core.customer_links l1
        JOIN core.customer_links l2 ON l2.customer_id = l1.customer_id
        WHERE l1.complaint_id IN (SELECT unnest(?::VARCHAR[]))
        ORDER BY 1""",
        [carrying],
    ).fetchall()
    return [r[0] for r in rows]


def _identifiers(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The customer's identifier values as written in records (for raw and quarantine)."""
    rows = con.execute(
        """
        SELECT DISTINCT v FROM (
            SELECT unnest([phone, email, member_no, social_id, app_user_id]) AS v
            FROM core.complaints SEMI JOIN erasing USING (complaint_id))
        WHERE v IS NOT NULL"""
    ).fetchall()
    values = [r[0] for r in rows]
    # a phone in E.164 (+8613812345678) is written 13812345678 in most exports
    return sorted({*values, *(v[3:] for v in values if v.startswith("+86"))})


def erase(con: duckdb.DuckDBPyConnection, key: str, now: datetime) -> Erased:
    """Erase the person's data in raw and quarantine and mark their complaints (the caller
    builds core and the marts again in the same transaction, then rewrites the file)."""
    complaints = person_complaints(con, key)
    if not complaints:
        raise ErasureError(
            "no complaint carries this phone number, e-mail address or member number"
        )
    request_id = uuid.uuid4().hex[:16]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE erasing AS SELECT unnest(?::VARCHAR[]) AS complaint_id",
        [complaints],
    )
    identifiers = _identifiers(con)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE erasing_ids AS SELECT unnest(?::VARCHAR[]) AS v",
        [identifiers],
    )
    raw_rows, files = 0, set()
    for table, personal in RAW.items():
        if not db.tables_exist(con, table):
            continue
        # the person's own records: the channel record of each complaint (every delivery of
        # it), their ticket events and follow-ups
        own = [
            "(_source_file, _row_number) IN (SELECT (source_file, source_row_number) "
            "FROM core.complaints SEMI JOIN erasing USING (complaint_id))"
        ]
        if personal.record_key:
            own.append(
                f"{personal.record_key} IN (SELECT source_ref FROM core.complaints "
                "SEMI JOIN erasing USING (complaint_id))"
            )
        if personal.complaint_key:
            own.append(f"{personal.complaint_key} IN (SELECT complaint_id FROM erasing)")
        is_own = "(" + " OR ".join(own) + ")"
        # and records of others that carry one of their identifiers (a reply sent to them)
        holds = {
            c: f"(tousu_phone_e164({c}) IN (SELECT v FROM erasing_ids) "
            f"OR lower(trim({c})) IN (SELECT lower(v) FROM erasing_ids))"
            for c in personal.identifiers
        }
        where = " OR ".join([is_own, *holds.values()])
        found = con.execute(f"SELECT DISTINCT _source_file FROM {table} WHERE {where}").fetchall()
        if not found:
            continue
        files |= {f for (f,) in found}
        # identifiers: all of the person's own records, only the person's values in others' (a
        # reply keeps the sender's address, which tells it from the customer's message)
        sets = [
            f"{c} = CASE WHEN {is_own} OR {held} THEN NULL ELSE {c} END"
            for c, held in holds.items()
        ]
        sets += [
            f"{c} = CASE WHEN {c} IS NULL THEN NULL ELSE '{ERASED}' END" for c in personal.text
        ]
        sets += [f"{c} = tousu_erase_json({c})" for c in personal.json_text]
        [(n,)] = con.execute(f"UPDATE {table} SET {', '.join(sets)} WHERE {where}").fetchall()
        raw_rows += n
    # a quarantined record holding one of the identifiers, a phone number in any spacing
    [(quarantined,)] = con.execute(
        f"""
        UPDATE ops.quarantine SET record = '{ERASED}', reason = '{ERASED}'
        WHERE EXISTS (
            SELECT 1 FROM erasing_ids
            WHERE contains(lower(ops.quarantine.record), lower(v))
               OR contains(lower(ops.quarantine.reason), lower(v))
               OR ((v LIKE '+%' OR regexp_full_match(v, '1[3-9][0-9]{{9}}'))
                   AND contains(regexp_replace(ops.quarantine.record, '[^0-9]', '', 'g'),
                                regexp_replace(v, '^[+]86|[^0-9]', '', 'g'))))"""
    ).fetchall()
    con.execute("DELETE FROM ops.erased_complaints WHERE complaint_id IN (SELECT * FROM erasing)")
    con.execute(
        "INSERT INTO ops.erased_complaints SELECT complaint_id, ?, ?, ? FROM erasing",
        [f"erased:{request_id}", request_id, now],
    )
    return Erased(request_id, len(complaints), raw_rows, quarantined, sorted(files))


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    # duckdb 2.0's type stub matches no call with null_handling (warehouse/db.py makes the same)
    con.create_function(  # type: ignore[call-overload]
        "tousu_erase_json",
        _erase_json,
        [duckdb.sqltype("VARCHAR")],
        duckdb.sqltype("VARCHAR"),
        null_handling="special",
        side_effects=False,
    )


def rewrite(path: Path) -> None:
    """Copy the database into a new file and rename it over the old one: values erased by an
    UPDATE may survive in blocks the old file no longer uses; the new file never held them."""
    fresh = path.with_name(path.name + ".rewrite")
    fresh.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("CHECKPOINT")
        [(catalog,)] = con.execute("SELECT current_database()").fetchall()
        con.execute(f"ATTACH {db._quote(str(fresh))} AS rewritten")
        con.execute(f'COPY FROM DATABASE "{catalog}" TO rewritten')
        con.execute("DETACH rewritten")
    finally:
        con.close()
    os.replace(fresh, path)
    Path(f"{path}.wal").unlink(missing_ok=True)
