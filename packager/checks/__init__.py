"""Checks over a loaded course: small functions that each yield problems, all run together.

A new check is one function in one of these modules and one entry in :data:`CHECKS`, or in
:data:`LESSON_CHECKS` when it looks at one lesson at a time (the editor then runs it on the text being
written too). A check of how
one lesson's text parses (the silent traps) runs with the parse itself: ``markdown/traps.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial

from ..errors import Problem
from ..model import Course, Lesson
from ..runner import LOCAL, Runner
from . import competencies, ids, links, media, mediafiles, placeholders, timing

Check = Callable[[Course], Iterable[Problem]]
LessonCheck = Callable[[Course, Lesson], Iterable[Problem]]

# the checks that look at one lesson at a time: run over every lesson by check_course, and on their own
# over the text being edited by check_lesson
LESSON_CHECKS: dict[str, LessonCheck] = {
    "lesson-links": links.links_of_lesson,
    "missing-media": media.missing_lesson_media,
    "lesson-length": timing.lesson_too_long,
    "question-competencies": competencies.lesson_question_competencies,
}


def _every_lesson(check: LessonCheck) -> Check:
    return lambda course: (problem for lesson in course.lessons for problem in check(course, lesson))


CHECKS: dict[str, Check] = {
    "duplicate-ids": ids.duplicate_ids,
    "thumbnail": media.thumbnail,
    "unusable-media": mediafiles.unusable_media,
    "captions": mediafiles.caption_files,
    "pass-score": timing.pass_score_needs_quiz,
    "competency-framework": competencies.framework_competencies,
    "starter-placeholders": placeholders.starter_placeholders,
    "translations": lambda course: _translation_qa(course, course.translations),
    **{name: _every_lesson(check) for name, check in LESSON_CHECKS.items()},
}


def _translation_qa(course: Course, langs: Sequence[str]) -> Iterable[Problem]:
    if not langs:
        return []  # nothing to check: do not load the catalog machinery (polib, Babel) at all
    from ..i18n import qa

    return qa.check_course(course, langs)


def check_course(course: Course, *, translations: Sequence[str] | None = None, runner: Runner = LOCAL) -> list[Problem]:
    """Every problem with *course*: those found while loading and those of every check, in file order.
    *translations* limits the catalogs checked (a build needs only its own language's); *runner* runs
    ffprobe for the checks that probe media."""
    problems = set(course.problems)
    checks = dict(CHECKS)
    # the checks that probe media run ffprobe through the runner given
    checks["unusable-media"] = partial(mediafiles.unusable_media, runner=runner)
    checks["captions"] = partial(mediafiles.caption_files, runner=runner)
    if translations is not None:
        checks["translations"] = lambda course: _translation_qa(course, translations)
    for check in checks.values():
        problems.update(check(course))
    return sorted(problems, key=lambda p: (p.file != "course.yml", p.file, p.line or 0, p.message))


def check_lesson(course: Course, lesson: Lesson) -> list[Problem]:
    """The checks of one lesson on its own (parsed from its text, saved or not): :data:`LESSON_CHECKS`.
    The editor's problem list shows these beside the parse's own problems (the silent traps among them),
    so what the course page's check reports about a lesson is seen while it is written."""
    return [problem for check in LESSON_CHECKS.values() for problem in check(course, lesson)]
