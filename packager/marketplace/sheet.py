"""The catalogue in iGOT's forms: the content partner sheet (CSV) and ``igot-metadata.json`` per course.

iGOT lists an external partner's courses from a sheet with the columns in :data:`COLUMNS` (see
../shared/spec/field-notes.md). Course text comes from partners, and the sheet is opened in spreadsheet
programs, so a cell that would start a formula (``=``, ``+``, ``-``, ``@``, tab, CR) is written with a
leading apostrophe: shown as text, never run (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..export import igot, scorm
from ..model import Course

COLUMNS = ("name", "description", "duration", "redirectUrl", "appIcon", "externalId", "objectives", "source", "status")
STATUSES = {"live": "Live", "draft": "Draft", "retired": "Retired"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Listing:
    """One published course as the catalogue lists it."""

    course: Course
    url: str
    """Where a learner's platform opens the course (its catalogue page)."""
    icon_url: str = ""
    status: str = "live"


def row(listing: Listing) -> dict[str, str]:
    c = listing.course
    objectives = [o for lesson in c.lessons for o in lesson.objectives]
    return {
        "name": c.title,
        "description": c.summary,
        "duration": str(scorm.learning_seconds(c)),
        "redirectUrl": listing.url,
        "appIcon": listing.icon_url,
        "externalId": f"{c.provider.id}:{c.id}",
        "objectives": "; ".join(dict.fromkeys(objectives)),  # in order, each once
        "source": c.provider.name,
        "status": STATUSES.get(listing.status, listing.status.title()),
    }


def partner_sheet(listings: Iterable[Listing]) -> str:
    """The content partner catalogue sheet as CSV text (UTF-8, one row per course, header first).

    >>> print(partner_sheet([]), end="")
    name,description,duration,redirectUrl,appIcon,externalId,objectives,source,status
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for listing in listings:
        writer.writerow({k: _cell(v) for k, v in row(listing).items()})
    return out.getvalue()


def _cell(value: str) -> str:
    """*value* made safe for a spreadsheet: a would-be formula is kept as text.

    >>> _cell("=HYPERLINK(\\"http://x\\")"), _cell("-5 days"), _cell("Plain")
    ('\\'=HYPERLINK("http://x")', "'-5 days", 'Plain')
    """
    return "'" + value if value.startswith(_FORMULA_START) else value


def igot_metadata(course: Course, lang: str, icon_url: str | None = None) -> dict[str, Any]:
    """``igot-metadata.json`` of a course: the same fields the igot package writes beside itself."""
    return igot.metadata(course, lang, icon_url)
