"""Review periods: a month, a quarter (to date), the year to date, a rolling 12 months or a
custom range of months, each with the period before it (as long, just before) and the same
period a year earlier. Figures over a period are summed from the monthly marts' counts and their
rates computed again from the sums by the marts' own formulas (warehouse/figures.py): a period
of one month gives the month's stored figures exactly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

KINDS = ("month", "quarter", "ytd", "rolling12", "custom")


def shift(month: date, months: int) -> date:
    """The first day of the month `months` after (before, if negative) `month`."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    start: date  # first day of the first month
    end: date  # first day of the last month (inclusive)
    kind: str = "month"

    @classmethod
    def of(cls, kind: str, end: date, start: date | None = None) -> Period:
        end = end.replace(day=1)
        if kind == "month":
            return cls(end, end, kind)
        if kind == "quarter":  # the quarter the month is in, up to that month
            return cls(date(end.year, (end.month - 1) // 3 * 3 + 1, 1), end, kind)
        if kind == "ytd":
            return cls(date(end.year, 1, 1), end, kind)
        if kind == "rolling12":
            return cls(shift(end, -11), end, kind)
        if kind == "custom":
            first = (start or end).replace(day=1)
            return cls(min(first, end), max(first, end), kind)
        raise ValueError(f"unknown period kind {kind!r}: one of {', '.join(KINDS)}")

    @property
    def months(self) -> list[date]:
        count = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        return [shift(self.start, i) for i in range(count)]

    def previous(self) -> Period:
        """The period as long, just before this one."""
        n = len(self.months)
        return Period(shift(self.start, -n), shift(self.end, -n), self.kind)

    def last_year(self) -> Period:
        return Period(shift(self.start, -12), shift(self.end, -12), self.kind)

    def label(self) -> str:
        if self.start == self.end:
            return f"{self.end:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.end.year} Q{(self.end.month - 1) // 3 + 1} ({self.start:%Y-%m} – {self.end:%Y-%m})"
        return f"{self.start:%Y-%m} – {self.end:%Y-%m}"
