"""One lesson file -> a :class:`Lesson`: front matter, then Markdown blocks and ``:::`` containers.

Pure: the text and what it needs to know about the course go in, a lesson and its problems come out,
so results can be cached by the text's hash (see ``load.py``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markdown_it.token import Token

from . import yamlsrc
from .errors import Problem, did_you_mean, error
from .i18n.segments import Lookup, front_segments
from .markdown import CONTAINERS, LessonEnv, budget, parser, traps
from .markdown.context import Container, Context, slug
from .model import Block, Caption, Competency, Html, Lesson
from .patterns import LESSON_ID_PATTERN

_CLOSE_FENCE = re.compile(r"^\s*:{3,}\s*$")
WORDS_PER_MINUTE = 180
MINUTES_PER_QUESTION = 0.5
MAX_LESSON_KB = 256
"""A lesson's largest size. A micro-learning lesson is a few KB; the cap bounds what one lesson can
cost to parse (markdown-it-py needs up to ~10 µs a character on token-dense text, so about 2.5 s of CPU
for 256 KB at worst), which matters most for the studio's live preview, parsed on every keystroke."""
MAX_LESSON_BYTES = MAX_LESSON_KB * 1024


_WORD = re.compile(r"\w+")
_ASCII_GAPS = str.maketrans(dict.fromkeys((chr(c) for c in range(128) if not (chr(c).isalnum() or c == 95)), " "))


def word_count(text: str) -> int:
    """The words of *text*, as runs of ``\\w``: what the reading time is estimated from.

    ASCII text (most English lessons) is counted by turning every other character into a space and
    splitting, about four times faster than the pattern and the same count: in ASCII, ``\\w`` is a
    letter, a digit or ``_``.

    >>> word_count("The officer's reply_date: 21 days."), word_count("café au lait")
    (6, 3)
    """
    return len(text.translate(_ASCII_GAPS).split()) if text.isascii() else len(_WORD.findall(text))


