"""Lesson Markdown: one configured markdown-it parser plus our rules and container handlers.

CommonMark + GFM tables, strikethrough and footnotes. Every ``:::`` fence becomes a ``container_ks``
token; the kind (``note``, ``quiz``, …) is looked up in :data:`CONTAINERS` by ``lesson.py``, so a new
block kind is one small module and one table entry.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from types import SimpleNamespace

from markdown_it import MarkdownIt, helpers
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote.index import footnote_ref

from ..i18n.segments import translate_rule
from ..model import Block
from . import budget, callout, quiz, reflection, rules
from .context import Container, Context
from .env import LessonEnv
from .linklabel import guard_footnote_ref, parse_link_label

ContainerHandler = Callable[[Container, Context], Block]

CONTAINERS: dict[str, ContainerHandler] = {
    "note": callout.parse,
    "tip": callout.parse,
    "warning": callout.parse,
    "important": callout.parse,
    "reflection": reflection.parse,
    "quiz": quiz.parse,
    "check": quiz.parse,
}


@lru_cache(maxsize=2)
def parser(budgeted: bool = False) -> MarkdownIt:
    """The lesson parser (built once; markdown-it parsers are reusable and thread-safe to render).
    *budgeted*: with the CPU budget's rules (the live preview's); without, a build's parse does not
    call them at every line and inline position (about 60 calls a lesson's paragraph)."""
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    # this parser's link and image rules scan labels in linear time (see linklabel.py); other parsers
    # in the process keep markdown-it's own helpers
    md.helpers = SimpleNamespace(  # type: ignore[assignment]
        parseLinkLabel=parse_link_label,
        parseLinkDestination=helpers.parseLinkDestination,
        parseLinkTitle=helpers.parseLinkTitle,
    )
    md.enable(["table", "strikethrough"])
    # footnotes are [^label] with a definition; the plugin's inline ^[…] notes are not part of the
    # format, and each '^[' cost a nested label walk (40 µs a character on '^[^[^[…]')
    footnote_plugin(md, inline=False)
    md.inline.ruler.at("footnote_ref", guard_footnote_ref(footnote_ref))
    container_plugin(md, "ks", validate=lambda params, markup: True)
    rules.install(md)
    md.core.ruler.after("block", "ks_translate", translate_rule)  # a translated build's text, before inline
    if budgeted:
        budget.install(md)  # last, so its rules run first
    return md


__all__ = ["CONTAINERS", "LessonEnv", "parser"]
