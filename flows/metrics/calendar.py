"""Working days: the public-holiday calendar the SLA clocks count in.

China's calendar moves weekend days to make long holidays (调休): 2025-09-28 (Sunday) and
2025-10-11 (Saturday) were workdays around National Day. `chinese_calendar` knows those; the
`holidays` package lists holidays but not make-up workdays, so it serves other countries (with
Saturday and Sunday off). For a year chinese_calendar does not cover yet, the days fall back to
`holidays.China` without make-up workdays, and every such day says so in `calendar_source`
(the nightly logs a warning naming the package version to install).
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


def _chinese_calendar_days(start: date, end: date) -> list[CalendarDay]:
    import chinese_calendar

    source = f"chinese_calendar {version('chinesecalendar')}"
    fallback_years: set[int] = set()
    cn_holidays = holidays.country_holidays("CN", years=range(start.year, end.year + 1))
    days = []
    for n in range((end - start).days + 1):
        d = start + timedelta(days=n)
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


def calendar_days(country: str, start: date, end: date) -> list[CalendarDay]:
    """Every day from start to end with whether it is a working day in that country."""
    if country.upper() == "CN":
        return _chinese_calendar_days(start, end)
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
