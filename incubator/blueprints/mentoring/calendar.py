"""Mentoring: a person's private calendar subscription URL, and the feed it serves."""

from flask import Response, abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from incubator.access import authenticated, public
from incubator.blueprints.mentoring import bp
from incubator.blueprints.mentoring.booking_forms import CalendarFeedForm
from incubator.services.mentoring import calendars
from incubator.services.transactions import transaction


@bp.route("/calendar", methods=["GET", "POST"])
@authenticated
def calendar_settings():
    form = CalendarFeedForm()
    new_url = None
    if form.validate_on_submit():
        if form.revoke.data:
            with transaction():
                revoked = calendars.revoke_feeds(current_user)
            flash(
                "Your subscription URL no longer works."
                if revoked
                else "You had no subscription URL to revoke.",
                "success",
            )
            return redirect(url_for("mentoring.calendar_settings"))
        with transaction():
            token = calendars.create_feed(current_user)
        # Shown on this page only: the database keeps just a hash of the token.
        new_url = url_for("mentoring.feed", token=token, _external=True)
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
