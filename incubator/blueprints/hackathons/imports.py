"""Devpost CSV import: upload, preview, apply."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from incubator.access import roles
from incubator.blueprints.hackathons import bp
from incubator.blueprints.hackathons.import_forms import DevpostUploadForm, ImportApplyForm
from incubator.extensions import db
from incubator.models import Hackathon, ImportBatch, Role
from incubator.services.errors import DomainError
from incubator.services.hackathons import devpost
from incubator.services.transactions import transaction


def _hackathon_or_404(hackathon_id: int) -> Hackathon:
    hackathon = db.session.get(Hackathon, hackathon_id)
    if hackathon is None:
        abort(404)
    return hackathon


def _batch_or_404(hackathon_id: int, batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.hackathon_id != hackathon_id:
        abort(404)
    return batch


@bp.route("/<int:hackathon_id>/import", methods=["GET", "POST"])
@roles(Role.MANAGER)
def import_upload(hackathon_id: int):
    hackathon = _hackathon_or_404(hackathon_id)
    form = DevpostUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            with transaction():
                batch = devpost.store_upload(
                    hackathon, upload.filename or "", upload.read(), by=current_user
                )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            return redirect(
                url_for(".import_preview", hackathon_id=hackathon.id, batch_id=batch.id)
            )
    return render_template(
        "hackathons/import_upload.html",
        hackathon=hackathon,
        form=form,
        batches=devpost.recent_batches(hackathon),
        max_bytes=devpost.max_upload_bytes(),
        max_rows=devpost.MAX_ROWS,
    )


@bp.route("/<int:hackathon_id>/import/<int:batch_id>")
@roles(Role.MANAGER)
def import_preview(hackathon_id: int, batch_id: int):
    batch = _batch_or_404(hackathon_id, batch_id)
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


@bp.route("/<int:hackathon_id>/import/<int:batch_id>/apply", methods=["POST"])
@roles(Role.MANAGER)
def import_apply(hackathon_id: int, batch_id: int):
    batch = _batch_or_404(hackathon_id, batch_id)
    preview = url_for(".import_preview", hackathon_id=hackathon_id, batch_id=batch.id)
    form = ImportApplyForm()
    if not form.validate_on_submit():
        flash("That request was not understood; nothing was imported.", "danger")
        return redirect(preview)
    try:
        with transaction():
            plan = devpost.apply_import(batch, bool(form.include_drafts.data), by=current_user)
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(preview)
    counts = plan.counts
    flash(
        f"Imported: {counts[devpost.CREATE]} created, {counts[devpost.UPDATE]} updated, "
        f"{counts[devpost.SKIP]} skipped ({counts[devpost.UNCHANGED]} already up to date).",
        "success",
    )
    return redirect(url_for("hackathons.detail", hackathon_id=hackathon_id))
