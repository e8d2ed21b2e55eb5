"""Reading neighbourhood names out of what people wrote, such as a Devpost answer. Pure.

"We work in Boyle Heights & East Hollywood (and K-Town)" gives Boyle Heights, East
Hollywood and Koreatown. Names are compared without case, accents or punctuation; the
longest name is taken first, so "East Hollywood" is not also read as "Hollywood"; common
other names (K-Town, DTLA, South Central, MacArthur Park, Silverlake) are understood; a
misspelt name close enough to one name is accepted. What matches no neighbourhood is
returned, so that a person can be shown it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# Other names people use, and the Mapping L.A. neighbourhood they mean.
ALIASES = {
    "ktown": "Koreatown",
    "k town": "Koreatown",
    "dtla": "Downtown",
    "downtown la": "Downtown",
    "downtown los angeles": "Downtown",
    "skid row": "Downtown",
    "little tokyo": "Downtown",
    "arts district": "Downtown",
    "south central": "Historic South-Central",
    "south central la": "Historic South-Central",
    "south los angeles": "Historic South-Central",
    "macarthur park": "Westlake",
    "silverlake": "Silver Lake",
    "crenshaw": "Baldwin Hills/Crenshaw",
    "baldwin hills": "Baldwin Hills/Crenshaw",
    "noho": "North Hollywood",
    "thai town": "East Hollywood",
    "little armenia": "East Hollywood",
    "pico union": "Pico-Union",
    "city wide": "Citywide",
    "all of la": "Citywide",
    "all of los angeles": "Citywide",
    "the whole city": "Citywide",
}
# Words that say nothing about which neighbourhood.
FILLER = {
    "and", "the", "in", "of", "we", "serve", "serving", "work", "working", "our", "team",
    "neighbourhood", "neighbourhoods", "neighborhood", "neighborhoods", "area", "areas",
    "los", "angeles", "la", "ca", "city", "mostly", "also", "plus", "around", "near",
    "residents", "communities", "community", "with", "focus", "on", "is", "are", "for",
}  # fmt: skip
# How close a misspelling must be (difflib's ratio) to be taken as a name.
CLOSE_ENOUGH = 0.85
QUESTION_WORDS = ("neighbourhood", "neighborhood")


@dataclass
class NameMatch:
    names: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return bool(self.names) and not self.unmatched


def fold(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    plain = plain.lower().replace("&", " and ").replace("'", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def find_answer(answers: Mapping[str, str]) -> tuple[str, str] | None:
    """The (question, answer) of the first non-empty answer to a question about the
    neighbourhood, e.g. "Which neighborhood(s) does your project serve?"."""
    for question, answer in answers.items():
        folded = fold(question)
        if any(word in folded for word in QUESTION_WORDS) and str(answer).strip():
            return question, str(answer).strip()
    return None


def match_names(text: str, names: Sequence[str]) -> NameMatch:
    """The neighbourhoods named in `text`, in the order written, and the words left over."""
    result = NameMatch()
    folded = fold(text)
    if not folded:
        return result
    keys = {fold(name): name for name in names}
    keys.update({alias: name for alias, name in ALIASES.items() if name in set(names)})
    # Longest first, on word boundaries; each match is blanked out so it is not read again.
    found: list[tuple[int, str]] = []
    remaining = f" {folded} "
    for key in sorted(keys, key=len, reverse=True):
        needle = f" {key} "
        while needle in remaining:
            position = remaining.index(needle)
            found.append((position, keys[key]))
            remaining = (
                remaining[:position]
                + " "
                + "#" * len(key)
                + " "
                + remaining[position + len(needle) :]
            )
    for position, words in _leftovers(remaining):
        close = difflib.get_close_matches(words, list(keys), n=1, cutoff=CLOSE_ENOUGH)
        if close:
            found.append((position, keys[close[0]]))
        else:
            result.unmatched.append(words)
    for _, name in sorted(found):
        if name not in result.names:
            result.names.append(name)
    return result


def _leftovers(remaining: str) -> list[tuple[int, str]]:
    """The runs of words that matched nothing and are not filler, with where they start."""
    runs = []
    for chunk in re.finditer(r"[^#]+", remaining):
        words = [w for w in chunk.group().split() if w not in FILLER and not w.isdigit()]
        if words:
            runs.append((chunk.start(), " ".join(words)))
    return runs
