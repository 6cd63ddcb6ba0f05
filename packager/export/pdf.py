"""``pdf``: a printable handout of the course (cover, contents, lessons, questions, optional answer key)."""

from __future__ import annotations

from pathlib import Path

from ..model import Course
from ..pdf import write_handout
from .core import package_name


def build(course: Course, out_dir: Path, *, lang: str, answers: bool = False, course_url: str | None = None) -> Path:
    """Write ``<id>-<version>-<lang>-pdf.pdf``; *answers* adds the answer key, *course_url* is where
    video QR codes point (default: the course's ``activity_iri``)."""
    return write_handout(
        course, out_dir / package_name(course, lang, "pdf", "pdf"), lang=lang, answers=answers, course_url=course_url
    )
