"""Links between lessons must point at lessons the course lists."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem, error
from ..model import Course


def lesson_links(course: Course) -> Iterator[Problem]:
    for lesson in course.lessons:
        for target, line in lesson.links:
            if target not in course.listed:
                yield error(lesson.path, line, f"link to '{target}', which is not a lesson listed in course.yml")
