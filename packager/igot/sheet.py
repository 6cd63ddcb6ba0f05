"""The assessment sheet iGOT's question tools exchange (KB-iGOT/ai-assessment-service,
``exporters_csv_v2.py``): one row a question, for partners who upload questions by sheet.

Columns: ``QuestionNo, QuestionType, Question, QuestionTagging`` and then ``OptionN, isOptionNCorrect``
pairs, seven at least and more when a question needs them (as that exporter widens them). A choice's
cells are its text and ``Yes``/``No``; a true/false question is ``T/F`` with ``TRUE``/``FALSE``; a match
pair is its left side and its right side; a fill-in answer is its text and ``Blank1`` (all answers fill
the one blank, marked ``<blank>`` at the end of the question).
"""

from __future__ import annotations

import csv
from typing import TextIO

from ..model import Question
from .questions import text_of

BOM = b"\xef\xbb\xbf"
"""Excel reads a CSV without it in the system's code page, which garbles Devanagari, Urdu or Tamil text."""
MIN_OPTIONS = 7
TAGGING = {"beginner": "Easy", "intermediate": "Medium", "advanced": "Difficult"}
"""course.yml's ``level`` -> the sheet's difficulty (``QuestionTagging``); Medium when none is given."""
TRUE_FALSE = {
    ("true", "false"),
    ("सही", "गलत"),
    ("सत्य", "असत्य"),
    ("درست", "غلط"),
    ("صحیح", "غلط"),
}
"""Option words that make a single-choice question a true/false one, in the course's languages."""


def true_false(q: Question) -> bool | None:
    """Whether the right answer of a true/false question is "true"; None for any other question.

    >>> from packager.model import Option
    >>> options = [Option("o1", "True", False), Option("o2", "False.", True)]
    >>> true_false(Question("q", "single", "Gifts are fine", 1, options=options))
    False
    """
    if q.kind != "single" or len(q.options) != 2:
        return None
    words = tuple(text_of(o.html).strip(".!। ").casefold() for o in q.options)
    for pair in TRUE_FALSE:
        if words in (pair, pair[::-1]):
            return next(o.correct for o, w in zip(q.options, words, strict=True) if w == pair[0])
    return None


def columns(slots: int) -> list[str]:
    head = ["QuestionNo", "QuestionType", "Question", "QuestionTagging"]
    return head + [name for i in range(1, slots + 1) for name in (f"Option{i}", f"isOption{i}Correct")]


def row(number: int, q: Question, tagging: str) -> list[str]:
    prompt = " ".join(filter(None, (text_of(q.prompt_html), text_of(q.prompt_more_html))))
    cells: list[tuple[str, str]]
    truth = true_false(q)
    if truth is not None:
        kind, cells = "T/F", [("TRUE", "Yes" if truth else "No"), ("FALSE", "No" if truth else "Yes")]
    elif q.kind in ("single", "multiple"):
        kind = "MCQ-SCA" if q.kind == "single" else "MCQ-MCA"
        cells = [(text_of(o.html), "Yes" if o.correct else "No") for o in q.options]
    elif q.kind == "match":
        kind, cells = "MTF", [(text_of(p.left.html), text_of(p.right.html)) for p in q.pairs]
    else:
        kind, prompt = "FTB", f"{prompt} <blank>"
        cells = [(answer, "Blank1") for answer in q.answers]
    return [str(number), kind, prompt, tagging, *(cell for pair in cells for cell in pair)]


def write(out: TextIO, questions: list[Question], level: str | None = None) -> None:
    """Write the sheet of *questions* (fill-in, choice and match only) to *out*, a text stream opened
    with ``newline=""``; the caller puts :data:`BOM` before it in a file."""
    tagging = TAGGING.get(level or "", "Medium")
    rows = [row(n, q, tagging) for n, q in enumerate(questions, start=1)]
    slots = max([MIN_OPTIONS, *((len(r) - 4) // 2 for r in rows)])
    writer = csv.writer(out)
    writer.writerow(columns(slots))
    for r in rows:
        writer.writerow(r + [""] * (4 + 2 * slots - len(r)))
