"""What matching knows, loaded from the database as plain values for scoring.py.

- `build_facts(cohort, kind) -> CohortFacts`: the cohort's active ventures, the
  counterparts of that kind with their room left, and the office-hours rankings, in four
  queries at most; with `detail=False`, only the names, needs, stages and room.
- `facts_with_room(cohort, kind)`: the same with this cohort's own introductions taken out
  of capacity, and the pairs a run must not propose again.
- `choices(cohort, kind)`: the same ventures and counterparts as (id, name), for a form.
- `venture_facts(venture)`, `weights_from_config()`: one venture, and the points table.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext
from sqlalchemy import (
    Integer,
    Select,
    String,
    bindparam,
    cast,
    exists,
    func,
    null,
    select,
    true,
)

from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import (
    Cohort,
    FunderProfile,
    Match,
    MatchKind,
    MatchStatus,
    MentorProfile,
    OfficeHoursDay,
    OfficeHoursRanking,
    Organisation,
    PartnerProfile,
    User,
    UserRole,
    Venture,
    VentureStatus,
)
from incubator.services import json_rows
from incubator.services.errors import InvalidInput
from incubator.services.matching.scoring import (
    CounterpartFacts,
    MatchWeights,
    MutualRank,
    Unmatchable,
    VentureFacts,
)

# What holds a counterpart's place: an introduction waiting for answers, or an accepted one.
HOLDS_CAPACITY = (MatchStatus.INTRODUCED, MatchStatus.ACCEPTED)
# A refusal that names the kind of counterpart, a whole sentence for each kind.
NOBODY_WITH_ROOM = {
    MatchKind.MENTOR: N_(
        "No mentor has room: every mentor has capacity 0 or is already fully matched. "
        "Raise a capacity before matching."
    ),
    MatchKind.FUNDER: N_(
        "No funder has room: every funder has capacity 0 or is already fully matched. "
        "Raise a capacity before matching."
    ),
    MatchKind.PARTNER: N_(
        "No partner organisation has room: every partner organisation has capacity 0 or is "
        "already fully matched. Raise a capacity before matching."
    ),
}

# (counterpart key, capacity) -> the places left after introductions in other cohorts.
Room = Callable[[str, int], int]


@dataclass(frozen=True)
class CohortFacts:
    ventures: list[VentureFacts]
    counterparts: list[CounterpartFacts]
    rankings: dict[tuple[int, str], MutualRank]


def counterpart_key(kind: str, counterpart_id: int) -> str:
    """The key the live-pair index uses: "user:<id>" or "org:<id>"."""
    return f"org:{counterpart_id}" if kind == MatchKind.PARTNER else f"user:{counterpart_id}"


def key_id(key: str) -> int:
    """The user or organisation id in a counterpart key."""
    return int(key.partition(":")[2])


@contextmanager
def unmatchable_as_invalid_input() -> Iterator[None]:
    """Let the pure modules' refusal reach the manager as a service's InvalidInput."""
    try:
        yield
    except Unmatchable as error:
        raise InvalidInput(gettext(error.template, **error.values)) from None


def weights_from_config() -> MatchWeights:
    """The MATCH_WEIGHTS setting of the current app."""
    with unmatchable_as_invalid_input():
        return MatchWeights.from_mapping(current_app.config["MATCH_WEIGHTS"])


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return (match.group(1) if match else text)[:160]


def _headline(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


# Ventures -------------------------------------------------------------------------------------


# The columns matching reads of a venture, in VentureFacts' order.
VENTURE_COLUMNS = (
    Venture.id,
    Venture.name,
    Venture.needs,
    Venture.challenge_area,
    Venture.stage,
    Venture.impact_areas,
    Venture.neighbourhoods,
    Venture.languages,
)


def _venture_facts(
    venture_id: int,
    name: str,
    needs: list[str] | None,
    challenge_area: str | None,
    stage: str | None,
    impact_areas: list[str] | None,
    neighbourhoods: list[str] | None,
    languages: list[str] | None,
) -> VentureFacts:
    return VentureFacts(
        id=venture_id,
        name=name,
        needs=tuple(needs or ()),
        challenge_area=challenge_area or "",
        stage=stage or "",
        impact_areas=tuple(impact_areas or ()),
        neighbourhoods=tuple(neighbourhoods or ()),
        languages=tuple(languages or ()),
    )


def venture_facts(venture: Venture) -> VentureFacts:
    """A venture as matching sees it."""
    return _venture_facts(*(getattr(venture, column.key) for column in VENTURE_COLUMNS))


def _active_ventures(cohort: Cohort, *columns):
    """These columns of the cohort's active ventures, by name."""
    return db.session.execute(
        select(*columns)
        .where(Venture.cohort_id == cohort.id, Venture.status == VentureStatus.ACTIVE)
        .order_by(Venture.name, Venture.id)
    ).all()


