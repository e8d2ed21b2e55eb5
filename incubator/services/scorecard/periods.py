"""Reporting periods: calendar months, quarters and years. Pure."""

from __future__ import annotations

import enum
from datetime import date, timedelta


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "annual": 12}[self.value]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_start(day: date, frequency: str) -> date:
    """The first day of the period a day falls in."""
    months = Frequency(frequency).months
    month = (day.month - 1) // months * months + 1
    return date(day.year, month, 1)


def period_end(start: date, frequency: str) -> date:
    """The last day of the period that starts on `start`."""
    return _add_months(start, Frequency(frequency).months) - timedelta(days=1)


def is_period_start(day: date, frequency: str) -> bool:
    return period_start(day, frequency) == day


def next_period(start: date, frequency: str) -> date:
    return _add_months(start, Frequency(frequency).months)


def previous_period(start: date, frequency: str) -> date:
    return _add_months(start, -Frequency(frequency).months)


def complete_periods(first_day: date, today: date, frequency: str) -> list[tuple[date, date]]:
    """(start, end) of every period from the one holding first_day to the last that ended
    before today."""
    periods: list[tuple[date, date]] = []
    start = period_start(first_day, frequency)
    while True:
        end = period_end(start, frequency)
        if end >= today:
            return periods
        periods.append((start, end))
        start = next_period(start, frequency)


def label(start: date, frequency: str) -> str:
    """'Oct 2026', 'Q4 2026' or '2026'."""
    kind = Frequency(frequency)
    if kind is Frequency.MONTHLY:
        return start.strftime("%b %Y")
    if kind is Frequency.QUARTERLY:
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return str(start.year)
