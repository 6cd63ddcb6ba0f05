"""Packages, one small module per format, all with one signature, in one table.

``build(course, out_dir, *, lang, **options) -> Path`` writes one package and returns its path.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..checks import check_course
from ..errors import CourseError, ExportError, has_errors
from ..i18n.course import require_catalog
from ..load import load_course
from ..model import Course

Builder = Callable[..., Path]


class Formats(Mapping[str, Builder]):
    """Format name -> its module's ``build``, imported on first use: a build pays only for its own format
    (the PDF code alone brings WeasyPrint), and ``kstudio`` starts fast."""

    def __init__(self, modules: dict[str, str]):
        self._modules = modules

    def __getitem__(self, name: str) -> Builder:
        module = importlib.import_module(f"{__name__}.{self._modules[name]}")
        return module.build  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


FORMATS = Formats(
    {
        "html": "html",
        "scorm12": "scorm12",
        "scorm2004": "scorm2004",
        "igot": "igot",
        "xapi": "xapi",
        "cmi5": "cmi5",
        "pdf": "pdf",
    }
)


def languages(course: Course, lang: str | None = None) -> list[str]:
    """The languages a build of *course* makes for ``--lang`` *lang* (``None``: the course's own; ``all``:
    it and every language in ``translations:``)."""
    available = [course.language, *(t for t in course.translations if t != course.language)]
    if lang is None:
        return available[:1]
    if lang == "all":
        return available
    if lang not in available:
        raise ExportError(f"no '{lang}' version of course '{course.id}'; it is available in: {', '.join(available)}")
    return [lang]


def export(
    course: Course,
    fmt: str,
    out_dir: str | os.PathLike[str],
    *,
    lang: str | None = None,
    fonts: bool = True,
    **options: Any,
) -> Path:
    """Write *course* as a *fmt* package in language *lang* into *out_dir*; returns the package's path.

    Another language than the course's own is built from ``translations/<lang>.po`` (untranslated text
    stays in the source language: see ``packager.i18n.course.fallback_problems``). *fonts* False leaves
    the subset webfonts out of the player (see ``packager.fonts``).

    Raises :class:`ExportError` for an unknown format or language and :class:`CourseError` when the
    course has errors.
    """
    builder = FORMATS.get(fmt)
    if builder is None:
        raise ExportError(f"unknown format '{fmt}'; known formats: {', '.join(FORMATS)}")
    if lang == "all":
        raise ExportError("export() builds one language; call it once for each of languages(course, 'all')")
    lang = languages(course, lang)[0]
    translated = lang != course.language
    if translated:
        require_catalog(course, lang)
        course = load_course(course.root, lang=lang)
    if not fonts:
        course = replace(course, ship_fonts=False)
    # another language's catalog does not stop this build (kstudio check reports it)
    problems = check_course(course, translations=[lang] if translated else [])
    if has_errors(problems):
        raise CourseError(problems)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return builder(course, out, lang=lang, **options)


__all__ = ["FORMATS", "export", "languages"]
