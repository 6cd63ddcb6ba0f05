"""Lesson Markdown -> blocks, from the lesson parser's own tokens and their line ranges.

Top-level headings, tables, lone media and attachments, and ``:::`` containers are blocks; the
lines between them are text blocks, kept as written. Questions are found as the quiz reader finds
them (``packager.markdown.quiz``: the same splitting at headings, the same answer shapes), and every
field keeps its source lines. A block is kept as a block only if writing it back builds the same
lesson as its lines did (the same rendered model and problems); otherwise it is a :class:`Raw` block,
byte for byte, so nothing an author wrote is lost or changed by the editor.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from markdown_it.token import Token

from .. import yamlsrc
from ..lesson import LessonContext, front_matter, parse_lesson, split_front_matter
from ..markdown.context import parse_params
from ..markdown.quiz import (
    _ATTRS,
    _MARK,
    _WANTED,
    ID,
    KIND_WORDS,
    QUESTION_OPTIONS,
    QUIZ_OPTIONS,
    _items,
    _shape,
    _split_at_questions,
)
from ..markdown.quiz import _blocks as answer_blocks
from . import write
from .model import (
    CALLOUT_KINDS,
    Attachment,
    Audio,
    Block,
    Callout,
    Competency,
    Front,
    Heading,
    Image,
    Option,
    Question,
    Quiz,
    Raw,
    Reflection,
    Table,
    Text,
    Video,
)
from .tokens import CLOSE_FENCE, lone_attachment, lone_media, one_line, parse, split_row, top_level

_CHECK = LessonContext(lesson_ids={}, resolve=lambda lesson, target: target, captions=lambda src: [])
_FRONT_KEYS = {"title", "id", "minutes", "objectives", "competencies"}


class _Unrepresentable(Exception):
    """The block holds something the model has no field for: it stays raw."""


def read(text: str) -> list[Block]:
    """The blocks of a lesson's text."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    front, body, offset = split_front_matter(text, "lesson.md", [])
    if front is None and offset:  # front matter never closed: nothing can be told apart
        return [Raw(text.strip("\n"))] if text.strip() else []
    blocks: list[Block] = []
    if front is not None:
        blocks.append(_front(front) or Raw("\n".join(text.split("\n")[:offset])))
    return blocks + _body(body)


def _front(text: str) -> Front | None:
    if re.search(r"(^|\s)#", text):
        return None  # a YAML comment would not survive being written again
    doc = yamlsrc.parse(text, "lesson.md", line_offset=1)
    if doc.problems or not isinstance(doc.value, dict) or not doc.value.keys() <= _FRONT_KEYS:
        return None
    meta, problems = front_matter(doc, "lesson.md")
    if meta is None or problems or any("\n" in s for s in [meta.title, *meta.objectives]):
        return None
    competencies = [Competency(c.area, c.theme, c.subtheme or "", c.level) for c in meta.competencies]
    block = Front(meta.title, meta.id or "", meta.minutes, list(meta.objectives), competencies)
    again = yamlsrc.parse(write.write([block])[4:-5], "lesson.md", line_offset=1)  # inside the '---' lines
    return block if front_matter(again, "lesson.md")[0] == meta else None


def _body(body: str) -> list[Block]:
    lines = body.split("\n")
    tokens = parse(body)
    blocks: list[Block] = []
    done = 0
    for i, j in top_level(tokens):
        found = _structural(tokens, i, j, lines)
        if found is None:
            continue
        start, end, block = found
        blocks += _text(lines[done:start])
        source = "\n".join(lines[start:end])
        written = write.write([block])
        kept = isinstance(block, Raw) or written == source + "\n" or same_build(source, written)
        blocks.append(block if kept else Raw(source))
        done = end
    return blocks + _text(lines[done:])


def _text(lines: list[str]) -> list[Block]:
    markdown = _trim(lines)
    return [Text(markdown)] if markdown else []


def _trim(lines: list[str]) -> str:
    """The lines without blank ones around them."""
    first = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    last = next((n for n in range(len(lines) - 1, -1, -1) if lines[n].strip()), -1)
    return "\n".join(lines[first : last + 1])


