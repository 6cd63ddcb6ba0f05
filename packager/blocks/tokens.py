"""What both the block reader and the writer ask of markdown-it's tokens: the lesson parser's own
token stream, its top-level blocks with their line ranges, and the shapes that make a block."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from ..markdown import parser
from ..markdown.quiz import _MARK
from ..markdown.rules import media_kind

CLOSE_FENCE = re.compile(r"^\s*:{3,}\s*$")
# a lone medium or attachment: `![alt](target)` / `[text](target)`, the target bare or in <…>
_MEDIA = re.compile(r"!\[(?P<label>.*)\]\((?P<target>[^\s()<>]+|<[^<>\n]*>)\)")
_LINK = re.compile(r"\[(?P<label>.*)\]\((?P<target>[^\s()<>]+|<[^<>\n]*>)\)")


def parse(text: str) -> list[Token]:
    """The lesson parser's tokens for *text* (no lesson around it: nothing is judged or reported)."""
    return parser().parse(text, {})


def one_line(text: str) -> str:
    """*text* on one line, its line breaks as spaces (how an inline field is kept).

    >>> one_line("a\\n  b ")
    'a b'
    """
    return " ".join(part.strip() for part in re.split(r"\r\n|\r|\n", text)).strip()


def top_level(tokens: list[Token]) -> Iterator[tuple[int, int]]:
    """(first, last) token index of each top-level block that has source lines (footnote lists,
    which markdown-it moves to the end, have none: their lines are the text around them)."""
    i = 0
    while i < len(tokens):
        depth, j = 0, i
        for j in range(i, len(tokens)):
            depth += tokens[j].nesting
            if depth <= 0:
                break
        if tokens[i].map is not None and tokens[i].level == 0:
            yield i, j
        i = j + 1


def is_task_item(tokens: list[Token], i: int) -> bool:
    """Whether ``tokens[i]`` opens a list item that starts ``[ ]`` or ``[x]`` (a quiz's option)."""
    return (
        tokens[i].type == "list_item_open"
        and i + 2 < len(tokens)
        and tokens[i + 1].type == "paragraph_open"
        and bool(_MARK.match(tokens[i + 2].content))
    )


def lone_media(tokens: list[Token], i: int, lines: list[str]) -> tuple[str, str, str] | None:
    """(kind, target, label) when the paragraph at ``tokens[i]`` is one line holding only an image,
    video or audio: the format's media block."""
    found = _lone(tokens, i, lines, _MEDIA, "image")
    if found is None:
        return None
    kind = media_kind(urlsplit(found[0]).path)
    return (kind, *found) if kind and not _leaves(found[0]) else None


def lone_attachment(tokens: list[Token], i: int, lines: list[str]) -> tuple[str, str] | None:
    """(target, label) when the paragraph at ``tokens[i]`` is one line holding only a link to a file of
    the course that is not a lesson: the format's attachment block."""
    found = _lone(tokens, i, lines, _LINK, "link_open")
    if found is None or _leaves(found[0]):
        return None
    path = unquote(urlsplit(found[0]).path)
    return found if path and not path.lower().endswith(".md") else None


def _lone(tokens: list[Token], i: int, lines: list[str], shape: re.Pattern[str], first: str) -> tuple[str, str] | None:
    token = tokens[i]
    if token.type != "paragraph_open" or token.map is None or token.map[1] - token.map[0] != 1:
        return None
    children = tokens[i + 1].children or []
    if not children or children[0].type != first:
        return None
    if first == "image" and len(children) != 1:
        return None
    if first == "link_open" and (
        children[-1].type != "link_close" or sum(c.type == "link_open" for c in children) != 1
    ):
        return None
    match = shape.fullmatch(lines[token.map[0]].strip())
    if match is None:
        return None
    target = match["target"]
    return (target[1:-1] if target.startswith("<") else target), match["label"]


def _leaves(target: str) -> bool:
    """A web address, a page anchor or an absolute path: not a file of the course."""
    return bool(urlsplit(target).scheme) or target.startswith(("//", "#", "/"))


def split_row(line: str) -> list[str]:
    """A table row's cells as written (a ``\\|`` stays escaped), without the outer pipes.

    >>> split_row("| a \\\\| b | `c` |")
    ['a \\\\| b', '`c`']
    """
    text = line.strip()
    cells, cell, escaped = [], "", False
    for ch in text:
        if ch == "|" and not escaped:
            cells.append(cell)
            cell = ""
        else:
            cell += ch
        escaped = ch == "\\" and not escaped
    cells.append(cell)
    if text.startswith("|"):
        cells.pop(0)
    if len(cells) > 1 and not cells[-1].strip() and text.endswith("|"):
        cells.pop()
    return [c.strip() for c in cells]
