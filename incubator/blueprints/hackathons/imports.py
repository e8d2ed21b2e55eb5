"""Devpost CSV import: upload, preview, apply."""

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from incubator.access import roles
from incubator.blueprints.hackathons import bp
from incubator.blueprints.hackathons.import_forms import DevpostUploadForm, ImportApplyForm
from incubator.models import Hackathon, Role
from incubator.services.errors import DomainError
from incubator.services.hackathons import devpost, devpost_csv
from incubator.web import found_or_404, submit


@bp.route("/<int:hackathon_id>/import", methods=["GET", "POST"])
@roles(Role.MANAGER)
def import_upload(hackathon_id: int):
    hackathon = found_or_404(Hackathon, hackathon_id)
    form = DevpostUploadForm()
    upload = form.file.data
    stored = submit(
        form,
        lambda: devpost.store_upload(
            hackathon, upload.filename or "", upload.read(), by=current_user
        ),
    )
    if stored:
        return redirect(
            url_for(".import_preview", hackathon_id=hackathon.id, batch_id=stored.result.id)
        )
    return render_template(
        "hackathons/import_upload.html",
        hackathon=hackathon,
        form=form,
        batches=devpost.recent_batches(hackathon),
        max_bytes=devpost.max_upload_bytes(),
        max_rows=devpost_csv.MAX_ROWS,
    )


@bp.route("/<int:hackathon_id>/import/<int:batch_id>")
@roles(Role.MANAGER)
def import_preview(hackathon_id: int, batch_id: int):
    batch = found_or_404(partial(devpost.batch_for, hackathon_id), batch_id)
    plan = None
    if batch.applied_at is None:
        include_drafts = request.args.get("drafts") == "1"
        try:
            plan = devpost.plan_batch(batch, include_drafts)
        except DomainError as error:
            flash(error.message, "danger")
            return redirect(url_for(".import_upload", hackathon_id=hackathon_id))
    return render_template(
        "hackathons/import_preview.html",
        hackathon=batch.hackathon,
        batch=batch,
        plan=plan,
        form=ImportApplyForm(data={"include_drafts": plan is not None and plan.include_drafts}),
    )


def _imported(plan: devpost.ImportPlan) -> str:
    """What an import did, in one line for the manager."""
    counts = plan.counts
    return _(
        "Imported: %(created)s created, %(updated)s updated, %(skipped)s skipped "
        "(%(unchanged)s already up to date).",
        created=counts[devpost.CREATE],
        updated=counts[devpost.UPDATE],
        skipped=counts[devpost.SKIP],
        unchanged=counts[devpost.UNCHANGED],
    )


@bp.route("/<int:hackathon_id>/import/<int:batch_id>/apply", methods=["POST"])
@roles(Role.MANAGER)
def import_apply(hackathon_id: int, batch_id: int):
    batch = found_or_404(partial(devpost.batch_for, hackathon_id), batch_id)
    form = ImportApplyForm()
    if submit(
        form,
        lambda: devpost.apply_import(batch, bool(form.include_drafts.data), by=current_user),
        _imported,
    ):
        return redirect(url_for("hackathons.detail", hackathon_id=hackathon_id))
    if form.errors:
        flash(_("That request was not understood; nothing was imported."), "danger")
    return redirect(url_for(".import_preview", hackathon_id=hackathon_id, batch_id=batch.id))
