"""``pdf``: a printable handout of the course (cover, contents, lessons, questions, optional answer key)."""

from __future__ import annotations

from pathlib import Path

from ..pdf import write_handout
from .core import Rendering, package_name


def build(rendering: Rendering, out_dir: Path, *, answers: bool = False, course_url: str | None = None) -> Path:
    """Write ``<id>-<version>-<lang>-pdf.pdf``; *answers* adds the answer key, *course_url* is where
    video QR codes point (default: the course's ``activity_iri``)."""
    course, lang = rendering.course, rendering.lang
    path = out_dir / package_name(course, lang, "pdf", "pdf")
    return write_handout(course, path, lang=lang, answers=answers, course_url=course_url, runner=rendering.runner)
