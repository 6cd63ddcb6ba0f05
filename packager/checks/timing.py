"""Micro-learning: lessons of at most 15 minutes; a pass score needs something to score."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem, warning
from ..model import Course, Lesson

MAX_LESSON_MINUTES = 15


def lesson_too_long(course: Course, lesson: Lesson) -> Iterator[Problem]:
    if lesson.learning_minutes > MAX_LESSON_MINUTES:
        how = "is set to" if lesson.minutes is not None else "is estimated at"
        yield warning(
            lesson.path,
            lesson.minutes_line or 1,
            f"lesson {how} {round(lesson.learning_minutes, 1):g} minutes; micro-learning lessons should take "
            f"at most {MAX_LESSON_MINUTES}: consider splitting it",
        )


def pass_score_needs_quiz(course: Course) -> Iterator[Problem]:
    if course.completion.pass_score is not None and course.modules and not any(q.graded for q in course.quizzes):
        yield warning("course.yml", None, "completion.pass_score is set but the course has no graded '::: quiz'")
