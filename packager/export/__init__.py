"""Packages, one small module per format, all with one signature, in one table (``packager.build`` runs them).

``build(rendering, out_dir, **options) -> Path`` writes one package of ``rendering.course`` in
``rendering.lang`` and returns its path; the :class:`~packager.export.core.Rendering` of a language is
shared by every format of a build, so the lesson pages are rendered once for all of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from ..errors import ExportError
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


__all__ = ["FORMATS", "languages"]
