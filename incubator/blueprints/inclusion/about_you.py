"""A person's own demographic answers: give, see, change or withdraw them.

No URL here names a person: the signed-in pages show the signed-in person's answers, and
the answer link (a signed token, shown right after registering) lets its holder give
answers once, never see them.
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from incubator.access import authenticated, public
from incubator.blueprints.inclusion import bp
from incubator.blueprints.inclusion.about_you_forms import AboutYouForm
from incubator.forms import ConfirmForm
from incubator.services.errors import InvalidToken
from incubator.services.inclusion import demographics
from incubator.web import submit


@bp.route("/about-you", methods=["GET", "POST"])
@authenticated
def about_you():
    return _own_answers(current_user, url_for("inclusion.about_you"), url_for("inclusion.withdraw"))


def _own_answers(person, page_url: str, withdraw_url: str):
    """A person's own answers (if any) with the way to withdraw them, and the form to change
    them; saving comes back to the page."""
    answers = demographics.answers_of(person)
    form = AboutYouForm(obj=answers)
    if submit(
        form,
        lambda: demographics.save_answers(person, form.answers(), by=person),
        _("Your answers are saved. Thank you."),
    ):
        return redirect(page_url)
    return render_template(
        "inclusion/about_you.html",
        form=form,
        form_action=page_url,
        withdraw_url=withdraw_url,
        lines=demographics.answer_lines(answers) if answers is not None else None,
    )


@bp.route("/about-you/withdraw", methods=["GET", "POST"])
@authenticated
def withdraw():
    form = ConfirmForm()
    form.submit.label.text = _("Withdraw my answers")
    withdrawn = submit(form, lambda: demographics.withdraw(current_user))
    if withdrawn:
        if withdrawn.result:
            flash(_("Your answers are withdrawn: they are deleted."), "success")
        else:
            flash(_("There were no answers to withdraw."), "info")
        return redirect(url_for("inclusion.about_you"))
    return render_template(
        "inclusion/about_you_withdraw.html",
        form=form,
        has_answers=demographics.answers_of(current_user) is not None,
        back_url=url_for("inclusion.about_you"),
    )


@bp.route("/about-you/skip", methods=["POST"])
@authenticated
def skip():
    submit(
        ConfirmForm(),
        lambda: demographics.skip(current_user),
        _(
            "We won't ask again. You can still answer any time: “About you” is in the menu "
            "with your name."
        ),
        flash_errors=True,
    )
    return redirect(url_for("main.home_page"))


@bp.route("/about-you/<token>", methods=["GET", "POST"])
@public
def answer_by_link(token: str):
    try:
        person = demographics.user_from_answer_token(token)
    except InvalidToken as error:
        flash(error.message, "danger")
        return redirect(url_for("auth.login"))
    form = AboutYouForm()
    saved = submit(form, lambda: demographics.save_answers_by_link(token, form.answers()))
    if saved:
        page = render_template(
            "inclusion/about_you_saved.html", lines=demographics.answer_lines(saved.result)
        )
    else:
        page = render_template(
            "inclusion/about_you_link.html",
            form=form,
            answered=demographics.answers_of(person) is not None,
        )
    # The answers typed are on the page, and a visitor is not signed in (security.py marks
    # only signed-in pages): no browser or proxy keeps it for the machine's next user.
    return page, {"Cache-Control": "no-store"}


# The mailed link ---------------------------------------------------------------------------
# Only the address's owner receives it, so it does what signing in does: see, change,
# withdraw. The pages carry the answers, so nothing may keep them (no-store).


def _person_of_mailed_link(token: str):
    try:
        return demographics.user_from_your_answers_token(token)
    except InvalidToken as error:
        flash(error.message, "danger")
        return None


@bp.route("/your-answers/<token>", methods=["GET", "POST"])
@public
def your_answers(token: str):
    person = _person_of_mailed_link(token)
    if person is None:
        return redirect(url_for("auth.login"))
    page = _own_answers(
        person,
        url_for("inclusion.your_answers", token=token),
        url_for("inclusion.withdraw_by_mailed_link", token=token),
    )
    return page, {"Cache-Control": "no-store"}


@bp.route("/your-answers/<token>/withdraw", methods=["GET", "POST"])
@public
def withdraw_by_mailed_link(token: str):
    person = _person_of_mailed_link(token)
    if person is None:
        return redirect(url_for("auth.login"))
    form = ConfirmForm()
    form.submit.label.text = _("Withdraw my answers")
    withdrawn = submit(form, lambda: demographics.withdraw(person))
    if withdrawn:
        flash(
            _("Your answers are withdrawn: they are deleted.")
            if withdrawn.result
            else _("There were no answers to withdraw."),
            "success" if withdrawn.result else "info",
        )
        return redirect(url_for("inclusion.your_answers", token=token))
    page = render_template(
        "inclusion/about_you_withdraw.html",
        form=form,
        has_answers=demographics.answers_of(person) is not None,
        back_url=url_for("inclusion.your_answers", token=token),
    )
    return page, {"Cache-Control": "no-store"}
