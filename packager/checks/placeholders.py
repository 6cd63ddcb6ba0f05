"""The starter's placeholders (``kstudio new``'s provider, author and keyword) left in course.yml: each is
a warning at its line until the author puts the real one there."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem, warning
from ..model import Course

PROVIDER_ID = "my-institute"
PROVIDER_NAME = "My Training Institute"
AUTHOR = "Your Name"
KEYWORD = "starter"
"""The starter's values (packager/starter/course.yml): a course that still has one was not finished."""


def starter_placeholders(course: Course) -> Iterator[Problem]:
    if course.provider.name == PROVIDER_NAME:
        yield warning(
            "course.yml",
            _line(course, ("provider", "name")),
            f"provider name is the starter's placeholder '{PROVIDER_NAME}': put your institute's name",
        )
    if course.provider.id == PROVIDER_ID:
        yield warning(
            "course.yml",
            _line(course, ("provider", "id")),
            f"provider id is the starter's placeholder '{PROVIDER_ID}': put your institute's short name",
        )
    for n, author in enumerate(course.authors):
        if author == AUTHOR:
            line = _line(course, ("authors", n))
            yield warning(
                "course.yml", line, f"authors: '{AUTHOR}' is the starter's placeholder: put the authors' names"
            )
    for n, keyword in enumerate(course.keywords):
        if keyword.casefold() == KEYWORD:
            line = _line(course, ("keywords", n))
            yield warning(
                "course.yml", line, f"keywords: '{KEYWORD}' is the starter's placeholder: put words learners search for"
            )


def _line(course: Course, key: tuple[str | int, ...]) -> int | None:
    # course.yml is read again for its lines, and the module that reads it imported, only when a
    # placeholder is found: every check of every build runs this one
    from ..igot.competencies import course_yml_line

    return course_yml_line(course, key)
