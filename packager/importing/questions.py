"""Questions found in a document's own words, made into quiz questions when their answer is marked.

A reader collects :class:`Question` s (a prompt and its choices, each marked or not); :func:`quiz_blocks`
writes consecutive questions with a marked answer as one ``::: quiz`` (through the question editor's
writer, :mod:`packager.markdown.quiz_writer`), and keeps the others as text, with a line in the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..markdown.quiz_writer import QuestionDraft, QuestionError, to_markdown
from .model import ImportedCourse
from .text import escape

# "Question 3: …", "Q3. …", "Question: …", "3. …?" (a typed number; Word's own numbering has no text)
QUESTION = re.compile(r"^(?:q(?:uestion)?\s*\d*\s*[.:)\-]|\d+\s*[.)])\s*(?P<prompt>\S.*)$", re.IGNORECASE)
# "a) …", "(b) …", "C. …"
OPTION = re.compile(r"^\(?(?P<letter>[a-h])\s*[.)]\s+(?P<text>\S.*)$", re.IGNORECASE)
# "Answer: b", "Correct answers: a, c", "Ans - B"
ANSWER = re.compile(
    r"^(?:correct\s+)?ans(?:wers?)?\s*[:\-]\s*(?P<letters>[a-h](?:\s*(?:,|and|&)\s*[a-h])*)\s*\.?$", re.I
)
BOXES = {"☐": False, "☒": True, "☑": True, "✓": True, "✔": True}


@dataclass
class Choice:
    text: str
    """Plain text, as the author wrote it (escaped when written)."""
    marked: bool = False
    bold: bool = False
    """Marked only by being in bold: when every option is, bold is the document's style, not a mark."""


@dataclass
class Question:
    prompt: str
    item: str
    """Where it is, for the report: "paragraph 12 in lesson 'Scope'"."""
    choices: list[Choice] = field(default_factory=list)
    answers: set[str] = field(default_factory=set)
    """Letters an "Answer: b" line gave."""
    text: str = ""
    """The paragraph as written ("1. Scope"), kept when no options follow: then it was no question."""
    listed: tuple[int, bool] | None = None
    """(depth, ordered) when the paragraph was an item of a Word list."""

    def correct(self) -> list[int]:
        if self.answers:
            return [i for i in range(len(self.choices)) if "abcdefgh"[i] in self.answers]
        if any(c.marked for c in self.choices):  # a box or a ☒ says it; bold is then only style
            return [i for i, c in enumerate(self.choices) if c.marked]
        if all(c.bold for c in self.choices):
            return []
        return [i for i, c in enumerate(self.choices) if c.bold]


def strip_box(text: str) -> tuple[str, bool | None]:
    """A leading ☐/☒ taken off *text*: (the rest, checked), or (text, None) when there is none."""
    text = text.strip()
    if text[:1] in BOXES:
        return text[1:].strip(), BOXES[text[:1]]
    return text, None


def quiz_blocks(questions: list[Question], course: ImportedCourse) -> list[str]:
    """Markdown blocks for *questions*, in order; each gets its line in the report."""
    blocks: list[str] = []
    quiz: list[str] = []

    def close() -> None:
        if quiz:
            blocks.append("::: quiz\n\n" + "\n".join(quiz) + ":::")
            quiz.clear()

    for q in questions:
        correct = q.correct()
        kind = "single" if len(correct) == 1 else "multiple"
        draft = QuestionDraft(kind, escape(q.prompt), [escape(c.text) for c in q.choices], correct)
        try:
            quiz.append(to_markdown(draft))
            course.note(q.item, "converted", f"a {kind}-choice question")
            continue
        except QuestionError as exc:
            reason = str(exc)
        close()
        blocks.append(escape(q.prompt))
        if q.choices:
            blocks.append("\n".join(f"- {escape(c.text)}" for c in q.choices))
        course.note(
            q.item,
            "approximated",
            f"kept as text ({reason}): mark its answer (☒, a bold option or a line 'Answer: b') and import "
            "again, or write it as a quiz in the editor",
        )
    close()
    return blocks
