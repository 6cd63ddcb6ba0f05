"""A question's ``competency=`` must name competencies that course.yml lists."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem, error
from ..model import Course, competency_slugs


def question_competencies(course: Course) -> Iterator[Problem]:
    known = sorted(set().union(*(competency_slugs(c) for c in course.competencies)) if course.competencies else [])
    for lesson in course.lessons:
        for quiz in lesson.quizzes:
            for question in quiz.questions:
                for ref in question.competency_refs:
                    if ref not in known:
                        choices = ", ".join(known) if known else "none: add competencies to course.yml"
                        yield error(
                            lesson.path,
                            question.line,
                            f"competency={ref} is not a theme or subtheme of course.yml's competencies ({choices})",
                        )
