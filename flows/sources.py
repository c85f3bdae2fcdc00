"""The sources tousu reads: where their files lie in the inbox, how to read them, where they land."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flows.inbox import pattern_problem
from flows.intake import chat, email, phone, social, store, ticket_system, webform
from flows.intake.delivered import Delivered


@dataclass(frozen=True)
class Source:
    name: str
    patterns: tuple[str, ...]  # globs under the inbox
    raw_table: str
    read: Callable[[Path, str], Delivered]
    key: str  # the raw column that identifies a record (to release its quarantined copies)
    # Files of one folder load in one transaction (many small files, e.g. one .eml per message).
    batch_by_folder: bool = False
    setup_sql: str | None = None  # run before loading (a declared source's staging view)
    suite: dict | None = None  # a declared source's generated GX suite (else its suite file)
    # Declared sources share one raw table: a record id is only unique within its source.
    shared_raw: bool = False

    def files(self, inbox: Path) -> list[Path]:
        """The files the patterns name under the inbox (links among them are checked by the
        loader before anything is opened). A pattern that could leave the inbox finds nothing."""
        found = {p for pattern in self.patterns if pattern_problem(pattern) is None
                 for p in inbox.glob(pattern) if p.is_file()}
        return sorted(found)



SOURCES: dict[str, Source] = {s.name: s for s in (
    Source("phone", ("phone/*.csv",), "raw.phone_calls", phone.read, "call_id"),
    Source("chat", ("chat/*.jsonl",), "raw.chat_sessions", chat.read, "session_id"),
    Source("email", ("email/**/*.eml",), "raw.email_messages", email.read, "message_id",
           batch_by_folder=True),
    Source("social", ("social/*.json",), "raw.social_mentions", social.read, "mention_id"),
    Source("store", ("stores/*.xlsx",), "raw.store_registers", store.read, "register_no"),
    Source("webform", ("webform/*.csv",), "raw.webform_submissions", webform.read,
           "submission_id"),
    # The register's events load after the channels so that a night's complaints are complete.
    Source("ticket_events", ("ticket_system/ticket_events_*.csv",), "raw.ticket_events",
           ticket_system.read_events, "event_id"),
    Source("satisfaction", ("ticket_system/followups_*.csv",), "raw.satisfaction_followups",
           ticket_system.read_followups, "followup_id"),
)}


def all_sources(phone_region: str = "CN") -> dict[str, Source]:
    """The built-in sources, then every source declared by a mapping file (flows/byo)."""
    from flows.byo.source import as_source, declared

    extra = {name: as_source(name, m, phone_region) for name, m in declared().items()}
    clash = sorted(set(extra) & set(SOURCES))
    if clash:
        raise ValueError(f"mapping file(s) declare built-in source name(s) {', '.join(clash)}")
    # The register's events stay last so that a night's complaints are complete.
    first = {k: v for k, v in SOURCES.items() if k not in ("ticket_events", "satisfaction")}
    last = {k: v for k, v in SOURCES.items() if k in ("ticket_events", "satisfaction")}
    return first | extra | last
