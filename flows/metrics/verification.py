"""Did an improvement plan work? Its metric before vs after, with a test that fits the metric.

- complaints per day (a count over exposure): the rate ratio after/before with a 95% confidence
  interval on the log scale (Poisson), and the exact conditional test (the after-count given
  the total is binomial with p = exposure share of the after window);
- CSAT (a share): the ratio of the after share to the before share, with Katz's log interval,
  and Fisher's exact test.
Exposure is days in the window unless the company provides a volume (e.g. orders) per day.
Verdict: effective when the interval lies wholly on the better side of 1; not yet when the
after window is shorter than asked or there are too few observations to judge; otherwise not
effective.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

Z95 = 1.959964
WINDOW_DAYS = 60  # days compared before the plan starts and after it is done


@dataclass(frozen=True)
class Verification:
    metric: str
    before_value: float | None
    after_value: float | None
    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    verdict: str  # effective | not_yet | not_effective
    target_met: bool | None
    explanation: str


def complaints_rate(
    before_count: int,
    before_exposure: float,
    after_count: int,
    after_exposure: float,
    target: float,
    after_days: int,
    min_days: int = 28,
    min_count: int = 10,
) -> Verification:
    """Complaints per unit of exposure (per day by default): lower is better."""
    before = before_count / before_exposure if before_exposure else None
    after = after_count / after_exposure if after_exposure else None
    if after_days < min_days or before_count + after_count < min_count or not before_exposure:
        return Verification(
            "complaints_per_day",
            before,
            after,
            None,
            None,
            None,
            None,
            "not_yet",
            None if after is None else after <= target,
            f"needs {min_days} days after the plan and {min_count} complaints "
            f"in all (has {after_days} days, {before_count + after_count})",
        )
    # 0.5 added to empty counts keeps the log interval finite (Haldane).
    a, b = after_count or 0.5, before_count or 0.5
    ratio = (a / after_exposure) / (b / before_exposure)
    half = Z95 * math.sqrt(1 / a + 1 / b)
    low, high = ratio * math.exp(-half), ratio * math.exp(half)
    from scipy import stats  # imported here: a second to load, only needed for done plans

    share = after_exposure / (after_exposure + before_exposure)
    p = stats.binomtest(after_count, before_count + after_count, share, alternative="less").pvalue
    verdict = "effective" if high < 1 else "not_effective"
    return Verification(
        "complaints_per_day",
        before,
        after,
        ratio,
        low,
        high,
        p,
        verdict,
        None if after is None else after <= target,
        f"rate ratio {ratio:.2f} (95% CI {low:.2f}-{high:.2f}), one-sided p = {p:.3g}",
    )


def csat_share(
    before_satisfied: int,
    before_answered: int,
    after_satisfied: int,
    after_answered: int,
    target: float,
    after_days: int,
    min_days: int = 28,
    min_answered: int = 20,
) -> Verification:
    """Share of answered follow-ups satisfied: higher is better."""
    before = before_satisfied / before_answered if before_answered else None
    after = after_satisfied / after_answered if after_answered else None
    if after_days < min_days or after_answered < min_answered or before_answered < min_answered:
        return Verification(
            "csat",
            before,
            after,
            None,
            None,
            None,
            None,
            "not_yet",
            None if after is None else after >= target,
            f"needs {min_days} days after the plan and {min_answered} answered "
            f"follow-ups on each side (has {after_days} days, "
            f"{before_answered} before, {after_answered} after)",
        )
    a, b = after_satisfied or 0.5, before_satisfied or 0.5
    ratio = (a / after_answered) / (b / before_answered)
    half = Z95 * math.sqrt(max(1 / a - 1 / after_answered + 1 / b - 1 / before_answered, 0))
    low, high = ratio * math.exp(-half), ratio * math.exp(half)
    from scipy import stats

    p = stats.fisher_exact(
        [
            [after_satisfied, after_answered - after_satisfied],
            [before_satisfied, before_answered - before_satisfied],
        ],
        alternative="greater",
    ).pvalue
    verdict = "effective" if low > 1 else "not_effective"
    return Verification(
        "csat",
        before,
        after,
        ratio,
        low,
        high,
        p,
        verdict,
        None if after is None else after >= target,
        f"CSAT ratio {ratio:.2f} (95% CI {low:.2f}-{high:.2f}), one-sided p = {p:.3g}",
    )


@dataclass(frozen=True)
class PlanCheck:
    """A done plan's verification and the days it rests on."""

    verification: Verification
    before_days: list[date]  # the days of each window that have data
    after_days: list[date]

    @property
    def months(self) -> list[date]:
        """The months both windows touch (a verdict on a provisional month says so)."""
        return sorted({d.replace(day=1) for d in (*self.before_days, *self.after_days)})


def plan_daily_query(
    category: str | None, department: str | None, product: str | None
) -> tuple[str, list]:
    """The daily series a plan is verified on (mart.complaints_daily in its scope; a scope left
    empty is every value): query and parameters, for the Plans page and the monthly report."""
    return (
        """
        SELECT day, sum(complaints)::BIGINT AS complaints,
               sum(followups_answered)::BIGINT AS answered, sum(satisfied)::BIGINT AS satisfied
        FROM mart.complaints_daily
        WHERE (? IS NULL OR category = ?) AND (? IS NULL OR department = ?)
          AND (? IS NULL OR product = ?)
        GROUP BY day ORDER BY day""",
        [category, category, department, department, product, product],
    )


def verify_plan(
    metric: str,
    target: float,
    start_date: date,
    done_date: date,
    daily: pl.DataFrame,
    as_of: date,
    window_days: int = WINDOW_DAYS,
) -> PlanCheck:
    """A done plan's metric `window_days` before it started vs `window_days` after it was done
    (the after window ends at the published night), from the daily series (columns day,
    complaints, answered, satisfied: mart.complaints_daily in the plan's scope)."""
    before = daily.filter(
        (pl.col("day") >= start_date - timedelta(days=window_days)) & (pl.col("day") < start_date)
    )
    after_end = min(done_date + timedelta(days=window_days), as_of + timedelta(days=1))
    after = daily.filter((pl.col("day") >= done_date) & (pl.col("day") < after_end))
    after_days = max((after_end - done_date).days, 0)
    if metric == "complaints_per_day":
        v = complaints_rate(
            int(before["complaints"].sum()),
            window_days,
            int(after["complaints"].sum()),
            after_days,
            target,
            after_days,
        )
    else:
        v = csat_share(
            int(before["satisfied"].sum()),
            int(before["answered"].sum()),
            int(after["satisfied"].sum()),
            int(after["answered"].sum()),
            target,
            after_days,
        )
    return PlanCheck(v, before["day"].to_list(), after["day"].to_list())


def monthly_series(daily: pl.DataFrame) -> pl.DataFrame:
    """The daily series by month: complaints per day (over the days the month has data up to
    its last one) and CSAT."""
    monthly = (
        daily.group_by_dynamic("day", every="1mo")
        .agg(
            pl.col("complaints").sum(),
            pl.col("answered").sum(),
            pl.col("satisfied").sum(),
            pl.col("day").max().alias("last_day"),
        )
        .with_columns((pl.col("last_day") - pl.col("day")).dt.total_days().add(1).alias("days"))
    )
    return monthly.with_columns(
        (pl.col("complaints") / pl.col("days")).alias("complaints_per_day"),
        (pl.col("satisfied") / pl.col("answered")).alias("csat"),
    )
