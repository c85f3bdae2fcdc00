"""One night, resolved once: every fact a night's steps need, fixed before the first step runs.

The settings are read (as the environment is now), the paths derived, the run id and date
chosen and the mapping folder read exactly once, at the top of the night; every step gets this
one frozen object and nothing else decides a time zone, a path or a source. A mapping edited
while the night runs is seen by the next night, never half-way through this one.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from tousu.flows.byo.mapping import Mapping, MappingError
from tousu.flows.byo.source import declared, sources_dir
from tousu.flows.intake.source import Source
from tousu.flows.settings import (
    Settings,
    current_settings,
    data_docs_beside,
    night_end,
)
from tousu.flows.sources import all_sources
from tousu.warehouse import db


@dataclass(frozen=True)
class Night:
    run_id: str
    run_date: date
    timezone: str  # of local times in exports, and of reporting (days, months)
    phone_region: str
    inbox: Path
    warehouse: Path  # the writer's file
    published: Path  # the readers' copy
    plans: Path  # the app's improvement plans, copied in each night
    data_docs: Path
    sources: tuple[Source, ...]  # in loading order: channels, declared sources, the register
    mappings: tuple[Mapping, ...]  # the declared sources' usable mappings (their clocks)
    refused: tuple[tuple[str, MappingError], ...]  # mappings that cannot be used, by name
    memory_limit: (
        str | None
    )  # DuckDB's, for the night's connection (None or empty: DuckDB's default)
    rerun: bool = False
    alert_urls: str | None = None  # where the night's alerts go (flows/alerting.py)
    # A replayed night takes only the files that had arrived by its end (their modification
    # time); None: every file in the inbox (a night run on its own day).
    arrived_by: datetime | None = None

    @property
    def as_of(self) -> datetime:
        """The instant the night's figures are as of (its end, local time)."""
        return night_end(self.run_date, self.timezone)

    @property
    def core_settings(self) -> str:
        """The night's facts core is built with (part of its inputs key)."""
        return json.dumps(
            [self.timezone, self.phone_region, [m.model_dump(mode="json") for m in self.mappings]],
            sort_keys=True,
            ensure_ascii=False,
        )

    @property
    def incoming(self) -> Path:
        """The night's scratch folder for files read but not yet loaded (flows/reading.py):
        beside the warehouse, on its disk; emptied when each source is loaded and at the start
        of every night (a killed night leaves its parts behind)."""
        return self.warehouse.with_name(self.warehouse.name + ".incoming")

    def source(self, name: str) -> Source:
        return next(s for s in self.sources if s.name == name)

    def connect(self) -> duckdb.DuckDBPyConnection:
        return db.connect(
            self.warehouse,
            timezone=self.timezone,
            phone_region=self.phone_region,
            memory_limit=self.memory_limit,
        )

    @classmethod
    def resolve(
        cls,
        inbox: Path,
        warehouse: Path | None = None,
        run_date: date | None = None,
        published: Path | None = None,
        plans: Path | None = None,
        rerun: bool = False,
        settings: Settings | None = None,
        run_id: str | None = None,
        replay: bool = False,
    ) -> Night:
        s = settings or current_settings()
        writer = Path(warehouse or s.warehouse_path).resolve()
        readers = Path(published) if published else s.published_for(writer)
        plans = Path(plans) if plans else s.plans_for(writer)
        run_date = run_date or datetime.now(ZoneInfo(s.timezone)).date()
        mappings = declared(sources_dir(s))
        return cls(
            run_id=run_id or f"{run_date:%Y%m%d}-{uuid.uuid4().hex[:8]}",
            run_date=run_date,
            timezone=s.timezone,
            phone_region=s.phone_region,
            inbox=Path(inbox).resolve(),
            warehouse=writer,
            published=readers,
            plans=plans,
            data_docs=data_docs_beside(readers),
            sources=tuple(all_sources(s.phone_region, mappings).values()),
            mappings=tuple(m for m in mappings.values() if isinstance(m, Mapping)),
            refused=tuple((n, m) for n, m in mappings.items() if isinstance(m, MappingError)),
            memory_limit=s.memory_limit,
            rerun=rerun,
            alert_urls=s.alert_urls,
            arrived_by=night_end(run_date, s.timezone) if replay else None,
        )