def _ventures(cohort: Cohort, detail: bool = True) -> list[VentureFacts]:
    """The cohort's active ventures, by name: only the columns matching reads, no objects;
    without `detail`, only what room and eligibility read (names, needs, stages)."""
    columns = (
        VENTURE_COLUMNS if detail else (Venture.id, Venture.name, Venture.needs, Venture.stage)
    )
    rows = _active_ventures(cohort, *columns)
    if not detail:
        return [
            VentureFacts(id=id_, name=name, needs=tuple(needs or ()), stage=stage or "")
            for id_, name, needs, stage in rows
        ]
    return [_venture_facts(*row) for row in rows]


# Counterparts ---------------------------------------------------------------------------------


def _taken_elsewhere(cohort_id: Any, kind: MatchKind) -> Select:
    """(counterpart key, count) of the places introductions in cohorts other than
    `cohort_id` take."""
    return (
        select(Match.counterpart_key, func.count())
        .where(
            Match.kind == kind,
            Match.status.in_(HOLDS_CAPACITY),
            Match.cohort_id != cohort_id,
        )
        .group_by(Match.counterpart_key)
    )


def _room_after_other_cohorts(cohort: Cohort, kind: MatchKind) -> Room:
    """Places already taken by introduced or accepted matches in other cohorts reduce room."""
    taken = dict(db.session.execute(_taken_elsewhere(cohort.id, kind)).all())

    def room(key: str, capacity: int) -> int:
        return max(capacity - taken.get(key, 0), 0)

    return room


def _people_open_to_matching(
    profile: type[MentorProfile] | type[FunderProfile], role: str, *columns
):
    """(user id, name, *columns of the profile) of active users with the role whose profile
    is open to ventures (accepting, for mentors; open to civic ventures, for funders), by
    name: only the columns matching reads, no objects."""
    is_open = MentorProfile.accepting if profile is MentorProfile else FunderProfile.open_to_civic
    has_role = exists().where(UserRole.user_id == User.id, UserRole.role == role)
    return db.session.execute(
        select(User.id, User.name, *columns)
        .join(profile, profile.user_id == User.id)
        .where(User.active, is_open, has_role)
        .order_by(User.name, User.id)
    ).all()


def _counterpart(
    room: Room, kind: MatchKind, owner_id: int, name: str, capacity: int, **fields: Any
) -> CounterpartFacts:
    """One counterpart as matching sees it, its capacity cut to the room it has left."""
    key = counterpart_key(kind, owner_id)
    return CounterpartFacts(
        key=key, name=name, kind=kind.value, capacity=room(key, capacity), **fields
    )


