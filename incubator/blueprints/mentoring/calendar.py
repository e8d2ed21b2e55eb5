"""Mentoring: a person's private calendar subscription URL, and the feed it serves."""

from flask import Response, abort, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from incubator.access import authenticated, public
from incubator.blueprints.mentoring import bp
from incubator.blueprints.mentoring.booking_forms import CalendarFeedForm
from incubator.services.mentoring import calendars
from incubator.web import submit


def _revoked_message(revoked: int) -> str:
    if revoked:
        return _("Your subscription URL no longer works.")
    return _("You had no subscription URL to revoke.")


@bp.route("/calendar", methods=["GET", "POST"])
@authenticated
def calendar_settings():
    form = CalendarFeedForm()
    new_url = None
    if form.revoke.data:
        if submit(form, lambda: calendars.revoke_feeds(current_user), _revoked_message):
            return redirect(url_for("mentoring.calendar_settings"))
    elif created := submit(form, lambda: calendars.create_feed(current_user)):
        # Shown on this page only: the database keeps just a hash of the token.
        new_url = url_for("mentoring.feed", token=created.result, _external=True)
    response = make_response(
        render_template(
            "mentoring/calendar.html",
            form=form,
            feed=calendars.active_feed(current_user),
            new_url=new_url,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/calendar/<token>.ics")
@public
def feed(token: str):
    # Public because calendar applications send no cookies; the token is the credential.
    user = calendars.user_for_feed_token(token)
    if user is None:
        abort(404)
    return Response(
        calendars.feed_ics(user),
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'inline; filename="accelerate-la-sessions.ics"',
            "Cache-Control": "private, no-cache",
        },
    )
