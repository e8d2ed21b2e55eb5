"""Judging: rubrics, judge assignments and judges' scores, which freeze when judging closes.

What the scores add up to (the ranking, placements, the export) is in results.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from incubator import permissions
from incubator.extensions import db
from incubator.models import (
    AuditEvent,
    Challenge,
    Hackathon,
    HackathonStatus,
    JudgeAssignment,
    Role,
    RubricCriterion,
    Score,
    Submission,
    SubmissionStatus,
    User,
    UserRole,
    utcnow,
)
from incubator.services import audit, history, locks, notices, versions
from incubator.services.errors import Conflict, InvalidInput, NotAllowed

WEIGHT_MAX = 100
SCALE_LOWEST = 0
SCALE_HIGHEST = 100
NAME_MAX = 120
DESCRIPTION_MAX = 2000
COMMENT_MAX = 2000


def _insert(model):
    """INSERT with ON CONFLICT, which SQLite and PostgreSQL both support."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


# Rubric -------------------------------------------------------------------------------


def _criterion_state(criterion: RubricCriterion) -> dict:
    return {
        "hackathon_id": criterion.hackathon_id,
        "name": criterion.name,
        "description": criterion.description,
        "weight": criterion.weight,
        "scale_min": criterion.scale_min,
        "scale_max": criterion.scale_max,
    }


@contextmanager
def _name_still_free() -> Iterator[None]:
    """Two requests saving the same criterion name at once: both pass the check, and the
    database's unique name refuses the second; say so instead of failing."""
    # Worded before anything is written: finding the viewer's language may load from the
    # database, which flushes pending writes, and after a failed one loads nothing.
    refusal = Conflict(_("A criterion with that name was saved a moment ago; nothing changed."))
    try:
        yield
    except IntegrityError:
        raise refusal from None


def _check_scale(scale_min: int, scale_max: int) -> None:
    for value in (scale_min, scale_max):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(_("The scale's ends must be whole numbers."))
        if not (SCALE_LOWEST <= value <= SCALE_HIGHEST):
            raise InvalidInput(
                _(
                    "The scale must lie within %(lowest)s to %(highest)s; %(value)s does not.",
                    lowest=SCALE_LOWEST,
                    highest=SCALE_HIGHEST,
                    value=value,
                )
            )
    if scale_min >= scale_max:
        raise InvalidInput(_("The scale's lowest score must be below its highest."))


def _checked_criterion_fields(
    hackathon: Hackathon,
    name: str,
    weight: float,
    scale_min: int,
    scale_max: int,
    description: str,
    exclude: RubricCriterion | None = None,
) -> tuple[str, float, int, int, str]:
    name = (name or "").strip()
    description = (description or "").strip()
    if not name:
        raise InvalidInput(_("A criterion needs a name."))
    if len(name) > NAME_MAX:
        raise InvalidInput(_("Keep the criterion's name to %(most)s characters.", most=NAME_MAX))
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(_("Keep the description to %(most)s characters.", most=DESCRIPTION_MAX))
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        raise InvalidInput(_("The weight must be a number."))
    # NaN fails both comparisons, so it is refused here too.
    if not (0 < weight <= WEIGHT_MAX):
        raise InvalidInput(
            _("The weight must be more than 0 and at most %(most)s.", most=WEIGHT_MAX)
        )
    _check_scale(scale_min, scale_max)
    if _name_taken(hackathon, name, exclude):
        raise InvalidInput(_("This rubric already has a criterion called '%(name)s'.", name=name))
    return name, float(weight), scale_min, scale_max, description


def _name_taken(hackathon: Hackathon, name: str, exclude: RubricCriterion | None) -> bool:
    """Whether another criterion of the rubric has this name, in any case."""
    taken = db.session.scalar(
        select(func.count(RubricCriterion.id)).where(
            RubricCriterion.hackathon_id == hackathon.id,
            func.lower(RubricCriterion.name) == name.lower(),
            RubricCriterion.id != (exclude.id if exclude is not None else -1),
        )
    )
    return bool(taken)


