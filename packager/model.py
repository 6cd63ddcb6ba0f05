"""The course model: plain dataclasses, each carrying the file and line it came from.

A loader (``load.py``) fills them from a course folder; checks read them; renderers turn them into
packages. Nothing here does any IO.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import Problem

QuestionKind = Literal["single", "multiple", "fill", "order", "match"]
MediaKind = Literal["image", "video", "audio", "attachment"]
CalloutKind = Literal["note", "tip", "warning", "important"]


def whole_minutes(minutes: float) -> int:
    """The minutes a learner is told a lesson or course takes: whole, rounded up, at least 1. The player
    says so (``render.Player.minutes_text``) and the studio's course page must say the same.

    >>> whole_minutes(14.2), whole_minutes(15.0), whole_minutes(0.2)
    (15, 15, 1)
    """
    return max(1, math.ceil(minutes))


@dataclass(frozen=True)
class Competency:
    area: str
    theme: str
    subtheme: str | None = None
    level: int | None = None


@dataclass(frozen=True)
class Provider:
    id: str
    name: str


@dataclass(frozen=True)
class ProgrammeCourse:
    """A course a programme lists: a course folder (``path``, relative to the programme's) or a course
    already on iGOT (``id``, its do_ identifier)."""

    path: str | None = None
    id: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class OfflineSession:
    """An offline session of a blended programme: when, where and with whom."""

    title: str
    date: str
    """ISO date (``2026-01-15``), optionally with a time (``2026-01-15T10:00``)."""
    place: str
    facilitator: str
    minutes: int | None = None


@dataclass(frozen=True)
class Completion:
    lessons_percent: int = 100
    """Share of lessons a learner must visit to complete the course (``all`` is 100)."""
    pass_score: int | None = None
    """Percent over all graded quizzes needed to pass; None when the course has no pass/fail."""

    def lessons_needed(self, lessons: int) -> int:
        """Lessons a learner must visit to complete a course of ``lessons``: at least one, rounded up.

        The player's rule (``lessonsNeeded`` in ``themes/default/static/core.js``); the two must agree.

        >>> Completion(lessons_percent=50).lessons_needed(5)
        3
        >>> Completion(lessons_percent=1).lessons_needed(4)
        1
        """
        return max(1, -(-lessons * self.lessons_percent // 100))


@dataclass(frozen=True)
class Caption:
    lang: str
    src: str
    """Course-relative path of the WebVTT file."""


@dataclass
class MediaRef:
    """A file the lesson uses: an image, video, audio or an attachment link."""

    kind: MediaKind
    src: str
    """Course-relative path, normalised (``media/chart.png``)."""
    text: str
    """Alt text (image), title (video, audio) or link text (attachment)."""
    line: int
    captions: list[Caption] = field(default_factory=list)


@dataclass
class Option:
    id: str
    html: str
    correct: bool
    feedback_html: str = ""
    line: int = 0


@dataclass
class Item:
    """An item of an ordering question (in the right order), or one side of a matching pair."""

    id: str
    html: str
    line: int = 0


@dataclass
class Pair:
    left: Item
    right: Item


@dataclass
class Question:
    id: str
    kind: QuestionKind
    prompt_html: str
    """The heading's text (inline HTML)."""
    line: int
    points: int = 1
    prompt_more_html: str = ""
    """Text, images or tables between the heading and the answers."""
    options: list[Option] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    """Fill-in answers as written."""
    items: list[Item] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    explanation_html: str = ""
    prompt_text: str = ""
    """The prompt as plain text (for screen-reader names, reports and LMS interaction records)."""
    competency_refs: list[str] = field(default_factory=list)
    """``competency=`` of the heading: themes or subthemes of course.yml's competencies, as slugs."""


@dataclass
class Quiz:
    id: str
    graded: bool
    """``::: quiz`` is graded and counts toward the pass score; ``::: check`` is not."""
    line: int
    questions: list[Question] = field(default_factory=list)
    intro_html: str = ""
    pass_mark: int | None = None
    draw: int | None = None
    shuffle: bool = True
    attempts: int | None = None
    category: str | None = None
    """``category=`` of the header: which iGOT question set the quiz becomes (``practice``, ``course``,
    ``competency``, ``standalone``); None for course.yml's default (``igot.assessment``)."""
    time_limit: int | None = None
    """``time=`` of the header, in minutes; the player shows no timer, iGOT's does."""


@dataclass
class Reflection:
    id: str
    prompt_html: str
    line: int
    prompt_text: str = ""


@dataclass
class Html:
    """Ordinary Markdown, already rendered and sanitised."""

    html: str


@dataclass
class Callout:
    kind: CalloutKind
    html: str
    line: int


Block = Html | Callout | Reflection | Quiz


@dataclass
class Lesson:
    id: str
    path: str
    """Course-relative path of the Markdown file."""
    title: str
    blocks: list[Block] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)
    competencies: list[Competency] = field(default_factory=list)
    minutes: float | None = None
    """As written in front matter; None when the author left it to the estimate."""
    estimated_minutes: float = 0.0
    """From reading time and questions; used when ``minutes`` is not given."""
    media: list[MediaRef] = field(default_factory=list)
    links: list[tuple[str, int]] = field(default_factory=list)
    """Links to other lessons, as (lesson path, line), to check that they exist."""
    body_line: int = 1
    """Line of the file where the Markdown body starts (after front matter)."""
    minutes_line: int | None = None
    source_key: str = field(default="", compare=False, repr=False)
    """What the loader parsed this lesson from (its text and everything the parse depends on, hashed), so
    the rendered-page cache need not hash the whole model again; empty for a lesson made otherwise, and
    cleared by whoever changes a lesson after loading it."""

    @property
    def learning_minutes(self) -> float:
        return self.minutes if self.minutes is not None else self.estimated_minutes

    @property
    def quizzes(self) -> list[Quiz]:
        return [b for b in self.blocks if isinstance(b, Quiz)]

    @property
    def reflections(self) -> list[Reflection]:
        return [b for b in self.blocks if isinstance(b, Reflection)]


