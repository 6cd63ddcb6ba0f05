"""Packages, one small module per format, all with one signature, in one table.

``build(course, out_dir, *, lang) -> Path`` writes one package and returns its path.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..checks import check_course
from ..errors import CourseError, ExportError, has_errors
from ..model import Course
from . import html

Builder = Callable[..., Path]

FORMATS: dict[str, Builder] = {
    "html": html.build,
}


def export(course: Course, fmt: str, out_dir: str | os.PathLike[str], **options: Any) -> Path:
    """Write *course* as a *fmt* package into *out_dir*; returns the package's path.

    Raises :class:`ExportError` for an unknown format and :class:`CourseError` when the course has errors.
    """
    builder = FORMATS.get(fmt)
    if builder is None:
        raise ExportError(f"unknown format '{fmt}'; known formats: {', '.join(FORMATS)}")
    problems = check_course(course)
    if has_errors(problems):
        raise CourseError(problems)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return builder(course, out, **options)


__all__ = ["FORMATS", "export"]
