"""Karmayogi Studio's library: a course folder -> a checked model -> learner packages.

The pipeline, one module a stage: ``load`` (folder -> :class:`Course`), ``checks`` (problems),
``render`` (the learner player's files), ``export`` (a package per format); ``build`` runs them all,
once per language, for every caller. No web framework here.
"""

from __future__ import annotations

from .build import BuildReport, build, export
from .checks import check_course
from .errors import CourseError, ExportError, Problem, StudioError
from .export import FORMATS
from .load import load_course
from .model import Course
from .preview import preview_lesson
from .render import render_player

__all__ = [
    "FORMATS",
    "BuildReport",
    "Course",
    "CourseError",
    "ExportError",
    "Problem",
    "StudioError",
    "build",
    "check_course",
    "export",
    "load_course",
    "preview_lesson",
    "render_player",
]
__version__ = "0.1.0"
