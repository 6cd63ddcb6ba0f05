"""An organisation's courses: listing, creating from the starter, importing, loading the model."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import IO

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from packager import Course as CourseModel
from packager import load_course
from packager.scaffold import new_course

from ..models import CourseRecord, Organisation
from . import revisions
from .importer import Limits, extract_course
from .storage import SLUG, course_dir, courses_root

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


def _check_new(session: Session, org: Organisation, slug: str) -> Path:
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
    folder = _check_new(session, org, slug)
    new_course(folder, title=title.strip() or None)
    return _register(session, org, slug, user_id)


def import_zip(
    session: Session, org: Organisation, upload: IO[bytes], filename: str, user_id: int | None, limits: Limits
) -> CourseRecord:
    slug = slug_for(Path(filename).stem)
    folder = _check_new(session, org, slug)
    extract_course(upload, folder, limits)
    try:
        return _register(session, org, slug, user_id)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def adopt(session: Session, org: Organisation, source: Path, user_id: int | None = None) -> CourseRecord:
    """Copy the course folder *source* into the organisation (used to seed the demo)."""
    folder = _check_new(session, org, slug_for(source.name))
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns(".*"))
    return _register(session, org, folder.name, user_id)


def load(course: CourseRecord) -> CourseModel:
    return load_course(course_dir(course))
