"""A question's ``competency=`` must name competencies that course.yml lists; every competency must be in
the competency framework when the course has one."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem, error
from ..model import Course, Lesson, competency_slugs


def lesson_question_competencies(course: Course, lesson: Lesson) -> Iterator[Problem]:
    """One lesson's questions' ``competency=``."""
    known = sorted(set().union(*(competency_slugs(c) for c in course.competencies)) if course.competencies else [])
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


def framework_competencies(course: Course) -> Iterator[Problem]:
    """Every competency of course.yml and of the lessons must be in the competency framework (iGOT's ids,
    ``packager.igot.competencies``) when the course has one. Without one the names alone are kept, as
    before, and the igot build warns that iGOT's competencies v6 need the ids: not check, which would
    warn every course that is not (yet) for iGOT, the starter of a new one included."""
    if not course.competencies and not any(lesson.competencies for lesson in course.lessons):
        return
    from ..igot.competencies import course_yml_line, framework_of, lesson_line  # a course with competencies only

    framework, problems = framework_of(course)
    yield from problems
    if framework is None:
        return
    for n, c in enumerate(course.competencies):
        message = framework.problem(c)
        if message:
            yield error("course.yml", course_yml_line(course, ("competencies", n)), message)
    for lesson in course.lessons:
        for n, c in enumerate(lesson.competencies):
            message = framework.problem(c)
            if message:
                yield error(lesson.path, lesson_line(course, lesson.path, ("competencies", n)), message)
