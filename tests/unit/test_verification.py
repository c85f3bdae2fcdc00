"""Plan verification statistics against values computed by hand."""

import math

import pytest

from flows.metrics.verification import complaints_rate, csat_share


def test_fewer_complaints_per_day_is_effective_when_the_interval_is_below_one():
    # 120 complaints in 60 days before, 45 in 60 days after: ratio 0.375
    v = complaints_rate(120, 60, 45, 60, target=1.0, after_days=60)
    assert v.ratio == pytest.approx(0.375)
    half = 1.959964 * math.sqrt(1 / 45 + 1 / 120)
    assert (v.ci_low, v.ci_high) == pytest.approx((0.375 * math.exp(-half),
                                                   0.375 * math.exp(half)))
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
