"""The editor's history of a file, its revisions by number and restoring one (pages: ``editor_views.py``).

Reading writes nothing (``revisions.peek``): a file changed outside the studio shows as an unrecorded
newest revision, which the next save (here: restoring) records before its own.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from packager import yamlsrc
from packager.lesson import split_front_matter

from ..models import CourseRecord
from . import revisions
from .storage import course_file


def history(session: Session, course: CourseRecord, path: str) -> list[revisions.Revision]:
    """The revisions of *path*, newest first: the file's text on disk heads it while no save recorded it."""
    revs = revisions.history(session, course, path)
    if course_file(course, path).is_file():
        newest = revisions.peek(session, course, path)
        if not revisions.recorded(newest):
            revs.insert(0, newest)
    return revs


def revision(session: Session, course: CourseRecord, path: str, number: int) -> revisions.Revision | None:
    """Revision *number* of *path*: a recorded one, or the file's unrecorded text if numbered so."""
    found = revisions.get(session, course, path, number)
    if found is None and course_file(course, path).is_file():
        newest = revisions.peek(session, course, path)
        if not revisions.recorded(newest) and newest.number == number:
            return newest
    return found


def restore(
    session: Session, course: CourseRecord, path: str, number: int, base: int, user_id: int, seen: str | None
) -> revisions.Revision | None:
    """Save recorded revision *number*'s text as the newest revision (nothing is dropped); None if there
    is no such revision. Raises :class:`revisions.Conflict` if the file changed since *base* (and *seen*)."""
    old = revisions.get(session, course, path, number)
    if old is None:
        return None
    revisions.save(session, course, path, old.content, base, user_id, note=f"restored #{old.number}", seen=seen)
    return old


def lesson_title(path: str, text: str) -> str | None:
    """The title in a lesson's front matter (the editor's heading); None for other files, or no title."""
    if not path.endswith(".md"):
        return None
    front, _, _ = split_front_matter(text, path, [])
    value = yamlsrc.parse(front, path).value if front is not None else None
    title = value.get("title") if isinstance(value, dict) else None
    return " ".join(title.split()) or None if isinstance(title, str) else None
