"""The block editor's lesson: its blocks read from the newest revision, and blocks saved as the next
revision through the same revisioned save as the Markdown editor (``revisions.save``: the same
conflict refusal on ``base``), so both views edit one revisioned text.

The Markdown is read and written by ``packager.blocks``; nothing here knows the format.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from packager import blocks
from packager.lesson import size_problem

from ..models import CourseRecord
from . import revisions


def opened(session: Session, course: CourseRecord, path: str) -> tuple[dict[str, Any], revisions.Revision]:
    """The lesson's blocks as JSON data, and the revision they were read from (read-only: ``peek``)."""
    rev = revisions.peek(session, course, path)
    return blocks.to_json(blocks.read(rev.content)), rev


def save(
    session: Session,
    course: CourseRecord,
    path: str,
    data: Any,
    base: int,
    user_id: int,
    seen: str | None = None,
) -> tuple[revisions.Revision, dict[str, Any]]:
    """Save blocks (JSON data from the editor) as the revision after *base*; the revision and the blocks
    as the saved text reads back (a field the writer escaped shows as saved).

    Raises :class:`packager.blocks.BlockError` for blocks that are not a lesson or would make one over
    the size limit (nothing saved), and :class:`revisions.Conflict` as the Markdown editor's save does.
    """
    text = blocks.write(blocks.from_json(data))
    too_big = size_problem(path, len(text.encode("utf-8", "surrogatepass")))
    if too_big:
        raise blocks.BlockError(too_big.message)
    rev = revisions.save(session, course, path, text, base, user_id, note="block editor", seen=seen)
    return rev, blocks.to_json(blocks.read(rev.content))


def theirs(rev: revisions.Revision) -> dict[str, Any]:
    """The newer revision a refused save is shown, as blocks."""
    return blocks.to_json(blocks.read(rev.content))
