"""Managers invite people and manage their roles; admins read the outbox and audit trail."""

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

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
from incubator.models import Invitation, MailStatus, OutboxMessage, Role, User
from incubator.services import mail_delivery
from incubator.services.accounts import people, users
from incubator.web import found_or_404, page_number, per_page, safe_next, submit


def _page_or_last(fetch: Callable[[int], Pagination]) -> Pagination:
    """The page ?page= asks for; past the end (an old link, an edited URL), the last page
    rather than an empty one."""
    page = fetch(page_number())
    if not page.items and page.page > 1:
        page = fetch(page.pages or 1)
    return page


@bp.route("/")
@roles(Role.MANAGER)
def index():
    query = request.args.get("q", "")[:100]
    role_name = request.args.get("role", "")
    role = Role(role_name) if role_name in {str(r) for r in Role} else None
    page = _page_or_last(
        lambda number: people.search_users(query, role, number, per_page("USERS_PER_PAGE"))
    )
    return render_template("people/index.html", page=page, query=query, role=role, roles=list(Role))


def _invited(invitation: Invitation | None, email: str) -> str:
    """What inviting someone did: a new account invited, or roles added to an existing one."""
    if invitation is None:
        return _("%(email)s already has an account; the roles were added.", email=email)
    return _("Invitation sent to %(email)s.", email=invitation.user.email)


@bp.route("/invite", methods=["GET", "POST"])
@roles(Role.MANAGER)
def invite():
    form = InviteForm(include_admin=permissions.may_grant_admin(current_user))
    if submit(
        form,
        lambda: users.invite(
            form.email.data, form.name.data, users.parse_roles(form.roles.data), by=current_user
        ),
        lambda invitation: _invited(invitation, form.email.data),
    ):
        return redirect(url_for("people.index"))
    return render_template("people/invite.html", form=form)


@bp.route("/<int:user_id>", methods=["GET"])
@roles(Role.MANAGER)
def detail(user_id: int):
    user = found_or_404(User, user_id)
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


def _chosen_roles(form: RolesForm, user: User) -> set[Role]:
    """The roles ticked; an admin keeps the admin role when a manager, who is not shown
    that box, saves the others."""
    chosen = users.parse_roles(form.roles.data)
    if not permissions.may_grant_admin(current_user) and user.has_role(Role.ADMIN):
        chosen.add(Role.ADMIN)
    return chosen


@bp.route("/<int:user_id>/roles", methods=["POST"])
@roles(Role.MANAGER)
def update_roles(user_id: int):
    user = found_or_404(User, user_id)
    form = RolesForm(include_admin=permissions.may_grant_admin(current_user))
    submit(
        form,
        lambda: users.set_roles(user, _chosen_roles(form, user), by=current_user),
        _("Roles of %(name)s saved.", name=user.name),
        flash_errors=True,
    )
    return redirect(url_for("people.detail", user_id=user.id))


@bp.route("/<int:user_id>/activation", methods=["POST"])
@roles(Role.MANAGER)
def set_activation(user_id: int):
    user = found_or_404(User, user_id)
    form = ActivationForm()
    submit(
        form,
        lambda: users.set_active(user, form.active.data == "1", by=current_user),
        lambda done: (
            _("%(name)s is active.", name=user.name)
            if form.active.data == "1"
            else _("%(name)s is deactivated.", name=user.name)
        ),
    )
    if form.errors:
        flash(_("That request was not understood; nothing changed."), "danger")
    return redirect(url_for("people.detail", user_id=user.id))


@bp.route("/<int:user_id>/invitation", methods=["POST"])
@roles(Role.MANAGER)
def resend_invitation(user_id: int):
    user = found_or_404(User, user_id)
    if user.has_password:
        flash(_("%(name)s has already set a password.", name=user.name), "info")
        return redirect(url_for("people.detail", user_id=user.id))
    submit(
        ResendInvitationForm(),
        lambda: users.invite(user.email, user.name, user.roles, by=current_user),
        _("A new invitation went to %(email)s; earlier links no longer work.", email=user.email),
    )
    return redirect(url_for("people.detail", user_id=user.id))


@bp.route("/outbox")
@roles(Role.ADMIN)
def outbox():
    status_name = request.args.get("status", "")
    status = MailStatus(status_name) if status_name in set(MailStatus) else None
    page = _page_or_last(lambda number: people.outbox(number, per_page("USERS_PER_PAGE"), status))
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
    message = found_or_404(OutboxMessage, message_id)
    recipient = message.recipient
    submit(
        RetryMailForm(),
        lambda: mail_delivery.retry(message, by=current_user),
        _(
            "The mail to %(recipient)s is queued again for the next delivery run.",
            recipient=recipient,
        ),
        flash_errors=True,
    )
    return redirect(safe_next(request.form.get("next"), url_for("people.outbox")))


@bp.route("/audit")
@roles(Role.ADMIN)
def audit_log():
    page = people.audit_events(page_number(), 50)
    return render_template("people/audit.html", page=page)
