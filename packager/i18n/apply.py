"""A translated course: the loader asks a :class:`Translation` for each segment's text.

Only finished translations are used (translated, not fuzzy, made for the current source); anything
else keeps the source text, and ``packager.i18n.course.fallbacks`` lists those for the build report.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problem, error
from ..model import Course
from . import catalog
from .segments import Ids, Segment, course_segments

if TYPE_CHECKING:
    import polib


def catalog_file(lang: str) -> str:
    """The course-relative path of *lang*'s catalog."""
    return f"translations/{lang}.po"


def yml_segments(doc: Any) -> list[Segment]:
    """The segments of course.yml (title, summary, module titles, keywords), from its parsed document."""
    raw = doc.value if doc is not None and isinstance(doc.value, dict) else {}

    def text(value: Any) -> str:
        return value.strip() if isinstance(value, str) else ""

    modules: list[Any] = raw["modules"] if isinstance(raw.get("modules"), list) else []
    keywords: list[Any] = raw["keywords"] if isinstance(raw.get("keywords"), list) else []
    lines = {key: doc.line_of((key,)) or 1 for key in ("title", "summary")} if doc is not None else {}
    return course_segments(
        text(raw.get("title")),
        text(raw.get("summary")),
        [
            (text(m.get("title")), doc.line_of(("modules", n, "title")) or 1)
            for n, m in enumerate(modules)
            if isinstance(m, dict)
        ],
        [(text(k), doc.line_of(("keywords", n)) or 1) for n, k in enumerate(keywords)],
        lines,
    )


@dataclass
class Translation:
    lang: str
    entries: dict[str, polib.POEntry] = field(default_factory=dict)
    digest: str = ""
    """Hash of the catalog file: parsed lessons are cached per catalog."""
    yml: dict[str, str] = field(default_factory=dict)
    """Source text of course.yml -> its translation (title, summary, modules, keywords)."""

    @classmethod
    def open(cls, root: Path, lang: str, doc: Any, problems: list[Problem]) -> Translation:
        """*lang*'s catalog of the course in *root*; problems (a missing or broken catalog) go to *problems*."""
        path = root / catalog_file(lang)
        tr = cls(lang)
        if not path.is_file():
            problems.append(
                error(catalog_file(lang), None, f"no catalog for '{lang}': run 'kstudio i18n update' to create it")
            )
            return tr
        try:
            po = catalog.read(path)
        except catalog.CatalogError as exc:
            problems.append(error(catalog_file(lang), exc.line, exc.reason))
            return tr
        tr.entries = catalog.active(po)
        tr.digest = hashlib.sha256(path.read_bytes()).hexdigest()
        for segment in yml_segments(doc):
            tr.yml[segment.id] = tr.lookup(segment) or segment.source
        return tr

    def lookup(self, segment: Segment) -> str | None:
        entry = self.entries.get(segment.id)
        return entry.msgstr if entry is not None and catalog.usable(entry, segment.source) else None

    def course(self, course: Course) -> Course:
        """*course*'s course.yml fields translated, in language :attr:`lang` (before lessons are added)."""
        ids = Ids("course")
        return replace(
            course,
            title=self.yml.get("course|title", course.title),
            summary=self.yml.get("course|summary", course.summary),
            keywords=[self.yml.get(ids("keyword", k), k) for k in course.keywords],
            language=self.lang,
        )

    def modules(self, titles: list[str]) -> list[str]:
        ids = Ids("course")
        return [self.yml.get(ids("module", t), t) for t in titles]
