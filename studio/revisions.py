"""Saving course files so that nothing is ever lost.

Every save is a :class:`Revision` (who, when, the whole text). A save names the revision it was based
on; when that is no longer the newest, the save is refused with :class:`Conflict`, carrying the newest
text, so the person can compare and choose. Two saves racing on the same base cannot both win: the
unique (course, path, number) key lets the database accept only one. Changes made on disk outside the
studio are recorded as a revision before anything is written over them.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import Course, Revision
from .storage import atomic_write, course_file


@dataclass
class Conflict(Exception):
    """The save was based on revision *base*, but *theirs* is newer."""

    base: int
    theirs: Revision


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def latest(session: Session, course: Course, path: str) -> Revision | None:
    return session.scalar(
        select(Revision)
        .where(Revision.course_id == course.id, Revision.path == path)
        .order_by(Revision.number.desc())
        .limit(1)
    )


def history(session: Session, course: Course, path: str) -> list[Revision]:
    return list(
        session.scalars(
            select(Revision)
            .where(Revision.course_id == course.id, Revision.path == path)
            .order_by(Revision.number.desc())
        )
    )


def get(session: Session, course: Course, path: str, number: int) -> Revision | None:
    return session.scalar(
        select(Revision).where(Revision.course_id == course.id, Revision.path == path, Revision.number == number)
    )


def current(session: Session, course: Course, path: str) -> Revision:
    """The newest revision of *path*, first recording the file's text on disk if it differs (or is new)."""
    file = course_file(course, path)
    text = file.read_text("utf-8") if file.is_file() else ""
    rev = latest(session, course, path)
    if rev is not None and rev.content_hash == digest(text):
        return rev
    note = "as found in the course folder" if rev is None else "changed outside the studio"
    new = Revision(
        course_id=course.id,
        path=path,
        number=(rev.number + 1) if rev else 1,
        user_id=None,
        content=text,
        content_hash=digest(text),
        note=note,
    )
    session.add(new)
    try:
        session.commit()
    except IntegrityError:  # another process recorded it first
        session.rollback()
        again = latest(session, course, path)
        assert again is not None
        return again
    return new


def save(session: Session, course: Course, path: str, text: str, base: int, user_id: int, note: str = "") -> Revision:
    """Save *text* as the revision after *base*; raise :class:`Conflict` if *base* is not the newest."""
    text = text.replace("\r\n", "\n")
    newest = current(session, course, path)
    if newest.number != base:
        raise Conflict(base, newest)
    if newest.content_hash == digest(text):
        return newest  # nothing changed: autosave of an unchanged text adds no revision
    rev = Revision(
        course_id=course.id,
        path=path,
        number=base + 1,
        user_id=user_id,
        content=text,
        content_hash=digest(text),
        note=note,
    )
    session.add(rev)
    try:
        session.flush()  # the unique key decides between racing saves here
    except IntegrityError:
        session.rollback()
        theirs = latest(session, course, path)
        assert theirs is not None
        raise Conflict(base, theirs) from None
    try:
        atomic_write(course_file(course, path), text)
    except BaseException:
        session.rollback()
        raise
    session.commit()
    return rev


def diff(old: str, new: str, old_name: str, new_name: str) -> list[tuple[str, str]]:
    """A unified diff as (kind, line) pairs, kind one of 'add', 'del', 'hunk', 'same'."""
    out = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), old_name, new_name, lineterm="", n=3):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        out.append((kind, line))
    return out
