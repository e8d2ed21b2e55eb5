"""The at-risk rules: plain facts about a venture and thresholds in, the reasons out.

Each rule reads one `VentureFacts` and answers with a `RiskReason` or None; `reasons`
applies them all in the order the pages list them. Nothing here reads the database, the
configuration or the clock: `risk.py` loads the facts for many ventures at once and
passes the thresholds and today's date, so the rules can be tried on plain values. A
reason's message is put into words when it is read, in the language of that moment: the
page's, or the recipient's for a mail made outside a request (English otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from flask_babel import get_translations


class Catalogue(Protocol):
    """What a Phrase asks of a message catalogue (Babel's Translations)."""

    def ugettext(self, message: str) -> str: ...

    def ungettext(self, singular: str, plural: str, num: int) -> str: ...


@dataclass(frozen=True, eq=False)
class Phrase:
    """A message waiting to be said: its words (singular and plural, for `num`) and the
    values that fill it, as Flask-Babel's gettext and ngettext take them. A Phrase among
    the values is said in the same catalogue."""

    singular: str
    plural: str | None = None
    num: int = 0
    variables: tuple[tuple[str, object], ...] = ()

    def said(self, catalogue: Catalogue) -> str:
        """The message in this catalogue's language."""
        if self.plural is None:
            text = catalogue.ugettext(self.singular)
            values: dict[str, Any] = {}
        else:
            text = catalogue.ungettext(self.singular, self.plural, self.num)
            values = {"num": self.num}
        values.update(
            (name, value.said(catalogue) if isinstance(value, Phrase) else value)
            for name, value in self.variables
        )
        return text % values if values else text

    def __str__(self) -> str:
        return self.said(get_translations())

    # Compared and hashed as the words it says now, as Flask-Babel's lazy strings are.
    def __eq__(self, other: object) -> bool:
        return str(self) == (str(other) if isinstance(other, Phrase) else other)

    def __hash__(self) -> int:
        return hash(str(self))


# Named as Flask-Babel's lazy functions, so that pybabel finds their messages (Makefile).
def _l(message: str, **variables: object) -> Phrase:
    return Phrase(message, variables=tuple(variables.items()))


def lazy_ngettext(singular: str, plural: str, num: int, **variables: object) -> Phrase:
    return Phrase(singular, plural, num, tuple(variables.items()))


@dataclass(frozen=True)
class RiskReason:
    """Why a venture is at risk: a code for filters and a message for people."""

    code: str
    # The words, a Phrase (or a string, once said): a message in whatever language is read
    # when it is shown.
    words: object

    @property
    def message(self) -> str:
        return str(self.words)

    def said(self, catalogue: Catalogue) -> RiskReason:
        """The reason with its message said in this catalogue's language."""
        words = self.words.said(catalogue) if isinstance(self.words, Phrase) else self.words
        return RiskReason(self.code, words)


@dataclass(frozen=True)
class Thresholds:
    """How much silence, doubt or delay puts a venture at risk (from the app's config)."""

    # More days than this since the last check-in (or since joining, without one).
    no_check_in_days: int = 14
    # A confidence this low or lower ...
    low_confidence: int = 2
    # ... in this many check-ins in a row, the latest ones.
    low_confidence_streak: int = 2


@dataclass(frozen=True)
class VentureFacts:
    """What the rules read about one venture, dates on the program's calendar."""

    # The label of its stage (a Phrase or a lazy string, to be read in the reasons' language).
    stage_label: object
    # Due dates of its open (planned or in progress) milestones that have one.
    open_due_dates: tuple[date, ...] = ()
    # The Monday of its latest check-in's week; None when it never checked in.
    last_check_in_on: date | None = None
    # Confidences of its latest check-ins, newest first.
    recent_confidences: tuple[int, ...] = ()
    # The day it entered the pipeline: the clock for "no check-in yet".
    joined_on: date | None = None
    # The day it entered its present stage, and how long the cohort expects it to stay.
    stage_since_on: date | None = None
    expected_days: int | None = None


def overdue_milestones(facts: VentureFacts, today: date) -> RiskReason | None:
    """Open milestones whose due date has passed (due today is not yet overdue)."""
    overdue = sum(1 for due_on in facts.open_due_dates if due_on < today)
    if not overdue:
        return None
    return RiskReason(
        "overdue_milestone",
        lazy_ngettext("%(num)d overdue milestone", "%(num)d overdue milestones", overdue),
    )


def no_check_in(facts: VentureFacts, today: date, thresholds: Thresholds) -> RiskReason | None:
    """More than `no_check_in_days` since the last check-in's week began, or, for a venture
    that never checked in, since it joined (a stage move does not restart that clock)."""
    limit = thresholds.no_check_in_days
    if facts.last_check_in_on is None:
        started = facts.joined_on or today
        if (today - started).days > limit:
            return RiskReason("no_check_in", _l("no check-in yet"))
        return None
    days = (today - facts.last_check_in_on).days
    if days > limit:
        return RiskReason(
            "no_check_in",
            lazy_ngettext("no check-in for %(num)d day", "no check-in for %(num)d days", days),
        )
    return None


def low_confidence(facts: VentureFacts, thresholds: Thresholds) -> RiskReason | None:
    """The latest `low_confidence_streak` check-ins all at `low_confidence` or lower."""
    streak, low = thresholds.low_confidence_streak, thresholds.low_confidence
    latest = facts.recent_confidences[:streak]
    if len(latest) < streak or any(value > low for value in latest):
        return None
    return RiskReason(
        "low_confidence",
        lazy_ngettext(
            "confidence %(low)d or lower in the last check-in",
            "confidence %(low)d or lower in the last %(num)d check-ins",
            streak,
            low=low,
        ),
    )


def stalled(facts: VentureFacts, today: date) -> RiskReason | None:
    """Longer in its present stage than the cohort expects (no expectation, no risk)."""
    if not facts.expected_days or facts.stage_since_on is None:
        return None
    days_in_stage = (today - facts.stage_since_on).days
    if days_in_stage <= facts.expected_days:
        return None
    return RiskReason(
        "stalled",
        lazy_ngettext(
            "%(num)d day in %(stage)s, expected %(expected)d",
            "%(num)d days in %(stage)s, expected %(expected)d",
            days_in_stage,
            stage=facts.stage_label,
            expected=facts.expected_days,
        ),
    )


def reasons(facts: VentureFacts, today: date, thresholds: Thresholds) -> list[RiskReason]:
    """Why a venture is at risk, in the order the pages list them; empty when it is not."""
    rules: list[Callable[[], RiskReason | None]] = [
        lambda: overdue_milestones(facts, today),
        lambda: no_check_in(facts, today, thresholds),
        lambda: low_confidence(facts, thresholds),
        lambda: stalled(facts, today),
    ]
    return [reason for rule in rules if (reason := rule()) is not None]
