"""A partner's side of the catalogue, on the course: submit a version (formats and languages), follow each
submission's state, the gate report (with links into the editor), reviewers' comments and the log."""

from __future__ import annotations

import re

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ..accounts.policy import requires
from ..db import db, this_app
from ..jobs import queue as jobs
from . import submissions

bp = Blueprint("submissions", __name__, url_prefix="/o/<org>/c/<course>/submissions")
WHERE = re.compile(r"^(?:\[(?P<lang>[a-z-]+)\] )?(?P<file>[^\s:]+\.(?:md|yml|yaml|vtt)):(?P<line>\d+)?:?")


def locate(detail: str) -> tuple[str, int | None] | None:
    """(file, line) a gate report line points at, for a link into the editor."""
    m = WHERE.match(detail)
    if not m:
        return None
    return m["file"], int(m["line"]) if m["line"] else None


@bp.get("/")
@requires("course.view")
def index(org: str, course: str) -> str:
    return _page()


def _page() -> str:
    return render_template(
        "submissions.html",
        **submissions.page(this_app(), db(), g.course),
        states=submissions.STATES,
        actions=submissions.ACTION_NAMES,
        formats=jobs.FORMAT_NAMES,
        locate=locate,
    )


@bp.post("/")
@requires("submission.submit")
def submit(org: str, course: str) -> Response | tuple[str, int]:
    formats = [f for f in request.form.getlist("format") if f in jobs.BUILD_FORMATS]
    langs = list(dict.fromkeys(request.form.getlist("lang")))[:20]
    session = db()
    try:
        submissions.offer(
            this_app(),
            session,
            g.course,
            current_user,
            g.role,
            formats,
            langs,
        )
    except submissions.MoveError as exc:
        session.rollback()
        flash(str(exc), "error")
        return _page(), exc.status
    flash(_("Submitted: the packages are being built and checked. The result shows here."), "info")
    return redirect(url_for("submissions.index", org=org, course=course))
