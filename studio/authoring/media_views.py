"""A course's media library page: its files, where they are used, and upload, replace, restore, delete
(the work is :mod:`.media_library`'s)."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ..accounts.policy import requires
from ..db import db, this_app
from . import media_library
from .media_files import MediaError

bp = Blueprint("media", __name__, url_prefix="/o/<org>/c/<course>/media")


def _back() -> Response:
    return redirect(url_for("media.index", org=g.org.slug, course=g.course.slug))


@bp.get("/")
@requires("course.view")
def index(org: str, course: str) -> str:
    return render_template("media.html", files=media_library.files(g.course), deleted=media_library.deleted(g.course))


@bp.post("/upload")
@requires("media.upload")
def upload(org: str, course: str) -> Response:
    file = request.files.get("file")
    if file is None or not file.filename:
        flash(_("Choose a file to upload."), "error")
        return _back()
    try:
        added = media_library.upload(this_app(), db(), g.course, current_user.id, file.filename, file.read())
    except MediaError as exc:
        flash(_("The file was not uploaded: %(reason)s", reason=str(exc)), "error")
        return _back()
    if added.reused:
        flash(_("The same file is in the course already as %(path)s: use that one.", path=added.path), "info")
    else:
        flash(_("Uploaded %(path)s.", path=added.path), "info")
    return _back()


@bp.post("/replace")
@requires("media.upload")
def replace(org: str, course: str) -> Response:
    path, file = request.form.get("path", ""), request.files.get("file")
    if file is None or not file.filename:
        flash(_("Choose the file to put in place of %(path)s.", path=path), "error")
        return _back()
    try:
        media_library.replace(this_app(), db(), g.course, current_user.id, path, file.read())
    except MediaError as exc:
        flash(_("The file was not replaced: %(reason)s", reason=str(exc)), "error")
        return _back()
    done = _("Replaced %(path)s; the lessons that use it show the new file. The old one can be restored.", path=path)
    flash(done, "info")
    return _back()


@bp.post("/restore")
@requires("media.upload")
def restore(org: str, course: str) -> Response:
    path, version = request.form.get("path", ""), request.form.get("version", "")
    try:
        media_library.restore(this_app(), db(), g.course, current_user.id, path, version)
    except (MediaError, ValueError) as exc:
        flash(_("Nothing was restored: %(reason)s", reason=str(exc)), "error")
        return _back()
    flash(_("Restored %(path)s as it was.", path=path), "info")
    return _back()


@bp.post("/delete")
@requires("media.upload")
def delete(org: str, course: str) -> Response:
    path = request.form.get("path", "")
    try:
        media_library.remove(g.course, path)
    except MediaError as exc:
        flash(_("The file was not deleted: %(reason)s", reason=str(exc)), "error")
        return _back()
    flash(_("Deleted %(path)s. It can be restored from this page.", path=path), "info")
    return _back()
