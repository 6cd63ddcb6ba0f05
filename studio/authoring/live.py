"""The editor's live preview: a lesson's unsaved text rendered by the learner player's own templates
(``packager.preview_lesson`` gives it the context the course's build gives it)."""

from __future__ import annotations

from pathlib import Path

from packager import Course, load_course
from packager.errors import Problem
from packager.export import languages
from packager.preview import NotInCourse, preview_lesson
from packager.render import Player

PREVIEW_CPU_SECONDS = 1.0
"""CPU time one preview may spend parsing the lesson; past it the request is answered with an error."""


def player_for(folder: Path, course: Course | None = None) -> Player:
    # served over http, so caption tracks load as files; media as the pipeline's renditions, like a package;
    # the script's font cut whole, once, not again for each letter a translation adds
    return Player(course or load_course(folder), inline_captions=False, whole_script_fonts=True)


class NotOffered(NotInCourse):
    """The preview was asked for a language the course is not offered in."""


def render_lesson(folder: Path, path: str, text: str, lang: object = None) -> tuple[str, list[Problem]]:
    """(HTML of the lesson as the player shows it, the lesson's problems) for *text* as lesson *path*, in
    *lang* (None: the course's own) as the build makes it: the source text through the translation.
    Raises :class:`NotOffered` for a language the course does not have."""
    if lang is None:
        return preview_lesson(folder, path, text, cpu_budget=PREVIEW_CPU_SECONDS)
    if not isinstance(lang, str) or lang not in languages(load_course(folder), "all"):
        raise NotOffered(f"the course has no '{str(lang)[:20]}' version")
    return preview_lesson(folder, path, text, lang=lang, cpu_budget=PREVIEW_CPU_SECONDS)
