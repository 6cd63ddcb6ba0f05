"""What the xAPI formats share: activity IRIs, competencies as xAPI activities, the data the tracker
(``themes/*/static/xapi.js``) needs, and a package writer that puts the launch file after the player's files.

``xapi`` (``tincan.xml``) and ``cmi5`` (``cmi5.xml``) are small modules over this one. IRIs derive from
``activity_iri`` in course.yml, or from the provider and course ids, and never from a title or a version,
so records of a new version of a course add up with the old ones (docs/lms.md lists every IRI).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..errors import ExportError
from ..igot.competencies import framework_of
from ..model import Competency, Course, Lesson, Question
from ..render import ASSETS, DEFAULT_CSP, PackageFile, Player
from . import scorm
from .core import Rendering, ZipPackage, package_name

log = logging.getLogger(__name__)

TRACKER = "xapi.js"
CSP = DEFAULT_CSP.replace("connect-src 'none'", "connect-src http: https:")
"""The LRS is the one place the player talks to; its address comes with the launch, so any is allowed."""
DEFAULT_BASE = "urn:karmayogi-studio:course:"
"""Course IRIs without ``activity_iri``: ``urn:karmayogi-studio:course:<provider id>:<course id>``."""
COMPETENCY_BASE = "urn:karmayogi-studio:competency:"
"""Competency IRIs are the same in every course, so an LRS can add up mastery across courses."""
COMPETENCY_TYPE = "http://adlnet.gov/expapi/activities/objective"
COMPETENCY_EXT = "urn:karmayogi-studio:xapi:competency"
"""Activity-definition extension holding ``{area, theme, subtheme, level}`` as the course gives them."""
COMPETENCY_V6_EXT = "urn:karmayogi-studio:xapi:competency-v6"
"""Activity-definition extension holding iGOT's ids of the competency, in the fields of its metadata's
``competencies_v6`` (``competencyAreaIdentifier``, ``…RefId`` …), when the course has a framework."""
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Iris:
    """The IRIs of one course's activities."""

    base: str

    @classmethod
    def of(cls, course: Course) -> Iris:
        if course.activity_iri:
            return cls(course.activity_iri.rstrip("/"))
        return cls(f"{DEFAULT_BASE}{course.provider.id}:{course.id}")

    def module(self, number: int) -> str:
        return f"{self.base}/module/{number}"

    def au(self, number: int | None = None) -> str:
        """The cmi5 AU for the whole course, or for module *number* (1-based)."""
        return f"{self.base}/au" if number is None else f"{self.module(number)}/au"

    def lesson(self, lesson: Lesson) -> str:
        return f"{self.base}/lesson/{quote(lesson.id, safe='/-._~')}"


def text(fragment: str) -> str:
    """Plain text of a fragment of our own rendered HTML (option labels and the like)."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()


def _part(name: str) -> str:
    return quote(_SPACE.sub("-", name.strip().lower()), safe="-._~")


def competency_iri(c: Competency) -> str:
    """``urn:karmayogi-studio:competency:<area>/<theme>[/<subtheme>]``, lower case, spaces as hyphens.

    >>> competency_iri(Competency("Behavioural", "Citizen centricity", "Grievance handling"))
    'urn:karmayogi-studio:competency:behavioural/citizen-centricity/grievance-handling'
    """
    parts = [c.area, c.theme] + ([c.subtheme] if c.subtheme else [])
    return COMPETENCY_BASE + "/".join(_part(p) for p in parts)


def competency_activity(c: Competency, lang: str, ids: dict[str, str] | None = None) -> dict[str, Any]:
    """A competency as an xAPI activity: its names in the definition, for reports per area, theme, subtheme,
    and iGOT's *ids* of it (``packager.igot.competencies``) when there are some."""
    name = " / ".join(p for p in (c.area, c.theme, c.subtheme) if p)
    ext: dict[str, Any] = {"area": c.area, "theme": c.theme}
    if c.subtheme:
        ext["subtheme"] = c.subtheme
    if c.level is not None:
        ext["level"] = c.level
    extensions: dict[str, Any] = {COMPETENCY_EXT: ext, **({COMPETENCY_V6_EXT: ids} if ids else {})}
    return {
        "objectType": "Activity",
        "id": competency_iri(c),
        "definition": {"type": COMPETENCY_TYPE, "name": {lang: name}, "extensions": extensions},
    }


