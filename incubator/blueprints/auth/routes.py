"""Signing in and out, the list of a person's login sessions, passwords, invitations."""

import hashlib

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user

from incubator import i18n
from incubator.access import authenticated, public
from incubator.blueprints.auth import bp
from incubator.blueprints.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    EndOtherLoginSessionsForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
)
from incubator.blueprints.auth.login import renew, sign_in, sign_out, this_login_session
from incubator.extensions import limiter
from incubator.forms import ConfirmForm
from incubator.i18n import N_
from incubator.services.accounts import login_sessions, users
from incubator.services.errors import DomainError, InvalidToken
from incubator.services.transactions import transaction
from incubator.web import safe_next, submit

# What a person is told when the email address they typed has had too many attempts: the
# same words whether or not the address has an account.
ACCOUNT_THROTTLED = N_(
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
    _account_limit,
    key_func=_typed_account,
    methods=["POST"],
    error_message=lambda: _(ACCOUNT_THROTTLED),
)


@bp.route("/login", methods=["GET", "POST"])
@public
@per_address
@per_account
def login():
    """Sign in with an email address and a password.

    Not through `web.submit`: the password is checked before the transaction, since
    checking it is the slow part and must not hold SQLite's write lock while concurrent
    sign-ins queue for it; only recording the sign-in and starting the login session are
    written, in a serialised transaction of their own.
    """
    if current_user.is_authenticated:
        return redirect(url_for("main.home_page"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = users.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            with transaction(serialised=True):
                users.record_login(user)
                sign_in(user, remember=form.remember.data)
            refresh()  # the welcome in the language the person saved, if they did
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next(request.args.get("next"), url_for("main.home_page")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@authenticated
def logout():
    # The login session ends on the server, so copies of its cookies stop working too.
    ending = this_login_session()
    language = i18n.current_language()
    if submit(ConfirmForm(), lambda: sign_out(ending)):
        # Signing out clears the session; the pages after it stay in the person's language.
        session[i18n.SESSION_KEY] = language
        flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/sessions", methods=["GET"])
@authenticated
def where_signed_in():
    """The person's live login sessions, one a device, this one marked."""
    return render_template(
        "auth/login_sessions.html",
        devices=login_sessions.live_login_sessions(current_user),
        current=current_user.login_session,
        form=EndOtherLoginSessionsForm(),
    )


@bp.route("/sessions/end-others", methods=["POST"])
@authenticated
def end_other_login_sessions():
    form = EndOtherLoginSessionsForm()
    submit(
        form,
        lambda: login_sessions.sign_out_elsewhere(current_user, keep=current_user.login_session),
        lambda ended: (
            _("You are signed out on every other device.")
            if ended
            else _("You were not signed in on any other device.")
        ),
    )
    return redirect(url_for("auth.where_signed_in"))


@bp.route("/password", methods=["GET", "POST"])
@authenticated
def change_password():
    form = ChangePasswordForm()
    # Read before the transaction, which replaces it (see login.this_login_session).
    this_device = current_user.login_session

    def change_and_renew() -> None:
        users.change_password(
            current_user,
            form.current.data,
            form.password.data,
            end_other_login_sessions=form.end_other_sessions.data,
            this_login_session=this_device,
        )
        # A new login session for this device too, as at sign-in.
        renew(this_device)

    if submit(form, change_and_renew, _("Your password is changed.")):
        return redirect(url_for("main.home_page"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@authenticated
def profile():
    form = ProfileForm(obj=current_user)
    if submit(
        form,
        lambda: users.update_profile(
            current_user,
            name=form.name.data,
            time_zone=form.time_zone.data,
            preferred_language=form.preferred_language.data or None,
        ),
        _saved_in_the_new_language,
    ):
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form)


def _saved_in_the_new_language(_result: None) -> str:
    # The page was chosen in the language saved before; the message is in the one just saved.
    refresh()
    return _("Your profile is saved.")


@bp.route("/forgot", methods=["GET", "POST"])
@public
@per_address
@per_account
def forgot_password():
    form = ForgotPasswordForm()
    if submit(form, lambda: users.request_password_reset(form.email.data)):
        # The same answer whether or not the address has an account.
        flash(_("If that address has an account, a reset link is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


def _named_by(read_token, token: str):
    """What a mailed link's token names (a person, an invitation), or None after flashing
    why the link no longer works."""
    try:
        return read_token(token)
    except InvalidToken as error:
        flash(error.message, "danger")
        return None


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    if _named_by(users.user_from_reset_token, token) is None:
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    signed_in_here = this_login_session()

    def reset_and_sign_out() -> None:
        users.reset_password(token, form.password.data)
        # Whoever was signed in on this browser, it starts signed out.
        sign_out(signed_in_here)

    if submit(form, reset_and_sign_out, _("Your password is set. Sign in with it.")):
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    invitation = _named_by(users.invitation_from_token, token)
    if invitation is None:
        return redirect(url_for("auth.login"))
    form = AcceptInvitationForm(obj=invitation.user)

    def accept_and_sign_in() -> None:
        user = users.accept_invitation(
            token, name=form.name.data, password=form.password.data, time_zone=form.time_zone.data
        )
        sign_in(user, remember=False)

    if submit(form, accept_and_sign_in, _("Welcome to Accelerate: LA. Your account is ready.")):
        return redirect(url_for("main.home_page"))
    if form.is_submitted() and not form.errors and not _is_open(token):
        # Used meanwhile (another tab accepted it first), replaced or revoked: the form is
        # of no use any more (submit has said why); signing in is.
        return redirect(url_for("auth.login"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation)


def _is_open(token: str) -> bool:
    """Whether an invitation's token still names an open invitation (saying nothing)."""
    try:
        users.invitation_from_token(token)
    except InvalidToken:
        return False
    return True
