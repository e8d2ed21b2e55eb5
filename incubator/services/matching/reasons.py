"""Why a pair was matched, said in the reader's language.

A match keeps its reasons as scoring.py gives them, each a message and its values
(`Reason.stored`), so that the founder, the counterpart and the manager each read them in
their own language, and a mail in its recipient's. A reason kept as plain text (written
before reasons were kept this way) is said as it is.

- `sentence(kept) -> str`, `sentences(kept_reasons) -> list[str]`: in the current language.
- `stored(reasons) -> list[dict]`: scoring's reasons as a match keeps them.
- `listed(words)`: words from the program's lists as a page lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask_babel import get_translations, gettext

from incubator.i18n import N_
from incubator.models import Stage
from incubator.services.matching.scoring import Reason, in_prose

# The venture's name as an owner, which some reasons use ("as AquaSave's team does"). A
# language that says it with its own words in the sentence ("el equipo de AquaSave")
# translates both as the bare name.
WHOSE = N_("%(name)s's")
WHOSE_ENDING_IN_S = N_("%(name)s'")
# The last two of several values listed ("a, b and c").
AND_LAST = N_("%(first)s and %(last)s")

# The stages as a reason names them ("invests at the pilot stage"): stored as values.
STAGE_WORDS = {
    Stage.CONCEPT: N_("Concept"),
    Stage.PROTOTYPE: N_("Prototype"),
    Stage.PILOT: N_("Pilot"),
    Stage.LAUNCH: N_("Launch"),
    Stage.ADOPTION: N_("Adoption"),
}


# gettext(message, **values): flask_babel's, or one bound to a catalogue (`_bound`).
Say = Callable[..., str]


def _bound() -> Say:
    """gettext bound to the current language's catalogue, looked up once: flask_babel's
    looks it up on every call, and a page of matches says a thousand words."""
    catalogue = get_translations()

    def say(message: str, **values: Any) -> str:
        text = catalogue.ugettext(message)
        return text % values if values else text

    return say


def word(value: str, say: Say = gettext) -> str:
    """A word from the program's lists in the current language: a stage by its label, any
    other word as the catalogue has it (a name it does not know stays as it is)."""
    if value in STAGE_WORDS:
        return say(STAGE_WORDS[Stage(value)])
    return say(value) if value else value


def listed(values: Iterable[str] | None, *, prose: bool = False) -> str:
    """Words from the program's lists (areas, needs, offers, stages, places) as a page lists
    them in the current language: "Health, Education"; `prose` in lower case, as inside a
    sentence ("pilot, launch")."""
    said = [word(value) for value in values or ()]
    return ", ".join(in_prose(each) for each in said) if prose else ", ".join(said)


def joined(values: list[str], say: Say = gettext) -> str:
    """Values listed in the current language: "a, b and c", "a, b y c"."""
    if len(values) < 2:
        return "".join(values)
    return say(AND_LAST, first=", ".join(values[:-1]), last=values[-1])


def sentence(kept: Reason | Mapping[str, Any] | str, say: Say = gettext) -> str:
    """One reason, said in the current language."""
    if isinstance(kept, str):
        return kept
    reason = kept if isinstance(kept, Reason) else Reason.from_stored(kept)
    venture = reason.values.get("venture")
    if "whose" in reason.values and isinstance(venture, str):
        owner = WHOSE_ENDING_IN_S if venture.endswith("s") else WHOSE
        values = {**reason.values, "whose": say(owner, name=venture)}
        reason = Reason(reason.message, values, reason.labels, reason.names)
    return reason.said(
        say(reason.message), lambda value: word(value, say), lambda values: joined(values, say)
    )


def sentences(kept_reasons: Iterable[Reason | Mapping[str, Any] | str] | None) -> list[str]:
    """A match's reasons, said in the current language."""
    say = _bound()
    return [sentence(kept, say) for kept in kept_reasons or ()]


def stored(reasons: Iterable[Reason | str]) -> list[str | dict[str, Any]]:
    """Scoring's reasons as a match keeps them (JSON); a reason in plain text as it is."""
    return [reason.stored() if isinstance(reason, Reason) else reason for reason in reasons]
