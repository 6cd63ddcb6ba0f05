"""The editor's live preview: a lesson's unsaved text rendered by the learner player's own templates
(``packager.preview_lesson`` gives it the context the course's build gives it)."""

from __future__ import annotations

from pathlib import Path

from packager import Course, load_course
from packager.errors import Problem
from packager.export import languages
from packager.preview import preview_lesson
from packager.render import Player

PREVIEW_CPU_SECONDS = 1.0
"""CPU time one preview may spend parsing the lesson; past it the request is answered with an error."""


def player_for(folder: Path, course: Course | None = None) -> Player:
    # served over http, so caption tracks load as files; media as the pipeline's renditions, like a package
    return Player(course or load_course(folder), inline_captions=False)


def render_lesson(folder: Path, path: str, text: str, lang: str | None = None) -> tuple[str, list[Problem]]:
    """(HTML of the lesson as the player shows it, the lesson's problems) for *text* as lesson *path*, in
    *lang* (None: the course's own) as the build makes it: the source text through the translation."""
    return preview_lesson(folder, path, text, lang=lang, cpu_budget=PREVIEW_CPU_SECONDS)


def preview_languages(folder: Path) -> list[str]:
    """The languages a lesson can be previewed in: the course's own first, then its translations."""
    return languages(load_course(folder), "all")
