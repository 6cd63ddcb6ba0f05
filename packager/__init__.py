"""Karmayogi Studio's library: a course folder -> a checked model -> learner packages.

The pipeline, one module a stage: ``load`` (folder -> :class:`Course`), ``checks`` (problems),
``render`` (the learner player's files), ``export`` (a package per format). No web framework here.
"""

from __future__ import annotations

from .checks import check_course
from .errors import CourseError, ExportError, Problem, StudioError
from .export import FORMATS, export
from .load import load_course
from .model import Course
from .render import render_player

__all__ = [
    "FORMATS",
    "Course",
    "CourseError",
    "ExportError",
    "Problem",
    "StudioError",
    "check_course",
    "export",
    "load_course",
    "render_player",
]
__version__ = "0.1.0"
