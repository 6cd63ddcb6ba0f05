"""Simulated learners: xAPI statements exactly as our player sends them, from learners whose behaviour is known.

For tests and ``bench/analytics.py``: the reports must recover what the simulation put in. Each learner has an
ability θ (standard normal); each question a difficulty *b* and a discrimination *a* (the 2-parameter logistic
model: P(correct) = 1 / (1 + e^(-a(θ - b)))); a wrong answer picks the distractors with known weights (the first
twice as likely as the second, ...). Learners open the lessons in order and leave after each one with a known
probability (``drop``), spend a known share of each lesson's declared minutes on it, and write some reflections.

The statements are the player's (themes/default/static/xapi.js, an xAPI launch: the course is the AU): the same
verbs, IRIs, context activities, results and durations, built from the same tracker data
(``packager.export.xapi_core.tracker_config``). Everything follows from the seed: the same seed, the same
statements, ids included. They are made one learner at a time (a generator), so a million need no memory.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from packager.export.xapi_core import tracker_config
from packager.model import Course, Question, Quiz

from .records import ORG_UNIT_EXT, VERSION_EXT

V = "http://adlnet.gov/expapi/verbs/"
A = "http://adlnet.gov/expapi/activities/"
HOME = "https://igot.example.org"
"""The ``account.homePage`` of the simulated learners (``learner-00001``...)."""
START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
REFLECTIONS = (
    "I will try this with the next citizen who comes to the counter.",
    "My team could keep a register of gifts; I will propose it.",
    "मैं अपने कार्यालय में शिकायतों का समय पर निवारण सुनिश्चित करूँगा।",
    "Listening first helped me last week; I want to do it every time.",
    "I learnt more from my senior's example than from any circular.",
)


@dataclass(frozen=True)
class Item:
    """A question's parameters in the 2PL model."""

    difficulty: float
    discrimination: float

    def p_correct(self, ability: float) -> float:
        return 1 / (1 + math.exp(-self.discrimination * (ability - self.difficulty)))


@dataclass
class Cohort:
    """*learners* simulated learners taking *course*: call :meth:`statements` for their statements."""

    course: Course
    learners: int
    seed: int = 1
    lang: str = ""
    drop: float = 0.05  # the chance of leaving after each lesson (not after the last)
    reflect: float = 0.6  # the chance of writing a lesson's reflection
    pace: tuple[float, float] = (0.6, 1.4)  # time in a lesson, as a share of its declared minutes (uniform)
    org_units: tuple[str, ...] = ()  # each learner's unit, in turn, sent as the LMS's context extension
    items: dict[str, Item] = field(default_factory=dict)  # "<quiz>/<question>" -> parameters; the rest drawn
    start: dt.datetime = START  # the first learner starts then; the next ones 7 minutes apart
    abilities: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        rng = random.Random(f"{self.seed}:setup")
        self.lang = self.lang or self.course.language
        for lesson in self.course.lessons:
            for quiz in lesson.quizzes:
                for q in quiz.questions:
                    self.items.setdefault(
                        f"{quiz.id}/{q.id}", Item(round(rng.uniform(-1.5, 1.5), 3), round(rng.uniform(0.5, 2.0), 3))
                    )
        self.abilities = [rng.gauss(0, 1) for _ in range(self.learners)]
        self.tracker = tracker_config(self.course, self.lang, "xapi")

    def actor(self, n: int) -> dict[str, Any]:
        return {
            "objectType": "Agent",
            "name": f"Learner {n + 1}",
            "account": {"homePage": HOME, "name": f"learner-{n + 1:05d}"},
        }

    def statements(self) -> Iterator[dict[str, Any]]:
        for n in range(self.learners):
            yield from _Session(self, n).run()


def distractor_weights(count: int) -> list[float]:
    """The chance of each wrong option being chosen, in the order of the options: 1/1, 1/2, 1/3..., normalised."""
    raw = [1 / (i + 1) for i in range(count)]
    return [w / sum(raw) for w in raw]


def _number(value: float) -> str:
    """A number as JavaScript writes it: 3 not 3.0."""
    return str(int(value)) if value == int(value) else repr(value)


def duration(ms: float) -> str:
    """xapi.js ``dur``: ``PT<h>H<m>M<s>S``, seconds to two decimals."""
    s = max(0.0, ms) / 1000
    return f"PT{math.floor(s / 3600)}H{math.floor(s % 3600 / 60)}M{_number(round(s % 60 * 100) / 100)}S"


