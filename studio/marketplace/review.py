"""The catalogue organisation's review pages: the queue, one submission (gate report, the diff from the
previously published version, comments per lesson, the audit log, the moves the person's role may
make), and the learner player over the submission's frozen snapshot in every language it was built in.

All of it reads the snapshot; nothing here writes one. Every move goes through ``submissions.move``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from packager import load_course
from packager.marketplace import SnapshotError, diff

from ..accounts.policy import requires
from ..authoring.live import player_for
from ..db import db
from ..models import ReviewComment, Submission
from ..preview import content
from ..preview.preview import player_file, player_index
from . import submissions

bp = Blueprint("review", __name__, url_prefix="/o/<org>/review")


def _submission(sub: int) -> Submission:
    """The submission *sub* of this catalogue; 404 for another organisation's or a missing one."""
    found = db().get(Submission, sub)
    if not g.org.is_catalogue or found is None or found.catalogue_id != g.org.id or found.state == "":
        abort(404)
    return found


@bp.get("/")
@requires("catalogue.queue")
def queue(org: str) -> str:
    if not g.org.is_catalogue:
        abort(404)
    subs = list(
        db().scalars(
            select(Submission).where(Submission.catalogue_id == g.org.id).order_by(Submission.updated_at.desc())
        )
    )
    waiting = [s for s in subs if s.state in ("in_review", "reviewed")]
    others = [s for s in subs if s not in waiting]
    return render_template("review_queue.html", waiting=waiting, others=others, states=submissions.STATES, meta=_meta)


def _meta(sub: Submission) -> dict:  # type: ignore[type-arg]
    return sub.meta


def previous_published(sub: Submission) -> Submission | None:
    return db().scalar(
        select(Submission)
        .where(
            Submission.course_id == sub.course_id,
            Submission.id != sub.id,
            Submission.state.in_(("live", "retired")),
        )
        .order_by(Submission.updated_at.desc())
    )


@bp.get("/<int:sub>/")
@requires("catalogue.queue")
def submission(org: str, sub: int) -> str:
    return _page(_submission(sub))


def _page(item: Submission) -> str:
    changes, damaged, before = [], "", previous_published(item)
    if item.snapshot:
        try:
            snap = submissions.open_verified(current_app, item)
            old = submissions.open_verified(current_app, before) if before else None
            changes = diff(old, snap)
        except SnapshotError as exc:
            damaged = str(exc)
    comments = list(
        db().scalars(select(ReviewComment).where(ReviewComment.submission_id == item.id).order_by(ReviewComment.id))
    )
    return render_template(
        "review.html",
        sub=item,
        meta=_meta(item),
        report=submissions.report_of(item),
        changes=changes,
        before=before,
        damaged=damaged,
        comments=comments,
        events=submissions.history(db(), item),
        moves=submissions.moves_from(item.state, "catalogue", g.role),
        states=submissions.STATES,
        actions=submissions.ACTION_NAMES,
    )


@bp.post("/<int:sub>/comment")
@requires("catalogue.review")
def comment(org: str, sub: int) -> Response:
    item = _submission(sub)
    text = request.form.get("text", "").strip()[:4000]
    lesson = request.form.get("lesson", "")
    lessons = {entry["path"] for entry in _meta(item).get("lessons", [])}
    if not text or (lesson and lesson not in lessons):
        flash(_("Write a comment, on a lesson of this course or on the course as a whole."), "error")
    else:
        session = db()
        session.add(
            ReviewComment(submission_id=item.id, digest=item.digest, lesson=lesson, user_id=current_user.id, text=text)
        )
        session.commit()
        flash(_("Comment added."), "info")
    return redirect(url_for("review.submission", org=org, sub=sub, _anchor="comments"))


def _move(org: str, sub: int) -> Response | tuple[str, int]:
    item = _submission(sub)
    session = db()
    try:
        submissions.move(
            session,
            item,
            request.form.get("action", ""),
            current_user,
            "catalogue",
            g.role,
            request.form.get("why", ""),
        )
    except submissions.MoveError as exc:
        session.rollback()
        flash(str(exc), "error")
        return _page(item), exc.status  # the page again, with what was typed lost only on success
    session.commit()
    flash(_("Done: %(what)s.", what=submissions.ACTION_NAMES[request.form["action"]]), "info")
    return redirect(url_for("review.submission", org=org, sub=sub))


@bp.post("/<int:sub>/decide")
@requires("catalogue.review")
def decide(org: str, sub: int) -> Response | tuple[str, int]:
    """A reviewer approves or returns (the table of moves says which, from which state)."""
    return _move(org, sub)


@bp.post("/<int:sub>/publish")
@requires("catalogue.publish")
def publish(org: str, sub: int) -> Response | tuple[str, int]:
    """A publisher publishes, returns or retires."""
    return _move(org, sub)


@bp.get("/<int:sub>/player/<lang>/")
@requires("catalogue.queue")
def player(org: str, sub: int, lang: str) -> Response:
    """The snapshot's player, on the content origin (a course's files never run on the studio's)."""
    return _to_player(sub, lang, "")


@bp.get("/<int:sub>/player/<lang>/<path:path>")
@requires("catalogue.queue")
def player_asset(org: str, sub: int, lang: str, path: str) -> Response:
    return _to_player(sub, lang, path)


def _to_player(sub: int, lang: str, path: str) -> Response:
    item = _submission(sub)
    if lang not in item.langs or not item.snapshot:
        abort(404)  # here, not on the content origin: a language the submission was not built in
    return content.redirect_to("review", path, n=sub, l=lang)


def _player(sub: int, lang: str):  # type: ignore[no-untyped-def]  # also called by the content app
    """The learner player over the snapshot's source (verified when first written out), in *lang*."""
    item = _submission(sub)
    if lang not in item.langs or not item.snapshot:
        abort(404)
    try:
        folder = submissions.source_folder(current_app, item)
    except SnapshotError:
        abort(409)
    course = load_course(folder, lang=lang)
    return player_for(folder, course)


def serve_content(claims: dict[str, Any], path: str) -> Response:
    """The snapshot's player page or file on the content origin (registered as its "review" kind)."""
    player = _player(claims["n"], claims["l"])
    return player_index(player) if not path else player_file(player, path)  # a snapshot: jobs make no renditions
