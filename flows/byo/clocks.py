"""The SLA clocks declared sources bring (their mapping's `sla:`), as rows for the marts."""

from __future__ import annotations

import polars as pl

from tousu.flows.byo.mapping import FIELDS
from tousu.flows.byo.source import declared


def declared_clock_rows(
    policy_version: str, mappings: list | None = None
) -> tuple[list[dict], pl.DataFrame]:
    """The clocks that sources declared by a mapping file bring (`sla:`): their rules beside
    the policy's, and how each starts and stops (mart.declared_clocks). `mappings`: these
    instead of the mapping folder's (a dry run)."""
    rules, clocks = [], []
    for m in declared().values() if mappings is None else mappings:
        if isinstance(m, Exception) or m.sla is None:
            continue
        s = m.sla
        seconds = (
            s.calendar_days * 86400 if s.calendar_days else (s.hours * 3600 if s.hours else None)
        )
        label = (
            f"{s.calendar_days} calendar days"
            if s.calendar_days
            else f"{s.hours:g} hours"
            if s.hours
            else "the record's due date"
        )
        rules.append(
            {
                "policy_version": policy_version,
                "clock": s.clock,
                "rule_no": 1,
                "when_channel": None,
                "when_urgency": None,
                "when_priority": None,
                "when_category": None,
                "target_seconds": seconds,
                "target_working_days": None,
                "target_label": f"{label} ({m.source})",
                "pauses": False,
            }
        )
        clocks.append(
            {
                "source": m.source,
                "clock": s.clock,
                "start_field": s.start if s.start in FIELDS else "sla_start_at",
                "stop_field": s.stop,
                "use_due": s.due is not None,
                "use_verdict": s.verdict is not None,
                "verdict_always": s.verdict is not None and s.verdict_decides == "always",
            }
        )
    frame = pl.DataFrame(
        clocks,
        schema={
            "source": pl.String,
            "clock": pl.String,
            "start_field": pl.String,
            "stop_field": pl.String,
            "use_due": pl.Boolean,
            "use_verdict": pl.Boolean,
            "verdict_always": pl.Boolean,
        },
    )
    return rules, frame


def declared_source_rows(mappings: list | None = None) -> pl.DataFrame:
    """Each declared source's rules for its open items (mart.declared_sources)."""
    rows = [
        {"source": m.source, "stopped_after_days": m.stopped_after_days}
        for m in (declared().values() if mappings is None else mappings)
        if not isinstance(m, Exception)
    ]
    return pl.DataFrame(rows, schema={"source": pl.String, "stopped_after_days": pl.Int64})