def _structural(tokens: list[Token], i: int, j: int, lines: list[str]) -> tuple[int, int, Block] | None:
    """(first line, line after, block) of a top-level block the model has a kind for; None for prose."""
    token = tokens[i]
    start, end = token.map  # type: ignore[misc]  # top_level gives blocks with lines
    if token.type == "heading_open":
        return start, end, Heading(int(token.tag[1]), one_line(tokens[i + 1].content))
    if token.type == "table_open":
        return start, end, _table(lines[start:end])
    if token.type == "paragraph_open":
        media = lone_media(tokens, i, lines)
        if media:
            kind, src, label = media
            return start, end, (Image if kind == "image" else Video if kind == "video" else Audio)(src, label)
        attachment = lone_attachment(tokens, i, lines)
        return (start, end, Attachment(*attachment)) if attachment else None
    if token.type != "container_ks_open":
        return None
    if end >= len(lines) or not CLOSE_FENCE.match(lines[end]):
        return start, len(lines), Raw("\n".join(lines[start:]))  # never closed: it runs to the end
    kind, _, params = token.info.strip().partition(" ")
    try:
        return start, end + 1, _container(kind, params, tokens[i + 1 : j], lines, start, end)
    except _Unrepresentable:
        return start, end + 1, Raw("\n".join(lines[start : end + 1]))


def _table(lines: list[str]) -> Table:
    header = split_row(lines[0])
    rows = [header] + [(split_row(line) + [""] * len(header))[: len(header)] for line in lines[2:]]
    align = []
    for cell in split_row(lines[1]):
        left, right = cell.startswith(":"), cell.endswith(":")
        align.append("center" if left and right else "left" if left else "right" if right else "")
    return Table(rows, (align + [""] * len(header))[: len(header)])


def _source(lines: list[str], start: int, end: int) -> str:
    return _trim(lines[start:end])


def _container(kind: str, params: str, inner: list[Token], lines: list[str], start: int, end: int) -> Block:
    if kind in CALLOUT_KINDS and not params.strip():
        return Callout(kind, _source(lines, start + 1, end))
    options, words = parse_params(params)
    if kind == "reflection" and not words and options.keys() <= {"id"} and ID.match(options.get("id", "x")):
        return Reflection(_source(lines, start + 1, end), options.get("id", ""))
    if kind not in ("quiz", "check") or words or not options.keys() <= set(QUIZ_OPTIONS):
        raise _Unrepresentable
    shuffle = options.get("shuffle", "yes").lower()
    if shuffle not in ("yes", "no", "true", "false", "on", "off") or not ID.match(options.get("id", "x")):
        raise _Unrepresentable
    quiz = Quiz(
        kind,  # type: ignore[arg-type]
        id=options.get("id", ""),
        pass_mark=_whole(options, "pass", 0, 100),
        draw=_whole(options, "draw", 1, 1000),
        attempts=_whole(options, "attempts", 1, 100),
        shuffle=shuffle in ("yes", "true", "on"),
    )
    groups = _split_at_questions(inner)
    starts = [g[0].map[0] if g[0].map else start for g in groups] + [end]
    for n, group in enumerate(groups):
        if group[0].type == "heading_open" and group[0].tag == "h3":
            quiz.questions.append(_question(group, lines, starts[n + 1]))
        else:
            quiz.intro = _source(lines, start + 1, starts[n + 1])
    return quiz


def _whole(options: dict[str, str], key: str, low: int, high: int) -> int | None:
    if key not in options:
        return None
    if not options[key].isdigit() or not low <= int(options[key]) <= high:
        raise _Unrepresentable
    return int(options[key])


