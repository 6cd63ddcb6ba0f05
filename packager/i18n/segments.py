"""The translatable text of a course, cut into segments on markdown-it's block tokens.

A segment is one heading, paragraph, list item, table cell, alt text, question part, front-matter field or
course.yml field. Its id (the PO ``msgctxt``) is ``<lesson id>|<kind>|<hash of its text>``, with ``-2``,
``-3`` … for repeated text: it depends on nothing around the segment, so inserting, moving or deleting
other blocks leaves every other id alone, and an edited segment is matched to its old entry by
similarity (``catalog.merge``).

Inline Markdown (emphasis, code, links) stays in the segment so a translator can reorder it; link and
image targets become numbered placeholders, ``[text]({1})``, so a translator never retypes a URL. The
same :func:`plan` both extracts segments and, in a translated build, rewrites each block token's text
before inline parsing (a core rule installed by ``packager.markdown``), so the translated lesson goes
through exactly the parser, checks and renderer the source does.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from markdown_it.helpers import parseLinkDestination, parseLinkTitle
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

KINDS = {
    "heading": "a heading",
    "paragraph": "a paragraph",
    "item": "a list item",
    "cell": "a table cell",
    "alt": "the alt text of an image, or the title of a video or audio",
    "callout": "a paragraph of a call-out box",
    "reflection": "the prompt of a reflection",
    "question": "the prompt of a question",
    "option": "an answer option",
    "correct": "a correct answer option",
    "feedback": "feedback on an answer option",
    "answer": "an accepted fill-in answer: learners must type it, so keep it short and exact",
    "match": "one side of a matching pair",
    "quiz": "text of a quiz: part of a question's prompt, or its explanation",
    "title": "the title",
    "objective": "a learning objective",
    "summary": "the course summary",
    "module": "a module title",
    "keyword": "a search keyword",
}

_CODE_SPAN = re.compile(r"(`+)(?:.|\n)*?(?<!`)\1(?!`)")
_PLACEHOLDER = re.compile(r"\]\(\{(\d+)\}\)")
_MARK = re.compile(r"^\[( |x|X)\]\s*")
_ATTRS = re.compile(r"\s*\{[^{}]*\}\s*$")
_LONE_IMAGE = re.compile(r"\A!\[(?P<alt>(?:[^\]\\]|\\.)*)\](?P<rest>\([^()\n]*\))\s*\Z")
_HARD_BREAK = re.compile(r"(?:  +|\\)$")


@dataclass
class Segment:
    """One translatable piece of text."""

    id: str
    kind: str
    source: str
    """The text as the translator sees it: Markdown with ``{n}`` placeholders for link targets."""
    file: str
    line: int
    targets: list[str] = field(default_factory=list)
    """Placeholder ``{n}`` (1-based) -> the link destination (and title) as written in the source."""

    @property
    def note(self) -> str:
        """What the translator is told about the segment (the PO ``#.`` comment)."""
        lines = [f"Translate {KINDS.get(self.kind, self.kind)}."]
        lines += [f"{{{n}}} = {target}" for n, target in enumerate(self.targets, start=1)]
        return "\n".join(lines)

    def fill(self, translation: str) -> str:
        """*translation* with its placeholders back as the source's targets (unknown ones are left as typed)."""

        def target(match: re.Match[str]) -> str:
            n = int(match.group(1))
            return f"]({self.targets[n - 1]})" if 1 <= n <= len(self.targets) else match.group(0)

        return _PLACEHOLDER.sub(target, translation)


class Ids:
    """Hands out segment ids: ``scope|kind|hash``, with a suffix for the second and later same text."""

    def __init__(self, scope: str):
        self.scope, self.seen = scope, dict[str, int]()

    def __call__(self, kind: str, text: str) -> str:
        base = f"{self.scope}|{kind}|{hashlib.sha1(text.encode()).hexdigest()[:8]}"
        self.seen[base] = self.seen.get(base, 0) + 1
        return base if self.seen[base] == 1 else f"{base}-{self.seen[base]}"


def fixed_id(scope: str, kind: str) -> str:
    """The id of a segment there is one of in its scope (a title, a summary): edits keep the id."""
    return f"{scope}|{kind}"


# Turning a block token's text into segments ---------------------------------------------------


def protect(text: str) -> tuple[str, list[str]]:
    """Replace each inline link/image destination with ``{n}``; returns the text and the destinations.

    >>> protect("See [the portal](https://x.in \\"T\\") and ![a chart](media/c.png), not `[a](b)`.")
    ('See [the portal]({1}) and ![a chart]({2}), not `[a](b)`.', ['https://x.in "T"', 'media/c.png'])
    """
    code = [(m.start(), m.end()) for m in _CODE_SPAN.finditer(text)]
    out: list[str] = []
    targets: list[str] = []
    pos = 0
    i = text.find("](")
    while i >= 0:
        if any(a <= i < b for a, b in code):
            i = text.find("](", i + 1)
            continue
        end = _destination_end(text, i + 2)
        if end is None:
            i = text.find("](", i + 1)
            continue
        targets.append(text[i + 2 : end - 1].strip())
        out.append(text[pos:i] + f"]({{{len(targets)}}})")
        pos = end
        i = text.find("](", end)
    out.append(text[pos:])
    return "".join(out), targets


def _destination_end(text: str, start: int) -> int | None:
    """The index after the ``)`` closing an inline link whose ``(`` is just before *start*."""
    pos, limit = start, len(text)
    while pos < limit and text[pos] in " \t\n":
        pos += 1
    dest = parseLinkDestination(text, pos, limit)
    if not dest.ok:
        return None
    pos = dest.pos
    while pos < limit and text[pos] in " \t\n":
        pos += 1
    if pos < limit and text[pos] in "\"'(":
        title = parseLinkTitle(text, pos, limit)
        if title.ok:
            pos = title.pos
            while pos < limit and text[pos] in " \t\n":
                pos += 1
    return pos + 1 if pos < limit and text[pos] == ")" else None


def flatten(text: str) -> str:
    """Soft line breaks -> spaces (a translator reflows text anyway); hard breaks stay as ``\\`` + newline.

    >>> flatten("one\\ntwo  \\nthree")
    'one two\\\\\\nthree'
    """
    lines = text.split("\n")
    out = ""
    for n, line in enumerate(lines):
        if n == len(lines) - 1:
            out += line
        elif _HARD_BREAK.search(line):
            out += _HARD_BREAK.sub("", line) + "\\\n"
        else:
            out += line.rstrip() + " "
    return out


Part = str | tuple[str, str]
"""A literal piece of a block token's text, or (kind, translatable text)."""


def _parts(token_text: str, kind: str, where: _Where) -> list[Part]:
    """Cut a block's text into literal pieces and translatable ones."""
    if where.quiz and kind == "paragraph" and token_text.strip() and _is_fill(token_text):
        parts: list[Part] = []
        for n, line in enumerate(token_text.split("\n")):
            head, _, answer = line.partition("=")
            parts += ["\n" if n else "", head + "= ", ("answer", answer.strip())]
        return parts
    if kind == "heading" and where.quiz and where.h3:
        attrs = _ATTRS.search(token_text)
        cut = attrs.start() if attrs else len(token_text)
        return [("question", token_text[:cut]), token_text[cut:]]
    if kind == "item" and where.quiz:
        mark = _MARK.match(token_text)
        if mark and where.first_in_item:
            return [
                token_text[: mark.end()],
                ("correct" if mark.group(1) != " " else "option", token_text[mark.end() :]),
            ]
        if where.first_in_item and token_text.count("->") == 1:
            left, right = token_text.split("->")
            return [("match", left.strip()), " -> ", ("match", right.strip())]
        kind = "item" if where.first_in_item else "quiz"
    lone = _LONE_IMAGE.match(token_text)
    if lone:
        return ["![", ("alt", lone.group("alt")), "]" + lone.group("rest")]
    if where.feedback:
        kind = "feedback"
    elif where.quiz and kind not in ("cell", "item"):
        kind = "quiz"
    elif where.container in ("note", "tip", "warning", "important") and kind == "paragraph":
        kind = "callout"
    elif where.container == "reflection" and kind == "paragraph":
        kind = "reflection"
    return [(kind, token_text)]


def _is_fill(text: str) -> bool:
    lines = text.splitlines()
    return bool(lines) and all(line.lstrip().startswith("=") for line in lines)


@dataclass
class _Where:
    container: str | None = None
    quiz: bool = False
    h3: bool = False
    first_in_item: bool = False
    feedback: bool = False


def plan(tokens: list[Token]) -> Iterator[tuple[Token, list[Part]]]:
    """Every block token with text (``inline``), with its text cut into parts; block tokens only are read.

    Code blocks are not translated; ``::: quiz`` and ``::: check`` parts get the kinds of question parts.
    """
    container: str | None = None
    items: list[bool] = []  # per open list item: has its first inline been seen
    quote_in_item = 0
    last_open: Token | None = None
    for token in tokens:
        if token.type == "container_ks_open":
            container = token.info.strip().partition(" ")[0]
        elif token.type == "container_ks_close":
            container = None
        elif token.type == "list_item_open":
            items.append(False)
        elif token.type == "list_item_close" and items:
            items.pop()
        elif token.type == "blockquote_open" and items:
            quote_in_item += 1
        elif token.type == "blockquote_close" and quote_in_item:
            quote_in_item -= 1
        elif token.type == "inline" and last_open is not None:
            kind = {"heading_open": "heading", "th_open": "cell", "td_open": "cell"}.get(last_open.type, "paragraph")
            first = bool(items) and not items[-1]
            if items and kind == "paragraph":
                kind = "item"
                items[-1] = True
            quiz = container in ("quiz", "check")
            where = _Where(
                container=container,
                quiz=quiz,
                h3=last_open.tag == "h3",
                first_in_item=first,
                feedback=quiz and quote_in_item > 0,
            )
            yield token, _parts(token.content, kind, where)
        if token.nesting == 1:
            last_open = token


def lesson_segments(tokens: list[Token], scope: str, file: str, line_offset: int) -> list[Segment]:
    """The segments of a lesson body parsed into *tokens*."""
    ids = Ids(scope)
    found: list[Segment] = []
    for token, parts in plan(tokens):
        line = (token.map[0] if token.map else 0) + 1 + line_offset
        for part in parts:
            if isinstance(part, tuple) and part[1].strip():
                text, targets = protect(flatten(part[1]))
                found.append(Segment(ids(part[0], text), part[0], text, file, line, targets))
    return found


Lookup = Callable[[Segment], str | None]
"""A segment -> its translation as the translator wrote it (placeholders and all), or None."""


def rewrite(tokens: list[Token], scope: str, lookup: Lookup) -> None:
    """Put translations into the text of block tokens (before inline parsing) wherever *lookup* has one."""
    ids = Ids(scope)
    for token, parts in plan(tokens):
        out: list[str] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            if not part[1].strip():
                out.append(part[1])
                continue
            text, targets = protect(flatten(part[1]))
            segment = Segment(ids(part[0], text), part[0], text, "", 0, targets)
            found = lookup(segment)
            out.append(segment.fill(found) if found else part[1])
        token.content = "".join(out)


def translate_rule(state: StateCore) -> None:
    """Core rule (after ``block``): rewrite block text when the env carries a translation."""
    tr = state.env.get("ks_translate")
    if tr is not None:
        rewrite(state.tokens, tr[0], tr[1])


def course_segments(
    title: str, summary: str, modules: list[tuple[str, int]], keywords: list[tuple[str, int]], lines: Mapping[str, int]
) -> list[Segment]:
    """The segments of course.yml: title, summary, module titles and keywords."""
    found = [
        Segment(fixed_id("course", "title"), "title", title, "course.yml", lines.get("title", 1)),
        Segment(fixed_id("course", "summary"), "summary", summary, "course.yml", lines.get("summary", 1)),
    ]
    ids = Ids("course")
    for kind, entries in (("module", modules), ("keyword", keywords)):
        for text, line in entries:
            if text.strip():
                found.append(Segment(ids(kind, text), kind, text, "course.yml", line))
    return [s for s in found if s.source.strip()]


def front_segments(scope: str, file: str, title: str, objectives: list[str], line: int) -> list[Segment]:
    """The segments of a lesson's front matter: its title and each objective."""
    ids = Ids(scope)
    found = [Segment(fixed_id(scope, "title"), "title", title, file, line)]
    found += [Segment(ids("objective", text), "objective", text, file, line) for text in objectives]
    return [s for s in found if s.source.strip()]
