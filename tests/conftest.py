"""Shared fixtures: small courses written from text, and the sample course."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_courses" / "karmayogi-prarambh"

COURSE_YML = """\
id: test-course
version: 1.0.0
title: Test course
summary: A course for tests.
language: en
provider: {id: test, name: Test Institute}
completion: {lessons: all}
modules:
  - title: Module one
    lessons: [lessons/a.md]
"""

LESSON = """\
---
title: Lesson A
minutes: 5
---
Hello.
"""


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), "utf-8")
    return root


@pytest.fixture
def make_course(tmp_path: Path) -> Callable[..., Path]:
    """``make_course(**files)`` writes a course (defaults: a valid course.yml and lessons/a.md)."""

    def make(files: dict[str, str | bytes] | None = None, **kw: str) -> Path:
        root = tmp_path / "course"
        contents: dict[str, str | bytes] = {"course.yml": COURSE_YML, "lessons/a.md": LESSON}
        contents.update(files or {})
        return write(root, contents)

    return make


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test run gets its own lesson cache, so tests never see another run's parses."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="session")
def tiny_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Real, tiny media files (a PNG, a 1 s MP4 with sound, a 1 s MP3): the media checks probe them."""
    import io
    import subprocess

    from PIL import Image

    folder = tmp_path_factory.mktemp("tiny-media")
    png = io.BytesIO()
    Image.new("RGB", (8, 6), (20, 45, 84)).save(png, "PNG")
    lavfi = ["-f", "lavfi", "-i", "testsrc2=size=64x36:rate=10", "-f", "lavfi", "-i", "sine=frequency=440"]
    for name, args in {
        "v.mp4": [*lavfi, "-t", "1", "-c:v", "libx264", "-c:a", "aac", "-pix_fmt", "yuv420p"],
        "a.mp3": ["-f", "lavfi", "-i", "sine=frequency=440", "-t", "1", "-c:a", "libmp3lame"],
    }.items():
        subprocess.run(["ffmpeg", "-v", "error", "-y", *args, str(folder / name)], check=True)
    return {"png": png.getvalue(), "mp4": (folder / "v.mp4").read_bytes(), "mp3": (folder / "a.mp3").read_bytes()}
