"""Writing a question in the format's quiz syntax (docs/format.md): the question editor's output.

The reader of that syntax is :mod:`packager.markdown.quiz`; what this writes, it reads back as the same
question (tests/test_quiz_writer.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .quiz import _ATTRS, _MARK, ID, KIND_WORDS

KINDS = KIND_WORDS


class QuestionError(ValueError):
    pass


@dataclass
class QuestionDraft:
    """A question as the editor's form gives it (the parsed one is :class:`packager.model.Question`)."""

    kind: str
    prompt: str
    options: list[str] = field(default_factory=list)
    """Choices (single, multiple), accepted answers (fill), steps in order (order), or 'left -> right' pairs."""
    correct: list[int] = field(default_factory=list)
    """Indexes of the correct options (single, multiple)."""
    id: str = ""
    feedback: list[str] = field(default_factory=list)
    """Markdown shown after each choice (single, multiple), by option; the block editor's."""
    more: str = ""
    """Markdown between the prompt and the answers, already safe there (``packager.blocks.write``)."""
    explanation: str = ""
    """Markdown after the answers, already safe there."""
    points: int = 1
    competency: list[str] = field(default_factory=list)
    bullet: str = "-"
    """The answers' list marker (``-``, ``*`` or ``+``): not the one of a list just before or after
    them, which would continue their list."""
    delimiter: str = "."
    """The ordered answers' delimiter (``.`` or ``)``), likewise."""


def _line(text: str) -> str:
    """One line of Markdown: no line breaks, and nothing that would close the quiz block."""
    return " ".join(text.split()).replace(":::", ": : :")


def to_markdown(q: QuestionDraft, *, wrap: str | None = None) -> str:
    """The question as the format writes it; *wrap* ``quiz`` or ``check`` puts a ``:::`` block around it.

    Refuses (:class:`QuestionError`) a question the form should not let through: no prompt, too few
    options, no correct answer. The block editor saves drafts as they are, through :func:`write`.
    """
    if q.kind not in KINDS:
        raise QuestionError(f"unknown question type '{q.kind}'; types: {', '.join(KINDS)}")
    prompt = _line(q.prompt).lstrip("#").strip()
    if not prompt:
        raise QuestionError("the question needs a prompt")
    options = [_line(o) for o in q.options if _line(o)]
    if q.id and not ID.match(q.id):
        raise QuestionError(f"'{q.id}' is not a usable id: letters, digits, '_' and '-'")
    correct = {i for i in q.correct if 0 <= i < len(options)}
    if q.kind in ("single", "multiple"):
        if len(options) < 2:
            raise QuestionError("a choice question needs at least two options")
        if not correct:
            raise QuestionError("mark at least one option as correct")
        if q.kind == "single" and len(correct) != 1:
            raise QuestionError("a single-answer question has exactly one correct option")
    elif q.kind == "fill":
        if not options:
            raise QuestionError("give at least one accepted answer")
    elif q.kind == "order":
        if len(options) < 2:
            raise QuestionError("an ordering question needs at least two steps")
    else:
        pairs = [o.split("->", 1) for o in options]
        if len(pairs) < 2 or any(len(p) != 2 or not p[0].strip() or not p[1].strip() for p in pairs):
            raise QuestionError("write at least two pairs, each as 'left -> right'")
        options = [f"{a.strip()} -> {b.strip()}" for a, b in pairs]
    text = write(QuestionDraft(q.kind, prompt, options, sorted(correct), q.id))
    if wrap:
        text = f"::: {wrap}\n\n{text}:::\n"
    return text


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in re.split(r"\r\n|\r|\n", text)).strip()


# what would start a block (a heading, a list, a quote, code, a container…) at the start of a list item
_BLOCK_START = re.compile(
    r"#{1,6}(\s|$)|[>+*-](\s|$)|\d{1,9}[.)](\s|$)|`{3}|~{3}|<|:{3}|\[[^\]]*\]:|([-*_])(\s*\3){2,}\s*$"
)


def _item(text: str) -> str:
    """One line that stays the text of the list item it is written in (a leading block syntax escaped)."""
    text = _one_line(text)
    found = _BLOCK_START.match(text) or _MARK.match(text)
    if not found:
        return text
    at = found.start() + len(re.match(r"\d*", text).group(0))  # type: ignore[union-attr]  # 1. -> 1\.
    return text[:at] + "\\" + text[at:]


def _attrs(q: QuestionDraft) -> list[str]:
    """The heading's ``{…}`` words: the type where the answers do not already say it, then the options."""
    correct = len(set(q.correct))
    needs_word = (
        q.kind in ("multiple", "order", "match")
        or (q.kind == "single" and (not q.options or correct != 1))
        or (q.kind == "fill" and not q.options)
    )
    attrs = [q.kind] if needs_word else []
    if q.id:
        attrs.append(f"id={q.id}")
    if q.points != 1:
        attrs.append(f"points={q.points}")
    if q.competency:
        attrs.append("competency=" + ",".join(q.competency))
    return attrs


def write(q: QuestionDraft) -> str:
    """The question's Markdown, whatever state it is in (a draft may lack answers; ``check`` says so).

    Every answer is one line of its list or ``=`` line; the prompt is one heading line whose own
    trailing ``{…}`` or ``#`` cannot be read as options or as the heading's closing sequence.
    """
    if q.kind not in KINDS:
        raise QuestionError(f"unknown question type '{q.kind}'; types: {', '.join(KINDS)}")
    prompt = _one_line(q.prompt)
    attrs = _attrs(q)
    if attrs or _ATTRS.search(prompt):
        prompt += " {" + " ".join(attrs) + "}"
    else:
        prompt = re.sub(r"(\s)(#+)$", r"\1\\\2", prompt)
    lines = [f"### {prompt}".rstrip()]
    if q.more.strip():
        lines += ["", q.more.strip("\n"), ""]
    correct = set(q.correct)
    if q.kind in ("single", "multiple"):
        for i, option in enumerate(q.options):
            lines.append(f"{q.bullet} [{'x' if i in correct else ' '}] {_one_line(option)}".rstrip())
            feedback = q.feedback[i].strip("\n") if i < len(q.feedback) else ""
            lines += [f"  > {line}".rstrip() for line in feedback.split("\n")] if feedback.strip() else []
    elif q.kind == "fill":
        lines += [f"= {_one_line(o)}".rstrip() for o in q.options]
    elif q.kind == "order":
        lines += [f"{i}{q.delimiter} {_item(o)}".rstrip() for i, o in enumerate(q.options, start=1)]
    else:
        for pair in q.options:
            left, _, right = pair.partition("->")
            lines.append(f"{q.bullet} {_item(left)} -> {_one_line(right)}".rstrip())
    if q.explanation.strip():
        lines += ["", q.explanation.strip("\n")]
    return "\n".join(lines) + "\n"
