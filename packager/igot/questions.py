"""Quizzes as iGOT question sets: Sunbird ``Question`` and ``QuestionSet`` objects, the hierarchy payload
the question-set API takes, and the files of ``…-igot-assessments.zip``.

iGOT scores, reports and awards karma points only for assessments held as these objects: its
assessment service reads a question's ``qType`` and ``editorState.options`` (an option's ``answer`` and
``value.value``; a match pair's right side in ``answer``; a fill-in's accepted text in ``value.body``). A
quiz inside the HTML archive earns the learner nothing there. Every object is checked against what
iGOT's schemas require (``schema_rules.py``) before it is written; ``reader.py`` reads them back.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import ExportError, Problem, warning
from ..model import Course, Lesson, Question, QuestionKind, Quiz
from .schema_rules import LANGUAGES, QUESTION_FIELDS, QUESTION_MIME, SET_FIELDS, SET_MIME, violations

CATEGORIES = {
    "practice": "Practice Question Set",
    "course": "Course Assessment",
    "competency": "Competency Assessment",
    "standalone": "Standalone Assessment",
}
"""``category=`` (quiz header) and ``igot.assessment`` (course.yml) -> the set's ``primaryCategory``."""
QTYPES: dict[str, str] = {"single": "MCQ-SCA", "multiple": "MCQ-MCA", "fill": "FTB", "match": "MTF"}
"""Question kind -> ``qType``. True/false stays ``MCQ-SCA``: the schemas' enum has no ``MCQ-SCA-TF``.
``order`` has none at all: such a question stays in the HTML package only."""
KINDS: dict[str, QuestionKind] = {"MCQ-SCA": "single", "MCQ-MCA": "multiple", "FTB": "fill", "MTF": "match"}
PRIMARY = {"MCQ-SCA": "Multiple Choice Question", "MCQ-MCA": "Multiple Choice Question"}
PRIMARY |= {"FTB": "FTB Question", "MTF": "MTF Question"}  # the names iGOT's assessment service tests for


@dataclass
class QuestionSet:
    """One quiz as iGOT takes it: the set's metadata and its questions, each a Sunbird object."""

    quiz: Quiz
    lesson: Lesson
    questionset: dict[str, Any]
    questions: list[dict[str, Any]]
    converted: list[Question]
    """The quiz's questions that have an iGOT type, in order (the sheet's rows)."""

    def hierarchy(self) -> dict[str, Any]:
        """The body of ``PATCH /questionset/v2/hierarchy/update``: the set (keyed by its code, which is
        replaced by the identifier ``/questionset/v2/create`` returns) and its new questions."""
        root = self.questionset["code"]
        nodes = {root: {"metadata": self.questionset, "objectType": "QuestionSet", "root": True, "isNew": False}}
        for q in self.questions:
            nodes[q["code"]] = {"metadata": q, "objectType": "Question", "root": False, "isNew": True}
        children = [q["code"] for q in self.questions]
        tree = {root: {"name": self.questionset["name"], "children": children, "root": True}}
        return {"request": {"data": {"nodesModified": nodes, "hierarchy": tree}}}


