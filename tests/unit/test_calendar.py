"""Working days: China's make-up workdays, other countries, and a year the calendar lacks."""

import logging
from datetime import date

from tousu.flows.metrics.calendar import add_working_days, calendar_days


def workdays(days):
    return {d.day: d.is_workday for d in days}


def test_china_knows_national_day_and_its_make_up_workdays():
    got = workdays(calendar_days("CN", date(2025, 9, 26), date(2025, 10, 12)))
    assert got[date(2025, 9, 28)] is True  # Sunday, make-up workday
    assert not any(got[date(2025, 10, d)] for d in range(1, 9))
    assert got[date(2025, 10, 11)] is True  # Saturday, make-up workday
    assert got[date(2025, 10, 12)] is False


def test_nth_working_day_after_skips_the_holiday():
    days = calendar_days("CN", date(2025, 9, 1), date(2025, 10, 31))
    assert add_working_days(days, date(2025, 9, 30), 3) == date(2025, 10, 11)
    assert add_working_days(days, date(2025, 9, 26), 3) == date(2025, 9, 30)


def test_other_countries_use_their_public_holidays_and_weekends():
    got = workdays(calendar_days("US", date(2025, 7, 3), date(2025, 7, 7)))
    assert got == {
        date(2025, 7, 3): True,
        date(2025, 7, 4): False,
        date(2025, 7, 5): False,
        date(2025, 7, 6): False,
        date(2025, 7, 7): True,
    }


def test_a_year_the_chinese_calendar_lacks_falls_back_loudly_without_crashing(caplog):
    with caplog.at_level(logging.WARNING):
        days = calendar_days("CN", date(2026, 12, 30), date(2027, 1, 5))
    by_day = {d.day: d for d in days}
    assert by_day[date(2026, 12, 31)].calendar_source.startswith("chinese_calendar")
    assert by_day[date(2027, 1, 1)].is_workday is False  # New Year's Day, from `holidays`
    assert by_day[date(2027, 1, 4)].is_workday is True
    assert "no make-up workdays" in by_day[date(2027, 1, 4)].calendar_source
    assert "no data for 2027" in caplog.text and "pip install -U chinesecalendar" in caplog.text
