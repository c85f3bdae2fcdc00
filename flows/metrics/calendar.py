"""Working days: the public-holiday calendar the SLA clocks count in.

China's calendar moves weekend days to make long holidays (调休): 2025-09-28 (Sunday) and
2025-10-11 (Saturday) were workdays around National Day. `chinese_calendar` knows those; the
`holidays` package lists holidays but not make-up workdays, so it serves other countries (with
Saturday and Sunday off). For a year chinese_calendar does not cover yet, the days fall back to
`holidays.China` without make-up workdays, and every such day says so in `calendar_source`
(the nightly logs a warning naming the package version to install).

A company need not wait for the package: the SLA policy (warehouse/policies/metrics.yml,
`calendar.years`) declares a year's days off and make-up workdays as the State Council publishes
them each November; a declared year is used before the package's data, and its days say so in
`calendar_source` (with the policy's version). The nightly warns 60 days before the last day any
of them covers (`calendar_runs_out`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.metadata import version

import holidays

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CalendarDay:
    day: date
    is_workday: bool
    calendar_source: str


# The warning's lead time: the State Council publishes the next year in November or December.
WARN_DAYS_BEFORE = 60


def _chinese_calendar_days(
    start: date, end: date, declared: dict | None = None, policy_version: str = ""
) -> list[CalendarDay]:
    import chinese_calendar

    source = f"chinese_calendar {version('chinesecalendar')}"
    fallback_years: set[int] = set()
    cn_holidays = holidays.country_holidays("CN", years=range(start.year, end.year + 1))
    declared = declared or {}
    off = {y: spec.off() for y, spec in declared.items()}
    worked = {y: spec.worked() for y, spec in declared.items()}
    days = []
    for n in range((end - start).days + 1):
        d = start + timedelta(days=n)
        if d.year in declared:
            days.append(
                CalendarDay(
                    d,
                    d in worked[d.year] or (d.weekday() < 5 and d not in off[d.year]),
                    f"policy {policy_version}: declared {d.year}",
                )
            )
            continue
        try:
            days.append(CalendarDay(d, chinese_calendar.is_workday(d), source))
        except NotImplementedError:
            fallback_years.add(d.year)
            days.append(
                CalendarDay(
                    d,
                    d.weekday() < 5 and d not in cn_holidays,
                    f"fallback: holidays {version('holidays')} China, no make-up workdays",
                )
            )
    if fallback_years:
        log.warning(
            "chinese_calendar %s has no data for %s: working days there ignore make-up workdays "
            "(调休) until a newer chinesecalendar is installed (pip install -U chinesecalendar)",
            version("chinesecalendar"),
            ", ".join(map(str, sorted(fallback_years))),
        )
    return days


def calendar_runs_out(country: str, declared: dict | None = None) -> date | None:
    """The last day the working-day calendar knows make-up workdays for (the package's data or
    a declared year, whichever reaches later); None where there are none to know (not CN)."""
    if country.upper() != "CN":
        return None
    import chinese_calendar

    year = 2004  # the package's first year
    while year < 2200:  # stops at the first year it has no data for
        try:
            chinese_calendar.is_workday(date(year + 1, 6, 1))
        except NotImplementedError:
            break
        year += 1
    known = max([year, *(declared or {})])
    while known + 1 in (declared or {}):
        known += 1
    return date(known, 12, 31)


def calendar_warning(country: str, declared: dict | None, today: date) -> str | None:
    """A warning when the calendar runs out within WARN_DAYS_BEFORE days of today."""
    last = calendar_runs_out(country, declared)
    if last is None or (last - today).days > WARN_DAYS_BEFORE:
        return None
    return (
        f"the working-day calendar ends {last:%Y-%m-%d} ({(last - today).days} days): declare "
        f"{last.year + 1}'s days off and make-up workdays (调休) in warehouse/policies/metrics.yml "
        f"(calendar.years) or install a newer chinesecalendar, else follow-up clocks will "
        f"ignore them"
    )


def calendar_days(
    country: str, start: date, end: date, declared: dict | None = None, policy_version: str = ""
) -> list[CalendarDay]:
    """Every day from start to end with whether it is a working day in that country."""
    if country.upper() == "CN":
        return _chinese_calendar_days(start, end, declared, policy_version)
    off = holidays.country_holidays(country.upper(), years=range(start.year, end.year + 1))
    source = f"holidays {version('holidays')} {country.upper()}"
    return [
        CalendarDay(d, d.weekday() < 5 and d not in off, source)
        for d in (start + timedelta(days=n) for n in range((end - start).days + 1))
    ]


def add_working_days(days: list[CalendarDay], start: date, n: int) -> date:
    """The nth working day after `start` (start itself not counted): a reference for tests."""
    count = 0
    for d in days:
        if d.day > start and d.is_workday:
            count += 1
            if count == n:
                return d.day
    raise ValueError(f"calendar ends before {n} working days after {start}")
