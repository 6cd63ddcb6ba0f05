"""Translation QA: what a translation must keep of its source, checked entry by entry.

Run by ``kstudio check`` for every catalog (``checks``), each finding as
``translations/hi.po:LINE: error|warning: …``. Errors break the translated lesson (a lost placeholder is a
lost link, a changed code span is a wrong command); warnings are likely mistakes (numbers, emphasis).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator

import polib

from ..errors import Problem, error, warning
from ..model import Course
from . import catalog
from .apply import catalog_file

_PLACEHOLDER = re.compile(r"\]\(\{(\d+)\}\)")
_CODE = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)
_URL = re.compile(r"<(?:https?|mailto|tel):[^>\s]+>|\bhttps?://[^\s<>()]+")
_FOOTNOTE = re.compile(r"\[\^[^\]\s]+\]")
_REF_LINK = re.compile(r"\]\[[^\]]*\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_STRONG = re.compile(r"(?<![*\\])\*\*(?!\*)|(?<![_\\\w])__(?!_)|(?<!_)__(?![_\w])")
_EM = re.compile(r"(?<![*\\])\*(?!\*)")


def check(po: polib.POFile, file: str) -> Iterator[Problem]:
    """Every problem with the translations in *po* (a catalog at course-relative path *file*)."""
    untranslated = 0
    for entry in po:
        if entry.obsolete or not entry.msgctxt:
            continue
        if not entry.msgstr:
            untranslated += 1
            continue
        if entry.fuzzy:  # not used in builds until reviewed; the review sees the source anyway
            continue
        yield from check_entry(entry.msgid, entry.msgstr, entry.msgctxt, file, entry.linenum)
    if untranslated:
        are = "segment is" if untranslated == 1 else "segments are"
        yield warning(file, None, f"{untranslated} {are} not translated yet: see 'kstudio i18n status'")


def check_entry(source: str, text: str, ident: str, file: str, line: int | None) -> Iterator[Problem]:
    kind = ident.split("|")[1] if ident.count("|") >= 2 else ""

    def err(message: str) -> Problem:
        return error(file, line, message)

    def warn(message: str) -> Problem:
        return warning(file, line, message)

    if not _visible(text):
        yield err("empty translation: write the text, or clear it so the source is shown")
        return
    want, got = Counter(_PLACEHOLDER.findall(source)), Counter(_PLACEHOLDER.findall(text))
    for n in sorted(want - got):
        yield err(f"placeholder {{{n}}} is missing: keep '({{{n}}})' right after the link text's ']'")
    for n in sorted(got - want):
        yield err(f"placeholder {{{n}}} is not in the source: a link to it would lead nowhere")
    if source.count("](") != text.count("]("):
        yield err(f"the source has {source.count('](')} links or images, the translation {text.count('](')}")
    for what, pattern in (("code", _CODE), ("web address", _URL), ("footnote", _FOOTNOTE), ("link", _REF_LINK)):
        wanted = Counter(m.group(0) for m in pattern.finditer(source))
        found = Counter(m.group(0) for m in pattern.finditer(text))
        for item in sorted(wanted - found):
            yield err(f"{what} {item} is missing or changed: keep it exactly as in the source")
        for item in sorted(found - wanted):
            yield err(f"{what} {item} is not in the source")
    bare = _CODE.sub("", text)
    if len(_STRONG.findall(bare)) % 2:
        yield warn("unbalanced bold: '**' must open and close")
    elif len(_EM.findall(_STRONG.sub("", bare))) % 2:
        yield warn("unbalanced emphasis: '*' must open and close")
    missing = Counter(_numbers(source)) - Counter(_numbers(text))
    if missing:
        yield warn(f"number {', '.join(sorted(missing))} of the source is not in the translation")
    if kind == "match" and "->" in text:
        yield err("'->' in one side of a match pair splits it in two; write the arrow differently")
    if kind == "answer" and "\n" in text:
        yield err("a fill-in answer must be one line")


def _visible(text: str) -> bool:
    return any(unicodedata.category(c)[0] in "LN" for c in text)


def _numbers(text: str) -> list[str]:
    """The numbers in *text* outside code and link targets, in Western digits (so ५ matches 5)."""
    text = _CODE.sub("", _URL.sub("", _PLACEHOLDER.sub("]()", text)))
    digits = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)
    return [n.replace(",", "") for n in _NUMBER.findall(digits)]


def check_course(course: Course, langs: Iterable[str] | None = None) -> Iterator[Problem]:
    """QA of every catalog of *course* (the ``translations`` check of ``kstudio check``), or of *langs*'."""
    for lang in course.translations if langs is None else langs:
        file = catalog_file(lang)
        path = course.root / file
        if not path.is_file():
            yield warning("course.yml", None, f"no catalog for '{lang}' yet: run 'kstudio i18n update'")
            continue
        try:
            po = catalog.read(path)
        except catalog.CatalogError as exc:
            yield error(file, exc.line, exc.reason)
            continue
        yield from check(po, file)
