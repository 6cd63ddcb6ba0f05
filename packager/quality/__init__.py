"""The quality pre-check: the measurable parts of iGOT's content quality scorecard and of GIGW 3.0.

``check_quality(course)`` returns a :class:`QualityReport`: per criterion a score, what was measured and
the items to fix (``Problem``s with file and line; errors fail the pre-check and the catalogue's gate,
warnings are advice). ``certification(course, report)`` writes the self-certification draft a partner
submits. A new criterion is one function ``(Course, Scope) -> Criterion`` in the module of its kind
(:mod:`.access`, :mod:`.assessment`, :mod:`.credits`, :mod:`.text`) and one entry in :data:`CRITERIA`;
which of its findings are errors and which advice is said in its module and in docs/igot.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..model import Course
from . import access, assessment, credits, text
from .certificate import certification
from .report import Criterion, QualityReport
from .scope import Scope

Measure = Callable[[Course, Scope], Criterion]

CRITERIA: list[tuple[str, Measure]] = [
    ("captions", access.captions),
    ("transcripts", access.transcripts),
    ("alt-text", access.alt_text),
    ("durations", assessment.durations),
    ("objectives", assessment.objectives),
    ("competencies", assessment.competencies),
    ("media-licences", credits.media_licences),
    ("personal-data", text.personal_data),
    ("reading-level", text.reading_level),
]


def check_quality(course: Course, langs: Iterable[str] = ()) -> QualityReport:
    """Measure every criterion of :data:`CRITERIA` for *course*; *langs* are the languages built (default:
    the course's own and every translation). Personal data and alt text are checked in every catalog."""
    chosen = list(dict.fromkeys(langs)) or [course.language, *course.translations]
    scope = Scope(chosen, _catalogs(course))
    report = QualityReport(f"{course.id} {course.version}", chosen)
    report.criteria = [measure(course, scope) for _, measure in CRITERIA]
    return report


def _catalogs(course: Course) -> dict[str, Any]:
    """Each translation's catalog, or None where it cannot be read (``kstudio check`` says why)."""
    if not course.translations:
        return {}
    from ..i18n import catalog  # polib: loaded by a translated course only

    found: dict[str, Any] = {}
    for lang in course.translations:
        path = course.root / "translations" / f"{lang}.po"
        try:
            found[lang] = catalog.read(path) if path.is_file() else None
        except catalog.CatalogError:
            found[lang] = None
    return {lang: po for lang, po in found.items() if po is not None}


__all__ = ["CRITERIA", "Criterion", "QualityReport", "certification", "check_quality"]
