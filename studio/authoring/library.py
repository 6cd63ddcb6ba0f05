"""An organisation's courses: listing, creating from the starter, importing, loading the model, the
course details form (``course.yml``) and adding a lesson."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from packager import Course as CourseModel
from packager import load_course, metadata
from packager.archive import Limits, extract_course
from packager.files import write_atomic
from packager.i18n import course as i18n_course
from packager.i18n.apply import catalog_file
from packager.igot.competencies import framework_of
from packager.igot.languages import NAMES
from packager.model import competency_slug
from packager.scaffold import new_course

from ..models import CourseRecord, Organisation
from . import revisions
from .storage import SLUG, course_dir, course_file, courses_root

COURSE_ADDED = "studio.course_added"  # app.extensions: callables(session, course) run as a course enters


class CourseNameError(ValueError):
    pass


def slug_for(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]
    return slug if len(slug) >= 2 else f"course-{slug}".strip("-")


def org_courses(session: Session, org: Organisation) -> list[CourseRecord]:
    return list(
        session.scalars(select(CourseRecord).where(CourseRecord.organisation_id == org.id).order_by(CourseRecord.title))
    )


def check_new(session: Session, org: Organisation, slug: str) -> Path:
    if not SLUG.match(slug):
        raise CourseNameError(f"'{slug}' is not a usable folder name: use lower-case letters, digits and '-'")
    if session.scalar(select(CourseRecord).where(CourseRecord.organisation_id == org.id, CourseRecord.slug == slug)):
        raise CourseNameError(f"the organisation has a course '{slug}' already")
    folder = courses_root() / org.slug / slug
    if folder.exists():
        raise CourseNameError(f"a course folder '{slug}' exists already")
    folder.parent.mkdir(parents=True, exist_ok=True)
    return folder


def _register(session: Session, org: Organisation, slug: str, user_id: int | None) -> CourseRecord:
    course = CourseRecord(organisation_id=org.id, slug=slug, created_by=user_id)
    course.organisation = org
    course.title = load(course).title or slug
    session.add(course)
    session.commit()
    revisions.record_course(session, course)  # its history starts with the files it came with
    for added in current_app.extensions.get(COURSE_ADDED, ()):
        added(session, course)  # other rooms take it in: the translation memory indexes its catalogs
    return course


def create(session: Session, org: Organisation, title: str, user_id: int | None, slug: str = "") -> CourseRecord:
    """A new course from the starter (the same one ``kstudio new`` makes)."""
    slug = slug or slug_for(title)
    folder = check_new(session, org, slug)
    new_course(folder, title=title.strip() or None)
    return _register(session, org, slug, user_id)


def import_zip(
    session: Session, org: Organisation, upload: IO[bytes], filename: str, user_id: int | None, limits: Limits
) -> CourseRecord:
    slug = slug_for(Path(filename).stem)
    folder = check_new(session, org, slug)
    extract_course(upload, folder, limits)
    try:
        return _register(session, org, slug, user_id)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def register_imported(session: Session, org: Organisation, slug: str, user_id: int | None) -> CourseRecord:
    """The course ``kstudio import`` wrote into the organisation's folder *slug* enters the studio."""
    try:
        return _register(session, org, slug, user_id)
    except BaseException:
        shutil.rmtree(courses_root() / org.slug / slug, ignore_errors=True)
        raise


def adopt(session: Session, org: Organisation, source: Path, user_id: int | None = None) -> CourseRecord:
    """Copy the course folder *source* into the organisation (used to seed the demo)."""
    folder = check_new(session, org, slug_for(source.name))
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns(".*"))
    return _register(session, org, folder.name, user_id)


def load(course: CourseRecord) -> CourseModel:
    return load_course(course_dir(course))


# --- course details (course.yml) --------------------------------------------------------------------------


@dataclass(frozen=True)
class Details:
    """The course details form: the values of :data:`packager.metadata.FIELDS`, the revision of course.yml
    they were read from (the save is based on it), and what the form offers to choose from."""

    values: dict[str, str]
    base: int
    images: list[str] = field(default_factory=list)
    """The course's images (media/), for the thumbnail."""
    competencies: dict[str, list[str]] | None = None
    """The course framework's entries by area (``Area / Theme [/ Subtheme]``); None: it has no framework."""
    languages: dict[str, str] = field(default_factory=dict)
    """iGOT's languages: code -> name (the course's own language left out)."""
    minutes: float = 0
    """The learning time, from the lessons' ``minutes:`` (or their length)."""


@dataclass
class DetailsConflict(Exception):
    """Someone saved course.yml since the form was opened: their values, their revision, and the keys of
    the form that differ from theirs."""

    theirs: dict[str, str]
    base: int
    changed: list[str] = field(default_factory=list)


