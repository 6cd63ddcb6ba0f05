"""The catalogue organisation's review: its queue, one submission's page (gate report, the diff from the
previously published version, comments per lesson, the audit log, the moves a role may make), comments,
and the learner player over the submission's frozen snapshot. The pages are ``review_views.py``.

All of it reads the snapshot; nothing here writes one. Every move goes through ``submissions.move``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from packager import load_course
from packager.marketplace import SnapshotError, diff
from packager.render import Player

from ..authoring.live import player_for
from ..models import Organisation, ReviewComment, Submission
from . import submissions


class CommentError(ValueError):
    """A comment with no text, or on a lesson the course does not have."""


def in_catalogue(session: Session, org: Organisation, sub_id: int) -> Submission | None:
    """The submission *sub_id* of the catalogue *org*; None for another organisation's or a missing one."""
    found = session.get(Submission, sub_id)
    if not org.is_catalogue or found is None or found.catalogue_id != org.id or found.state == "":
        return None
    return found


def queue(session: Session, org: Organisation) -> tuple[list[Submission], list[Submission]]:
    """(submissions waiting for the catalogue's reviewers or publishers, all the others), newest first."""
    subs = list(
        session.scalars(
            select(Submission).where(Submission.catalogue_id == org.id).order_by(Submission.updated_at.desc())
        )
    )
    waiting = [s for s in subs if s.state in ("in_review", "reviewed")]
    return waiting, [s for s in subs if s not in waiting]


def previous_published(session: Session, sub: Submission) -> Submission | None:
    return session.scalar(
        select(Submission)
        .where(
            Submission.course_id == sub.course_id,
            Submission.id != sub.id,
            Submission.state.in_(("live", "retired")),
        )
        .order_by(Submission.updated_at.desc())
    )


def comments(session: Session, sub: Submission) -> list[ReviewComment]:
    return list(
        session.scalars(select(ReviewComment).where(ReviewComment.submission_id == sub.id).order_by(ReviewComment.id))
    )


def page(app: Flask, session: Session, item: Submission, role: str | None) -> dict[str, Any]:
    """What the submission's review page shows: the diff from the version published before (or why the
    snapshot cannot be read), comments, the audit log and the moves *role* may make."""
    changes, damaged, before = [], "", previous_published(session, item)
    if item.snapshot:
        try:
            snap = submissions.open_verified(app, item)
            old = submissions.open_verified(app, before) if before else None
            changes = diff(old, snap)
        except SnapshotError as exc:
            damaged = str(exc)
    return {
        "sub": item,
        "meta": item.meta,
        "report": submissions.report_of(item),
        "changes": changes,
        "before": before,
        "damaged": damaged,
        "comments": comments(session, item),
        "events": submissions.history(session, item),
        "moves": submissions.moves_from(item.state, "catalogue", role),
        "states": submissions.STATES,
        "actions": submissions.ACTION_NAMES,
    }


def add_comment(session: Session, item: Submission, user_id: int, lesson: str, text: str) -> None:
    """A reviewer's comment on one lesson of the submission (or on the course as a whole: *lesson* empty)."""
    text = text.strip()[:4000]
    lessons = {entry["path"] for entry in item.meta.get("lessons", [])}
    if not text or (lesson and lesson not in lessons):
        raise CommentError("write a comment, on a lesson of this course or on the course as a whole")
    session.add(ReviewComment(submission_id=item.id, digest=item.digest, lesson=lesson, user_id=user_id, text=text))
    session.commit()


def player(app: Flask, item: Submission, lang: str) -> Player | None:
    """The learner player over the snapshot's source (verified when first written out), in *lang*; None
    when the submission was not built in *lang* or has no snapshot. SnapshotError when it is damaged."""
    if lang not in item.langs or not item.snapshot:
        return None
    folder = submissions.source_folder(app, item)
    return player_for(folder, load_course(folder, lang=lang))