@dataclass
class Assessments:
    sets: list[QuestionSet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    """Warnings: questions iGOT cannot take, answers it will not accept."""


def category_of(quiz: Quiz, course: Course) -> str | None:
    """The quiz's category word, or None when it becomes no question set: a ``::: check`` does only when
    its header names ``category=practice``."""
    if quiz.category:
        return quiz.category
    return (course.igot_assessment or "course") if quiz.graded else None


def assessments(course: Course, language: str, license: str) -> Assessments:
    """Every quiz of *course* (loaded in one language) that becomes a question set. *language* and
    *license* are the portal's names (``English``, ``CC BY 4.0``)."""
    out = Assessments()
    language = language if language in LANGUAGES else "Other"
    for lesson in course.lessons:
        quizzes = [(quiz, category_of(quiz, course)) for quiz in lesson.quizzes]
        exported = [(quiz, category) for quiz, category in quizzes if category]
        for quiz, category in exported:
            name = lesson.title if len(exported) == 1 else f"{lesson.title}: {quiz.id}"
            made = question_set(quiz, lesson, course, category, name, language, license, out.problems)
            if made is not None:
                out.sets.append(made)
    return out


def question_set(
    quiz: Quiz,
    lesson: Lesson,
    course: Course,
    category: str,
    name: str,
    language: str,
    license: str,
    problems: list[Problem],
) -> QuestionSet | None:
    converted = []
    for q in quiz.questions:
        if q.kind not in QTYPES:
            problems.append(
                warning(
                    lesson.path,
                    q.line,
                    f"question '{_short(text_of(q.prompt_html))}' is an ordering question, which iGOT has no question "
                    f"type for: it stays in the HTML package's quiz but is left out of the question set '{quiz.id}'",
                )
            )
            continue
        if q.kind == "fill" and len(q.answers) > 1:
            others = "the other answer" if len(q.answers) == 2 else f"the other {len(q.answers) - 1} answers"
            problems.append(
                warning(
                    lesson.path,
                    q.line,
                    f"iGOT scores a fill-in question against one answer, exactly as typed: on iGOT only "
                    f"'{q.answers[0]}' is right, not {others} this question accepts",
                )
            )
        converted.append(q)
    if not converted:
        problems.append(warning(lesson.path, quiz.line, f"quiz '{quiz.id}' has no question iGOT can score, so no set"))
        return None
    practice = category == "practice"
    questions = [question(q, language, license, practice) for q in converted]
    meta: dict[str, Any] = {
        "name": name if len(name) >= 5 else f"{name} ({quiz.id})",
        "code": quiz.id,
        "description": f"{course.title}: {lesson.title}",
        "mimeType": SET_MIME,
        "primaryCategory": CATEGORIES[category],
        "language": [language],
        "license": license,
        "qumlVersion": 1.1,
        "compatibilityLevel": 5,
        "setType": "materialised",
        "shuffle": quiz.shuffle,
        "totalQuestions": len(converted),
        "maxQuestions": min(quiz.draw or len(converted), len(converted)),
        "navigationMode": "non-linear",
        "allowSkip": "Yes",
        "requiresSubmit": "Yes",
        "summaryType": "Score",
        "scoringMode": "system",
        "scoreCutoffType": "AssessmentLevel",
        "showFeedback": "Yes" if practice else "No",  # during a graded attempt feedback gives the answers away
        "showSolutions": "Yes" if practice else "No",
        "showTimer": "Yes" if quiz.time_limit else "No",
    }
    if quiz.intro_html:
        meta["instructions"] = {"default": quiz.intro_html}
    if not quiz.draw:
        meta["maxScore"] = sum(q.points for q in converted)
    pass_mark = quiz.pass_mark if quiz.pass_mark is not None else course.completion.pass_score
    if pass_mark is not None and not practice:
        meta["minimumPassPercentage"] = pass_mark
    if quiz.attempts:
        meta["maxAttempts"] = meta["maxAssessmentRetakeAttempts"] = quiz.attempts
    if quiz.time_limit:
        seconds = quiz.time_limit * 60
        meta["expectedDuration"] = seconds
        meta["timeLimits"] = {"questionSet": {"max": seconds, "min": 0}}
    made = QuestionSet(quiz, lesson, meta, questions, converted)
    require_valid(made)
    return made


def require_valid(made: QuestionSet) -> None:
    """Raise :class:`ExportError` when iGOT's schemas would refuse the set or one of its questions."""
    where = f"{made.lesson.path}:{made.quiz.line}"
    found = [f"the question set: {v}" for v in violations(made.questionset, SET_FIELDS)]
    for q in made.questions:
        found += [f"question '{q.get('code')}': {v}" for v in violations(q, QUESTION_FIELDS)]
    if found:
        raise ExportError(f"{where}: quiz '{made.quiz.id}' does not fit iGOT's question schemas: " + "; ".join(found))


def question(q: Question, language: str, license: str, practice: bool) -> dict[str, Any]:
    """One question as a Sunbird ``Question``; its answers where iGOT's scoring reads them."""
    qtype = QTYPES[q.kind]
    stem = f"<p>{q.prompt_html}</p>{q.prompt_more_html}"
    prompt = text_of(q.prompt_html)
    obj: dict[str, Any] = {
        "name": prompt if len(prompt) >= 5 else f"{prompt} ({q.id})",
        "code": q.id,
        "mimeType": QUESTION_MIME,
        "primaryCategory": PRIMARY[qtype],
        "qType": qtype,
        "language": [language],
        "license": license,
        "qumlVersion": 1.1,
        "maxScore": q.points,
        "showFeedback": "Yes" if practice else "No",
        "showSolutions": "Yes" if practice and q.explanation_html else "No",
    }
    if q.explanation_html:
        obj["solutions"] = [q.explanation_html]
    if qtype in ("MCQ-SCA", "MCQ-MCA"):
        obj.update(_choice(q, stem))
    elif qtype == "FTB":
        obj.update(_fill(q, stem))
    else:
        obj.update(_match(q, stem))
    return obj


def _choice(q: Question, stem: str) -> dict[str, Any]:
    bodies = [f"<p>{o.html}</p>" for o in q.options]
    right = [i for i, o in enumerate(q.options) if o.correct]
    single = q.kind == "single"
    share = q.points / max(1, len(right))
    out: dict[str, Any] = {
        "body": f"<div class='question-body'><div class='mcq-title'>{stem}</div>"
        "<div data-choice-interaction='response1' class='mcq-vertical'></div></div>",
        "templateId": "mcq-vertical",
        "interactionTypes": ["choice"],
        "editorState": {
            "question": stem,
            "options": [
                {"answer": o.correct, "value": {"body": b, "value": i}}
                for i, (o, b) in enumerate(zip(q.options, bodies, strict=True))
            ],
        },
        "choices": {"options": [{"value": {"body": b, "value": i}} for i, b in enumerate(bodies)]},
        "interactions": {
            "response1": {"type": "choice", "options": [{"label": b, "value": i} for i, b in enumerate(bodies)]},
            "validation": {"required": "Yes"},
        },
        "responseDeclaration": {
            "response1": {
                "maxScore": q.points,
                "cardinality": "single" if single else "multiple",
                "type": "integer",
                "correctResponse": {"value": right[0] if single and right else right, "outcomes": {"SCORE": q.points}},
                "mapping": [{"value": i, "score": share} for i in right],
            }
        },
        "answer": _answers(bodies[i] for i in right),
    }
    feedback = {str(i): o.feedback_html for i, o in enumerate(q.options) if o.feedback_html}
    if feedback:
        out["feedback"] = feedback
    return out


def _fill(q: Question, stem: str) -> dict[str, Any]:
    first = q.answers[0] if q.answers else ""
    asked = f"{stem}<p>[[{html.escape(first)}]]</p>"  # Sunbird marks a blank with its answer; ours follows the prompt
    return {
        "body": f"<div class='question-body'><div class='ftb-title'>{asked}</div>"
        "<div data-text-interaction='response1' class='ftb'></div></div>",
        "templateId": "default",
        "interactionTypes": ["text"],
        "editorState": {"question": asked, "options": [{"answer": True, "value": {"body": first, "value": 0}}]},
        "responseDeclaration": {
            "response1": {
                "maxScore": q.points,
                "cardinality": "single",
                "type": "string",
                "correctResponse": {"value": first, "outcomes": {"SCORE": q.points}},
                # every answer the author accepts; iGOT's scoring reads only editorState's one
                "mapping": [{"value": a, "score": q.points} for a in q.answers],
            }
        },
        "answer": _answers([f"<p>{html.escape(first)}</p>"]),
    }


def _match(q: Question, stem: str) -> dict[str, Any]:
    rights = list(dict.fromkeys(p.right.html for p in q.pairs))
    return {
        "body": f"<div class='question-body'><div class='mtf-title'>{stem}</div>"
        "<div data-match-interaction='response1' class='mtf-vertical'></div></div>",
        "templateId": "mtf-vertical",
        "editorState": {
            "question": stem,
            # iGOT's scoring: "<value>-<answer>" per pair, the right side compared in lower case
            "options": [
                {"answer": p.right.html, "value": {"body": p.left.html, "value": i}} for i, p in enumerate(q.pairs)
            ],
        },
        "choices": {"options": [{"value": {"body": p.left.html, "value": i}} for i, p in enumerate(q.pairs)]},
        "rhsChoices": rights,
        "responseDeclaration": {
            "response1": {
                "maxScore": q.points,
                "cardinality": "multiple",
                "type": "map",
                "correctResponse": {
                    "value": [{"left": i, "right": rights.index(p.right.html)} for i, p in enumerate(q.pairs)],
                    "outcomes": {"SCORE": q.points},
                },
            }
        },
        "answer": _answers(f"<p>{p.left.html} → {p.right.html}</p>" for p in q.pairs),
    }


def _answers(bodies: Iterable[str]) -> str:
    return "<div class='answer-container'>" + "".join(f"<div class='answer-body'>{b}</div>" for b in bodies) + "</div>"


_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|ul|ol|tr|td|th|table|h[1-6]|figure|figcaption|blockquote)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")


