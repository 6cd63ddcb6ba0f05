"""The course owner's page of learning records: the studio LRS's credentials, the LRSs to pull from, sheet uploads."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ..accounts.policy import requires
from ..db import db, this_app
from ..jobs import queue as jobs
from . import ingest, lrs, records, sheets

bp = Blueprint("records", __name__, url_prefix="/o/<org>/c/<course>/records")


def _page(new: lrs.NewCredential | None = None, status: int = 200) -> tuple[str, int]:
    session = db()
    return render_template(
        "records.html",
        endpoint=url_for("lrs.statements", _external=True).removesuffix("statements"),
        credentials=lrs.credentials(session, g.course),
        new=new,
        sources=ingest.sources(session, g.course),
        counts=records.counts(session, g.course.id),
        pulls=[j for j in jobs.recent(session, g.course) if j.kind == "lrs-pull"][:5],
        sheet_limit=sheets.MAX_SHEET_BYTES // (1024 * 1024),
    ), status


def _back(org: str, course: str) -> Response:
    return redirect(url_for("records.index", org=org, course=course))


@bp.get("")
@requires("analytics.manage")
def index(org: str, course: str) -> Any:
    return _page()


@bp.post("/credentials")
@requires("analytics.manage")
def add_credential(org: str, course: str) -> Any:
    made = lrs.create_credential(
        db(), g.course, current_user.id, request.form.get("label", ""), request.form.get("version", "")
    )
    db().commit()
    return _page(new=made)  # the secret is shown this once, never stored


@bp.post("/credentials/<int:credential_id>/revoke")
@requires("analytics.manage")
def revoke_credential(org: str, course: str, credential_id: int) -> Response:
    if lrs.revoke(db(), g.course, credential_id):
        db().commit()
        flash(_("The key is revoked: statements sent with it are refused from now on."), "info")
    else:
        flash(_("There is no such key for this course."), "error")
    return _back(org, course)


@bp.post("/sources")
@requires("analytics.manage")
def add_source(org: str, course: str) -> Any:
    form = request.form
    try:
        source = ingest.add_source(
            db(),
            g.course,
            name=form.get("name", ""),
            endpoint=form.get("endpoint", ""),
            username=form.get("username", ""),
            password=form.get("password", ""),
            version=form.get("version", ""),
            user_id=current_user.id,
        )
    except ingest.IngestError as exc:
        db().rollback()
        flash(str(exc), "error")
        return _page(status=400)
    db().commit()
    flash(_("The LRS %(name)s is added: pull its statements when you are ready.", name=source.name), "info")
    return _back(org, course)


@bp.post("/sources/<int:source_id>/pull")
@requires("analytics.manage")
def pull(org: str, course: str, source_id: int) -> Response:
    if not any(s.id == source_id for s in ingest.sources(db(), g.course)):
        flash(_("There is no such LRS for this course."), "error")
        return _back(org, course)
    params = {"source": source_id, "full": bool(request.form.get("full"))}
    job = jobs.submit(this_app(), db(), g.course, current_user.id, "lrs-pull", params)
    return redirect(url_for("jobs.show", org=org, course=course, job_id=job.id))


@bp.post("/sources/<int:source_id>/remove")
@requires("analytics.manage")
def remove_source(org: str, course: str, source_id: int) -> Response:
    if ingest.remove_source(db(), g.course, source_id):
        db().commit()
        flash(_("The LRS is removed; the records pulled from it stay."), "info")
    else:
        flash(_("There is no such LRS for this course."), "error")
    return _back(org, course)


@bp.post("/sheets")
@requires("analytics.manage")
def upload_sheet(org: str, course: str) -> Any:
    upload = request.files.get("sheet")
    if upload is None or not upload.filename:
        flash(_("Choose the sheet to upload."), "error")
        return _page(status=400)
    data = upload.stream.read(sheets.MAX_SHEET_BYTES + 1)
    form = request.form
    try:
        tally = sheets.upload_sheet(
            db(),
            g.course,
            form.get("kind", ""),
            data,
            records.app_key(this_app()),
            site=form.get("site", ""),
            igot_course=form.get("igot_course", ""),
            version=form.get("version", ""),
            zone=form.get("zone", "") or "Asia/Kolkata",
        )
    except ingest.IngestError as exc:
        flash(_("%(file)s: %(problem)s", file=upload.filename, problem=str(exc)), "error")
        return _page(status=400)
    flash(
        _(
            "%(file)s: %(added)d records added, %(same)d already there.",
            file=upload.filename,
            added=tally.added,
            same=tally.duplicates,
        ),
        "info",
    )
    return _back(org, course)
