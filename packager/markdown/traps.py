"""Silent traps: Markdown that parses without complaint but shows learners something the author did not mean.

- A question outside ``::: quiz`` / ``::: check`` is plain text: the learner reads ``[x]`` beside the
  right answer and ``{multiple}`` after the prompt.
- A video or audio shares its paragraph with text (no blank line after it): the player cannot sit in a
  sentence, so the learner gets a link to the file instead.
- An image one line from text is inside that paragraph: the PDF handout draws it page-high, and the
  translator gets it inside the paragraph's segment.

The checks read the tokens of the lesson's own parse (``lesson.parse_lesson`` calls
:func:`lesson_traps` before it turns them into blocks), so they see exactly the structure the learner's
page is built from, cost no second parse, run in the parse's workers and are kept with the parse in
its cache: a build after a one-lesson edit checks one lesson, and the editor's live preview, which
parses the unsaved text, reports them as it types.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from markdown_it.token import Token

from ..errors import Problem, error, warning
from .quiz import KIND_WORDS
from .rules import media_kind

QUIZ_KINDS = ("quiz", "check")
_MARK = re.compile(r"^\[( |x|X)\]\s")
_ATTRS = re.compile(r"\{([^{}]*)\}\s*$")
_QUESTION_KEYS = ("points", "competency")


@dataclass(frozen=True)
class LessonText:
    """A lesson's body as the parser read it, and how to turn its token lines into file lines."""

    path: str
    tokens: Sequence[Token]
    offset: int
    """Lines before the body (front matter)."""

    def line(self, token: Token, extra: int = 0) -> int:
        return (token.map[0] if token.map else 0) + 1 + self.offset + extra

    @cached_property
    def media(self) -> list[tuple[Token, int, int, str, bool]]:
        """:func:`_inline_media` of the lesson, found once for the checks that read it."""
        return list(_inline_media(self))


def _outside_quizzes(tokens: Sequence[Token], kinds: frozenset[str]) -> Iterator[tuple[int, Token]]:
    """(index, token) of every token of one of *kinds* not inside a ``::: quiz`` or ``::: check`` (the
    others are passed over here: a lesson has a hundred tokens, and a few of them are asked for)."""
    depth = 0
    for i, token in enumerate(tokens):
        kind = token.type
        if kind == "container_ks_open":
            if depth or token.info.strip().partition(" ")[0] in QUIZ_KINDS:
                depth += 1
        elif kind == "container_ks_close" and depth:
            depth -= 1
        elif not depth and kind in kinds:
            yield i, token


def _question_attrs(content: str) -> bool:
    """Whether *content* ends with a question's ``{…}``: a question type, ``points=`` or ``competency=``."""
    if not content.rstrip().endswith("}"):  # most paragraphs: spared the pattern's search through them
        return False
    match = _ATTRS.search(content)
    if not match:
        return False
    words = match.group(1).split()
    return any(w in KIND_WORDS or w.partition("=")[0] in _QUESTION_KEYS for w in words)


def _answer_shaped(tokens: Sequence[Token], i: int) -> bool:
    """Whether the block at *i* is a list of ``[x]``/``[ ]`` options or ``= answer`` lines."""
    token = tokens[i]
    if token.type == "bullet_list_open":  # its first item's text (by index: a slice per list was quadratic)
        inline = next((tokens[j] for j in range(i, len(tokens)) if tokens[j].type == "inline"), None)
        return inline is not None and bool(_MARK.match(inline.content))
    if token.type == "paragraph_open" and i + 1 < len(tokens):
        lines = tokens[i + 1].content.splitlines()
        return bool(lines) and all(line.lstrip().startswith("=") for line in lines)
    return False


def _next_block(tokens: Sequence[Token], i: int) -> int:
    """Index of the block after the one opened at *i* (at the same level)."""
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j + 1
    return len(tokens)


_QUESTION_SHAPES = frozenset(("heading_open", "bullet_list_open", "paragraph_open"))
"""The blocks a question outside a quiz starts with: its heading, its answer list, its attributes' line."""
QUIZ_HINT = "put it between '::: quiz' (or '::: check') and ':::'"