def text_of(fragment: str) -> str:
    """The plain text of an HTML fragment, spaces folded (names, the sheet's cells).

    >>> text_of("Who <em>answers</em> a&nbsp;grievance?<br>Say <b>who</b>.")
    'Who answers a grievance? Say who.'
    """
    return " ".join(html.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", fragment))).split())


def _short(text: str, width: int = 50) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# -- the file beside the archive ----------------------------------------------------------------------------


def files(made: Assessments, level: str | None) -> Iterable[tuple[str, bytes]]:
    """(entry name, bytes) of the assessments package: per set ``<quiz-id>/questionset.json``,
    ``<quiz-id>/questions/<question-id>.json``, ``<quiz-id>/hierarchy.json`` and ``<quiz-id>/sheet.csv``.
    Quiz and question ids are within the portal's ``[A-Za-z0-9_.-/]``."""
    from . import sheet

    for qs in made.sets:
        base = qs.quiz.id
        yield f"{base}/questionset.json", _json(qs.questionset)
        for q in qs.questions:
            yield f"{base}/questions/{q['code']}.json", _json(q)
        yield f"{base}/hierarchy.json", _json(qs.hierarchy())
        out = io.StringIO()
        sheet.write(out, qs.converted, level)
        yield f"{base}/sheet.csv", sheet.BOM + out.getvalue().encode("utf-8")


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
