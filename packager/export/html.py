"""``html``: the offline learner site, opened from the file system; progress stays in the browser."""

from __future__ import annotations

from pathlib import Path

from .core import Rendering, ZipPackage, package_name


def build(rendering: Rendering, out_dir: Path) -> Path:
    path = out_dir / package_name(rendering.course, rendering.lang, "html")
    with ZipPackage(path) as package:
        for file in rendering.player().files():
            package.add(file)
    return path
