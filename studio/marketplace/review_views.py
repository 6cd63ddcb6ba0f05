"""The catalogue organisation's review pages: the queue, one submission, comments, the moves, and the
learner player over the submission's frozen snapshot in every language it was built in (``review.py``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from packager.marketplace import SnapshotError

from ..accounts.policy import requires
from ..db import db
from ..models import Submission
from ..preview import content
from ..preview.preview import player_file, player_index
from . import review, submissions

bp = Blueprint("review", __name__, url_prefix="/o/<org>/review")


def _submission(sub: int) -> Submission:
    """The submission *sub* of this catalogue; 404 for another organisation's or a missing one."""
    found = review.in_catalogue(db(), g.org, sub)
    if found is None:
        abort(404)
    return found


def _meta(sub: Submission) -> dict[str, Any]:
    return sub.meta


def _page(item: Submission) -> str:
    return render_template("review.html", **review.page(current_app, db(), item, g.role))


@bp.get("/")
@requires("catalogue.queue")
def queue(org: str) -> str:
    if not g.org.is_catalogue:
        abort(404)
    waiting, others = review.queue(db(), g.org)
    return render_template("review_queue.html", waiting=waiting, others=others, states=submissions.STATES, meta=_meta)


@bp.get("/<int:sub>/")
@requires("catalogue.queue")
def submission(org: str, sub: int) -> str:
    return _page(_submission(sub))


@bp.post("/<int:sub>/comment")
@requires("catalogue.review")
def comment(org: str, sub: int) -> Response:
    item = _submission(sub)
    try:
        review.add_comment(db(), item, current_user.id, request.form.get("lesson", ""), request.form.get("text", ""))
    except review.CommentError:
        flash(_("Write a comment, on a lesson of this course or on the course as a whole."), "error")
    else:
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


def serve_content(claims: dict[str, Any], path: str) -> Response:
    """The snapshot's player page or file on the content origin (registered as its "review" kind)."""
    try:
        player = review.player(current_app, _submission(claims["n"]), claims["l"])
    except SnapshotError:
        abort(409)
    if player is None:
        abort(404)
    return player_index(player) if not path else player_file(player, path)