def _question(group: list[Token], lines: list[str], end: int) -> Question:
    after_heading = group[0].map[1]  # type: ignore[index]  # headings have lines
    content = one_line(group[1].content)
    attrs = _ATTRS.search(content)
    options, words = parse_params(attrs[1]) if attrs else ({}, [])
    if len(words) > 1 or not set(words) <= set(KIND_WORDS) or not options.keys() <= set(QUESTION_OPTIONS):
        raise _Unrepresentable
    points = options.get("points", "1")
    if not points.isdigit() or not 1 <= int(points) <= 100 or not ID.match(options.get("id", "x")):
        raise _Unrepresentable
    word = words[0] if words else None
    question = Question(
        "single",
        content[: attrs.start()] if attrs else content,
        points=int(points),
        id=options.get("id", ""),
        competency=[c.strip() for c in options.get("competency", "").split(",") if c.strip()],
    )
    blocks = answer_blocks(group[3:])
    at = next((n for n, b in enumerate(blocks) if _shape(b) in _WANTED[word]), None)
    if at is None:
        question.kind = word or "single"  # type: ignore[assignment]
        question.more = _source(lines, after_heading, end)
        return question
    answers = blocks[at]
    first, after = answers[0].map  # type: ignore[misc]  # blocks have lines
    question.more = _source(lines, after_heading, first)
    question.explanation = _source(lines, after, end)
    if word == "order":
        question.kind = "order"
        question.items = [one_line(_only_paragraph(tokens).content) for _, tokens in _items(answers)]
    elif word == "match":
        question.kind = "match"
        question.pairs = [_pair(_only_paragraph(tokens).content) for _, tokens in _items(answers)]
    elif _shape(answers) == "fill":
        question.kind = "fill"
        question.answers = [line.strip()[1:].strip() for line in answers[1].content.split("\n")]
    else:
        question.options = [_option(tokens, lines) for _, tokens in _items(answers)]
        correct = sum(o.correct for o in question.options)
        question.kind = word or ("multiple" if correct > 1 else "single")  # type: ignore[assignment]
    return question


def _only_paragraph(tokens: list[Token]) -> Token:
    parts = answer_blocks(tokens)
    if len(parts) != 1 or parts[0][0].type != "paragraph_open":
        raise _Unrepresentable
    return parts[0][1]


def _pair(content: str) -> list[str]:
    mark = _MARK.match(content)
    sides = content[mark.end() if mark else 0 :].split("->")
    if len(sides) != 2:
        raise _Unrepresentable
    return [one_line(sides[0]), one_line(sides[1])]


def _option(tokens: list[Token], lines: list[str]) -> Option:
    parts = answer_blocks(tokens)
    if not parts or parts[0][0].type != "paragraph_open" or len(parts) > 2:
        raise _Unrepresentable
    mark = _MARK.match(parts[0][1].content)
    if mark is None:
        raise _Unrepresentable
    feedback = ""
    if len(parts) == 2:
        if parts[1][0].type != "blockquote_open":
            raise _Unrepresentable
        first, after = parts[1][0].map  # type: ignore[misc]  # blocks have lines
        quoted = []
        for line in lines[first:after]:
            line = line.lstrip()
            line = line[1:] if line.startswith(">") else line
            quoted.append(line[1:] if line.startswith(" ") else line)
        feedback = _trim(quoted)
    return Option(one_line(parts[0][1].content[mark.end() :]), mark[1] != " ", feedback)


# Building the same lesson -----------------------------------------------------------------------


def same_build(body: str, other: str) -> bool:
    """Whether two lesson bodies build the same lesson: the same rendered blocks, media and problems."""
    return _built(body) == _built(other)


def _built(body: str) -> Any:
    lesson, problems = parse_lesson(f"---\ntitle: x\n---\n{body}\n", "lessons/x.md", _CHECK)
    links = [path for path, _ in lesson.links]
    return comparable([lesson.blocks, lesson.media, links]), sorted((p.severity, p.message) for p in problems)


def comparable(value: Any) -> Any:
    """A lesson model (or part) as plain data without source lines and with HTML whitespace folded:
    what a learner gets, to compare two texts that should build the same lesson."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.compare}  # not source_key
        skip = {"line", "body_line", "minutes_line", "path"}
        return (type(value).__name__, {k: comparable(v) for k, v in fields.items() if k not in skip})
    if isinstance(value, list | tuple):
        return [comparable(v) for v in value]
    if isinstance(value, str):
        return " ".join(value.split())
    return value
