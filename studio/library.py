"""Finding courses in the configured folder; a course is only ever named by its folder's name."""

from __future__ import annotations

import re
from pathlib import Path

from flask import abort, current_app

from packager import Course, load_course

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def course_root() -> Path:
    return Path(current_app.config["COURSES_DIR"])


def course_folders() -> list[Path]:
    root = course_root()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "course.yml").is_file() and _NAME.match(p.name))


def open_course(name: str) -> Course:
    """The course in folder *name*, or 404 (names are matched, never joined blindly into paths)."""
    if not _NAME.match(name):
        abort(404)
    folder = course_root() / name
    if not (folder / "course.yml").is_file():
        abort(404)
    return load_course(folder)