def _question(question: Question) -> dict[str, Any]:
    """The parts of an interaction definition the tracker cannot read from the answer key: the labels."""
    if question.kind in ("single", "multiple"):
        return {"choices": [[o.id, text(o.html)] for o in question.options]}
    if question.kind == "order":
        return {"choices": [[i.id, text(i.html)] for i in question.items]}
    if question.kind == "match":
        return {
            "source": [[p.left.id, text(p.left.html)] for p in question.pairs],
            "target": [[p.right.id, text(p.right.html)] for p in question.pairs],
        }
    return {}


def tracker_config(course: Course, lang: str, api: str) -> dict[str, Any]:
    """``KS_COURSE.lms`` for the xAPI tracker: IRIs, competencies and the labels of interactions.

    Each lesson (and so each of its questions and reflections) maps to the competencies it tests: its own,
    else the course's, as indexes into ``competencies``; a question naming its own (``competency=``) has
    them in its entry.
    """
    iris = Iris.of(course)
    competencies: list[Competency] = []

    def indexes(items: list[Competency]) -> list[int]:
        out = []
        for c in items:
            if c not in competencies:
                competencies.append(c)
            out.append(competencies.index(c))
        return out

    lessons = {lesson.id: indexes(course.competencies_of(lesson)) for lesson in course.lessons}
    questions = {  # before the list of competencies is read: a question may name one no lesson has
        f"{quiz.id}/{q.id}": {
            "text": q.prompt_text,
            **_question(q),
            **({"competencies": indexes(course.competencies_of(lesson, q))} if q.competency_refs else {}),
        }
        for lesson in course.lessons
        for quiz in lesson.quizzes
        for q in quiz.questions
    }
    framework, _ = framework_of(course)  # check reports its problems; a build stops on them
    return {
        "api": api,
        "iri": iris.base,
        "lang": lang,
        "competencies": [competency_activity(c, lang, framework.v6(c) if framework else None) for c in competencies],
        "lessons": lessons,
        "lessonIris": {lesson.id: iris.lesson(lesson) for lesson in course.lessons},
        "questions": questions,
        "reflections": {r.id: r.prompt_text for lesson in course.lessons for r in lesson.reflections},
    }


def player(rendering: Rendering, api: str) -> Player:
    """The learner player with the xAPI tracker loaded before the runtime."""
    return rendering.player(
        assets=(*ASSETS, TRACKER),
        head_scripts=(f"assets/{TRACKER}",),
        lms=tracker_config(rendering.course, rendering.lang, api),
        csp=CSP,
    )


def description(course: Course) -> str:
    return course.summary or course.title


def build(rendering: Rendering, out_dir: Path, fmt: str, launch: Callable[[list[str]], tuple[str, bytes]]) -> Path:
    """Write the *fmt* package of the rendered course: the player's files, then the launch file *launch*
    makes from their names (``(name, bytes)``; it validates what it writes)."""
    scorm.check_size(rendering.course)
    path = out_dir / package_name(rendering.course, rendering.lang, fmt)
    names: list[str] = []
    with ZipPackage(path) as package:
        for file in player(rendering, fmt).files():
            package.add(file)
            names.append(file.name)
        name, data = launch(names)
        package.add(PackageFile(name, data))
    log.info("wrote %s (%d files)", path, len(names) + 1)
    return path


def mastery_score(course: Course) -> float | None:
    """The share of points needed to pass (0..1), when the course has graded quizzes and a pass score."""
    if course.completion.pass_score is None or not any(q.graded for q in course.quizzes):
        return None
    return round(course.completion.pass_score / 100, 4)


def check_iri(course: Course) -> None:
    """An ``activity_iri`` must be an absolute IRI (cmi5 §3.0: fully qualified, not a reference)."""
    iri = course.activity_iri
    if iri and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$", iri):
        raise ExportError(f"course '{course.id}': activity_iri '{iri}' is not an absolute IRI (https://… or urn:…)")
