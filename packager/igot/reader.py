"""Question sets back into quizzes: the round trip of ``questions.py``. What the studio wrote for iGOT
reads back as the same questions, answers and settings (tests/test_igot_questions.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..errors import ExportError
from ..model import Item, Option, Pair, Question, Quiz
from .questions import CATEGORIES, KINDS, text_of

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")  # the format's quiz and question ids


def read_quiz(questionset: dict[str, Any], questions: list[dict[str, Any]]) -> Quiz:
    """The quiz a question set and its questions hold: the round trip of :func:`question_set`. The set
    keeps no line numbers; the pass mark is the one iGOT applies (course.yml's ``pass_score`` when the
    quiz names none)."""
    duration = questionset.get("expectedDuration")
    quiz = Quiz(
        id=questionset["code"],
        graded=questionset["primaryCategory"] != CATEGORIES["practice"],
        line=0,
        questions=[read_question(q) for q in questions],
        intro_html=questionset.get("instructions", {}).get("default", ""),
        pass_mark=questionset.get("minimumPassPercentage"),
        shuffle=questionset.get("shuffle", True),
        attempts=questionset.get("maxAttempts"),
        category=next(word for word, name in CATEGORIES.items() if name == questionset["primaryCategory"]),
        time_limit=int(duration) // 60 if duration else None,
    )
    drawn = questionset.get("maxQuestions")
    quiz.draw = drawn if drawn is not None and drawn < len(quiz.questions) else None
    return quiz


def read_question(obj: dict[str, Any]) -> Question:
    kind = KINDS.get(obj.get("qType", ""))
    if kind is None:
        raise ExportError(f"question '{obj.get('code')}': qType '{obj.get('qType')}' is not one this studio writes")
    state = obj["editorState"]
    stem = state["question"]
    if kind == "fill":
        stem = re.sub(r"<p>\[\[.*?\]\]</p>$", "", stem, flags=re.S)
    match = re.match(r"<p>(.*?)</p>", stem, re.S)
    prompt, more = (match.group(1), stem[match.end() :]) if match else (stem, "")
    q = Question(
        id=obj["code"],
        kind=kind,
        prompt_html=prompt,
        prompt_more_html=more,
        prompt_text=text_of(prompt),
        line=0,
        points=int(obj.get("maxScore", 1)),
        explanation_html="".join(obj.get("solutions", [])),
    )
    options = state["options"]
    if kind in ("single", "multiple"):
        feedback = obj.get("feedback", {})
        q.options = [
            Option(f"o{i + 1}", _unwrap(o["value"]["body"]), bool(o["answer"]), feedback.get(str(i), ""))
            for i, o in enumerate(options)
        ]
    elif kind == "fill":
        mapping = obj.get("responseDeclaration", {}).get("response1", {}).get("mapping", [])
        q.answers = [m["value"] for m in mapping] or [o["value"]["body"] for o in options if o["answer"]]
    else:
        rights: dict[str, Item] = {}
        for i, o in enumerate(options):
            right = rights.setdefault(o["answer"], Item(f"r{len(rights) + 1}", o["answer"]))
            q.pairs.append(Pair(Item(f"l{i + 1}", o["value"]["body"]), right))
    return q


def _unwrap(body: str) -> str:
    return body[3:-4] if body.startswith("<p>") and body.endswith("</p>") else body


def read_package(folder: Path) -> list[Quiz]:
    """The quizzes of an unpacked assessments package (its ``<quiz-id>/`` folders), in name order.

    Raises :class:`ExportError` naming the file for anything this studio would not have written."""
    quizzes = []
    for qs_file in sorted(folder.glob("*/questionset.json")):
        where = qs_file.parent.relative_to(folder)
        try:
            qs = json.loads(qs_file.read_text("utf-8"))
            children = json.loads((qs_file.parent / "hierarchy.json").read_text("utf-8"))
            order = children["request"]["data"]["hierarchy"][qs["code"]]["children"]
            if not all(isinstance(c, str) and _ID.match(c) for c in order):  # ids name files: no '../'
                raise ValueError("a child that is not a question id")
            questions = [json.loads((qs_file.parent / "questions" / f"{c}.json").read_text("utf-8")) for c in order]
            quizzes.append(read_quiz(qs, questions))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, StopIteration) as exc:
            raise ExportError(f"{where}: not a question set this studio wrote ({type(exc).__name__}: {exc})") from None
    return quizzes
