"""Links between lessons must point at lessons the course lists."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem, error
from ..model import Course, Lesson


def links_of_lesson(course: Course, lesson: Lesson) -> Iterator[Problem]:
    for target, line in lesson.links:
        if target not in course.listed:
            yield error(lesson.path, line, f"link to '{target}', which is not a lesson listed in course.yml")