def add_criterion(
    hackathon: Hackathon,
    name: str,
    weight: float,
    scale_min: int,
    scale_max: int,
    *,
    description: str = "",
    by: User | None,
) -> RubricCriterion:
    """Add a criterion at the end of a hackathon's rubric."""
    name, weight, scale_min, scale_max, description = _checked_criterion_fields(
        hackathon, name, weight, scale_min, scale_max, description
    )
    last = db.session.scalar(
        select(func.max(RubricCriterion.position)).where(
            RubricCriterion.hackathon_id == hackathon.id
        )
    )
    criterion = RubricCriterion(
        hackathon_id=hackathon.id,
        name=name,
        description=description,
        weight=weight,
        scale_min=scale_min,
        scale_max=scale_max,
        position=0 if last is None else last + 1,
    )
    with _name_still_free():
        db.session.add(criterion)
        db.session.flush()
    audit.record(
        by, "criterion.created", "rubric_criterion", criterion.id, after=_criterion_state(criterion)
    )
    return criterion


def score_count(criterion: RubricCriterion) -> int:
    return db.session.execute(
        select(func.count(Score.id)).where(Score.criterion_id == criterion.id)
    ).scalar_one()


def criterion_score_counts(hackathon: Hackathon) -> dict[int, int]:
    """How many scores each of a hackathon's criteria has, by criterion id."""
    rows = db.session.execute(
        select(Score.criterion_id, func.count(Score.id))
        .join(RubricCriterion, RubricCriterion.id == Score.criterion_id)
        .where(RubricCriterion.hackathon_id == hackathon.id)
        .group_by(Score.criterion_id)
    )
    return dict(rows.all())


def _stale_criterion(
    criterion: RubricCriterion, yours: dict, by: User | None
) -> versions.StaleVersion:
    return versions.refusal_of_edit(
        _("This criterion"),
        criterion,
        yours,
        audited_as=("rubric_criterion", "criterion."),
        by=by,
    )


def update_criterion(
    criterion: RubricCriterion,
    name: str,
    weight: float,
    scale_min: int,
    scale_max: int,
    *,
    description: str = "",
    by: User | None,
    expected_version: int | None = None,
) -> RubricCriterion:
    """Change a criterion; the scale of a criterion that has scores stays as it is.

    Each criterion has its own version: the rubric page edits one criterion per form, so
    a change to another criterion loses nothing and does not refuse this one.
    """
    # RubricCriterion has no place in the lock order; its hackathon's row stands for it.
    locks.lock(criterion.hackathon)
    db.session.refresh(criterion)
    name, weight, scale_min, scale_max, description = _checked_criterion_fields(
        criterion.hackathon, name, weight, scale_min, scale_max, description, exclude=criterion
    )
    yours = {
        "name": name,
        "description": description,
        "weight": weight,
        "scale_min": scale_min,
        "scale_max": scale_max,
    }
    refuse = partial(_stale_criterion, criterion, yours, by)
    versions.check(criterion.version, expected_version, refuse)
    scale_changes = (scale_min, scale_max) != (criterion.scale_min, criterion.scale_max)
    if scale_changes and score_count(criterion):
        # Rescaling would silently change what every existing score means.
        raise Conflict(
            _(
                "Judges have already scored '%(name)s' from %(lowest)s to %(highest)s; the "
                "scale of a scored criterion cannot change. Add a new criterion instead.",
                name=criterion.name,
                lowest=criterion.scale_min,
                highest=criterion.scale_max,
            )
        )
    before = _criterion_state(criterion)
    with _name_still_free(), versions.saving(refuse):
        criterion.name = name
        criterion.description = description
        criterion.weight = weight
        criterion.scale_min = scale_min
        criterion.scale_max = scale_max
    after = _criterion_state(criterion)
    if after != before:
        audit.record(
            by, "criterion.updated", "rubric_criterion", criterion.id, before=before, after=after
        )
    return criterion


def remove_criterion(criterion: RubricCriterion, *, by: User | None) -> None:
    """Remove a criterion nobody has scored yet."""
    scored = score_count(criterion)
    if scored:
        raise Conflict(
            ngettext(
                "'%(name)s' already has %(num)d score; removing it would delete them. "
                "Lower its weight instead.",
                "'%(name)s' already has %(num)d scores; removing it would delete them. "
                "Lower its weight instead.",
                scored,
                name=criterion.name,
            )
        )
    audit.record(
        by,
        "criterion.removed",
        "rubric_criterion",
        criterion.id,
        before=_criterion_state(criterion),
    )
    db.session.delete(criterion)
    db.session.flush()


# Judge assignments ---------------------------------------------------------------------


