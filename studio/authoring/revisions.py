"""Saving course files so that nothing is ever lost.

Every save is a :class:`Revision` (who, when, the whole text). A save names the revision it was based
on; when that is no longer the newest, the save is refused with :class:`Conflict`, carrying the newest
text, so the person can compare and choose. Changes made on disk outside the studio are recorded as a
revision before anything is written over them.

Saves race (two tabs, two gunicorn workers, two machines on one database), so reading the file,
comparing it with the newest revision, writing the file and recording the revision happen in one
critical section per file: an ``fcntl`` lock on ``DATA_DIR/locks/<course>-<path hash>.lock``, held by
every save and every read of the newest state. Without it a reader could see the new text on disk
before its revision and record it as "changed outside the studio", and a refused save could be shown
an old "theirs". The unique (course, path, number) key is still there for processes on machines that
do not share the lock.

A process can be killed anywhere in a save, so the revision is recorded *before* the file is replaced,
marked ``pending``, and confirmed after. The next reader (under the lock) settles a pending revision
left by a killed save: it is kept if the file holds its text (the file was replaced), dropped if not.
So the file's text always has its revision, with its author, and no revision claims a text the file
never held.
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from packager.files import write_atomic

from ..models import CourseRecord, Revision
from .storage import course_file


@dataclass
class Conflict(Exception):
    """The save was based on revision *base*, but *theirs* is newer."""

    base: int
    theirs: Revision


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def file_lock(course: CourseRecord, path: str) -> Iterator[None]:
    """Hold the lock of one course file (every process on this machine, every thread: each acquisition
    opens the lock file anew, and ``flock`` locks belong to the open file). The kernel releases it
    when a holder dies, so a killed save never leaves the file locked."""
    folder = Path(current_app.config["DATA_DIR"]) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{course.id}-{hashlib.sha256(path.encode('utf-8')).hexdigest()[:32]}.lock"
    fd = os.open(folder / name, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the last descriptor of the open file releases the lock


def _pause_for_tests(step: str) -> None:
    """``KSTUDIO_TEST_SAVE_PAUSE=<step>`` stops every save at *step* for good, after touching
    ``DATA_DIR/save-paused-<step>``: the crash tests kill the server there. Unset in real use."""
    if os.environ.get("KSTUDIO_TEST_SAVE_PAUSE") == step:
        (Path(current_app.config["DATA_DIR"]) / f"save-paused-{step}").touch()
        threading.Event().wait()


def latest(session: Session, course: CourseRecord, path: str) -> Revision | None:
    """The newest row, a pending one included (``populate_existing``: another process may have changed it)."""
    return session.scalar(
        select(Revision)
        .where(Revision.course_id == course.id, Revision.path == path)
        .order_by(Revision.number.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )


def history(session: Session, course: CourseRecord, path: str) -> list[Revision]:
    return list(
        session.scalars(
            select(Revision)
            .where(Revision.course_id == course.id, Revision.path == path, Revision.pending.is_(False))
            .order_by(Revision.number.desc())
        )
    )


def get(session: Session, course: CourseRecord, path: str, number: int) -> Revision | None:
    return session.scalar(
        select(Revision).where(
            Revision.course_id == course.id,
            Revision.path == path,
            Revision.number == number,
            Revision.pending.is_(False),
        )
    )


def current(session: Session, course: CourseRecord, path: str) -> Revision:
    """The newest revision of *path*, first recording the file's text on disk if it differs (or is new)."""
    with file_lock(course, path):
        return _current(session, course, path)


def _settle(session: Session, rev: Revision, text: str) -> bool:
    """Settle a pending revision a killed save left (the caller holds the file's lock, so no save is
    in progress): confirmed if the file holds its text; else dropped. True if it was kept."""
    if rev.content_hash == digest(text):
        rev.pending = False
        session.commit()
        return True
    session.execute(delete(Revision).where(Revision.id == rev.id))
    session.commit()
    session.expunge(rev)
    return False


def _current(session: Session, course: CourseRecord, path: str) -> Revision:
    file = course_file(course, path)
    text = file.read_text("utf-8") if file.is_file() else ""
    rev = latest(session, course, path)
    if rev is not None and rev.pending and not _settle(session, rev, text):
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


def save(
    session: Session, course: CourseRecord, path: str, text: str, base: int, user_id: int, note: str = ""
) -> Revision:
    """Save *text* as the revision after *base*; raise :class:`Conflict` if *base* is not the newest.

    Under the file's lock: settle the newest state, compare, record the revision as pending, replace
    the file, confirm the revision. A :class:`Conflict` carries the newest revision at that moment,
    which is the file's text.
    """
    text = text.replace("\r\n", "\n")
    with file_lock(course, path):
        newest = _current(session, course, path)
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
            pending=True,
        )
        session.add(rev)
        try:
            session.commit()  # the unique key still decides against a process that shares no lock
        except IntegrityError:
            session.rollback()
            theirs = latest(session, course, path)
            assert theirs is not None
            raise Conflict(base, theirs) from None
        _pause_for_tests("before-replace")
        try:
            write_atomic(course_file(course, path), text, durable=True)
        except BaseException:
            session.execute(delete(Revision).where(Revision.id == rev.id))
            session.commit()
            raise
        _pause_for_tests("after-replace")
        rev.pending = False
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
