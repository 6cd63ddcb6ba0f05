"""The editor's live preview: a lesson's unsaved text rendered by the learner player's own templates.

The course is loaded as saved (lessons come from the packager's parse cache, so this is quick) and
only the edited lesson is parsed again, with the same context ``packager.load`` gives it: other lessons'
ids for links, the course's files for images and captions.
"""

from __future__ import annotations

from pathlib import Path

from packager import Course, load_course
from packager.errors import Problem
from packager.lesson import LessonContext, parse_lesson
from packager.load import caption_finder, file_index, resolve_target
from packager.render import Player

PREVIEW_CPU_SECONDS = 1.0
"""CPU time one preview may spend parsing the lesson; past it the request is answered with an error."""


class NotInCourse(ValueError):
    pass


def player_for(folder: Path, course: Course | None = None) -> Player:
    # served over http, so caption tracks load as files; media as the pipeline's renditions, like a package
    return Player(course or load_course(folder), inline_captions=False)


def render_lesson(folder: Path, path: str, text: str) -> tuple[str, list[Problem]]:
    """(HTML of the lesson as the player shows it, the lesson's problems) for *text* as lesson *path*."""
    course = load_course(folder)
    old = next((lesson for lesson in course.lessons if lesson.path == path), None)
    if old is None:
        raise NotInCourse(f"{path} is not listed in course.yml's modules, so the player does not show it")
    files = file_index(folder, [])
    ctx = LessonContext(
        lesson_ids={lesson.path: lesson.id for lesson in course.lessons},
        resolve=lambda lesson_path, target: resolve_target(lesson_path, target, files),
        captions=caption_finder(files, course.language),
        lang=course.language,
        cpu_budget=PREVIEW_CPU_SECONDS,
    )
    lesson, problems = parse_lesson(text, path, ctx)  # LessonTooComplex past the budget
    lesson.id = old.id  # the preview keeps the lesson's place even while its id: is being edited
    for module in course.modules:
        module.lessons = [lesson if item is old else item for item in module.lessons]
    return player_for(folder, course).lesson_html(lesson), problems
