"""Pseudo-translation for tests: every letter of a segment becomes a Devanagari or Urdu letter, every bit
of markup (code, placeholders, web addresses, emphasis, escapes, entities, footnotes) stays as it was."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from packager.i18n import catalog
from packager.i18n import course as i18n
from packager.load import load_course

LETTERS = {
    "hi": "कखगघचछजझटठडढतथदधनपफबभमयरलवशसह",
    "ur": "ابپتٹثجچحخدڈذرڑزژسشصضطظعغفقکگلمن",
}
# Kept as written: code spans, link placeholders, autolinks and bare URLs, footnote references,
# entities and backslash escapes.
_KEEP = re.compile(
    r"(`+).+?(?<!`)\1(?!`)|\]\(\{\d+\}\)|<[a-z]+:[^>\s]+>|https?://[^\s<>()]+|\[\^[^\]\s]+\]|&#?\w+;|\\.",
    re.S,
)


def pseudo(text: str, lang: str) -> str:
    letters = LETTERS[lang]

    def swap(piece: str) -> str:
        return "".join(letters[(ord(c.lower()) - 97) % len(letters)] if "a" <= c.lower() <= "z" else c for c in piece)

    out, pos = [], 0
    for match in _KEEP.finditer(text):
        out += [swap(text[pos : match.start()]), match.group(0)]
        pos = match.end()
    out.append(swap(text[pos:]))
    return "".join(out)


def pseudo_course(source: Path, target: Path, langs: tuple[str, ...] = ("hi", "ur")) -> Path:
    """A copy of the course at *source* in *target*, with complete pseudo-translated catalogs."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("translations"))
    course = load_course(target, use_cache=False)
    course.translations = list(langs)
    i18n.update(course, list(langs))
    for lang in langs:
        path = i18n.catalog_path(course, lang)
        po = catalog.read(path)
        for entry in po:
            entry.msgstr = pseudo(entry.msgid, lang)
        catalog.write(po, path)
    text = (target / "course.yml").read_text("utf-8")
    if "translations:" not in text:
        (target / "course.yml").write_text(
            text.replace("\nlanguage:", f"\ntranslations: [{', '.join(langs)}]\nlanguage:", 1)
        )
    return target
