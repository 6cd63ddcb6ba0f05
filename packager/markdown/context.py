"""What a container handler gets: the tokens inside its fence and ways to render them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .env import LessonEnv

_SLUG = re.compile(r"[^A-Za-z0-9_-]+")


def slug(text: str) -> str:
    """An identifier safe in HTML ids, file names and LMS interaction ids.

    >>> slug("lessons/01 why.md")
    'lessons-01-why-md'
    """
    return _SLUG.sub("-", text).strip("-") or "x"


@dataclass
class Container:
    kind: str
    params: str
    """Everything after the kind on the opening ``:::`` line."""
    tokens: list[Token]
    """The tokens between the opening and closing fence."""
    line: int
    """0-based line of the opening fence within the body."""


@dataclass
class Context:
    md: MarkdownIt
    env: LessonEnv
    lesson_slug: str
    counters: dict[str, int] = field(default_factory=dict)
    mdenv: dict = field(default_factory=dict)
    """The env mapping markdown-it passes to rules (footnotes keep their state in it too)."""

    def __post_init__(self) -> None:
        self.mdenv["ks"] = self.env

    def next_number(self, what: str) -> int:
        self.counters[what] = self.counters.get(what, 0) + 1
        return self.counters[what]

    def render(self, tokens: Sequence[Token]) -> str:
        return self.md.renderer.render(tokens, self.md.options, self.mdenv)

    def render_inline(self, children: Sequence[Token]) -> str:
        return self.md.renderer.renderInline(children, self.md.options, self.mdenv)  # type: ignore[attr-defined,no-any-return]

    def text(self, children: Sequence[Token]) -> str:
        return "".join(c.content for c in children if c.type in ("text", "code_inline")).strip()


def parse_params(params: str) -> tuple[dict[str, str], list[str]]:
    """Split ``key=value`` words and bare words.

    >>> parse_params(" pass=80 draw=4  multiple")
    ({'pass': '80', 'draw': '4'}, ['multiple'])
    """
    options: dict[str, str] = {}
    words: list[str] = []
    for word in params.split():
        key, eq, value = word.partition("=")
        if eq:
            options[key] = value
        else:
            words.append(word)
    return options, words
