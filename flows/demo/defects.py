"""Planting defects at known rates, and the manifest that records each one.

Every planted defect names the file and record position it lives in and what the nightly flow is
expected to do with it, so tests can prove each kind is caught.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field

# kind -> where it is planted. Rates apply per record of those sources.
KINDS = {
    "missing_required_field": ("phone", "store", "webform"),
    "unparseable_date": ("phone", "store", "webform"),
    "invalid_phone": ("phone", "store", "webform"),
    "duplicate_row": ("phone", "chat", "webform"),
    "reply_before_receipt": ("email", "social"),
    "wrong_encoding": ("chat", "webform"),
    "unknown_category": ("ticket_events",),
    "duplicate_file": ("phone", "ticket_events"),
}


@dataclass
class Planted:
    kind: str
    source: str
    file: str
    row_number: int | None
    record_id: str | None
    # "quarantine", "skipped_duplicate_file" or "skipped_duplicate_record" (ops.redeliveries)
    expect: str


@dataclass
class Planter:
    rng: random.Random
    rate: float
    planted: list[Planted] = field(default_factory=list)

    def pick(self, kind: str, source: str) -> bool:
        """Whether to plant `kind` in the next record of `source`."""
        return source in KINDS[kind] and self.rng.random() < self.rate

    def record(
        self,
        kind: str,
        source: str,
        file: str,
        row_number: int | None,
        record_id: str | None,
        expect: str = "quarantine",
    ) -> None:
        self.planted.append(Planted(kind, source, file, row_number, record_id, expect))

    def manifest(self) -> list[dict]:
        return [asdict(p) for p in self.planted]
