"""Signing in and out, passwords, invitations."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from incubator.access import authenticated, public
from incubator.blueprints.auth import bp
from incubator.blueprints.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
)
from incubator.extensions import limiter
from incubator.services import accounts
from incubator.services.errors import DomainError, InvalidToken
from incubator.web import attempt, safe_next, transaction


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _start_session(user, remember: bool) -> None:
    # A fresh session at sign-in: nothing from before it carries over.
    session.clear()
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home_page"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            with transaction():
                user = accounts.authenticate(form.email.data, form.password.data)
                accounts.record_login(user)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            _start_session(user, remember=form.remember.data)
            flash(f"Welcome, {user.name}.", "success")
            return redirect(safe_next(request.args.get("next"), url_for("main.home_page")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@authenticated
def logout():
    # Clear first: logout_user leaves a note in the session that deletes the remember-me
    # cookie, and clearing after it would drop the note and keep the person signed in.
    session.clear()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@authenticated
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with transaction():
                accounts.change_password(
                    current_user,
                    form.current.data,
                    form.password.data,
                    end_other_sessions=form.end_other_sessions.data,
                )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            # The session token may have changed; sign this device in again under it.
            _start_session(current_user._get_current_object(), remember=False)
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
                accounts.update_profile(
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
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with transaction():
            accounts.request_password_reset(form.email.data)
        # The same answer whether or not the address has an account.
        flash("If that address has an account, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        accounts.user_from_reset_token(token)
    except InvalidToken as error:
        flash(error.message, "danger")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            with transaction():
                accounts.reset_password(token, form.password.data)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            logout_user()
            flash("Your password is set. Sign in with it.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    try:
        invitation = accounts.invitation_from_token(token)
    except InvalidToken as error:
        flash(error.message, "danger")
        return redirect(url_for("auth.login"))
    form = AcceptInvitationForm(obj=invitation.user)
    if form.validate_on_submit():
        try:
            user = attempt(
                lambda: accounts.accept_invitation(
                    token,
                    name=form.name.data,
                    password=form.password.data,
                    time_zone=form.time_zone.data,
                )
            )
        except InvalidToken as error:
            # Used meanwhile (another tab accepted it first), replaced or revoked: the form
            # is of no use any more; signing in is.
            flash(error.message, "danger")
            return redirect(url_for("auth.login"))
        except DomainError as error:
            flash(error.message, "danger")
        else:
            _start_session(user, remember=False)
            flash("Welcome to Accelerate: LA. Your account is ready.", "success")
            return redirect(url_for("main.home_page"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation)
