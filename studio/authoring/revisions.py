"""Saving course files so that nothing is ever lost.

Every save is a :class:`Revision` (who, when, the whole text). A save names the revision it was based
on; when that is no longer the newest, the save is refused with :class:`Conflict`, carrying the newest
text, so the person can compare and choose. Changes made on disk outside the studio are recorded as a
revision before anything is written over them: by the save that would write over them, never by a
reader. A reader (every GET) calls :func:`peek`, which shows such a change as an *unrecorded* revision
(numbered next, no row): the save based on it records it first, then the person's text, and a save
that names the text it was shown (``seen``) is refused if the file changed again meanwhile.

Saves race (two tabs, two gunicorn workers, two machines on one database), so reading the file,
comparing it with the newest revision, writing the file and recording the revision happen in one
critical section per file: an ``fcntl`` lock on ``DATA_DIR/locks/<course>-<path hash>.lock``, held by
every save and every recording of the newest state. Without it a recorder could see the new text on
disk before its revision and record it as "changed outside the studio", and a refused save could be
shown an old "theirs". :func:`peek` takes no lock (it writes nothing, not even the lock file): it
reads the newest row before the file, and a save writes its row before the file, so the text it
shows is one the file held and its number the one that text has or will have; a save based on a
text that is no longer the newest is refused. The unique (course, path, number) key is still there
for processes on machines that do not share the lock.

A process can be killed anywhere in a save, so the revision is recorded *before* the file is replaced,
marked ``pending``, and confirmed after. The next save (under the lock) settles a pending revision
left by a killed save: it is kept if the file holds its text (the file was replaced), dropped if not
(:func:`peek` reads it the same way without settling it). So the file's text always has its
revision, with its author, and no revision claims a text the file never held.
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

from ..models import CourseRecord, Revision, now
from .storage import REVISIONED, PathError, course_dir, course_file


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


def recorded(rev: Revision) -> bool:
    """False for what :func:`peek` shows of a file changed outside the studio, before a save records it."""
    return rev.id is not None


def peek(session: Session, course: CourseRecord, path: str) -> Revision:
    """The newest state of *path*, read-only: its newest revision when the file holds that text, else an
    unrecorded revision of the file's text numbered next (the next save records it; see :func:`save`'s
    ``seen``). A pending revision counts if the file holds its text, as the next save will settle it."""
    newest = latest(session, course, path)  # the row first: a save writes its row before the file
    file = course_file(course, path)
    text = file.read_text("utf-8") if file.is_file() else ""
    if newest is not None and newest.pending and newest.content_hash != digest(text):
        newest = session.scalar(
            select(Revision)
            .where(Revision.course_id == course.id, Revision.path == path, Revision.pending.is_(False))
            .order_by(Revision.number.desc())
            .limit(1)
        )
    if newest is not None and newest.content_hash == digest(text):
        return newest
    return _outside(course, path, newest, text)


def _outside(course: CourseRecord, path: str, newest: Revision | None, text: str) -> Revision:
    """A revision (not yet added to any session) of *text*, found on disk after *newest*."""
    return Revision(
        course_id=course.id,
        path=path,
        number=(newest.number + 1) if newest else 1,
        user_id=None,
        content=text,
        content_hash=digest(text),
        note="as found in the course folder" if newest is None else "changed outside the studio",
        created_at=now(),
        pending=False,
    )


def record(session: Session, course: CourseRecord, path: str) -> Revision:
    """The newest revision of *path*, first recording the file's text on disk if it differs (or is new):
    for a write that changed the file itself (adding a lesson), never for a reader."""
    with file_lock(course, path):
        return _current(session, course, path)


def record_course(session: Session, course: CourseRecord) -> None:
    """Record every file of a course entering the studio (created, imported, adopted) that the studio keeps
    revisions of, as found: so its history starts with the text it came with, and a change made on disk
    later shows as made outside the studio. One transaction; file by file if a save got there first."""
    root = course_dir(course)
    paths = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        paths += [
            Path(dirpath, name).relative_to(root).as_posix()
            for name in sorted(filenames)
            if name.lower().endswith(REVISIONED) and not name.startswith(".")
        ]
    found = []
    for path in paths:
        try:
            found.append((path, course_file(course, path).read_text("utf-8")))
        except (PathError, OSError, UnicodeDecodeError):  # a link leading outside, a file that is not text
            continue
    session.add_all(_outside(course, path, None, text) for path, text in found)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        for path, _text in found:
            record(session, course, path)


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
    new = _outside(course, path, rev, text)
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
    session: Session,
    course: CourseRecord,
    path: str,
    text: str,
    base: int,
    user_id: int,
    note: str = "",
    *,
    seen: str | None = None,
) -> Revision:
    """Save *text* as the revision after *base*; raise :class:`Conflict` if *base* is not the newest.

    *seen* is the digest of the text the person was shown as *base*: needed when that was an
    unrecorded revision from :func:`peek` (its number is only the next one, so a file changed outside
    twice would otherwise pass for it). Under the file's lock: record a change made outside, settle the
    newest state, compare, record the revision as pending, replace the file, confirm the revision. A
    :class:`Conflict` carries the newest revision at that moment, which is the file's text.
    """
    text = text.replace("\r\n", "\n")
    with file_lock(course, path):
        newest = _current(session, course, path)
        if newest.number != base or (seen is not None and newest.content_hash != seen):
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
