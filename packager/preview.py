"""One lesson's unsaved text, rendered as the learner player shows it in its course (the live preview).

The course is loaded as saved (lessons come from the parse cache, so this is quick) and only the edited
lesson is parsed again, in the very context :func:`packager.load.load_with_context` parsed the others
in: other lessons' ids for links, the course's files for images and captions, the interface words of
the preview's language, its translation.
"""

from __future__ import annotations

import os
from dataclasses import replace

from .checks import check_lesson
from .errors import Problem, StudioError
from .lesson import parse_lesson
from .load import load_with_context
from .render import Player


class NotInCourse(StudioError):
    """The lesson is not listed in course.yml, so the player does not show it."""


def preview_lesson(
    course_dir: str | os.PathLike[str],
    path: str,
    text: str,
    *,
    lang: str | None = None,
    cpu_budget: float | None = None,
    inline_captions: bool = False,
) -> tuple[str, list[Problem]]:
    """(HTML of lesson *path* with *text* as the player shows it in *lang*, the lesson's problems: the
    parse's, silent traps among them, and those of ``checks.check_lesson``, missing files, as ``check``
    finds them).

    *lang* None is the course's own language. *cpu_budget* bounds the parse (:class:`LessonTooComplex`
    past it). Captions are served as files by default (a preview is served over http, unlike a package
    opened from disk). Raises :class:`NotInCourse` for a lesson course.yml does not list.
    """
    course, ctx = load_with_context(course_dir, lang=lang)
    old = next((lesson for lesson in course.lessons if lesson.path == path), None)
    if old is None:
        raise NotInCourse(f"{path} is not listed in course.yml's modules, so the player does not show it")
    lesson, problems = parse_lesson(text, path, replace(ctx, cpu_budget=cpu_budget))
    problems += check_lesson(course, lesson)
    lesson.id = old.id  # the preview keeps the lesson's place even while its id: is being edited
    for module in course.modules:
        module.lessons = [lesson if item is old else item for item in module.lessons]
    return Player(course, inline_captions=inline_captions).lesson_html(lesson), problems
