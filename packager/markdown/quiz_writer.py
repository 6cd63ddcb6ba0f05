"""Writing a question in the format's quiz syntax (docs/format.md): the question editor's output.

The reader of that syntax is :mod:`packager.markdown.quiz`; what this writes, it reads back as the same
question (tests/test_quiz_writer.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .quiz import ID, KIND_WORDS

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


def _line(text: str) -> str:
    """One line of Markdown: no line breaks, and nothing that would close the quiz block."""
    return " ".join(text.split()).replace(":::", ": : :")


def to_markdown(q: QuestionDraft, *, wrap: str | None = None) -> str:
    """The question as the format writes it; *wrap* ``quiz`` or ``check`` puts a ``:::`` block around it."""
    if q.kind not in KINDS:
        raise QuestionError(f"unknown question type '{q.kind}'; types: {', '.join(KINDS)}")
    prompt = _line(q.prompt).lstrip("#").strip()
    if not prompt:
        raise QuestionError("the question needs a prompt")
    options = [_line(o) for o in q.options if _line(o)]
    if q.id and not ID.match(q.id):
        raise QuestionError(f"'{q.id}' is not a usable id: letters, digits, '_' and '-'")
    # one [x] already means single choice and '= answer' lines fill-in; the others say their type
    attrs = [q.kind] if q.kind in ("multiple", "order", "match") else []
    if q.id:
        attrs.append(f"id={q.id}")
    heading = f"### {prompt}" + (" {" + " ".join(attrs) + "}" if attrs else "")
    lines = [heading]
    if q.kind in ("single", "multiple"):
        if len(options) < 2:
            raise QuestionError("a choice question needs at least two options")
        correct = {i for i in q.correct if 0 <= i < len(options)}
        if not correct:
            raise QuestionError("mark at least one option as correct")
        if q.kind == "single" and len(correct) != 1:
            raise QuestionError("a single-answer question has exactly one correct option")
        lines += [f"- [{'x' if i in correct else ' '}] {o}" for i, o in enumerate(options)]
    elif q.kind == "fill":
        if not options:
            raise QuestionError("give at least one accepted answer")
        lines += [f"= {o}" for o in options]
    elif q.kind == "order":
        if len(options) < 2:
            raise QuestionError("an ordering question needs at least two steps")
        lines += [f"{i}. {o}" for i, o in enumerate(options, start=1)]
    else:
        pairs = [o.split("->", 1) for o in options]
        if len(pairs) < 2 or any(len(p) != 2 or not p[0].strip() or not p[1].strip() for p in pairs):
            raise QuestionError("write at least two pairs, each as 'left -> right'")
        lines += [f"- {a.strip()} -> {b.strip()}" for a, b in pairs]
    text = "\n".join(lines) + "\n"
    if wrap:
        text = f"::: {wrap}\n\n{text}:::\n"
    return text
