"""Every media file a lesson uses, and the thumbnail, must exist in the course folder."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem, error
from ..model import Course, Lesson


def missing_lesson_media(course: Course, lesson: Lesson) -> Iterator[Problem]:
    """One lesson's missing files (also run by the editor over the text being edited)."""
    for ref in lesson.media:
        if not (course.root / ref.src).is_file():
            yield error(lesson.path, ref.line, f"missing {ref.kind} file '{ref.src}'")


def thumbnail(course: Course) -> Iterator[Problem]:
    if course.thumbnail and not (course.root / course.thumbnail).is_file():
        yield error("course.yml", None, f"thumbnail '{course.thumbnail}' does not exist")
