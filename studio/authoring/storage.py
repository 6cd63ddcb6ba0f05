"""Course folders on disk: where they live, which files may be edited, and atomic writes."""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from flask import current_app

from ..models import CourseRecord

EDITABLE = (".md", ".yml", ".yaml", ".vtt")
REVISIONED = (*EDITABLE, ".po")  # catalogs are saved by the translator's workspace, not the text editor
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class PathError(ValueError):
    """A path that is not a file of the course the studio may touch."""


def courses_root() -> Path:
    return Path(current_app.config["COURSES_ROOT"])


def course_dir(course: CourseRecord) -> Path:
    return courses_root() / course.organisation.slug / course.slug


def clean_path(path: str, *, suffixes: tuple[str, ...] = EDITABLE) -> str:
    """*path* as a normalised course-relative path, or PathError: no '..', no absolute paths, no dot files."""
    if "\\" in path or "\0" in path:
        raise PathError(f"'{path}' is not a course file name")
    norm = posixpath.normpath(path.strip())
    parts = norm.split("/")
    if norm.startswith("/") or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        raise PathError(f"'{path}' is not a course file name")
    if not norm.lower().endswith(suffixes):
        raise PathError(f"'{path}' is not a file the studio edits ({', '.join(suffixes)})")
    return norm


def course_file(course: CourseRecord, path: str, *, suffixes: tuple[str, ...] = REVISIONED) -> Path:
    """The file *path* inside the course folder; symlinks that lead outside are refused too."""
    root = course_dir(course).resolve()
    target = (root / clean_path(path, suffixes=suffixes)).resolve()
    if not target.is_relative_to(root):
        raise PathError(f"'{path}' leads outside the course")
    return target


def editable_files(course: CourseRecord) -> list[str]:
    root = course_dir(course)
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.lower().endswith(EDITABLE) and not name.startswith("."):
                out.append(Path(dirpath, name).relative_to(root).as_posix())
    return out