def _mentors(room: Room, detail: bool = True) -> list[CounterpartFacts]:
    """Active users with the mentor role whose profile is accepting; without `detail`, only
    their names and room."""
    if not detail:
        return [
            _counterpart(room, MatchKind.MENTOR, user_id, name, capacity)
            for user_id, name, capacity in _people_open_to_matching(
                MentorProfile, "mentor", MentorProfile.capacity
            )
        ]
    rows = _people_open_to_matching(
        MentorProfile,
        "mentor",
        MentorProfile.capacity,
        MentorProfile.expertise,
        MentorProfile.challenge_areas,
        MentorProfile.languages,
        MentorProfile.organisation,
        MentorProfile.bio,
    )
    return [
        _counterpart(
            room,
            MatchKind.MENTOR,
            user_id,
            name,
            capacity,
            tags=tuple(expertise or ()),
            challenge_areas=tuple(areas or ()),
            languages=tuple(languages or ()),
            headline=_headline(organisation, _first_sentence(bio)),
        )
        for user_id, name, capacity, expertise, areas, languages, organisation, bio in rows
    ]


def _funders(room: Room, detail: bool = True) -> list[CounterpartFacts]:
    """Active users with the funder role whose profile is open to civic ventures; without
    `detail`, only their names, room and the stages they invest at."""
    if not detail:
        return [
            _counterpart(
                room,
                MatchKind.FUNDER,
                user_id,
                name,
                capacity,
                stages=tuple(stages or ()),
            )
            for user_id, name, capacity, stages in _people_open_to_matching(
                FunderProfile, "funder", FunderProfile.capacity, FunderProfile.stages
            )
        ]
    rows = _people_open_to_matching(
        FunderProfile,
        "funder",
        FunderProfile.capacity,
        FunderProfile.focus_areas,
        FunderProfile.stages,
        FunderProfile.organisation,
        FunderProfile.funder_type,
    )
    return [
        _counterpart(
            room,
            MatchKind.FUNDER,
            user_id,
            name,
            capacity,
            tags=tuple(focus_areas or ()),
            challenge_areas=tuple(focus_areas or ()),
            stages=tuple(stages or ()),
            headline=_headline(organisation, funder_type.replace("_", " ")),
        )
        for user_id, name, capacity, focus_areas, stages, organisation, funder_type in rows
    ]


def _partner_organisations(*columns):
    """These columns of the organisations with a partner profile, by name."""
    return db.session.execute(
        select(*columns)
        .join(PartnerProfile, PartnerProfile.organisation_id == Organisation.id)
        .order_by(Organisation.name, Organisation.id)
    ).all()


def _partners(room: Room, detail: bool = True) -> list[CounterpartFacts]:
    """Organisations with a partner profile; without `detail`, only their names and room."""
    if not detail:
        named = _partner_organisations(Organisation.id, Organisation.name, PartnerProfile.capacity)
        return [
            _counterpart(room, MatchKind.PARTNER, organisation_id, name, capacity)
            for organisation_id, name, capacity in named
        ]
    rows = _partner_organisations(Organisation, PartnerProfile)
    return [
        _counterpart(
            room,
            MatchKind.PARTNER,
            organisation.id,
            organisation.name,
            partner.capacity,
            tags=tuple(partner.offers or ()),
            challenge_areas=tuple(partner.challenge_areas or ()),
            neighbourhoods=tuple(partner.neighbourhoods or ()),
            headline=_first_sentence(organisation.description or ""),
        )
        for organisation, partner in rows
    ]


COUNTERPARTS: dict[MatchKind, Callable[[Room, bool], list[CounterpartFacts]]] = {
    MatchKind.MENTOR: _mentors,
    MatchKind.FUNDER: _funders,
    MatchKind.PARTNER: _partners,
}


