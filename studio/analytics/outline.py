"""What the reports know from the course itself: each question's, lesson's and reflection's text and place
(file and line, for the editor's link), the lessons' declared minutes, and which competencies each question
tests. The records carry only ids (``<quiz>/<question>``, a lesson id, a reflection id); the names come from
the course as it is now, so a question renamed since still shows under its id."""

from __future__ import annotations

from dataclasses import dataclass, field

from packager.model import Competency, Course


@dataclass(frozen=True)
class Place:
    title: str
    path: str
    """Course-relative path of the lesson file."""
    line: int
    lesson: str = ""
    """The lesson's id (a question's or reflection's own lesson)."""
    minutes: float | None = None
    """A lesson's declared (or estimated) learning minutes."""
    graded: bool = False
    labels: tuple[tuple[str, str], ...] = ()
    """A question's options or items: (id, plain text), to name the responses chosen."""


@dataclass
class Outline:
    lessons: dict[str, Place] = field(default_factory=dict)
    questions: dict[str, Place] = field(default_factory=dict)
    reflections: dict[str, Place] = field(default_factory=dict)
    tests: list[tuple[str, str]] = field(default_factory=list)
    """(question key, competency name) for every question and every competency it tests."""
    order: dict[str, int] = field(default_factory=dict)
    """Lesson and question keys in the course's order, for sorting the reports like the course."""


def competency_name(c: Competency) -> str:
    """``area / theme / subtheme``, as docs and the xAPI records name a competency."""
    return " / ".join(p for p in (c.area, c.theme, c.subtheme) if p)


def outline(course: Course) -> Outline:
    from packager.export.xapi_core import text

    out = Outline()
    for lesson in course.lessons:
        out.order[lesson.id] = len(out.order)
        out.lessons[lesson.id] = Place(lesson.title, lesson.path, 1, lesson.id, lesson.learning_minutes)
        for reflection in lesson.reflections:
            out.reflections[reflection.id] = Place(
                reflection.prompt_text or reflection.id, lesson.path, reflection.line, lesson.id
            )
        for quiz in lesson.quizzes:
            for q in quiz.questions:
                key = f"{quiz.id}/{q.id}"
                out.order[key] = len(out.order)
                labels = [(o.id, text(o.html)) for o in q.options] + [(i.id, text(i.html)) for i in q.items]
                out.questions[key] = Place(
                    q.prompt_text or q.id, lesson.path, q.line, lesson.id, graded=quiz.graded, labels=tuple(labels)
                )
                for c in course.competencies_of(lesson, q):
                    out.tests.append((key, competency_name(c)))
    return out


def response_label(place: Place | None, response: str) -> str:
    """A response as the author reads it: option ids (``o2[,]o3``) by their text, else as the learner wrote it."""
    if place is None or not place.labels:
        return response
    names = dict(place.labels)
    parts = response.split("[,]")
    if all(p in names for p in parts):
        return "; ".join(names[p] for p in parts)
    return response
