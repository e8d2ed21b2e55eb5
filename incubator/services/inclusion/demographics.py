"""A person's own demographic answers: giving, changing and withdrawing them.

Every question is optional and offers "prefer not to say"; an unanswered question is NULL
(an empty race list), "prefer not to say" is stored as such. Only the person ever reads
their own row: the functions here take that person (routes pass the signed-in person, or
the one a signed answer link names) and nothing in the app lists or shows another person's
answers. The audit trail records that answers were saved, withdrawn or the question
skipped, never what they were.

The answer link shown right after registering (no account needed) lets a person give their
answers once, while they have none: whoever registers with an address gets that address's
link, so the link never shows, changes or withdraws answers already given. Signing in does,
and so does the link in the registration mails (`your_answers_token`), which only the
address's owner receives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from incubator import permissions
from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import (
    PREFER_NOT_TO_SAY,
    AgeBand,
    AuditEvent,
    DemographicAnswers,
    Gender,
    ImmigrantHistory,
    RaceEthnicity,
    Role,
    User,
    YesNo,
)
from incubator.models.labels import LabelledEnum
from incubator.services import audit, locks
from incubator.services.accounts.users import SignedLink
from incubator.services.errors import Conflict, InvalidInput, InvalidToken
from incubator.services.inclusion import labels

OBJECT_TYPE = "demographic_answers"
SAVED, WITHDRAWN, SKIPPED = "demographics.saved", "demographics.withdrawn", "demographics.skipped"
DETAIL_MAX, SELF_DESCRIBED_MAX = 200, 80

# Sent only by mail, so only the address's owner holds it: it shows, changes and withdraws
# the answers, for people who registered without ever setting a password.
YOUR_ANSWERS_LINK = SignedLink(
    salt="demographic-answers-mailed",
    max_age_setting="YOUR_ANSWERS_LINK_MAX_AGE",
    expired=N_("This link has expired. The newest mail about your registration has a fresh one."),
    invalid=N_("This link is not valid. Check that it was copied whole."),
)
ANSWER_LINK = SignedLink(
    salt="demographic-answers",
    max_age_setting="ANSWER_LINK_MAX_AGE",
    expired=N_("This link has expired. Sign in to answer the questions about you."),
    invalid=N_("This link is not valid. Check that it was copied whole, or sign in instead."),
)


@dataclass(frozen=True)
class AnswersInput:
    """What a person answered; None (or an empty list) for a question left unanswered."""

    race_ethnicity: list[str] = field(default_factory=list)
    race_ethnicity_detail: str = ""
    gender: str | None = None
    gender_self_described: str = ""
    age_band: str | None = None
    la_resident: str | None = None
    immigrant_history: str | None = None


def save_answers(user: User, answers: AnswersInput, *, by: User) -> DemographicAnswers:
    """Give or change the person's own answers (nobody answers for someone else)."""
    permissions.require(by.id == user.id, _("Only you can answer the questions about you."))
    checked = checked_answers(answers)
    locks.lock(user)
    row = db.session.get(DemographicAnswers, user.id)
    if row is None:
        row = DemographicAnswers(user_id=user.id)
        db.session.add(row)
    for name, value in vars(checked).items():
        setattr(row, name, value)
    db.session.flush()
    audit.record(by, SAVED, OBJECT_TYPE, user.id)
    return row


def answers_of(user: User) -> DemographicAnswers | None:
    """The person's own answers, or None; call it only for the person asking."""
    return db.session.get(DemographicAnswers, user.id)


def withdraw(user: User) -> bool:
    """Delete the person's answers; False when there were none."""
    locks.lock(user)
    row = db.session.get(DemographicAnswers, user.id)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    audit.record(user, WITHDRAWN, OBJECT_TYPE, user.id)
    return True


def skip(user: User) -> None:
    """The person would rather not answer now: they are not asked again on their home page."""
    audit.record(user, SKIPPED, OBJECT_TYPE, user.id)


def should_ask(user: User) -> bool:
    """Whether a founder's home page asks the questions: once, until they answer, skip or
    withdraw (a withdrawal is not an invitation to ask again)."""
    if Role.FOUNDER not in user.roles or answers_of(user) is not None:
        return False
    event = db.session.scalar(
        select(AuditEvent.id).where(audit.about(OBJECT_TYPE, user.id, "demographics.")).limit(1)
    )
    return event is None


# The link shown after registering --------------------------------------------------------


def link_payload(link: SignedLink, token: str) -> dict | None:
    """What a signed link's token holds; InvalidToken saying why not in the reader's language
    (a link's reasons are marked for the catalogue, N_, where it is made)."""
    try:
        return link.payload(token)
    except InvalidToken as error:
        raise InvalidToken(_(error.message)) from None


def answer_link_token(user: User) -> str:
    """The signed token of a person's answer link (valid ANSWER_LINK_MAX_AGE seconds)."""
    return ANSWER_LINK.token({"u": user.id})


def user_from_answer_token(token: str) -> User:
    """The person an answer link names, or InvalidToken with the reason."""
    payload = link_payload(ANSWER_LINK, token)
    user = db.session.get(User, payload.get("u")) if payload is not None else None
    if user is None or not user.active:
        raise InvalidToken(_(ANSWER_LINK.invalid))
    return user


