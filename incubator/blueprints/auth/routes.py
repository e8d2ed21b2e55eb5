"""Signing in and out, login sessions, passwords, invitations."""

import hashlib

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from incubator.access import authenticated, public
from incubator.blueprints.auth import bp
from incubator.blueprints.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    EndOtherSessionsForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
)
from incubator.blueprints.auth.login import renew, sign_in, sign_out
from incubator.extensions import limiter
from incubator.models import SessionEnd
from incubator.services import audit
from incubator.services.accounts import login_sessions, users
from incubator.services.errors import DomainError, InvalidToken
from incubator.services.transactions import attempt, transaction
from incubator.web import safe_next

# What a person is told when the email address they typed has had too many attempts: the
# same words whether or not the address has an account.
ACCOUNT_THROTTLED = (
    "Too many attempts with this email address. Wait a few minutes before trying again."
)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _typed_account() -> str:
    """The rate-limit key for the email address in the form, as the accounts service reads
    it; hashed, so the shared store holds no addresses."""
    email = users.normalise_email(request.form.get("email", ""))
    return "account:" + hashlib.sha256(email.encode()).hexdigest()


# Per client address (the limiter's default key) and per email address typed, on POST only.
per_address = limiter.limit(_login_limit, methods=["POST"])
per_account = limiter.limit(
    _account_limit, key_func=_typed_account, methods=["POST"], error_message=ACCOUNT_THROTTLED
)


@bp.route("/login", methods=["GET", "POST"])
@public
@per_address
@per_account
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home_page"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = users.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            # Serialised: on SQLite concurrent sign-ins queue for the write lock instead of
            # failing; checking the password, the slow part, stays outside it.
            with transaction(serialised=True):
                users.record_login(user)
                sign_in(user, remember=form.remember.data)
            flash(f"Welcome, {user.name}.", "success")
            return redirect(safe_next(request.args.get("next"), url_for("main.home_page")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@authenticated
def logout():
    # The login session ends on the server, so copies of its cookies stop working too.
    with transaction(serialised=True):
        sign_out()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/sessions", methods=["GET"])
@authenticated
def sessions():
    return render_template(
        "auth/sessions.html",
        devices=login_sessions.live_sessions(current_user),
        current=current_user.login_session,
        form=EndOtherSessionsForm(),
    )


@bp.route("/sessions/end-others", methods=["POST"])
@authenticated
def end_other_sessions():
    form = EndOtherSessionsForm()
    if form.validate_on_submit():
        with transaction(serialised=True):
            ended = login_sessions.end_all(
                current_user, SessionEnd.SIGNED_OUT_ELSEWHERE, keep=current_user.login_session
            )
            audit.record(
                current_user,
                "user.other_sessions_ended",
                "user",
                current_user.id,
                after={"sessions": ended},
            )
        flash(
            "You are signed out on every other device."
            if ended
            else "You were not signed in on any other device.",
            "success",
        )
    return redirect(url_for("auth.sessions"))


@bp.route("/password", methods=["GET", "POST"])
@authenticated
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with transaction():
                users.change_password(
                    current_user,
                    form.current.data,
                    form.password.data,
                    end_other_sessions=form.end_other_sessions.data,
                    this_session=current_user.login_session,
                )
                # A new session for this device too, as at sign-in.
                renew()
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash("Your password is changed.", "success")
            return redirect(url_for("main.home_page"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@authenticated
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            with transaction():
                users.update_profile(
                    current_user, name=form.name.data, time_zone=form.time_zone.data
                )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash("Your profile is saved.", "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form)


@bp.route("/forgot", methods=["GET", "POST"])
@public
@per_address
@per_account
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with transaction(serialised=True):
            users.request_password_reset(form.email.data)
        # The same answer whether or not the address has an account.
        flash("If that address has an account, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        users.user_from_reset_token(token)
    except InvalidToken as error:
        flash(error.message, "danger")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            with transaction():
                users.reset_password(token, form.password.data)
                # Whoever was signed in on this browser, it starts signed out.
                sign_out()
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash("Your password is set. Sign in with it.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    try:
        invitation = users.invitation_from_token(token)
    except InvalidToken as error:
        flash(error.message, "danger")
        return redirect(url_for("auth.login"))
    form = AcceptInvitationForm(obj=invitation.user)
    if form.validate_on_submit():

        def accept_and_sign_in():
            user = users.accept_invitation(
                token,
                name=form.name.data,
                password=form.password.data,
                time_zone=form.time_zone.data,
            )
            sign_in(user, remember=False)
            return user

        try:
            attempt(accept_and_sign_in)
        except InvalidToken as error:
            # Used meanwhile (another tab accepted it first), replaced or revoked: the form
            # is of no use any more; signing in is.
            flash(error.message, "danger")
            return redirect(url_for("auth.login"))
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash("Welcome to Accelerate: LA. Your account is ready.", "success")
            return redirect(url_for("main.home_page"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation)
