"""Catalogs of a course folder: extract its segments, update ``translations/*.po``, count what is done."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import yamlsrc
from ..cache import LessonCache
from ..errors import ExportError, Problem, Severity
from ..lesson import split_front_matter
from ..markdown import parser
from ..model import Course
from ..patterns import LANG_PATTERN
from . import catalog
from .apply import catalog_file, yml_segments
from .segments import Segment, front_segments, lesson_segments

if TYPE_CHECKING:
    import polib

_TITLE_LINE = re.compile(r"^title\s*:", re.M)
SEGMENTS_VERSION = "1"  # bump when a lesson's segments change for the same text (segments.py)


def segments(course: Course) -> list[Segment]:
    """Every translatable segment of *course* (loaded in its own language), in reading order.

    A lesson body's segments are cached by its text, path and id (``cache.py``), so extracting them
    again (``kstudio i18n``, the studio's translation workspace) parses only the lessons that changed."""
    found: list[Segment] = []
    yml = course.root / "course.yml"
    if yml.is_file():
        found += yml_segments(yamlsrc.parse(yml.read_text(encoding="utf-8"), "course.yml"))
    store = (
        LessonCache.of_kind("segments", course.root, SEGMENTS_VERSION) if course.use_cache else LessonCache.disabled()
    )
    for lesson in course.lessons:
        text = (course.root / lesson.path).read_text(encoding="utf-8").lstrip("\ufeff")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        front, body, offset = split_front_matter(text, lesson.path, [])
        title = _TITLE_LINE.search(front or "")
        line = (front or "")[: title.start()].count("\n") + 2 if title else 1
        found += front_segments(lesson.id, lesson.path, lesson.title, lesson.objectives, line)
        key = store.key(lesson.path, lesson.id, text)
        body_segments = store.get(key)
        if body_segments is None:
            body_segments = lesson_segments(parser().parse(body, {}), lesson.id, lesson.path, offset)
            store.put(key, body_segments)
        found += body_segments
    store.save()
    return found


def project(course: Course) -> str:
    return f"{course.id} {course.version}"


def catalog_path(course: Course, lang: str) -> Path:
    """``translations/<lang>.po`` of *course*; *lang* (from a command line or an XLIFF file) must be a
    language code, so it can never name a file elsewhere."""
    if not re.fullmatch(LANG_PATTERN, lang):
        raise ExportError(f"'{lang[:40]}' is not a language code such as hi, ur or pt-BR")
    return course.root / catalog_file(lang)


def update(course: Course, langs: list[str] | None = None) -> dict[str, catalog.MergeReport]:
    """Write or refresh the catalog of each language in ``translations:`` (or *langs*); nothing is lost."""
    found = segments(course)
    reports: dict[str, catalog.MergeReport] = {}
    for lang in langs or course.translations:
        path = catalog_path(course, lang)
        old = catalog.read(path) if path.is_file() else catalog.new(lang, project(course))
        po, report = catalog.merge(old, found, lang, project(course))
        if not path.is_file() or str(po) != str(old):
            catalog.write(po, path)
        reports[lang] = report
    return reports


@dataclass
class Status:
    lang: str
    translated: int = 0
    fuzzy: int = 0
    missing: int = 0
    left: list[tuple[Segment, str]] = field(default_factory=list)
    """Segments that fall back to the source text, with their state (``fuzzy`` or ``missing``)."""

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.missing

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    def line(self) -> str:
        return (
            f"{self.lang}: {self.translated} translated, {self.fuzzy} fuzzy, {self.missing} missing "
            f"of {self.total} ({math.floor(self.percent)}% translated)"  # 99.5% is not 100%
        )


def status(course: Course, lang: str, found: list[Segment] | None = None) -> Status:
    """How much of *course* is translated into *lang* (against the current source, not the catalog)."""
    found = segments(course) if found is None else found
    path = catalog_path(course, lang)
    entries = catalog.active(catalog.read(path)) if path.is_file() else {}
    result = Status(lang)
    for segment in found:
        state = catalog.state(entries.get(segment.id), segment.source)
        setattr(result, state, getattr(result, state) + 1)
        if state != "translated":
            result.left.append((segment, state))
    return result


def fallback_problems(course: Course, lang: str, severity: Severity = "warning") -> list[Problem]:
    """The build report of *lang*: each segment shown in the source language, as a problem at its place."""
    result = status(course, lang)
    return [
        Problem(
            segment.file,
            segment.line,
            severity,
            f"{lang}: {state} translation, shown in {course.language}: {segment.source[:60]!r}",
        )
        for segment, state in result.left
    ]


def require_catalog(course: Course, lang: str) -> polib.POFile:
    path = catalog_path(course, lang)  # checks the code
    if not path.is_file():
        raise ExportError(f"no catalog for '{lang}' ({catalog_file(lang)}): run 'kstudio i18n update {course.root}'")
    return catalog.read(path)
