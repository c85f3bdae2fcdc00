"""Plan verification statistics against values computed by hand."""

import math

import pytest

from tousu.flows.metrics.verification import complaints_rate, csat_share


def test_fewer_complaints_per_day_is_effective_when_the_interval_is_below_one():
    # 120 complaints in 60 days before, 45 in 60 days after: ratio 0.375
    v = complaints_rate(120, 60, 45, 60, target=1.0, after_days=60)
    assert v.ratio == pytest.approx(0.375)
    half = 1.959964 * math.sqrt(1 / 45 + 1 / 120)
    assert (v.ci_low, v.ci_high) == pytest.approx((0.375 * math.exp(-half), 0.375 * math.exp(half)))
    assert v.ci_high < 1 and v.verdict == "effective" and v.target_met is True
    assert v.p_value < 1e-6


def test_no_real_change_is_not_effective():
    v = complaints_rate(60, 60, 57, 60, target=0.5, after_days=60)
    assert v.ci_low < 1 < v.ci_high and v.verdict == "not_effective"
    assert v.target_met is False


def test_too_early_to_judge():
    v = complaints_rate(60, 60, 5, 10, target=0.5, after_days=10)
    assert v.verdict == "not_yet" and "28 days" in v.explanation


def test_exposure_normalises_by_volume():
    # same complaint counts, but orders doubled after: the rate per order halved
    v = complaints_rate(100, 10_000, 100, 20_000, target=0.01, after_days=60)
    assert v.ratio == pytest.approx(0.5) and v.verdict == "effective"


def test_csat_up_is_effective_with_fisher_test():
    v = csat_share(60, 100, 85, 100, target=0.8, after_days=45)
    assert v.ratio == pytest.approx(85 / 60)
    assert v.ci_low > 1 and v.verdict == "effective" and v.target_met is True
    assert 0 < v.p_value < 0.001


def test_a_done_plan_is_verified_on_its_windows_without_the_app():
    from datetime import date, timedelta

    import polars as pl

    from tousu.flows.metrics.verification import verify_plan

    # 2 complaints a day for the 60 days before the start, 1 a day after the plan was done
    start, done, as_of = date(2026, 3, 1), date(2026, 5, 1), date(2026, 6, 9)
    days = [start - timedelta(days=60) + timedelta(days=i) for i in range(161)]
    daily = pl.DataFrame(
        {
            "day": days,
            "complaints": [2 if d < start else 1 for d in days],
            "answered": [0] * len(days),
            "satisfied": [0] * len(days),
        }
    )
    check = verify_plan("complaints_per_day", 1.5, start, done, daily, as_of)
    # the after window ends with the published night: May 1 to June 9 is 40 days
    assert (len(check.before_days), len(check.after_days)) == (60, 40)
    v = check.verification
    assert (v.before_value, v.after_value, v.target_met) == (2.0, 1.0, True)
    assert round(v.ratio, 6) == 0.5 and v.verdict == "effective"
    assert check.months == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 5, 1),
        date(2026, 6, 1),
    ]
    # ten days after: too early to judge
    early = verify_plan("complaints_per_day", 1.5, start, done, daily, date(2026, 5, 10))
    assert early.verification.verdict == "not_yet"