def judge_candidates() -> list[User]:
    """Active users holding the judge role, by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.id.in_(select(UserRole.user_id).where(UserRole.role == str(Role.JUDGE))),
            )
            .order_by(User.name, User.id)
        )
    )


def judgeable_submissions(
    hackathon: Hackathon, challenge: Challenge | None = None
) -> list[Submission]:
    """The submitted (not draft) submissions of a hackathon, optionally of one challenge."""
    statement = select(Submission).where(
        Submission.hackathon_id == hackathon.id,
        Submission.status == str(SubmissionStatus.SUBMITTED),
    )
    if challenge is not None:
        statement = statement.where(Submission.challenge_id == challenge.id)
    return list(db.session.scalars(statement.order_by(Submission.title, Submission.id)))


def _checked_judges(judges: Iterable[User]) -> list[User]:
    """The judges, each once, all active holders of the judge role."""
    judges = list({judge.id: judge for judge in judges}.values())
    if not judges:
        raise InvalidInput(_("Choose at least one judge."))
    for judge in judges:
        if not judge.has_role(Role.JUDGE):
            raise InvalidInput(
                _("%(name)s does not hold the judge role; add it first.", name=judge.name)
            )
        if not judge.active:
            raise InvalidInput(_("%(name)s's account is deactivated.", name=judge.name))
    return judges


def assign_judges(
    hackathon: Hackathon,
    judges: Iterable[User],
    submissions: Sequence[Submission] | None = None,
    *,
    by: User | None,
) -> int:
    """Assign judges to the given submissions (all submitted ones when None).

    Idempotent: pairs that already exist are left alone. Returns how many were added.
    """
    judges = _checked_judges(judges)
    if submissions is None:
        submissions = judgeable_submissions(hackathon)
    for submission in submissions:
        if submission.hackathon_id != hackathon.id:
            raise InvalidInput(
                _("'%(title)s' belongs to another hackathon.", title=submission.title)
            )
        if submission.status != SubmissionStatus.SUBMITTED:
            raise InvalidInput(
                _("'%(title)s' is a draft; drafts are not judged.", title=submission.title)
            )
    if not submissions:
        raise InvalidInput(_("There are no submitted submissions to assign."))
    submission_ids = {submission.id for submission in submissions}
    existing = {
        tuple(row)
        for row in db.session.execute(
            select(JudgeAssignment.judge_id, JudgeAssignment.submission_id).where(
                JudgeAssignment.judge_id.in_([judge.id for judge in judges]),
                JudgeAssignment.submission_id.in_(submission_ids),
            )
        )
    }
    added = 0
    for judge in judges:
        new_ids = sorted(sid for sid in submission_ids if (judge.id, sid) not in existing)
        if not new_ids:
            continue
        now = utcnow()
        rows = [
            {
                "judge_id": judge.id,
                "submission_id": sid,
                "assigned_by_id": by.id if by else None,
                "created_at": now,
            }
            for sid in new_ids
        ]
        # A pair a concurrent request (a double-clicked Assign) added meanwhile is skipped,
        # and so left out of this request's mail: the judge hears of each pair once.
        inserted = set(
            db.session.scalars(
                _insert(JudgeAssignment)
                .values(rows)
                .on_conflict_do_nothing(
                    index_elements=[JudgeAssignment.judge_id, JudgeAssignment.submission_id]
                )
                .returning(JudgeAssignment.submission_id)
            )
        )
        audit.record(
            by,
            "judge_assignment.created",
            "hackathon",
            hackathon.id,
            after={"judge_id": judge.id, "submission_ids": new_ids},
        )
        newly = [submission for submission in submissions if submission.id in inserted]
        notices.submissions_assigned(hackathon, judge, newly)
        added += len(new_ids)
    db.session.flush()
    return added


def _scores_by(judge: User, submission_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    rows = db.session.execute(
        select(Score.submission_id, Score.criterion_id, Score.value).where(
            Score.judge_id == judge.id, Score.submission_id.in_(list(submission_ids))
        )
    )
    found: dict[int, dict[int, int]] = defaultdict(dict)
    for submission_id, criterion_id, value in rows:
        found[submission_id][criterion_id] = value
    return found


def _unassign(
    judge: User,
    assignments: list[JudgeAssignment],
    hackathon: Hackathon,
    *,
    by: User | None,
    force: bool,
) -> int:
    scored = _scores_by(judge, [a.submission_id for a in assignments])
    if scored and not force:
        count = len(scored)
        raise Conflict(
            ngettext(
                "%(name)s has already scored %(num)d submission; tick 'Even if scored' to remove "
                "them anyway. Their scores are kept but stop counting.",
                "%(name)s has already scored %(num)d submissions; tick 'Even if scored' to remove "
                "them anyway. Their scores are kept but stop counting.",
                count,
                name=judge.name,
            )
        )
    for assignment in assignments:
        db.session.delete(assignment)
    if assignments:
        audit.record(
            by,
            "judge_assignment.removed",
            "hackathon",
            hackathon.id,
            before={
                "judge_id": judge.id,
                "submission_ids": sorted(a.submission_id for a in assignments),
                "scores": {
                    str(sid): {str(c): v for c, v in values.items()}
                    for sid, values in scored.items()
                },
            },
        )
    db.session.flush()
    return len(assignments)


def unassign_judge(
    judge: User, submission: Submission, *, by: User | None, force: bool = False
) -> bool:
    """Take a judge off one submission; refused when they scored it, unless forced.

    Their scores are kept (nothing a person wrote is deleted) but no longer count, and come
    back if the judge is assigned again.
    """
    assignment = db.session.scalar(
        select(JudgeAssignment).where(
            JudgeAssignment.judge_id == judge.id, JudgeAssignment.submission_id == submission.id
        )
    )
    if assignment is None:
        return False
    return _unassign(judge, [assignment], submission.hackathon, by=by, force=force) == 1


def unassign_judge_from_hackathon(
    judge: User, hackathon: Hackathon, *, by: User | None, force: bool = False
) -> int:
    """Take a judge off a hackathon's submissions; refused if they scored any, unless forced."""
    assignments = list(
        db.session.scalars(
            select(JudgeAssignment)
            .join(Submission, Submission.id == JudgeAssignment.submission_id)
            .where(JudgeAssignment.judge_id == judge.id, Submission.hackathon_id == hackathon.id)
        )
    )
    return _unassign(judge, assignments, hackathon, by=by, force=force)