def choices(cohort: Cohort, kind: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The cohort's active ventures and the counterparts of `kind` open to matching (those
    `build_facts` loads), as (id, name) by name: what a pair can be added from. Two queries
    of two columns, for a form that lists a thousand."""
    kind = MatchKind(kind)
    if kind is MatchKind.PARTNER:
        counterparts = _partner_organisations(Organisation.id, Organisation.name)
    elif kind is MatchKind.MENTOR:
        counterparts = _people_open_to_matching(MentorProfile, "mentor")
    else:
        counterparts = _people_open_to_matching(FunderProfile, "funder")
    return (
        [(id_, name) for id_, name in _active_ventures(cohort, Venture.id, Venture.name)],
        [(id_, name) for id_, name in counterparts],
    )


# Rankings -------------------------------------------------------------------------------------


def _rankings(cohort: Cohort) -> dict[tuple[int, str], MutualRank]:
    """Each side's best rank of the other over the cohort's office-hours days."""
    ranks = db.session.execute(
        select(
            OfficeHoursRanking.venture_id,
            OfficeHoursRanking.mentor_id,
            OfficeHoursRanking.side,
            func.min(OfficeHoursRanking.rank),
        )
        .join(OfficeHoursDay, OfficeHoursDay.id == OfficeHoursRanking.day_id)
        .where(OfficeHoursDay.cohort_id == cohort.id)
        .group_by(
            OfficeHoursRanking.venture_id,
            OfficeHoursRanking.mentor_id,
            OfficeHoursRanking.side,
        )
    ).all()
    sides: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    for venture_id, mentor_id, side, rank in ranks:
        sides[(venture_id, counterpart_key(MatchKind.MENTOR, mentor_id))][side] = rank
    return {
        pair: MutualRank(found.get("founder"), found.get("mentor")) for pair, found in sides.items()
    }


# A cohort's facts -----------------------------------------------------------------------------


def build_facts(cohort: Cohort, kind: str, *, detail: bool = True) -> CohortFacts:
    """The cohort's active ventures, the counterparts of `kind` and the office-hours ranks;
    without `detail`, only names, needs, stages and room, and no ranks (what the run form's
    room reads).

    Four queries at most: ventures, places already taken by introduced or accepted matches
    in other cohorts (they reduce capacity), counterparts and, for mentors, rankings.
    """
    return _facts(cohort, MatchKind(kind), detail, Counter())


def _facts(cohort: Cohort, kind: MatchKind, detail: bool, taken_here: Counter[str]) -> CohortFacts:
    """`build_facts`, with `taken_here` places also taken out of each counterpart's room."""
    ventures = _ventures(cohort, detail)
    elsewhere = _room_after_other_cohorts(cohort, kind)

    def room(key: str, capacity: int) -> int:
        return max(elsewhere(key, capacity) - taken_here[key], 0)

    counterparts = COUNTERPARTS[kind](room, detail)
    rankings = _rankings(cohort) if detail and kind is MatchKind.MENTOR and ventures else {}
    return CohortFacts(ventures, counterparts, rankings)


def _held(cohort: Cohort, kind: MatchKind) -> list[tuple[int, str, str]]:
    """This cohort's pairs of `kind` introduced, accepted or declined: (venture id,
    counterpart key, status), in id order."""
    return [
        (venture_id, key, status)
        for venture_id, key, status in db.session.execute(
            select(Match.venture_id, Match.counterpart_key, Match.status)
            .where(
                Match.cohort_id == cohort.id,
                Match.kind == kind,
                Match.status.in_((*HOLDS_CAPACITY, MatchStatus.DECLINED)),
            )
            .order_by(Match.id)
        )
    ]


def _refuse_without_room(facts: CohortFacts, kind: MatchKind) -> None:
    if facts.counterparts and not any(c.capacity for c in facts.counterparts):
        raise InvalidInput(gettext(NOBODY_WITH_ROOM[kind]))


def facts_with_room(
    cohort: Cohort, kind: MatchKind, *, detail: bool = True
) -> tuple[CohortFacts, set[tuple[int, str]]]:
    """The facts (as `build_facts` gives them) with this cohort's own live introductions
    taken out of capacity, and the pairs (venture id, counterpart key) to keep out:
    introduced or accepted already, or declined."""
    kind = MatchKind(kind)
    if not detail:
        return room_facts(room_rows(cohort, kind))
    rows = _held(cohort, kind)
    places = Counter(key for _, key, status in rows if status in HOLDS_CAPACITY)
    facts = _facts(cohort, kind, detail, places)
    _refuse_without_room(facts, kind)
    return (
        facts,
        {(venture_id, key) for venture_id, key, _ in rows},
    )