class _Session:
    """One learner's one launch, built as the tracker builds it."""

    def __init__(self, cohort: Cohort, n: int):
        self.c, self.n, self.cfg = cohort, n, cohort.tracker
        self.rng = random.Random(f"{cohort.seed}:{n}")
        self.ability = cohort.abilities[n]
        self.clock = cohort.start + dt.timedelta(minutes=n * 7 + self.rng.uniform(0, 5))
        self.t0 = self.clock
        self.registration = self._uuid()
        self.actor = cohort.actor(n)
        self.unit = self._act(self.cfg["iri"], A + "course", cohort.course.title)
        self.org_unit = cohort.org_units[n % len(cohort.org_units)] if cohort.org_units else ""

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _act(self, iri: str, kind: str, title: str, more: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "objectType": "Activity",
            "id": iri,
            "definition": {"type": kind, "name": {self.c.lang: title}, **(more or {})},
        }

    def _competencies(self, lessons: list[str]) -> list[dict[str, Any]]:
        seen: list[int] = []
        for lesson in lessons:
            seen += [i for i in self.cfg["lessons"].get(lesson, []) if i not in seen]
        return [self.cfg["competencies"][i] for i in seen]

    def _statement(
        self, verb: str, obj: dict[str, Any], result: dict[str, Any] | None, ca: dict[str, Any]
    ) -> dict[str, Any]:
        version = self.c.course.version  # as the player sends it: context.revision and our extension
        context: dict[str, Any] = {"registration": self.registration, "language": self.c.lang, "revision": version}
        activities = {k: v for k, v in ca.items() if v}
        if activities:
            context["contextActivities"] = activities
        context["extensions"] = {VERSION_EXT: version, **({ORG_UNIT_EXT: self.org_unit} if self.org_unit else {})}
        st: dict[str, Any] = {
            "id": self._uuid(),
            "timestamp": self.clock.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "actor": self.actor,
            "verb": {"id": V + verb, "display": {"en-US": verb}},
            "object": obj,
            "context": context,
        }
        if result:
            st["result"] = result
        self.clock += dt.timedelta(milliseconds=self.rng.randint(5, 40))  # strictly increasing, like stamp()
        return st

    def _took(self) -> str:
        return duration((self.clock - self.t0).total_seconds() * 1000)

    def _lesson_act(self, lesson: str) -> dict[str, Any]:
        title = next(item.title for item in self.c.course.lessons if item.id == lesson)
        return self._act(self.cfg["lessonIris"][lesson], A + "lesson", title)

    def run(self) -> Iterator[dict[str, Any]]:
        course = self.c.course
        lessons = course.lessons
        everything = [lesson.id for lesson in lessons]
        yield self._statement("initialized", self.unit, None, {})
        visited: list[str] = []
        best: dict[str, tuple[int, int]] = {}
        judged = completed = False
        graded = [quiz for quiz in course.quizzes if quiz.graded]
        for number, lesson in enumerate(lessons):
            yield self._statement("experienced", self._lesson_act(lesson.id), None,
                                  {"parent": [self.unit], "other": self._competencies([lesson.id])})  # fmt: skip
            visited.append(lesson.id)
            if not completed and len(visited) >= course.completion.lessons_needed(len(everything)):
                completed = True
                yield self._statement("completed", self.unit, {"completion": True, "duration": self._took()},
                                      {"other": self._competencies(everything)})  # fmt: skip
            minutes = lesson.minutes or lesson.estimated_minutes or 1
            self.clock += dt.timedelta(seconds=minutes * 60 * self.rng.uniform(*self.c.pace) * 0.5)
            for quiz in lesson.quizzes:
                got = top = 0
                for q in self._drawn(quiz):
                    self.clock += dt.timedelta(seconds=self.rng.lognormvariate(math.log(20), 0.4))
                    st, points = self._answer(lesson.id, quiz, q)
                    got, top = got + points, top + q.points
                    yield st
                if quiz.graded:
                    best[quiz.id] = (got, top)
            self.clock += dt.timedelta(seconds=minutes * 60 * self.rng.uniform(*self.c.pace) * 0.5)
            if graded and not judged and all(q.id in best for q in graded):
                judged = True
                yield self._judged(best, graded)
            reflection = self._reflection(lesson.id)
            if reflection:
                yield reflection
            if number < len(lessons) - 1 and self.rng.random() < self.c.drop:
                break
        yield self._statement("terminated", self.unit, {"duration": self._took()}, {})

    def _drawn(self, quiz: Quiz) -> list[Question]:
        if quiz.draw and quiz.draw < len(quiz.questions):
            return self.rng.sample(quiz.questions, quiz.draw)
        return list(quiz.questions)

    def _judged(self, best: dict[str, tuple[int, int]], graded: list[Quiz]) -> dict[str, Any]:
        got, top = sum(best[q.id][0] for q in graded), sum(best[q.id][1] for q in graded)
        pass_score = self.c.course.completion.pass_score or 0
        passed = top > 0 and got >= pass_score / 100 * top - 1e-9
        score = {"scaled": round(got * 10000 / top) / 10000 if top else 0, "raw": got, "min": 0, "max": top}
        result = {"score": score, "success": passed, "duration": self._took()}
        verb = "passed" if passed else "failed"
        return self._statement(
            verb, self.unit, result, {"other": self._competencies([lesson.id for lesson in self.c.course.lessons])}
        )

    def _reflection(self, lesson: str) -> dict[str, Any] | None:
        ids = [r.id for item in self.c.course.lessons if item.id == lesson for r in item.reflections]
        if not ids or self.rng.random() >= self.c.reflect:
            return None
        rid = ids[0]
        prompt = self.cfg["reflections"].get(rid, rid)
        text = self.rng.choice(REFLECTIONS)
        obj = self._act(f"{self.cfg['iri']}/reflection/{_enc(rid)}", A + "cmi.interaction", prompt,
                        {"description": {self.c.lang: prompt}, "interactionType": "long-fill-in"})  # fmt: skip
        ca = {"grouping": [self.unit], "other": self._competencies([lesson]), "parent": [self._lesson_act(lesson)]}
        return self._statement("answered", obj, {"response": text}, ca)

    def _answer(self, lesson: str, quiz: Quiz, q: Question) -> tuple[dict[str, Any], int]:
        key = f"{quiz.id}/{q.id}"
        d = self.cfg["questions"].get(key, {})
        correct = self.rng.random() < self.c.items[key].p_correct(self.ability)
        response, pattern = self._response(q, correct)
        definition: dict[str, Any] = {
            "description": {self.c.lang: d.get("text") or q.prompt_text},
            "interactionType": {"single": "choice", "multiple": "choice", "fill": "fill-in", "order": "sequencing"}.get(
                q.kind, "matching"
            ),
            "correctResponsesPattern": pattern,
        }
        if "choices" in d:
            definition["choices"] = [{"id": i, "description": {self.c.lang: t}} for i, t in d["choices"]]
        if "source" in d:
            definition["source"] = [{"id": i, "description": {self.c.lang: t}} for i, t in d["source"]]
            definition["target"] = [{"id": i, "description": {self.c.lang: t}} for i, t in d["target"]]
        points = q.points if correct else 0
        result: dict[str, Any] = {"response": response, "success": correct}
        if quiz.graded and q.points:
            result["score"] = {
                "raw": points,
                "min": 0,
                "max": q.points,
                "scaled": round(points * 10000 / q.points) / 10000,
            }
        other = (
            [self.cfg["competencies"][i] for i in d["competencies"]]
            if "competencies" in d
            else self._competencies([lesson])
        )
        ca = {
            "grouping": [self._lesson_act(lesson), self.unit],
            "other": other,
            "parent": [self._act(f"{self.cfg['iri']}/quiz/{_enc(quiz.id)}", A + "assessment", quiz.id)],
        }
        obj = self._act(f"{self.cfg['iri']}/question/{_enc(quiz.id)}/{_enc(q.id)}", A + "cmi.interaction",
                        d.get("text") or q.prompt_text, definition)  # fmt: skip
        return self._statement("answered", obj, result, ca), points

    def _response(self, q: Question, correct: bool) -> tuple[str, list[str]]:
        """(the learner's response, the correct responses pattern) as core.js encodes them for xAPI."""
        if q.kind in ("single", "multiple"):
            right = [o.id for o in q.options if o.correct]
            wrong = [o.id for o in q.options if not o.correct]
            if correct or not wrong:
                chosen = right
            elif q.kind == "single":
                chosen = self.rng.choices(wrong, distractor_weights(len(wrong)))[0:1]
            else:  # one distractor ticked instead of one right answer
                chosen = [*right[1:], *self.rng.choices(wrong, distractor_weights(len(wrong)))]
            return "[,]".join(sorted(set(chosen), key=_id_number)), ["[,]".join(sorted(right, key=_id_number))]
        if q.kind == "fill":
            pattern = ["{case_matters=false}" + _plain(a) for a in q.answers]
            return _plain(q.answers[0] if correct and q.answers else "not sure"), pattern
        if q.kind == "order":
            right = [item.id for item in q.items]
            placed = list(right)
            if not correct and len(placed) > 1:
                i = self.rng.randrange(len(placed) - 1)
                placed[i], placed[i + 1] = placed[i + 1], placed[i]
            return "[,]".join(placed), ["[,]".join(right)]
        pairs = {p.left.id: p.right.id for p in q.pairs}
        matched = dict(pairs)
        if not correct and len(pairs) > 1:
            a, b = self.rng.sample(sorted(pairs, key=_id_number), 2)
            matched[a], matched[b] = matched[b], matched[a]

        def encode(mapping: dict[str, str]) -> str:
            return "[,]".join(f"{left}[.]{mapping[left]}" for left in sorted(mapping, key=_id_number))

        return encode(matched), [encode(pairs)]


def _id_number(item_id: str) -> int:
    digits = item_id[1:]
    return int(digits) if digits.isdigit() else 0


def _plain(text: str) -> str:
    return text.replace("[,]", " ").replace("[.]", " ")


def _enc(part: str) -> str:
    """JavaScript's encodeURIComponent."""
    from urllib.parse import quote

    return quote(part, safe="-_.!~*'()")