@dataclass(frozen=True)
class JudgeProgress:
    judge: User
    assigned: int
    scored: int


def judges_page(
    hackathon: Hackathon, page: int, per_page: int
) -> tuple[Pagination, list[JudgeProgress]]:
    """The judges assigned in a hackathon, by name, with how many they have and have scored."""
    assigned_here = (
        select(JudgeAssignment.judge_id)
        .join(Submission, Submission.id == JudgeAssignment.submission_id)
        .where(Submission.hackathon_id == hackathon.id)
    )
    pagination = db.paginate(
        select(User).where(User.id.in_(assigned_here)).order_by(User.name, User.id),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    judge_ids = [judge.id for judge in pagination.items]
    if not judge_ids:
        return pagination, []
    assigned = dict(
        db.session.execute(
            select(JudgeAssignment.judge_id, func.count(JudgeAssignment.id))
            .join(Submission, Submission.id == JudgeAssignment.submission_id)
            .where(
                Submission.hackathon_id == hackathon.id,
                Submission.status == str(SubmissionStatus.SUBMITTED),
                JudgeAssignment.judge_id.in_(judge_ids),
            )
            .group_by(JudgeAssignment.judge_id)
        ).all()
    )
    complete = _complete_pairs(hackathon, judge_ids)
    scored: dict[int, int] = defaultdict(int)
    for judge_id, _submission_id in complete:
        scored[judge_id] += 1
    progress = [
        JudgeProgress(judge, assigned.get(judge.id, 0), scored.get(judge.id, 0))
        for judge in pagination.items
    ]
    return pagination, progress


def _complete_pairs(hackathon: Hackathon, judge_ids: list[int]) -> set[tuple[int, int]]:
    """(judge id, submission id) of assigned, submitted submissions scored on every criterion."""
    total = db.session.scalar(
        select(func.count(RubricCriterion.id)).where(RubricCriterion.hackathon_id == hackathon.id)
    )
    if not total:
        return set()
    rows = db.session.execute(
        select(Score.judge_id, Score.submission_id)
        .join(Submission, Submission.id == Score.submission_id)
        .join(RubricCriterion, RubricCriterion.id == Score.criterion_id)
        .join(
            JudgeAssignment,
            (JudgeAssignment.judge_id == Score.judge_id)
            & (JudgeAssignment.submission_id == Score.submission_id),
        )
        .where(
            Submission.hackathon_id == hackathon.id,
            Submission.status == str(SubmissionStatus.SUBMITTED),
            RubricCriterion.hackathon_id == hackathon.id,
            Score.judge_id.in_(judge_ids),
        )
        .group_by(Score.judge_id, Score.submission_id)
        .having(func.count(Score.id) >= total)
    )
    return {(judge_id, submission_id) for judge_id, submission_id in rows}


# Scoring -------------------------------------------------------------------------------


def assigned_submission(judge: User, submission_id: int) -> Submission | None:
    """The submission if this judge may score it and it is not a draft; otherwise None."""
    submission = db.session.scalar(
        select(Submission)
        .options(joinedload(Submission.hackathon), joinedload(Submission.challenge))
        .where(
            Submission.id == submission_id,
            Submission.status == str(SubmissionStatus.SUBMITTED),
        )
    )
    if submission is None or not permissions.may_score_submission(judge, submission):
        return None
    return submission


def scores_of(judge: User, submission: Submission) -> dict[int, Score]:
    """This judge's own scores for a submission, by criterion id."""
    return {
        score.criterion_id: score
        for score in db.session.scalars(
            select(Score).where(Score.judge_id == judge.id, Score.submission_id == submission.id)
        )
    }


def scoring_closed(hackathon: Hackathon) -> bool:
    return hackathon.status == HackathonStatus.CLOSED


def _closed_news(hackathon: Hackathon, viewer: User) -> str | None:
    """Who closed judging and when, from the audit trail: "Maya Manager closed judging at
    3:02 PM", or None when no edit closed it."""
    recent = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "hackathon",
            AuditEvent.object_id == str(hackathon.id),
            AuditEvent.action == "hackathon.updated",
        )
        .order_by(AuditEvent.id.desc())
        .limit(20)
    )
    for event in recent:
        before, after = event.before or {}, event.after or {}
        closed_here = after.get("status") == HackathonStatus.CLOSED
        if closed_here and before.get("status") != HackathonStatus.CLOSED:
            return _(
                "%(name)s closed judging at %(when)s",
                name=history.who(event.actor, viewer),
                when=history.when(event.created_at, viewer),
            )
    return None


