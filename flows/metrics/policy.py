"""The metrics policy (warehouse/policies/metrics.yml): loaded, validated, turned into rows."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tousu.flows import vocab

DEFAULT_POLICY = Path(__file__).resolve().parents[2] / "warehouse" / "policies" / "metrics.yml"

# The clocks tousu knows how to start and stop (warehouse/marts/10_sla_clock_inputs.sql).
CLOCKS = (
    "first_response",
    "investigation_started",
    "follow_up",
    "new_remedy_after_dissatisfaction",
)


class PolicyError(ValueError):
    """The policy file cannot be used; the message says where and what to fix."""


class When(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: list[Literal[tuple(vocab.CHANNELS)]] | None = None  # type: ignore[valid-type]
    urgency: list[Literal[vocab.URGENCY]] | None = None  # type: ignore[valid-type]
    priority: list[Literal[vocab.PRIORITY]] | None = None  # type: ignore[valid-type]
    category: list[Literal[tuple(vocab.CATEGORIES)]] | None = None  # type: ignore[valid-type]


Positive = Annotated[float, Field(gt=0)]


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid")
    when: When = When()
    minutes: Positive | None = None
    hours: Positive | None = None
    working_days: Annotated[int, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def one_unit(self) -> Target:
        given = [u for u in ("minutes", "hours", "working_days") if getattr(self, u) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of minutes, hours, working_days")
        return self

    @property
    def seconds(self) -> float | None:
        if self.minutes is not None:
            return self.minutes * 60
        if self.hours is not None:
            return self.hours * 3600
        return None

    @property
    def label(self) -> str:
        value, unit = next(
            (getattr(self, u), u)
            for u in ("minutes", "hours", "working_days")
            if getattr(self, u) is not None
        )
        unit = unit.replace("_", " ")
        return f"{value:g} {unit[:-1] if value == 1 else unit}"


class Clock(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pause_while_awaiting_customer: bool = False
    targets: list[Target] = Field(min_length=1)

    @model_validator(mode="after")
    def one_kind_of_time(self) -> Clock:
        kinds = {t.working_days is None for t in self.targets}
        if len(kinds) > 1:
            raise ValueError(
                "a clock's targets are all in calendar time (minutes, hours) or all "
                "in working_days, not mixed"
            )
        if self.pause_while_awaiting_customer and self.targets[0].working_days is not None:
            raise ValueError("pausing is supported for clocks in minutes or hours")
        return self


def _days(spec: str) -> list[date]:
    """'2027-02-06' or a range '2027-02-06..2027-02-13' (both ends included)."""
    first, _, last = spec.partition("..")
    start, end = date.fromisoformat(first.strip()), date.fromisoformat((last or first).strip())
    if end < start:
        raise ValueError(f"{spec}: the range ends before it starts")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


class DeclaredYear(BaseModel):
    """A year's public holidays and make-up workdays (调休) as published (the State Council
    each November): days off and weekend days worked, each a date or a range a..b."""

    model_config = ConfigDict(extra="forbid")
    days_off: list[str] = []
    workdays: list[str] = []

    def off(self) -> set[date]:
        return {d for spec in self.days_off for d in _days(spec)}

    def worked(self) -> set[date]:
        return {d for spec in self.workdays for d in _days(spec)}


class Calendar(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country: str = "CN"
    # years the installed calendar package does not know yet, used before its data
    years: dict[int, DeclaredYear] = {}

    @model_validator(mode="after")
    def dates_in_their_year(self) -> Calendar:
        for year, declared in self.years.items():
            off, worked = declared.off(), declared.worked()
            strays = sorted(d for d in off | worked if d.year != year)
            if strays:
                raise ValueError(f"years.{year}: {strays[0]} is not in {year}")
            both = sorted(off & worked)
            if both:
                raise ValueError(f"years.{year}: {both[0]} is both a day off and a workday")
        return self


class Repeat(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window_days: Annotated[int, Field(gt=0, le=366)] = 30


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str = Field(min_length=1)
    calendar: Calendar = Calendar()
    clocks: dict[str, Clock]
    repeat: Repeat = Repeat()

    @model_validator(mode="after")
    def known_clocks(self) -> Policy:
        unknown = sorted(set(self.clocks) - set(CLOCKS))
        if unknown:
            raise ValueError(
                f"unknown clock(s) {', '.join(unknown)}; tousu measures {', '.join(CLOCKS)}"
            )
        return self

    def rule_rows(self) -> list[dict]:
        """One row per clock target, for the SQL that matches complaints to targets."""
        rows = []
        for clock, spec in self.clocks.items():
            for n, t in enumerate(spec.targets, start=1):
                rows.append(
                    {
                        "policy_version": self.version,
                        "clock": clock,
                        "rule_no": n,
                        "when_channel": t.when.channel,
                        "when_urgency": t.when.urgency,
                        "when_priority": t.when.priority,
                        "when_category": t.when.category,
                        "target_seconds": t.seconds,
                        "target_working_days": t.working_days,
                        "target_label": t.label,
                        "pauses": spec.pause_while_awaiting_customer,
                    }
                )
        return rows


def load_policy(path: Path = DEFAULT_POLICY) -> tuple[Policy, str]:
    """The policy and the sha256 of its text; PolicyError names the line-level problem."""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from exc
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        raise PolicyError(f"{path}: {problems}") from exc
    return policy, hashlib.sha256(text.encode()).hexdigest()
