"""The course outline edited on the course page: :mod:`packager.outline`'s changes saved as revisions of
every file they touch (pages: ``outline_views.py``).

course.yml is saved first, based on the revision the page showed (its number and text): a concurrent
edit of course.yml refuses the whole change before any file is written. Then new files, lessons whose
links followed a rename, and last the files removed: a removed file's last revision is an empty text
noted with why, so its history keeps every earlier text and restoring one brings it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from packager import outline
from packager.files import write_atomic
from packager.load import file_index

from ..models import CourseRecord, Revision
from . import revisions
from .storage import course_dir, course_file

OutlineError = outline.OutlineError


@dataclass(frozen=True)
class Lesson:
    path: str
    title: str
    linked_from: list[str]  # lessons linking to it: while there are any, it is not deleted


@dataclass(frozen=True)
class Module:
    title: str
    lessons: list[Lesson]


@dataclass(frozen=True)
class View:
    """The outline as course.yml lists it, the course.yml revision it was read from (every form sends
    it back), lessons deleted from the course whose history can bring them back, and why the outline
    cannot be edited here (course.yml unreadable), if so."""

    modules: list[Module]
    base: int
    seen: str
    deleted: list[str] = field(default_factory=list)
    problem: str = ""


def view(session: Session, course: CourseRecord, titles: dict[str, str]) -> View:
    """The outline of *course*, lesson titles from *titles* (path -> title; the path where missing)."""
    rev = revisions.peek(session, course, "course.yml")
    deleted = _deleted(session, course)
    try:
        mods = outline.modules(rev.content)
        folder = _folder(course, rev.content)
        linked = outline.linking(folder, [p for m in mods for p in m.lessons])
    except (OutlineError, OSError, UnicodeDecodeError) as exc:
        return View([], rev.number, rev.content_hash, deleted, str(exc))
    return View(
        [Module(m.title, [Lesson(p, titles.get(p, p), linked.get(p, [])) for p in m.lessons]) for m in mods],
        rev.number,
        rev.content_hash,
        deleted,
    )


def apply(
    session: Session, course: CourseRecord, operation: str, form: dict[str, str], base: int, seen: str, user_id: int
) -> outline.Change:
    """Make *operation* (a key of :data:`OPERATIONS`) with the form's values on course.yml as of revision
    *base* (text digest *seen*); every file it touches saved as a revision noted with the change.
    :class:`revisions.Conflict` when course.yml changed since; :class:`OutlineError` when refused."""
    rev = revisions.peek(session, course, "course.yml")
    if rev.number != base or rev.content_hash != seen:
        raise revisions.Conflict(base, rev)
    try:
        change = OPERATIONS[operation](_folder(course, rev.content), form)
    except (KeyError, ValueError) as exc:
        if isinstance(exc, OutlineError):
            raise
        raise OutlineError("the form was incomplete: reload the page and try again") from None
    note = change.note
    if "course.yml" in change.writes:  # first: a concurrent edit refuses the change before any file is written
        revisions.save(session, course, "course.yml", change.writes["course.yml"], base, user_id, note, seen=seen)
    for path, text in change.writes.items():
        if path == "course.yml":
            continue
        if course_file(course, path).is_file():
            now = revisions.peek(session, course, path)
            revisions.save(session, course, path, text, now.number, user_id, note, seen=now.content_hash)
        else:
            _create(session, course, path, text, user_id, note)
    for path in change.deletes:
        _remove(session, course, path, user_id, note)
    return change


def _int(form: dict[str, str], key: str) -> int:
    return int(form[key])


OPERATIONS = {
    "add-module": lambda f, form: outline.add_module(f, form["title"], form["lesson_title"]),
    "rename-module": lambda f, form: outline.rename_module(f, _int(form, "module"), form["title"]),
    "move-module": lambda f, form: outline.move_module(f, _int(form, "module"), _int(form, "to")),
    "delete-module": lambda f, form: outline.delete_module(f, _int(form, "module")),
    "add-lesson": lambda f, form: outline.add_lesson(f, _int(form, "module"), form["title"]),
    "rename-lesson": lambda f, form: outline.rename_lesson(f, form["path"], form["title"]),
    "move-lesson": lambda f, form: (
        outline.move_lesson_by(f, form["path"], _int(form, "step"))
        if "step" in form
        else outline.move_lesson(f, form["path"], _int(form, "module"), 1 << 30)  # to the end of that module
    ),
    "delete-lesson": lambda f, form: outline.delete_lesson(f, form["path"]),
}


def _folder(course: CourseRecord, course_yml: str) -> outline.Folder:
    root = course_dir(course)
    files = frozenset(file_index(root, []))
    return outline.Folder(course_yml, files, lambda path: course_file(course, path).read_text("utf-8"))


def _create(session: Session, course: CourseRecord, path: str, text: str, user_id: int, note: str) -> None:
    """A new file as a revision of its own (after any of an earlier file of that name), as
    :func:`revisions.save` writes one: the row pending, the file, the row confirmed."""
    with revisions.file_lock(course, path):
        file = course_file(course, path)
        if file.exists():
            raise OutlineError(f"{path} exists already")
        newest = revisions.latest(session, course, path)
        rev = Revision(
            course_id=course.id,
            path=path,
            number=newest.number + 1 if newest else 1,
            user_id=user_id,
            content=text,
            content_hash=revisions.digest(text),
            note=note,
            pending=True,
        )
        session.add(rev)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            raise OutlineError(f"{path} was being written by someone else: reload the page") from None
        file.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(file, text, durable=True)
        rev.pending = False
        session.commit()


def _remove(session: Session, course: CourseRecord, path: str, user_id: int, note: str) -> None:
    """The file's removal as its newest revision (an empty text), then the file itself."""
    now = revisions.peek(session, course, path)
    revisions.save(session, course, path, "", now.number, user_id, note, seen=now.content_hash)
    with revisions.file_lock(course, path):
        file = course_file(course, path)
        if file.is_file() and file.stat().st_size == 0:  # still the removal's text: nobody wrote since
            file.unlink()


def _deleted(session: Session, course: CourseRecord) -> list[str]:
    """Lessons once in the studio whose file is gone (not by a rename): each one's history can bring it back."""
    paths = session.scalars(
        select(Revision.path).where(Revision.course_id == course.id, Revision.path.like("%.md")).distinct()
    )
    gone = sorted(p for p in paths if not course_file(course, p).exists())
    return [p for p in gone if not getattr(revisions.latest(session, course, p), "note", "").startswith("renamed ")]