def _upsert(rows: list[dict]) -> None:
    """Insert scores, or update the ones this judge already gave, in one atomic statement.

    ON CONFLICT makes a double-clicked Save or two tabs safe: the second write updates
    instead of failing on the unique constraint.
    """
    statement = _insert(Score).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=[Score.submission_id, Score.judge_id, Score.criterion_id],
        set_={
            "value": statement.excluded.value,
            "comment": statement.excluded.comment,
            "updated_at": statement.excluded.updated_at,
        },
    )
    db.session.execute(statement)


def submit_scores(
    judge: User,
    submission: Submission,
    values: Mapping[int, int | None],
    comments: dict[int, str] | None = None,
) -> dict[int, int]:
    """Save a judge's scores for an assigned submission, replacing their earlier ones.

    Every criterion needs a value within its scale; nothing is written otherwise. Returns
    the saved values by criterion id.
    """
    comments = comments or {}
    hackathon = submission.hackathon
    if not permissions.may_score_submission(judge, submission):
        raise NotAllowed(_("You are not assigned to judge this submission."))
    if submission.status != SubmissionStatus.SUBMITTED:
        raise InvalidInput(
            _("'%(title)s' is a draft; drafts are not judged.", title=submission.title)
        )
    # Closing judging locks the hackathon too (hackathons.update_hackathon): a score is saved
    # before the close commits, or sees the hackathon closed.
    locks.lock(hackathon)
    if scoring_closed(hackathon):
        news = _closed_news(hackathon, judge)
        if news is None:
            raise NotAllowed(
                _(
                    "Judging of %(hackathon)s is closed; scores can no longer change.",
                    hackathon=hackathon.name,
                )
            )
        raise NotAllowed(
            _(
                "Judging of %(hackathon)s is closed; scores can no longer change (%(news)s).",
                hackathon=hackathon.name,
                news=news,
            )
        )
    criteria = list(
        db.session.scalars(
            select(RubricCriterion)
            .where(RubricCriterion.hackathon_id == hackathon.id)
            .order_by(RubricCriterion.position, RubricCriterion.id)
        )
    )
    if not criteria:
        raise InvalidInput(
            _("This hackathon's rubric has no criteria yet, so there is nothing to score.")
        )
    saved = _checked_scores(criteria, values, comments)
    before = _scores_by(judge, [submission.id]).get(submission.id, {})
    now = utcnow()
    _upsert(
        [
            {
                "submission_id": submission.id,
                "judge_id": judge.id,
                "criterion_id": criterion.id,
                "value": saved[criterion.id],
                "comment": (comments.get(criterion.id) or "").strip(),
                "updated_at": now,
            }
            for criterion in criteria
        ]
    )
    audit.record(
        judge,
        "scores.saved",
        "submission",
        submission.id,
        before={"judge_id": judge.id, "values": {str(k): v for k, v in before.items()}}
        if before
        else None,
        after={"judge_id": judge.id, "values": {str(k): v for k, v in saved.items()}},
    )
    # Score objects already in the session would otherwise show the values from before.
    for obj in list(db.session.identity_map.values()):
        if (
            isinstance(obj, Score)
            and obj.judge_id == judge.id
            and obj.submission_id == submission.id
        ):
            db.session.expire(obj)
    return saved