def size_problem(path: str, size: int) -> Problem | None:
    """The error for a lesson of *size* bytes over the limit, or None.

    >>> print(size_problem("lessons/a.md", 300 * 1024))
    lessons/a.md:1: error: lesson is 300 KB; the limit is 256 KB: split it into shorter lessons
    """
    if size <= MAX_LESSON_BYTES:
        return None
    kb = -(-size // 1024)
    return error(path, 1, f"lesson is {kb} KB; the limit is {MAX_LESSON_KB} KB: split it into shorter lessons")


@dataclass(frozen=True)
class LessonContext:
    """What a lesson needs to know about its course to be parsed."""

    lesson_ids: dict[str, str]
    resolve: Callable[[str, str], str | None]
    """(lesson path, target) -> course-relative path, or None when it leaves the course."""
    captions: Callable[[str], list[Caption]]
    lang: str = "en"
    strings: dict[str, str] | None = None
    translate: Lookup | None = None
    """In a translated build: a segment -> its translation, or None to keep the source text."""
    cpu_budget: float | None = None
    """Seconds of CPU the parse may use before it raises :class:`LessonTooComplex` (the live preview)."""


def lesson_id_for(path: str) -> str:
    """The default id of a lesson: its path without ``.md``.

    >>> lesson_id_for("lessons/01-welcome.md")
    'lessons/01-welcome'
    """
    return path[:-3] if path.endswith(".md") else path


def parse_lesson(text: str, path: str, ctx: LessonContext) -> tuple[Lesson, list[Problem]]:
    """Parse a lesson's text. Always returns a lesson (possibly partial) and every problem found.

    A text over :data:`MAX_LESSON_KB` is not parsed: the lesson comes back empty with that one error.
    Raises :class:`~packager.errors.LessonTooComplex` only when ``ctx.cpu_budget`` is set and spent.
    """
    too_big = size_problem(path, len(text.encode("utf-8", "surrogatepass")))
    if too_big:
        return Lesson(id=lesson_id_for(path), path=path, title=lesson_id_for(path)), [too_big]
    problems: list[Problem] = []
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    front, body, body_offset = _split_front_matter(text, path, problems)
    title, meta = lesson_id_for(path), None
    if front is not None:
        doc = yamlsrc.parse(front, path, line_offset=1)
        problems += doc.problems
        if not doc.problems:
            meta, found = front_matter(doc, path)
            problems += found
    lesson = Lesson(id=(meta.id if meta and meta.id else lesson_id_for(path)), path=path, title=title)
    if meta:
        lesson.title = meta.title
        lesson.minutes = meta.minutes
        lesson.objectives = list(meta.objectives)
        lesson.competencies = list(meta.competencies)
        lesson.minutes_line = doc.lines.get(("minutes",))
        if ctx.translate:
            _translate_front(lesson, ctx.translate)
    lesson.body_line = body_offset + 1
    env = LessonEnv(
        file=path,
        line_offset=body_offset,
        resolve=lambda target: ctx.resolve(path, target),
        lesson_ids=ctx.lesson_ids,
        lang=ctx.lang,
        strings=ctx.strings or {},
        captions=ctx.captions,
    )
    md = parser(budgeted=ctx.cpu_budget is not None)
    walker = Context(md, env, slug(lesson.id))
    if ctx.translate:
        walker.mdenv["ks_translate"] = (lesson.id, ctx.translate)
    if ctx.cpu_budget is not None:
        walker.mdenv[budget.ENV_KEY] = budget.Budget(ctx.cpu_budget)
    tokens = md.parse(body, walker.mdenv)
    problems += traps.lesson_traps(path, tokens, body_offset)
    lesson.blocks = _blocks(tokens, body.split("\n"), walker)
    lesson.media, lesson.links = env.media, env.links
    problems += env.problems
    words = word_count(body)
    questions = sum(len(q.questions) for q in lesson.quizzes)
    lesson.estimated_minutes = max(1, math.ceil(words / WORDS_PER_MINUTE + questions * MINUTES_PER_QUESTION))
    return lesson, problems


@dataclass(frozen=True)
class FrontMatter:
    """A lesson's front matter, valid by ``schema.FrontMatterSpec``."""

    title: str
    id: str | None = None
    minutes: float | None = None
    objectives: list[str] = field(default_factory=list)
    competencies: list[Competency] = field(default_factory=list)


def front_matter(doc: yamlsrc.YamlDoc, path: str) -> tuple[FrontMatter | None, list[Problem]]:
    """The front matter in *doc*, or None and its problems.

    The usual front matter (a title, maybe an id, minutes and objectives, all plainly valid) is read
    here; anything else goes through ``schema.FrontMatterSpec``, which alone says what is wrong. The
    schema's import (pydantic) costs more than parsing a lesson, and a build after an edit parses one.
    """
    plain = _plain_front_matter(doc.value)
    if plain is not None:
        return plain, []
    from . import schema

    spec, problems = schema.validate(schema.FrontMatterSpec, doc, path)
    if spec is None:
        return None, problems
    competencies = [Competency(**c.model_dump()) for c in spec.competencies]
    return FrontMatter(spec.title, spec.id, spec.minutes, list(spec.objectives), competencies), problems


def _plain_front_matter(value: Any) -> FrontMatter | None:
    """*value* as front matter when it holds only keys whose values the schema takes as they are
    (strings of the right length, a number of minutes in range); None for anything else."""
    if not isinstance(value, dict) or not value.keys() <= {"title", "id", "minutes", "objectives"}:
        return None
    title: Any = value.get("title")
    ident: Any = value.get("id")
    minutes: Any = value.get("minutes")
    objectives: Any = value.get("objectives", [])
    if not _plain_text(title, 200):
        return None
    if "id" in value and not (_plain_text(ident, 128) and re.fullmatch(LESSON_ID_PATTERN, ident)):
        return None
    if "minutes" in value and not (type(minutes) in (int, float) and 0 < minutes <= 600):
        return None
    if not (type(objectives) is list and all(_plain_text(o, 2000) for o in objectives)):
        return None
    return FrontMatter(title, ident, None if minutes is None else float(minutes), list(objectives))


def _plain_text(value: Any, longest: int) -> bool:
    return type(value) is str and 1 <= len(value) <= longest


def _translate_front(lesson: Lesson, lookup: Lookup) -> None:
    segments = front_segments(lesson.id, lesson.path, lesson.title, lesson.objectives, 1)
    done = {s.source: lookup(s) for s in segments}
    lesson.title = done.get(lesson.title) or lesson.title
    lesson.objectives = [done.get(text) or text for text in lesson.objectives]


def split_front_matter(text: str, path: str, problems: list[Problem]) -> tuple[str | None, str, int]:
    """(front matter, body, lines before the body) of a lesson's text."""
    return _split_front_matter(text, path, problems)


def _split_front_matter(text: str, path: str, problems: list[Problem]) -> tuple[str | None, str, int]:
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        problems.append(error(path, 1, "lesson has no front matter: start the file with '---', 'title: …', '---'"))
        return None, text, 0
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 1
    problems.append(error(path, 1, "front matter is never closed: add a line '---' after it"))
    return None, "\n".join(lines[1:]), 1


def _blocks(tokens: list[Token], lines: list[str], ctx: Context) -> list[Block]:
    blocks: list[Block] = []
    plain: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type != "container_ks_open":
            plain.append(token)
            i += 1
            continue
        end = _matching_close(tokens, i)
        if plain:
            blocks.append(Html(ctx.render(plain)))
            plain = []
        block = _container(token, tokens[i + 1 : end], lines, ctx)
        if isinstance(block, list):
            plain.extend(block)
        else:
            blocks.append(block)
        i = end + 1
    if plain:
        blocks.append(Html(ctx.render(plain)))
    return blocks


def _matching_close(tokens: list[Token], start: int) -> int:
    depth = 0
    for j in range(start, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def _container(token: Token, inner: list[Token], lines: list[str], ctx: Context) -> Block | list[Token]:
    start, after = token.map or (0, 0)
    kind, _, params = token.info.strip().partition(" ")
    if after >= len(lines) or not _CLOSE_FENCE.match(lines[after]):
        ctx.env.error(start, f"'::: {kind}' is never closed: end it with a line ':::'")
    if any(t.type == "container_ks_open" for t in inner):
        ctx.env.warning(start, f"blocks cannot be nested inside '::: {kind}'")
    handler = CONTAINERS.get(kind)
    if handler is None:
        what = f"unknown block '::: {kind}'" if kind else "'::: ' needs a kind"
        ctx.env.error(start, f"{what}{did_you_mean(kind, CONTAINERS)}; known: {', '.join(CONTAINERS)}")
        return inner  # keep the text visible rather than lose it
    return handler(Container(kind, params, inner, start), ctx)