def your_answers_token(user: User) -> str:
    """The token of the mailed link to a person's own answers (YOUR_ANSWERS_LINK_MAX_AGE)."""
    return YOUR_ANSWERS_LINK.token({"u": user.id})


def user_from_your_answers_token(token: str) -> User:
    """The person a mailed answers link names, or InvalidToken with the reason."""
    payload = link_payload(YOUR_ANSWERS_LINK, token)
    user = db.session.get(User, payload.get("u")) if payload is not None else None
    if user is None or not user.active:
        raise InvalidToken(_(YOUR_ANSWERS_LINK.invalid))
    return user


def save_answers_by_link(token: str, answers: AnswersInput) -> DemographicAnswers:
    """Give answers through the link, which works only while the person has none."""
    user = user_from_answer_token(token)
    locks.lock(user)
    if answers_of(user) is not None:
        raise Conflict(
            _(
                "Answers about you are already on record. To see, change or withdraw them, "
                "sign in and open “About you”."
            )
        )
    return save_answers(user, answers, by=user)


# Checking and showing answers -------------------------------------------------------------


def checked_answers(answers: AnswersInput) -> AnswersInput:
    """The answers trimmed and checked; InvalidInput says what is wrong."""
    race = _race_list(answers.race_ethnicity)
    detail = _text(
        answers.race_ethnicity_detail,
        DETAIL_MAX,
        N_("The race and ethnicity detail may be at most %(most)d characters."),
    )
    if detail and race == [PREFER_NOT_TO_SAY]:
        raise InvalidInput(_("Leave the detail empty when you prefer not to say."))
    gender = _choice(answers.gender, Gender, N_("Choose your gender from the list."))
    term = _text(
        answers.gender_self_described,
        SELF_DESCRIBED_MAX,
        N_("The term you use may be at most %(most)d characters."),
    )
    if term and gender != Gender.SELF_DESCRIBED:
        raise InvalidInput(_("Write your own term only with “In my own words”."))
    if gender == Gender.SELF_DESCRIBED and not term:
        raise InvalidInput(_("Write the term you use for your gender, or choose another answer."))
    checked = AnswersInput(
        race_ethnicity=race,
        race_ethnicity_detail=detail,
        gender=gender,
        gender_self_described=term,
        age_band=_choice(answers.age_band, AgeBand, N_("Choose your age band from the list.")),
        la_resident=_choice(
            answers.la_resident, YesNo, N_("Choose your Los Angeles answer from the list.")
        ),
        immigrant_history=_choice(
            answers.immigrant_history, ImmigrantHistory, N_("Choose your answer from the list.")
        ),
    )
    if checked == AnswersInput():
        raise InvalidInput(
            _(
                "Every question was left empty, so nothing was saved. Answer at least one, or "
                "choose “Prefer not to say”."
            )
        )
    return checked


def _race_list(values: list[str]) -> list[str]:
    """Known categories, each once, in the standard's order; "prefer not" stands alone."""
    chosen = set(values)
    known = {race.value for race in RaceEthnicity} | {PREFER_NOT_TO_SAY}
    if chosen - known:
        raise InvalidInput(_("Choose race and ethnicity from the list."))
    if PREFER_NOT_TO_SAY in chosen:
        if len(chosen) > 1:
            raise InvalidInput(_("“Prefer not to say” cannot go with other race answers."))
        return [PREFER_NOT_TO_SAY]
    return [race.value for race in RaceEthnicity if race.value in chosen]


def _choice(value: str | None, choices: type[LabelledEnum], refusal: str) -> str | None:
    """A stored value of the enum, or None for no answer; InvalidInput with `refusal` (a
    message marked N_) for another value."""
    if not value:
        return None
    if value not in {choice.value for choice in choices}:
        raise InvalidInput(_(refusal))
    return value


def _text(value: str, most: int, refusal: str) -> str:
    """The text trimmed; InvalidInput with `refusal` (marked N_, its %(most)d the limit) when
    it is longer than `most` characters."""
    text = (value or "").strip()
    if len(text) > most:
        raise InvalidInput(_(refusal, most=most))
    return text


def answer_lines(row: DemographicAnswers) -> list[tuple[str, str]]:
    """The person's answers in words, question by question, for their own page, in their
    language."""
    race = ", ".join(_label(RaceEthnicity, value) for value in row.race_ethnicity)
    if row.race_ethnicity_detail:
        race = f"{race} ({row.race_ethnicity_detail})" if race else row.race_ethnicity_detail
    gender = (
        row.gender_self_described
        if row.gender == Gender.SELF_DESCRIBED
        else _label(Gender, row.gender)
    )
    no_answer = _("No answer")
    return [
        (_("Race and ethnicity"), race or no_answer),
        (_("Gender"), gender or no_answer),
        (_("Age"), _label(AgeBand, row.age_band) or no_answer),
        (_("Live in the City of Los Angeles"), _label(YesNo, row.la_resident) or no_answer),
        (
            _("Immigrant or child of immigrants"),
            _label(ImmigrantHistory, row.immigrant_history) or no_answer,
        ),
    ]


def _label(choices: type[LabelledEnum], value: str | None) -> str:
    if value is None:
        return ""
    if value == PREFER_NOT_TO_SAY:
        return _("Prefer not to say")
    return labels.label(choices(value))