# What the run form's room and the add form's choices read ----------------------------------------


class RoomRows:
    """What the run form's room and the review's add form are drawn from, as one query read
    it: the cohort's active ventures (id, name, needs, stage) and the counterparts of `kind`
    open to matching (id, name, capacity, stages), each by name; this cohort's pairs
    introduced, accepted or declined (venture id, counterpart key, status); the places
    introductions in other cohorts take (counterpart key, count); and the draft's pinned pairs
    (venture id, counterpart key). Each list comes as the database wrote it, one JSON text.

    The texts are their own key: equal texts are equal rows. Whatever is drawn from them and
    kept under them (services/matching/review_memory.py) is drawn from these very texts, so a
    change to any row they list (a venture's name, needs, stage, status or cohort; a profile,
    a role, a person's name or activity; an introduction anywhere; a pin) gives other texts and
    another key, and nothing drawn before it is found again.
    """

    __slots__ = ("_hash", "kind", "texts")

    def __init__(self, kind: MatchKind, texts: tuple[str | None, ...]) -> None:
        self.kind = kind
        self.texts = texts
        self._hash = hash((kind, texts))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RoomRows):
            return NotImplemented
        return self.kind == other.kind and self.texts == other.texts

    def _rows(self, position: int) -> list[list[Any]]:
        text = self.texts[position]
        return json.loads(text) if text else []

    @property
    def ventures(self) -> list[list[Any]]:
        return self._rows(0)

    @property
    def counterparts(self) -> list[list[Any]]:
        return self._rows(1)

    @property
    def held(self) -> list[tuple[int, str, str]]:
        return [(venture_id, key, status) for venture_id, key, status in self._rows(2)]

    @property
    def elsewhere(self) -> dict[str, int]:
        return dict(self._rows(3))

    @property
    def pinned(self) -> list[tuple[int, str]]:
        return sorted((venture_id, key) for venture_id, key in self._rows(4))

    @property
    def venture_choices(self) -> list[tuple[int, str]]:
        """The active ventures as (id, name), by name: what a pair can be added from."""
        return [(row[0], row[1]) for row in self.ventures]

    @property
    def counterpart_choices(self) -> list[tuple[int, str]]:
        """The counterparts open to matching as (id, name), by name."""
        return [(row[0], row[1]) for row in self.counterparts]


def _as_text(column: Any) -> Any:
    """A JSON column as the database's text: read without decoding."""
    return cast(column, String)


def _as_json(dialect: str, statement: Select, order: tuple[str, ...] = ()) -> Any:
    """The rows of `statement` as one JSON text, an array of arrays, ordered by its columns
    named in `order`: one value to read, compare and keep instead of a row object each."""
    return json_rows.rows_as_json(
        dialect, statement, *(statement.selected_columns[name] for name in order)
    )


def _open_counterparts(kind: MatchKind) -> Select:
    """(id, name, capacity, stages as text or NULL) of the counterparts of `kind` open to
    matching: the ones `build_facts` loads."""
    if kind is MatchKind.PARTNER:
        return select(
            Organisation.id.label("id"),
            Organisation.name.label("name"),
            PartnerProfile.capacity,
            null(),
        ).join(PartnerProfile, PartnerProfile.organisation_id == Organisation.id)
    profile: type[MentorProfile] | type[FunderProfile]
    if kind is MatchKind.MENTOR:
        profile, role, is_open, stages = MentorProfile, "mentor", MentorProfile.accepting, null()
    else:
        profile, role = FunderProfile, "funder"
        is_open, stages = FunderProfile.open_to_civic, _as_text(FunderProfile.stages)
    has_role = exists().where(UserRole.user_id == User.id, UserRole.role == role)
    return (
        select(User.id.label("id"), User.name.label("name"), profile.capacity, stages)
        .join(profile, profile.user_id == User.id)
        .where(User.active, is_open, has_role)
    )


