"""``html``: the offline learner site, opened from the file system; progress stays in the browser."""

from __future__ import annotations

from pathlib import Path

from ..model import Course
from ..render import Player
from .core import ZipPackage, package_name


def build(course: Course, out_dir: Path, *, lang: str) -> Path:
    path = out_dir / package_name(course, lang, "html")
    with ZipPackage(path) as package:
        for file in Player(course).files():
            package.add(file)
    return path
