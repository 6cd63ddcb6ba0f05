"""The course page's outline forms: one POST per operation (the work: ``outline.py``), back to the course
page at the outline, with what was done or why nothing was."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ..accounts.policy import requires
from ..db import db
from . import outline, revisions

bp = Blueprint("outline", __name__, url_prefix="/o/<org>/c/<course>/outline")

FIELDS = ("title", "lesson_title", "module", "to", "path", "step")


@bp.post("/<operation>")
@requires("course.meta")  # every change of the outline rewrites course.yml
def change(org: str, course: str, operation: str) -> Response:
    if operation not in outline.OPERATIONS:
        abort(404)
    base = request.form.get("base", type=int)
    if base is None:
        abort(400)
    form = {key: request.form[key][:1000] for key in FIELDS if key in request.form}
    back = url_for("courses.course", org=org, course=course, _anchor="outline")
    try:
        done = outline.apply(db(), g.course, operation, form, base, request.form.get("seen", ""), current_user.id)
    except revisions.Conflict:
        flash(_("Someone changed course.yml since you opened this page; nothing was changed."), "error")
        return redirect(back, 303)
    except outline.OutlineError as exc:
        flash(_("Nothing was changed: %(reason)s", reason=str(exc)), "error")
        return redirect(back, 303)
    flash(_("Done: %(what)s. Every file it touched keeps its earlier text in its history.", what=done.note), "info")
    return redirect(back, 303)