def _checked_scores(
    criteria: list[RubricCriterion],
    values: Mapping[int, int | None],
    comments: Mapping[int, str],
) -> dict[int, int]:
    """A whole number within its scale for every criterion, and comments of a sensible
    length; returns the values by criterion id, in the rubric's order."""
    known = {criterion.id for criterion in criteria}
    if set(values) - known or set(comments) - known:
        raise InvalidInput(_("A score was given for a criterion that is not in this rubric."))
    missing = [criterion.name for criterion in criteria if values.get(criterion.id) is None]
    if missing:
        raise InvalidInput(
            _("Score every criterion; missing: %(criteria)s.", criteria=", ".join(missing))
        )
    checked = {}
    for criterion in criteria:
        value = values[criterion.id]
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(
                _("The score for %(name)s must be a whole number.", name=criterion.name)
            )
        if not (criterion.scale_min <= value <= criterion.scale_max):
            raise InvalidInput(
                _(
                    "%(name)s is scored from %(lowest)s to %(highest)s; %(value)s is outside that.",
                    name=criterion.name,
                    lowest=criterion.scale_min,
                    highest=criterion.scale_max,
                    value=value,
                )
            )
        if len(comments.get(criterion.id) or "") > COMMENT_MAX:
            raise InvalidInput(
                _(
                    "Keep the comment on %(name)s to %(most)s characters.",
                    name=criterion.name,
                    most=COMMENT_MAX,
                )
            )
        checked[criterion.id] = value
    return checked


@dataclass(frozen=True)
class AssignmentStatus:
    submission: Submission
    scored: int
    criteria: int
    closed: bool

    @property
    def complete(self) -> bool:
        return self.criteria > 0 and self.scored >= self.criteria


def assignments_page(
    judge: User, page: int, per_page: int
) -> tuple[Pagination, list[AssignmentStatus]]:
    """A judge's own assigned (submitted) submissions, newest hackathon first, with progress."""
    pagination = db.paginate(
        select(Submission)
        .join(JudgeAssignment, JudgeAssignment.submission_id == Submission.id)
        .join(Hackathon, Hackathon.id == Submission.hackathon_id)
        .options(joinedload(Submission.hackathon), joinedload(Submission.challenge))
        .where(
            JudgeAssignment.judge_id == judge.id,
            Submission.status == str(SubmissionStatus.SUBMITTED),
        )
        .order_by(Hackathon.starts_on.desc(), Hackathon.id, Submission.title, Submission.id),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    submissions = pagination.items
    if not submissions:
        return pagination, []
    hackathon_ids = {submission.hackathon_id for submission in submissions}
    criteria = criteria_counts(hackathon_ids)
    scored = scores_given(judge, [submission.id for submission in submissions])
    statuses = [
        AssignmentStatus(
            submission,
            scored.get(submission.id, 0),
            criteria.get(submission.hackathon_id, 0),
            scoring_closed(submission.hackathon),
        )
        for submission in submissions
    ]
    return pagination, statuses


def criteria_counts(hackathon_ids: Iterable[int]) -> dict[int, int]:
    """How many rubric criteria each hackathon has: a submission is scored by a judge once
    they have scored every one. One query."""
    return dict(
        db.session.execute(
            select(RubricCriterion.hackathon_id, func.count(RubricCriterion.id))
            .where(RubricCriterion.hackathon_id.in_(list(hackathon_ids)))
            .group_by(RubricCriterion.hackathon_id)
        ).all()
    )


def scores_given(judge: User, submission_ids: Iterable[int]) -> dict[int, int]:
    """How many criteria the judge has scored on each of these submissions. One query."""
    return dict(
        db.session.execute(
            select(Score.submission_id, func.count(Score.id))
            .where(Score.judge_id == judge.id, Score.submission_id.in_(list(submission_ids)))
            .group_by(Score.submission_id)
        ).all()
    )