def details(session: Session, course: CourseRecord) -> Details:
    """The details form's values; :class:`packager.metadata.MetadataError` when course.yml cannot be read."""
    rev = revisions.peek(session, course, "course.yml")
    values = metadata.read(rev.content)
    model = load(course)
    media = course_dir(course) / "media"
    images = sorted(
        p.relative_to(course_dir(course)).as_posix()
        for p in (media.rglob("*") if media.is_dir() else ())
        if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp") and p.is_file()
    )
    if values["thumbnail"] and values["thumbnail"] not in images:
        images.insert(0, values["thumbnail"])  # what course.yml says is offered, even when it is missing
    return Details(
        values, rev.number, images, _framework_entries(model), _languages(model.language), model.learning_minutes
    )


def _framework_entries(model: CourseModel) -> dict[str, list[str]] | None:
    framework, _problems = framework_of(model)
    if framework is None:
        return None
    entries: dict[str, list[str]] = {}
    for key in framework.nodes:  # areas, their themes, the themes' subthemes, in the file's order
        if len(key) > 1:
            names = [framework.nodes[key[: depth + 1]].name for depth in range(len(key))]
            entries.setdefault(names[0], []).append(metadata.COMPETENCY_SEP.join(names))
    return entries


@dataclass(frozen=True)
class CompetencyChoices:
    """What a lesson's pickers offer, by area: for its details, the framework's entries (``Area / Theme [/
    Subtheme]``; course.yml's competencies when the course has no framework); for a question's
    ``competency=``, course.yml's themes and subthemes as (slug, ``Theme [/ Subtheme]``), the only names
    ``kstudio check`` takes there."""

    lesson: dict[str, list[str]]
    questions: dict[str, list[tuple[str, str]]]


def competency_choices(course: CourseRecord) -> CompetencyChoices:
    model = load(course)
    lesson = _framework_entries(model)
    if lesson is None:
        lesson = {}
        for c in model.competencies:
            line = metadata.COMPETENCY_SEP.join(n for n in (c.area, c.theme, c.subtheme) if n)
            if line not in lesson.setdefault(c.area, []):
                lesson[c.area].append(line)
    questions: dict[str, list[tuple[str, str]]] = {}
    for c in model.competencies:
        names = [c.theme, *([c.subtheme] if c.subtheme else [])]
        for depth, name in enumerate(names):
            entry = (competency_slug(name), metadata.COMPETENCY_SEP.join(names[: depth + 1]))
            if entry not in questions.setdefault(c.area, []):
                questions[c.area].append(entry)
    return CompetencyChoices(lesson, questions)


def _languages(own: str) -> dict[str, str]:
    base = own.split("-")[0].lower()
    names = {code: name for code, name in NAMES.items() if code != base}
    return dict(sorted(names.items(), key=lambda item: (item[1], item[0])))


def save_details(session: Session, course: CourseRecord, form: dict[str, str], base: int, user_id: int) -> list[str]:
    """Rewrite only the form's keys of course.yml (comments and order kept) as a revision based on *base*,
    and the course's title with them; a language added to ``translations`` gets its catalog
    (``translations/<lang>.po``, as ``kstudio i18n update`` makes it). The languages whose catalog it
    started. ValueError (MetadataError) for a form course.yml cannot take."""
    rev = revisions.peek(session, course, "course.yml")
    before = load(course).translations
    try:
        text = metadata.update(rev.content, form)  # seen: saved only over the text it was made from
        revisions.save(session, course, "course.yml", text, base, user_id, seen=rev.content_hash)
    except revisions.Conflict as conflict:
        theirs = metadata.read(conflict.theirs.content)
        changed = [key for key in form if theirs.get(key, "") != form[key].strip()]
        raise DetailsConflict(theirs, conflict.theirs.number, changed) from None
    model = load(course)
    course.title = model.title or course.slug
    session.commit()
    started = [
        lang
        for lang in model.translations
        if lang not in before and not (course_dir(course) / catalog_file(lang)).exists()
    ]
    if started:
        i18n_course.update(model, started)
        for lang in started:
            revisions.record(session, course, catalog_file(lang))  # its history starts with the new catalog
    return started


class LessonError(ValueError):
    """The lesson was not added; the message says why (empty when course.yml changed meanwhile)."""


def add_lesson(session: Session, course: CourseRecord, title: str, user_id: int) -> str:
    """A new lesson file ``lessons/NN-title.md``, listed at the end of the last module; both writes are
    revisions. Returns the lesson's path."""
    path = f"lessons/{len(load(course).listed) + 1:02d}-{slug_for(title)}.md"
    file = course_file(course, path)
    yml = revisions.peek(session, course, "course.yml")
    try:
        if file.exists():
            raise metadata.MetadataError(f"{path} exists already")
        text = metadata.add_lesson(yml.content, path)
        write_atomic(file, f"---\ntitle: {_yaml_str(title)}\n---\nWrite the lesson here.\n", durable=True)
        revisions.record(session, course, path)
        note, seen = f"added {path}", yml.content_hash
        revisions.save(session, course, "course.yml", text, yml.number, user_id, note=note, seen=seen)
    except (metadata.MetadataError, revisions.Conflict) as exc:
        raise LessonError(str(exc)) from None
    return path


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
