"""Managers invite people and manage their roles; admins read the outbox and audit trail."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from incubator import permissions
from incubator.access import roles
from incubator.blueprints.people import bp
from incubator.blueprints.people.forms import (
    ActivationForm,
    InviteForm,
    ResendInvitationForm,
    RetryMailForm,
    RolesForm,
)
from incubator.extensions import db
from incubator.models import MailStatus, OutboxMessage, Role, User
from incubator.services import mail_delivery
from incubator.services.accounts import people, users
from incubator.services.errors import DomainError
from incubator.services.transactions import transaction
from incubator.web import flash_form_errors, page_number, per_page, safe_next


@bp.route("/")
@roles(Role.MANAGER)
def index():
    query = request.args.get("q", "")[:100]
    role_name = request.args.get("role", "")
    role = Role(role_name) if role_name in {str(r) for r in Role} else None
    page = people.search_users(query, role, page_number(), per_page("USERS_PER_PAGE"))
    if not page.items and page.page > 1:
        # A page past the end (an old link, an edited URL) shows the last page, not "no people".
        page = people.search_users(query, role, page.pages or 1, per_page("USERS_PER_PAGE"))
    return render_template("people/index.html", page=page, query=query, role=role, roles=list(Role))


@bp.route("/invite", methods=["GET", "POST"])
@roles(Role.MANAGER)
def invite():
    form = InviteForm(include_admin=permissions.may_grant_admin(current_user))
    if form.validate_on_submit():
        try:
            with transaction():
                invitation = users.invite(
                    form.email.data,
                    form.name.data,
                    users.parse_roles(form.roles.data),
                    by=current_user,
                )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            if invitation is None:
                flash(f"{form.email.data} already has an account; the roles were added.", "success")
            else:
                flash(f"Invitation sent to {invitation.user.email}.", "success")
            return redirect(url_for("people.index"))
    return render_template("people/invite.html", form=form)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/<int:user_id>", methods=["GET"])
@roles(Role.MANAGER)
def detail(user_id: int):
    user = _user_or_404(user_id)
    include_admin = permissions.may_grant_admin(current_user)
    roles_form = RolesForm(
        include_admin=include_admin, data={"roles": [str(r) for r in user.roles]}
    )
    return render_template(
        "people/detail.html",
        user=user,
        roles_form=roles_form,
        activation_form=ActivationForm(data={"active": "0" if user.active else "1"}),
        resend_form=ResendInvitationForm(),
        invitation=people.open_invitation(user),
        events=people.audit_events(1, 10, "user", str(user.id)).items,
    )


@bp.route("/<int:user_id>/roles", methods=["POST"])
@roles(Role.MANAGER)
def update_roles(user_id: int):
    user = _user_or_404(user_id)
    form = RolesForm(include_admin=permissions.may_grant_admin(current_user))
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("people.detail", user_id=user.id))
    # Admins' role boxes are not shown to managers; keep the role as it was.
    chosen = users.parse_roles(form.roles.data)
    if not permissions.may_grant_admin(current_user) and user.has_role(Role.ADMIN):
        chosen.add(Role.ADMIN)
    try:
        with transaction():
            users.set_roles(user, chosen, by=current_user)
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(f"Roles of {user.name} saved.", "success")
    return redirect(url_for("people.detail", user_id=user.id))


@bp.route("/<int:user_id>/activation", methods=["POST"])
@roles(Role.MANAGER)
def set_activation(user_id: int):
    user = _user_or_404(user_id)
    form = ActivationForm()
    if not form.validate_on_submit() or form.active.data not in {"0", "1"}:
        flash("That request was not understood; nothing changed.", "danger")
        return redirect(url_for("people.detail", user_id=user.id))
    active = form.active.data == "1"
    try:
        with transaction():
            users.set_active(user, active, by=current_user)
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(f"{user.name} is {'active' if active else 'deactivated'}.", "success")
    return redirect(url_for("people.detail", user_id=user.id))


@bp.route("/<int:user_id>/invitation", methods=["POST"])
@roles(Role.MANAGER)
def resend_invitation(user_id: int):
    user = _user_or_404(user_id)
    if user.has_password:
        flash(f"{user.name} has already set a password.", "info")
        return redirect(url_for("people.detail", user_id=user.id))
    try:
        with transaction():
            users.invite(user.email, user.name, user.roles, by=current_user)
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(f"A new invitation went to {user.email}; earlier links no longer work.", "success")
    return redirect(url_for("people.detail", user_id=user.id))


@bp.route("/outbox")
@roles(Role.ADMIN)
def outbox():
    status_name = request.args.get("status", "")
    status = MailStatus(status_name) if status_name in set(MailStatus) else None
    page = people.outbox(page_number(), per_page("USERS_PER_PAGE"), status)
    if not page.items and page.page > 1:
        page = people.outbox(page.pages or 1, per_page("USERS_PER_PAGE"), status)
    return render_template(
        "people/outbox.html",
        page=page,
        status=status,
        counts=people.outbox_counts(),
        retry_form=RetryMailForm(),
    )


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@roles(Role.ADMIN)
def retry_mail(message_id: int):
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    back = safe_next(request.form.get("next"), url_for("people.outbox"))
    form = RetryMailForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    recipient = message.recipient
    try:
        with transaction():
            mail_delivery.retry(message, by=current_user)
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(f"The mail to {recipient} is queued again for the next delivery run.", "success")
    return redirect(back)


@bp.route("/audit")
@roles(Role.ADMIN)
def audit_log():
    page = people.audit_events(page_number(), 50)
    return render_template("people/audit.html", page=page)
