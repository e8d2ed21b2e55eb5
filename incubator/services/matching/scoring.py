"""How well a venture and a counterpart (mentor, funder, partner) fit, with reasons. Pure.

Plain values in, plain values out: `VentureFacts` and `CounterpartFacts` (loaded by
facts.py), office-hours `Rankings`, and `MatchWeights`, the points each kind of fit earns
(read from the MATCH_WEIGHTS setting by facts.py). No database, no app.

- `score(venture, counterpart, rankings, weights) -> Scored`: one pair, with its reasons as
  sentences naming both ("Both work on housing."), as the manager and both sides read them:
  each a `Reason`, a message and its values, said in English by str() and in the reader's
  language by reasons.py.
- `score_all(ventures, counterparts, rankings, weights) -> ScoreTable`: every pair at once
  (numpy), the same numbers as `score`; ineligible pairs score -inf.
- `eligibility_classes(ventures, counterparts)`: which pairs may be made, by class of venture
  and of counterpart (a few of each), for questions of room that need no scores.

Input no matching can use raises `Unmatchable`, whose message says what to fix.

Messages are marked with `N_` and translated where a person reads them, not here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# A venture's need is met by a counterpart whose tags mention one of these words.
NEED_SYNONYMS: dict[str, tuple[str, ...]] = {
    "mentors": ("mentor", "mentoring", "coaching", "advice"),
    "data access": ("data", "open data", "data access"),
    "pilot site": ("pilot site", "pilot", "test site", "testbed"),
    "procurement path": ("procurement", "procurement path", "government sales", "contracting"),
    "introductions": ("introductions", "network", "connections", "partnerships"),
    "funding": ("fundraising", "funding", "grants", "investment", "capital"),
    "legal": ("legal", "law", "contracts", "privacy"),
    "design": ("design", "ux", "user research", "service design"),
    "engineering": ("engineering", "software", "technical", "architecture"),
    "marketing": ("marketing", "communications", "outreach", "growth", "brand"),
}
# Needs a counterpart meets by being what it is: any funder meets "Funding".
NEEDS_MET_BY_KIND: dict[str, frozenset[str]] = {
    "funder": frozenset({"funding"}),
    "mentor": frozenset({"mentors"}),
}
CITYWIDE = "citywide"
WEIGHT_NAMES = (
    "needs",
    "challenge_area",
    "stage",
    "impact",
    "neighbourhood",
    "language",
    "ranking",
)


def N_(message: str) -> str:
    """Marks a message for extraction (pybabel's N_ keyword); it is translated where it is
    read (reasons.py, facts.unmatchable_as_invalid_input)."""
    return message


class Unmatchable(ValueError):
    """Input no matching can use (no ventures, no needs, no capacity, bounds that cannot be
    met); the message says what to fix and is fit to show the manager. `template` and
    `values` let it be said in the manager's language."""

    def __init__(self, template: str, **values: str | int):
        super().__init__(template % values if values else template)
        self.template = template
        self.values = values

    @property
    def message(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Reason:
    """Why a pair fits, in one sentence: a message with %(name)s placeholders and their
    values, so that it can be said in the reader's language (reasons.py); str() says it in
    English. `values` are said as they are (names, ranks, a counterpart's own words);
    `labels` are words from the program's lists (needs, areas, stages) and `names` those of
    places and languages, each a list said "a, b and c", labels in lower case."""

    message: str
    values: Mapping[str, str | int] = field(default_factory=dict)
    labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def said(
        self, message: str, word: Callable[[str], str], joined: Callable[[list[str]], str]
    ) -> str:
        """`message` (this reason's, perhaps translated) with the values filled in: each
        label and name as `word` says it, each list as `joined` joins it."""
        values: dict[str, str | int] = dict(self.values)
        for name, labels in self.labels.items():
            values[name] = joined([in_prose(word(label)) for label in labels])
        for name, names in self.names.items():
            values[name] = joined([word(each) for each in names])
        return message % values

    def __str__(self) -> str:
        return self.said(self.message, str, joined)

    def stored(self) -> dict[str, Any]:
        """The reason as a match keeps it (JSON)."""
        kept: dict[str, Any] = {"message": self.message, "values": dict(self.values)}
        if self.labels:
            kept["labels"] = {name: list(labels) for name, labels in self.labels.items()}
        if self.names:
            kept["names"] = {name: list(names) for name, names in self.names.items()}
        return kept

    @classmethod
    def from_stored(cls, kept: Mapping[str, Any]) -> Reason:
        return cls(
            kept["message"],
            dict(kept.get("values", {})),
            {name: tuple(labels) for name, labels in kept.get("labels", {}).items()},
            {name: tuple(names) for name, names in kept.get("names", {}).items()},
        )


@dataclass(frozen=True)
class MatchWeights:
    """Points for each kind of fit; read from the MATCH_WEIGHTS setting."""

    needs: float = 5.0
    challenge_area: float = 3.0
    stage: float = 2.0
    impact: float = 2.0
    neighbourhood: float = 1.5
    language: float = 1.0
    ranking: float = 4.0

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> MatchWeights:
        """The weights a setting names; an unknown name is refused rather than ignored."""
        unknown = set(values) - set(WEIGHT_NAMES)
        if unknown:
            raise Unmatchable(
                N_("Unknown match weights: %(names)s."), names=", ".join(sorted(unknown))
            )
        return cls(**{name: float(value) for name, value in values.items()})


@dataclass(frozen=True)
class VentureFacts:
    """A venture as matching sees it: what it needs and where and how it works."""

    id: int
    name: str
    needs: tuple[str, ...] = ()
    challenge_area: str = ""
    stage: str = ""
    impact_areas: tuple[str, ...] = ()
    neighbourhoods: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class CounterpartFacts:
    """A mentor, funder or partner as matching sees it.

    `key` is "user:<id>" or "org:<id>", as in Match.counterpart_key. `tags` are what it
    offers (mentor expertise, funder focus areas, partner offers); `stages` is empty for
    anyone but a funder who invests only at some stages.
    """

    key: str
    name: str
    kind: str
    capacity: int
    tags: tuple[str, ...] = ()
    challenge_areas: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    neighbourhoods: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    headline: str = ""


@dataclass(frozen=True)
class MutualRank:
    """After office hours: the founder's rank of the mentor and the mentor's of the venture."""

    founder_rank: int | None = None
    counterpart_rank: int | None = None

    @property
    def mutual(self) -> bool:
        return self.founder_rank is not None and self.counterpart_rank is not None


# Keyed by (venture id, counterpart key).
Rankings = Mapping[tuple[int, str], MutualRank]


@dataclass(frozen=True)
class Scored:
    score: float
    reasons: list[Reason]
    # False when the pair may never be matched (a funder who does not invest at that stage).
    eligible: bool = True


@dataclass
class ScoreTable:
    """Scores of every venture (rows) against every counterpart (columns); -inf: ineligible."""

    ventures: list[VentureFacts]
    counterparts: list[CounterpartFacts]
    rankings: Rankings
    weights: MatchWeights
    scores: np.ndarray

    @property
    def capacities(self) -> list[int]:
        return [counterpart.capacity for counterpart in self.counterparts]

    def explain(self, venture: int, counterpart: int) -> Scored:
        """The score of one pair (by row and column) with its reasons."""
        return score(
            self.ventures[venture], self.counterparts[counterpart], self.rankings, self.weights
        )


# One pair ----------------------------------------------------------------------------------


def _fold(values: Iterable[str]) -> frozenset[str]:
    return frozenset(value.strip().lower() for value in values if value and value.strip())


_NEED_PATTERNS: dict[str, re.Pattern[str]] = {}


def _need_pattern(need: str) -> re.Pattern[str]:
    """Finds any of the words that meet a need (its synonyms, or the need itself) as a
    whole word, in any case. `need` is stripped and in lower case."""
    pattern = _NEED_PATTERNS.get(need)
    if pattern is None:
        words = "|".join(re.escape(word) for word in NEED_SYNONYMS.get(need, (need,)))
        pattern = _NEED_PATTERNS[need] = re.compile(rf"\b(?:{words})\b", re.IGNORECASE)
    return pattern


def _evidence_and_how(need: str, counterpart: CounterpartFacts) -> tuple[str, bool] | None:
    """What meets the need, and whether it is met by what the counterpart is (any funder
    meets "Funding") rather than by what it lists; None when nothing does."""
    need = need.strip().lower()
    pattern = _need_pattern(need)
    tag = next((tag for tag in counterpart.tags if pattern.search(tag)), None)
    if tag is None and need not in NEEDS_MET_BY_KIND.get(counterpart.kind, ()):
        return None
    if counterpart.headline and pattern.search(counterpart.headline):
        return counterpart.headline, False
    if tag is not None:
        return tag, False
    return counterpart.headline or counterpart.name, True


def _neighbourhoods_meet(venture: frozenset[str], counterpart: frozenset[str]) -> bool:
    if not venture or not counterpart:
        return False
    return bool(venture & counterpart) or CITYWIDE in venture or CITYWIDE in counterpart


def _ranking_points(rank: MutualRank | None, weight: float) -> float:
    """Points only for a mutual ranking, more the higher both sides ranked each other."""
    if rank is None or rank.founder_rank is None or rank.counterpart_rank is None:
        return 0.0
    return weight * (1.0 / rank.founder_rank + 1.0 / rank.counterpart_rank) / 2.0


def _ranking_reason(
    rank: MutualRank | None, venture: VentureFacts, counterpart: CounterpartFacts, weight: float
) -> tuple[float, Reason | None]:
    """The points a mutual ranking after office hours earns, and the reason that says so;
    (0.0, None) when it earns none."""
    points = _ranking_points(rank, weight)
    if not points or rank is None or rank.founder_rank is None or rank.counterpart_rank is None:
        return 0.0, None
    return points, Reason(
        N_(
            "After office hours, %(whose)s founders ranked %(counterpart)s #%(founder_rank)s "
            "and %(counterpart)s ranked %(venture)s #%(counterpart_rank)s."
        ),
        {
            **_pair(venture, counterpart),
            "founder_rank": rank.founder_rank,
            "counterpart_rank": rank.counterpart_rank,
        },
    )


def _stage_ok(venture: VentureFacts, counterpart: CounterpartFacts) -> bool:
    return not counterpart.stages or venture.stage.lower() in _fold(counterpart.stages)


def joined(values: Iterable[str]) -> str:
    """Values as an English reader lists them: "a", "a and b", "a, b and c"."""
    values = list(values)
    if len(values) < 2:
        return "".join(values)
    return f"{', '.join(values[:-1])} and {values[-1]}"


def _whose(name: str) -> str:
    """A name as an owner: "AquaSave's", but "StreetSeats'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def in_prose(value: str) -> str:
    """A label as it reads inside a sentence: "Water and drought" as "water and drought",
    but "LA Metro" as it is."""
    value = value.strip()
    if len(value) > 1 and value[0].isupper() and value[1].islower():
        return value[0].lower() + value[1:]
    return value


def _pair(venture: VentureFacts, counterpart: CounterpartFacts) -> dict[str, str | int]:
    """The names every reason may use; `whose` is the venture's name as an owner in English
    ("AquaSave's"), which other languages say with `venture` their own way."""
    return {"venture": venture.name, "counterpart": counterpart.name, "whose": _whose(venture.name)}


# What a counterpart is, when that is what meets a need: with and without its own words.
NEEDS_MET_BY_BEING = {
    "mentor": (
        N_("%(venture)s asked for help with %(need)s, and %(counterpart)s is a mentor."),
        N_(
            "%(venture)s asked for help with %(need)s, and %(counterpart)s is a mentor "
            "(%(evidence)s)."
        ),
    ),
    "funder": (
        N_("%(venture)s asked for help with %(need)s, and %(counterpart)s is a funder."),
        N_(
            "%(venture)s asked for help with %(need)s, and %(counterpart)s is a funder "
            "(%(evidence)s)."
        ),
    ),
    "partner": (
        N_("%(venture)s asked for help with %(need)s, and %(counterpart)s is a partner."),
        N_(
            "%(venture)s asked for help with %(need)s, and %(counterpart)s is a partner "
            "(%(evidence)s)."
        ),
    ),
}


def _needs_met(venture: VentureFacts, counterpart: CounterpartFacts) -> list[Reason]:
    """A sentence for each of the venture's needs that the counterpart meets."""
    reasons = []
    for need in venture.needs:
        found = _evidence_and_how(need, counterpart)
        if found is None:
            continue
        evidence, by_kind = found
        evidence = evidence.rstrip(" .")  # the sentence has its own full stop
        values = {**_pair(venture, counterpart), "evidence": evidence}
        if by_kind:
            bare, with_evidence = NEEDS_MET_BY_BEING[counterpart.kind]
            message = with_evidence if evidence != counterpart.name else bare
        else:
            message = N_(
                "%(venture)s asked for help with %(need)s, and %(counterpart)s offers "
                "“%(evidence)s”."
            )
        reasons.append(Reason(message, values, {"need": (need,)}))
    return reasons


# Each kind of fit after the needs: (points, reason), or (0.0, None) when it earns nothing.
Fit = tuple[float, Reason | None]


def _challenge_fit(
    venture: VentureFacts, counterpart: CounterpartFacts, weights: MatchWeights
) -> Fit:
    areas = _fold(counterpart.challenge_areas)
    if venture.challenge_area and venture.challenge_area.strip().lower() in areas:
        return weights.challenge_area, Reason(
            N_("Both work on %(area)s."), {}, {"area": (venture.challenge_area,)}
        )
    return 0.0, None


def _stage_fit(venture: VentureFacts, counterpart: CounterpartFacts, weights: MatchWeights) -> Fit:
    if not counterpart.stages:
        return 0.0, None
    pair = _pair(venture, counterpart)
    if _stage_ok(venture, counterpart):
        return weights.stage, Reason(
            N_("%(counterpart)s invests at the %(stage)s stage, where %(venture)s is."),
            pair,
            {"stage": (venture.stage,)},
        )
    several = len(counterpart.stages) > 1
    if not venture.stage:
        message = (
            N_(
                "%(counterpart)s invests only at the %(stages)s stages, and %(venture)s is at "
                "no stage yet."
            )
            if several
            else N_(
                "%(counterpart)s invests only at the %(stages)s stage, and %(venture)s is at "
                "no stage yet."
            )
        )
        return 0.0, Reason(message, pair, {"stages": counterpart.stages})
    message = (
        N_(
            "%(counterpart)s invests only at the %(stages)s stages, and %(venture)s is at "
            "%(stage)s."
        )
        if several
        else N_(
            "%(counterpart)s invests only at the %(stages)s stage, and %(venture)s is at %(stage)s."
        )
    )
    return 0.0, Reason(message, pair, {"stages": counterpart.stages, "stage": (venture.stage,)})


def _impact_fit(venture: VentureFacts, counterpart: CounterpartFacts, weights: MatchWeights) -> Fit:
    offered = _fold(counterpart.challenge_areas) | _fold(counterpart.tags)
    impact = [area for area in venture.impact_areas if area.strip().lower() in offered]
    if not impact:
        return 0.0, None
    message = (
        N_("%(venture)s aims for impact on %(areas)s, and %(counterpart)s works on it too.")
        if len(impact) == 1
        else N_("%(venture)s aims for impact on %(areas)s, and %(counterpart)s works on them too.")
    )
    return weights.impact * len(impact) / len(venture.impact_areas), Reason(
        message, _pair(venture, counterpart), {"areas": tuple(impact)}
    )


def _neighbourhood_fit(
    venture: VentureFacts, counterpart: CounterpartFacts, weights: MatchWeights
) -> Fit:
    counterpart_places = _fold(counterpart.neighbourhoods)
    if not _neighbourhoods_meet(_fold(venture.neighbourhoods), counterpart_places):
        return 0.0, None
    shared = [n for n in venture.neighbourhoods if n.strip().lower() in counterpart_places]
    shared = [n for n in shared if n.strip().lower() != CITYWIDE]
    pair = _pair(venture, counterpart)
    if shared:
        return weights.neighbourhood, Reason(
            N_("Both work in %(places)s."), {}, names={"places": tuple(shared)}
        )
    if CITYWIDE in counterpart_places:
        return weights.neighbourhood, Reason(
            N_("%(counterpart)s works citywide, so also where %(venture)s works."), pair
        )
    return weights.neighbourhood, Reason(
        N_("%(venture)s works citywide, so also where %(counterpart)s works."), pair
    )


def _language_fit(
    venture: VentureFacts, counterpart: CounterpartFacts, weights: MatchWeights
) -> Fit:
    spoken = _fold(counterpart.languages)
    languages = [language for language in venture.languages if language.lower() in spoken]
    if not languages:
        return 0.0, None
    return weights.language, Reason(
        N_("%(counterpart)s speaks %(languages)s, as %(whose)s team does."),
        _pair(venture, counterpart),
        names={"languages": tuple(languages)},
    )


FITS = (_challenge_fit, _stage_fit, _impact_fit, _neighbourhood_fit, _language_fit)


def score(
    venture: VentureFacts,
    counterpart: CounterpartFacts,
    rankings: Rankings,
    weights: MatchWeights,
) -> Scored:
    """One pair's score with its reasons in plain words; `score_all` gives the same numbers."""
    reasons = _needs_met(venture, counterpart)
    total = weights.needs * len(reasons) / len(venture.needs) if venture.needs else 0.0
    for fit in FITS:
        points, reason = fit(venture, counterpart, weights)
        total += points
        if reason is not None:
            reasons.append(reason)
    rank = rankings.get((venture.id, counterpart.key))
    points, ranked = _ranking_reason(rank, venture, counterpart, weights.ranking)
    if ranked is not None:
        total += points
        reasons.append(ranked)
    if not _stage_ok(venture, counterpart):
        return Scored(0.0, reasons, eligible=False)
    return Scored(total, reasons)


# Every pair at once ------------------------------------------------------------------------


def check_facts(ventures: Sequence[VentureFacts], counterparts: Sequence[CounterpartFacts]):
    """Refuse input no matching can use, saying what to fix."""
    if not ventures:
        raise Unmatchable(N_("The cohort has no active ventures to match."))
    for venture in ventures:
        if not [need for need in venture.needs if need.strip()]:
            raise Unmatchable(
                N_("Add needs to %(venture)s's profile before matching."), venture=venture.name
            )
    if not counterparts:
        raise Unmatchable(N_("There is no one to match with: no profile is open to ventures."))
    for counterpart in counterparts:
        if counterpart.capacity < 0:
            raise Unmatchable(
                N_("%(counterpart)s's capacity cannot be negative."), counterpart=counterpart.name
            )
    if all(counterpart.capacity == 0 for counterpart in counterparts):
        raise Unmatchable(NO_CAPACITY.get(counterparts[0].kind, NO_CAPACITY["counterpart"]))


NO_CAPACITY = {
    "mentor": N_("Every mentor has capacity 0: raise someone's capacity before matching."),
    "funder": N_("Every funder has capacity 0: raise someone's capacity before matching."),
    "partner": N_("Every partner has capacity 0: raise someone's capacity before matching."),
    "counterpart": N_(
        "Every counterpart has capacity 0: raise someone's capacity before matching."
    ),
}


def _multi_hot(rows: Sequence[Iterable[str]], vocabulary: dict[str, int]) -> np.ndarray:
    """One row per item, one column per word: 1 where the item has the word."""
    matrix = np.zeros((len(rows), len(vocabulary)), dtype=np.float64)
    for row, values in enumerate(rows):
        for value in values:
            column = vocabulary.get(value)
            if column is not None:
                matrix[row, column] = 1.0
    return matrix


def _vocabulary(*groups: Iterable[Iterable[str]]) -> dict[str, int]:
    """Each word of the groups numbered in the order first seen."""
    words: dict[str, int] = {}
    for group in groups:
        for values in group:
            for value in values:
                words.setdefault(value, len(words))
    return words


def _shared(venture_rows: Sequence[Iterable[str]], counterpart_rows: Sequence[Iterable[str]]):
    """How many words each venture (row) shares with each counterpart (column)."""
    words = _vocabulary(venture_rows)
    return _multi_hot(venture_rows, words) @ _multi_hot(counterpart_rows, words).T


def _needs_table(ventures, counterparts, weights: MatchWeights) -> np.ndarray:
    """The needs points: the share of each venture's needs the counterpart meets, by a tag
    that mentions the need or by what it is. Each need is looked for once in each distinct
    tag, not once per pair."""
    need_rows = [[need.strip().lower() for need in v.needs if need.strip()] for v in ventures]
    needs = _vocabulary(need_rows)
    tag_rows = [c.tags for c in counterparts]
    tags = _vocabulary(tag_rows)
    mentioned = np.array(
        [[_need_pattern(need).search(tag) is not None for tag in tags] for need in needs],
        dtype=np.float64,
    ).reshape(len(needs), len(tags))
    covered = _multi_hot(tag_rows, tags) @ mentioned.T > 0
    covered |= np.array(
        [[need in NEEDS_MET_BY_KIND.get(c.kind, ()) for need in needs] for c in counterparts],
        dtype=bool,
    ).reshape(len(counterparts), len(needs))
    counts = np.array([len(v.needs) for v in ventures], dtype=np.float64)
    return weights.needs * (_multi_hot(need_rows, needs) @ covered.T) / counts[:, None]


def _challenge_table(ventures, counterparts, weights: MatchWeights) -> np.ndarray:
    venture_areas = [
        [v.challenge_area.strip().lower()] if v.challenge_area else [] for v in ventures
    ]
    areas = [_fold(c.challenge_areas) for c in counterparts]
    return weights.challenge_area * _shared(venture_areas, areas)


def _invests(ventures, counterparts) -> tuple[np.ndarray, np.ndarray]:
    """Whether each counterpart invests at each venture's stage (1 or 0), and which
    counterparts invest only at some stages."""
    invests = _shared(
        [[v.stage.lower()] for v in ventures], [_fold(c.stages) for c in counterparts]
    )
    return invests, np.array([bool(c.stages) for c in counterparts], dtype=bool)


def _eligible(invests: np.ndarray, has_stages: np.ndarray) -> np.ndarray:
    """The pairs that may be made: the counterpart invests at the venture's stage, or at any."""
    return ~has_stages[None, :] | (invests > 0)


def _stage_tables(ventures, counterparts, weights: MatchWeights):
    """The stage points, and which pairs are eligible (the funder invests at that stage)."""
    invests, has_stages = _invests(ventures, counterparts)
    return weights.stage * invests * has_stages[None, :], _eligible(invests, has_stages)


def eligibility_classes(
    ventures: Sequence[VentureFacts], counterparts: Sequence[CounterpartFacts]
) -> tuple[np.ndarray, list[int], list[int]]:
    """Which pairs may be made, by class: ventures at the same stage form one class and
    counterparts investing at the same stages (or at any) another, since eligibility reads
    nothing else. Returns the table of venture classes x counterpart classes (True: every
    pair of the two may be made, as in `score_all`) and each venture's and counterpart's
    class; a few rows and columns, however many pairs."""
    venture_class: dict[str, int] = {}
    # Whether any stage is listed counts apart from which: a list of blanks invests nowhere.
    counterpart_class: dict[tuple[bool, frozenset[str]], int] = {}
    of_venture = [venture_class.setdefault(v.stage.lower(), len(venture_class)) for v in ventures]
    of_counterpart = [
        counterpart_class.setdefault((bool(c.stages), _fold(c.stages)), len(counterpart_class))
        for c in counterparts
    ]
    # One venture and one counterpart of each class stand for the others.
    venture_of = {row: v for v, row in zip(ventures, of_venture, strict=True)}
    counterpart_of = {column: c for c, column in zip(counterparts, of_counterpart, strict=True)}
    invests, has_stages = _invests(
        [venture_of[row] for row in range(len(venture_class))],
        [counterpart_of[column] for column in range(len(counterpart_class))],
    )
    return _eligible(invests, has_stages), of_venture, of_counterpart


def _impact_table(ventures, counterparts, weights: MatchWeights) -> np.ndarray:
    impact_rows = [[a.strip().lower() for a in v.impact_areas] for v in ventures]
    offered = [_fold(c.challenge_areas) | _fold(c.tags) for c in counterparts]
    impact_counts = np.array([max(len(v.impact_areas), 1) for v in ventures], dtype=np.float64)
    return weights.impact * _shared(impact_rows, offered) / impact_counts[:, None]


def _neighbourhood_table(ventures, counterparts, weights: MatchWeights) -> np.ndarray:
    venture_places = [_fold(v.neighbourhoods) for v in ventures]
    counterpart_places = [_fold(c.neighbourhoods) for c in counterparts]
    shared = _shared(venture_places, counterpart_places) > 0
    venture_any = np.array([bool(p) for p in venture_places])
    venture_city = np.array([CITYWIDE in p for p in venture_places])
    counterpart_any = np.array([bool(p) for p in counterpart_places])
    counterpart_city = np.array([CITYWIDE in p for p in counterpart_places])
    meet = (
        shared
        | (venture_city[:, None] & counterpart_any[None, :])
        | (venture_any[:, None] & counterpart_city[None, :])
    )
    return weights.neighbourhood * meet


def _language_table(ventures, counterparts, weights: MatchWeights) -> np.ndarray:
    spoken_rows = [[language.lower() for language in v.languages] for v in ventures]
    speak = _shared(spoken_rows, [_fold(c.languages) for c in counterparts])
    return weights.language * (speak > 0)


def _ranking_table(ventures, counterparts, rankings: Rankings, weights: MatchWeights):
    table = np.zeros((len(ventures), len(counterparts)), dtype=np.float64)
    row_of = {v.id: row for row, v in enumerate(ventures)}
    column_of = {c.key: column for column, c in enumerate(counterparts)}
    for (venture_id, key), rank in rankings.items():
        row, column = row_of.get(venture_id), column_of.get(key)
        if row is not None and column is not None:
            table[row, column] += _ranking_points(rank, weights.ranking)
    return table


def score_all(
    ventures: Sequence[VentureFacts],
    counterparts: Sequence[CounterpartFacts],
    rankings: Rankings,
    weights: MatchWeights,
) -> ScoreTable:
    """Every pair's score as `score` computes it, vectorised; ineligible pairs score -inf.

    Raises Unmatchable for an empty cohort, a venture without needs, no counterparts or
    capacity 0 for everyone.
    """
    check_facts(ventures, counterparts)
    ventures, counterparts = list(ventures), list(counterparts)
    stage_points, eligible = _stage_tables(ventures, counterparts, weights)
    table = _needs_table(ventures, counterparts, weights)
    table += _challenge_table(ventures, counterparts, weights)
    table += stage_points
    table += _impact_table(ventures, counterparts, weights)
    table += _neighbourhood_table(ventures, counterparts, weights)
    table += _language_table(ventures, counterparts, weights)
    if rankings:
        table += _ranking_table(ventures, counterparts, rankings, weights)
    table = np.where(eligible, table, -np.inf)
    return ScoreTable(ventures, counterparts, rankings, weights, table)
