"""A partner's side of the catalogue, on the course: submit a version (formats and languages), follow each
submission's state, the gate report (with links into the editor), reviewers' comments and the log."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from packager.export import languages

from ..accounts.policy import requires
from ..authoring import library
from ..db import db
from ..jobs import queue as jobs
from ..models import ReviewComment
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
    jobs.reap(current_app._get_current_object())  # type: ignore[attr-defined]  # a dead submit job blocks nothing
    session = db()
    subs = submissions.for_course(session, g.course)
    comments = {
        s.id: list(
            session.scalars(select(ReviewComment).where(ReviewComment.submission_id == s.id).order_by(ReviewComment.id))
        )
        for s in subs
    }
    model = library.load(g.course)
    return render_template(
        "submissions.html",
        subs=subs,
        comments=comments,
        events={s.id: submissions.history(session, s) for s in subs},
        reports={s.id: submissions.report_of(s) for s in subs},
        running={s.id: submissions.job_running(session, s) for s in subs},
        states=submissions.STATES,
        actions=submissions.ACTION_NAMES,
        formats=jobs.FORMAT_NAMES,
        langs=languages(model, "all"),
        catalogue=submissions.catalogue_org(session),
        locate=locate,
    )


@bp.post("/")
@requires("submission.submit")
def submit(org: str, course: str) -> Response | tuple[str, int]:
    session = db()
    formats = [f for f in request.form.getlist("format") if f in jobs.BUILD_FORMATS]
    langs = list(dict.fromkeys(request.form.getlist("lang")))[:20]
    jobs.reap(current_app._get_current_object())  # type: ignore[attr-defined]  # a dead submit job blocks nothing
    try:
        sub = submissions.start(session, g.course, current_user, g.role, formats, langs)
    except submissions.MoveError as exc:
        session.rollback()
        flash(str(exc), "error")
        return _page(), exc.status
    session.commit()
    job = jobs.submit(current_app, session, g.course, current_user.id, "submission", {"submission": sub.id})
    sub.job_id = job.id
    session.commit()
    flash(_("Submitted: the packages are being built and checked. The result shows here."), "info")
    return redirect(url_for("submissions.index", org=org, course=course))