def questions_outside(lesson: LessonText) -> Iterator[Problem]:
    """Question headings, answer lists and question attributes outside a quiz: one error per question."""
    tokens = lesson.tokens
    covered: set[int] = set()  # answer lists already reported with their question's heading
    for i, token in _outside_quizzes(tokens, _QUESTION_SHAPES):
        if token.type == "heading_open" and i + 1 < len(tokens):
            content = tokens[i + 1].content
            after = _next_block(tokens, i)
            question = token.tag == "h3" and after < len(tokens) and _answer_shaped(tokens, after)
            if question or _question_attrs(content):
                covered.add(after)
                yield error(
                    lesson.path,
                    lesson.line(token),
                    f"question outside a quiz: learners would see '{content[:50]}' and its answers as text; "
                    + QUIZ_HINT,
                )
        elif token.type == "bullet_list_open" and i not in covered and _answer_shaped(tokens, i):
            yield error(
                lesson.path,
                lesson.line(token),
                "question outside a quiz: learners would see the '[x]' beside the right answer; " + QUIZ_HINT,
            )
        elif token.type == "paragraph_open" and i not in covered and i + 1 < len(tokens):
            content = tokens[i + 1].content
            if _question_attrs(content.split("\n", 1)[0]):
                yield error(
                    lesson.path,
                    lesson.line(token),
                    f"question outside a quiz: learners would see '{content[:50]}' as text; " + QUIZ_HINT,
                )


def _blank(child: Token) -> bool:
    return child.type == "text" and not child.content.strip()


def _inline_media(lesson: LessonText) -> Iterator[tuple[Token, int, int, str, bool]]:
    """(inline token, line within it, index of the image among its children, kind, alone) for every media
    in image syntax; *alone* when it is its paragraph's only content (shown as a figure or player)."""
    tokens = lesson.tokens
    for i, token in enumerate(tokens):
        # most lines have no image: skip them before counting their content (an image is written "![")
        if token.type != "inline" or "![" not in token.content or not token.children:
            continue
        if not any(c.type == "image" for c in token.children):
            continue
        in_paragraph = i > 0 and tokens[i - 1].type == "paragraph_open"
        real = sum(1 for c in token.children if not (c.type in ("softbreak", "hardbreak") or _blank(c)))
        line = 0
        for at, child in enumerate(token.children):
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                kind = media_kind(src.split("?", 1)[0].split("#", 1)[0])
                if kind and "://" not in src and not src.startswith("//"):
                    yield token, line, at, kind, in_paragraph and real == 1


def _neighbour(children: list[Token], at: int, step: int) -> Token | None:
    """The first child from *at* in direction *step* that is not blank text (None at the paragraph's end)."""
    at += step
    while 0 <= at < len(children) and _blank(children[at]):
        at += step
    return children[at] if 0 <= at < len(children) else None


def media_as_link(lesson: LessonText) -> Iterator[Problem]:
    """A video or audio with text in its paragraph (or in a heading, list line, table cell) is a link."""
    for token, line, at, kind, alone in lesson.media:
        if kind != "image" and not alone:
            image = (token.children or [])[at]
            yield error(
                lesson.path,
                lesson.line(token, line),
                f"{kind} '{image.attrGet('src')}' shares its paragraph with text, so learners get a link, "
                "not a player: put it on a line of its own with a blank line before and after it",
            )


def image_in_paragraph(lesson: LessonText) -> Iterator[Problem]:
    """An image on a line of its own but one newline from text: it is inside that paragraph."""
    breaks = ("softbreak", "hardbreak")
    for token, line, at, kind, alone in lesson.media:
        if kind != "image" or alone:
            continue
        children = token.children or []
        # on a line of its own: only blank text between it and the line breaks (or the paragraph's ends);
        # only the neighbours are looked at, so a paragraph of many images stays linear
        before, after = _neighbour(children, at, -1), _neighbour(children, at, 1)
        if (before is None or before.type in breaks) and (after is None or after.type in breaks):
            yield warning(
                lesson.path,
                lesson.line(token, line),
                f"image '{children[at].attrGet('src')}' is one line from the text around it, so it is inside "
                "that paragraph (the PDF draws it page-high; translators get it inside the paragraph's text): "
                "leave a blank line before and after it",
            )


TextCheck = Callable[[LessonText], Iterator[Problem]]
TEXT_CHECKS: dict[str, TextCheck] = {
    "question-outside-quiz": questions_outside,
    "media-as-link": media_as_link,
    "image-in-paragraph": image_in_paragraph,
}


def lesson_traps(path: str, tokens: Sequence[Token], offset: int) -> list[Problem]:
    """Every trap in lesson *path*, from the *tokens* of its body (*offset* lines of front matter before it)."""
    lesson = LessonText(path, tokens, offset)
    return [problem for check in TEXT_CHECKS.values() for problem in check(lesson)]
