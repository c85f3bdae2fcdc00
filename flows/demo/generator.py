"""`tousu demo-data`: write a deterministic 13-month inbox with a manifest of planted defects."""

from __future__ import annotations

import json
import random
import shutil
from datetime import date
from pathlib import Path

from tousu.flows.demo import writers
from tousu.flows.demo.defects import Planter
from tousu.flows.demo.model import make_complaints

DEFAULT_UNTIL = date(2026, 10, 31)

WRITERS = {
    "phone": writers.write_phone,
    "chat": writers.write_chat,
    "email": writers.write_email,
    "social": writers.write_social,
    "store": writers.write_store,
    "webform": writers.write_webform,
}


def thirteen_months_before(until: date) -> date:
    """First day of the month twelve months before `until`'s month: 13 whole months."""
    month = until.month - 12
    year = until.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


def generate(
    out: Path, complaints: int, seed: int, until: date = DEFAULT_UNTIL, defect_rate: float = 0.006
) -> dict:
    """Write the inbox under `out` (replacing it) and return the manifest written beside it."""
    rng = random.Random(seed)
    start = thirteen_months_before(until)
    cases = make_complaints(rng, complaints, start, until)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    planter = Planter(random.Random(seed + 1), defect_rate)
    for channel, write in WRITERS.items():
        write(
            out,
            [c for c in cases if c.channel == channel],
            planter,
            random.Random(f"{seed}-{channel}"),
        )
    writers.write_ticket_events(out, cases, planter, random.Random(f"{seed}-events"))
    writers.write_satisfaction(out, cases, planter, random.Random(f"{seed}-followups"))
    by_channel: dict[str, int] = {}
    for c in cases:
        by_channel[c.channel] = by_channel.get(c.channel, 0) + 1
    manifest = {
        "seed": seed,
        "complaints": len(cases),
        "from": start.isoformat(),
        "until": until.isoformat(),
        "defect_rate": defect_rate,
        "by_channel": by_channel,
        "open_complaints": sum(1 for c in cases if c.events[-1][0] != "closed"),
        "defects": planter.manifest(),
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return manifest