def _room_statement(dialect: str, kind: MatchKind) -> Select:
    """The query `room_rows` runs for a kind, for the cohort and draft bound as `cohort_id`
    and `draft_id`."""
    cohort_id, draft_id = (
        bindparam("cohort_id", type_=Integer),
        bindparam("draft_id", type_=Integer),
    )
    ventures = select(
        Venture.id.label("id"), Venture.name.label("name"), _as_text(Venture.needs), Venture.stage
    ).where(Venture.cohort_id == cohort_id, Venture.status == VentureStatus.ACTIVE)
    held = select(Match.venture_id, Match.counterpart_key, Match.status).where(
        Match.cohort_id == cohort_id,
        Match.kind == kind,
        Match.status.in_((*HOLDS_CAPACITY, MatchStatus.DECLINED)),
    )
    pinned = select(Match.venture_id, Match.counterpart_key).where(
        # "= true", not "IS true": an index condition on both databases.
        Match.run_id == draft_id,
        Match.pinned == true(),
        Match.status.in_((MatchStatus.PROPOSED, *HOLDS_CAPACITY)),
    )
    return select(
        _as_json(dialect, ventures, ("name", "id")),
        _as_json(dialect, _open_counterparts(kind), ("name", "id")),
        _as_json(dialect, held, ("venture_id", "counterpart_key", "status")),
        _as_json(dialect, _taken_elsewhere(cohort_id, kind), ("counterpart_key",)),
        _as_json(dialect, pinned, ("venture_id", "counterpart_key")),
    )


# Built once per database and kind: building it costs about as much as running it.
_ROOM_STATEMENTS: dict[tuple[str, MatchKind], Select] = {}


def room_rows(cohort: Cohort, kind: MatchKind, draft_id: int | None = None) -> RoomRows:
    """Read what the room and the add form's choices are drawn from, in one query of five
    JSON texts (nothing decoded); `draft_id`, the draft whose pinned pairs count."""
    kind = MatchKind(kind)
    dialect = db.session.get_bind().dialect.name
    statement = _ROOM_STATEMENTS.get((dialect, kind))
    if statement is None:
        statement = _ROOM_STATEMENTS.setdefault((dialect, kind), _room_statement(dialect, kind))
    texts = db.session.execute(
        statement, {"cohort_id": cohort.id, "draft_id": draft_id if draft_id is not None else -1}
    ).one()
    return RoomRows(kind, tuple(text for text in texts))


def _decoded(text: str | None) -> tuple[str, ...]:
    found = json.loads(text) if text else None
    return tuple(found or ())


def room_facts(rows: RoomRows) -> tuple[CohortFacts, set[tuple[int, str]]]:
    """`facts_with_room(cohort, kind, detail=False)` from its rows as read: names, needs,
    stages and room, no ranks; and the pairs to keep out."""
    held = rows.held
    taken_here = Counter(key for _, key, status in held if status in HOLDS_CAPACITY)
    taken_elsewhere = rows.elsewhere

    def room(key: str, capacity: int) -> int:
        return max(max(capacity - taken_elsewhere.get(key, 0), 0) - taken_here[key], 0)

    ventures = [
        VentureFacts(id=id_, name=name, needs=_decoded(needs), stage=stage or "")
        for id_, name, needs, stage in rows.ventures
    ]
    kind = rows.kind
    counterparts = [
        _counterpart(room, kind, owner_id, name, capacity, stages=_decoded(stages))
        if kind is MatchKind.FUNDER
        else _counterpart(room, kind, owner_id, name, capacity)
        for owner_id, name, capacity, stages in rows.counterparts
    ]
    facts = CohortFacts(ventures, counterparts, {})
    _refuse_without_room(facts, kind)
    return facts, {(venture_id, key) for venture_id, key, _ in held}
