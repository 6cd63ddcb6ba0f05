"""Ids must be unique across the course: LMSs key learners' records by them."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem, error
from ..model import Course


def duplicate_ids(course: Course) -> Iterator[Problem]:
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    for lesson in course.lessons:
        places: list[tuple[str, str, int]] = [("lesson", lesson.id, 1)]
        for quiz in lesson.quizzes:
            places.append(("quiz", quiz.id, quiz.line))
            places += [("question", q.id, q.line) for q in quiz.questions]
        places += [("reflection", r.id, r.line) for r in lesson.reflections]
        for kind, ident, line in places:
            # Quizzes, questions and reflections share one namespace: LMS interaction ids.
            space = "lesson" if kind == "lesson" else "item"
            first = seen.setdefault((space, ident), (lesson.path, line))
            if first != (lesson.path, line):
                yield error(lesson.path, line, f"duplicate {kind} id '{ident}' (also used at {first[0]}:{first[1]})")