@dataclass
class Module:
    title: str
    lessons: list[Lesson] = field(default_factory=list)
    line: int = 0


@dataclass
class Course:
    root: Path
    id: str
    version: str
    title: str
    summary: str
    language: str
    provider: Provider
    modules: list[Module] = field(default_factory=list)
    translations: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    license: str | None = None
    level: str | None = None
    audience: list[str] = field(default_factory=list)
    competencies: list[Competency] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    thumbnail: str | None = None
    activity_iri: str | None = None
    completion: Completion = field(default_factory=Completion)
    igot_assessment: str | None = None
    """course.yml's ``igot.assessment``: the iGOT category of graded quizzes that name none."""
    category: str = "Course"
    """iGOT's ``primaryCategory`` (``packager.igot.programme.CATEGORIES``)."""
    competency_framework: str | None = None
    """A shared framework file named in course.yml; None: ``competencies.yml`` in the folder, if any."""
    courses: list[ProgrammeCourse] = field(default_factory=list)
    """The courses of a programme, in order."""
    sessions: list[OfflineSession] = field(default_factory=list)
    """The offline sessions of a blended programme."""
    problems: list[Problem] = field(default_factory=list)
    """Problems found while loading (syntax, schema, malformed blocks); checks add the rest."""
    listed: dict[str, int] = field(default_factory=dict)
    """Every lesson path listed in course.yml, with its line (including ones that failed to load)."""
    ship_fonts: bool = True
    """A build setting: players carry subset webfonts for the course's script (``packager.fonts``)."""
    use_cache: bool = True
    """Loaded with the user's cache: a build may reuse lessons rendered before (``render.py``) too."""

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def quizzes(self) -> list[Quiz]:
        return [quiz for lesson in self.lessons for quiz in lesson.quizzes]

    @property
    def learning_minutes(self) -> float:
        return sum(lesson.learning_minutes for lesson in self.lessons)

    def competencies_of(self, lesson: Lesson, question: Question | None = None) -> list[Competency]:
        """What a question (or a lesson) tests: the question's own competencies, else the lesson's, else
        the course's. A question names course competencies by the slug of their theme or subtheme."""
        if question is not None and question.competency_refs:
            named = [c for c in self.competencies if competency_slugs(c) & set(question.competency_refs)]
            if named:
                return named
        return lesson.competencies or self.competencies


def competency_slugs(c: Competency) -> set[str]:
    """The names a question may give *c* by: its theme's and subtheme's slugs.

    >>> sorted(competency_slugs(Competency("Behavioural", "Citizen centricity", "Grievance handling")))
    ['citizen-centricity', 'grievance-handling']
    """
    return {competency_slug(name) for name in (c.theme, c.subtheme) if name}


def competency_slug(name: str) -> str:
    """A theme's or subtheme's name as a question's ``competency=`` gives it: ``citizen-centricity``."""
    return "-".join(name.lower().split())
