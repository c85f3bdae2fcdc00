"""The registry of the sources tousu reads: the built-in channels and the declared ones.

Each is a Source (flows/intake/source.py): where its files lie, how to read them, where they land.
"""

from __future__ import annotations

from tousu.flows.byo.mapping import Mapping, MappingError
from tousu.flows.byo.source import as_source, declared
from tousu.flows.intake import chat, email, phone, social, store, ticket_system, webform
from tousu.flows.intake.source import Source
from tousu.flows.settings import PHONE_REGION

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source("phone", ("phone/*.csv",), "raw.phone_calls", phone.read, "call_id"),
        Source("chat", ("chat/*.jsonl",), "raw.chat_sessions", chat.read, "session_id"),
        Source(
            "email",
            ("email/**/*.eml",),
            "raw.email_messages",
            email.read,
            "message_id",
            batch_by_folder=True,
        ),
        Source("social", ("social/*.json",), "raw.social_mentions", social.read, "mention_id"),
        Source("store", ("stores/*.xlsx",), "raw.store_registers", store.read, "register_no"),
        Source(
            "webform", ("webform/*.csv",), "raw.webform_submissions", webform.read, "submission_id"
        ),
        # The register's events load after the channels so that a night's complaints are complete.
        Source(
            "ticket_events",
            ("ticket_system/ticket_events_*.csv",),
            "raw.ticket_events",
            ticket_system.read_events,
            "event_id",
        ),
        Source(
            "satisfaction",
            ("ticket_system/followups_*.csv",),
            "raw.satisfaction_followups",
            ticket_system.read_followups,
            "followup_id",
        ),
    )
}


def all_sources(
    phone_region: str = PHONE_REGION, mappings: dict[str, Mapping | MappingError] | None = None
) -> dict[str, Source]:
    """The built-in sources, then every source declared by a mapping file (flows/byo):
    `mappings` as read once for a night, else the mapping folder's now."""
    mappings = declared() if mappings is None else mappings
    extra = {name: as_source(name, m, phone_region) for name, m in mappings.items()}
    clash = sorted(set(extra) & set(SOURCES))
    if clash:
        raise ValueError(f"mapping file(s) declare built-in source name(s) {', '.join(clash)}")
    # The register's events stay last so that a night's complaints are complete.
    first = {k: v for k, v in SOURCES.items() if k not in ("ticket_events", "satisfaction")}
    last = {k: v for k, v in SOURCES.items() if k in ("ticket_events", "satisfaction")}
    return first | extra | last
