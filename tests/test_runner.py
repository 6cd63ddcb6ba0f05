"""Every outside program goes through the runner passed in; the local one runs the real thing."""

from __future__ import annotations

import importlib
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import pytest

from packager import build
from packager.fonts import system_fonts
from packager.media import MediaSet
from packager.pdf.fonts import installed_families
from packager.runner import LOCAL, LocalRunner
from tests.conftest import write

RUN, START = LocalRunner.run, LocalRunner.start  # the real thing, whatever a test patches


class RecordingRunner:
    """The local runner, noting the name of each program it runs."""

    def __init__(self) -> None:
        self.programs: list[str] = []

    def run(self, argv: Sequence[str], *, timeout: float | None = None) -> subprocess.CompletedProcess[bytes]:
        self.programs.append(Path(argv[0]).name)
        return RUN(LOCAL, argv, timeout=timeout)

    def start(self, argv: Sequence[str], *, stderr: IO[bytes]) -> subprocess.Popen[bytes]:
        self.programs.append(Path(argv[0]).name)
        return START(LOCAL, argv, stderr=stderr)


def test_media_probes_and_encodes_through_the_runner_given(tmp_path, monkeypatch, tiny_media):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # a cold cache: nothing is reused
    monkeypatch.setattr(importlib.import_module("packager.media.probe"), "_MEMO", {})  # nor probed in this worker
    (tmp_path / "clip.mp4").write_bytes(tiny_media["mp4"])
    runner = RecordingRunner()
    media = MediaSet(tmp_path, {"clip.mp4": "video"}, runner=runner)
    assert runner.programs == ["ffprobe"]
    names = [o.name for o in media.items["clip.mp4"].outputs]
    made = dict(media.files(names))
    assert all(path.stat().st_size > 0 for path in made.values())
    assert runner.programs.count("ffmpeg") == media.made > 0
    assert set(runner.programs) == {"ffprobe", "ffmpeg"}


@pytest.mark.parametrize("lookup", [system_fonts, installed_families])
def test_font_lookups_ask_fontconfig_through_the_runner_given(lookup):
    runner = RecordingRunner()
    assert lookup(runner)  # the machine has fonts installed (see docs/developers.md)
    assert runner.programs == ["fc-list"]


HINDI_VIDEO_COURSE = {
    "course.yml": """\
        id: hindi-video
        version: 1.0.0
        title: शिकायत
        summary: शिकायत का उत्तर कैसे दें।
        language: hi
        provider: {id: test, name: Test Institute}
        modules:
          - title: उत्तर
            lessons: [lessons/a.md]
        """,
    "lessons/a.md": "---\ntitle: पहला\n---\nपाठ।\n\n![स्वागत](media/clip.mp4)\n",
}


def test_a_build_runs_every_outside_program_through_the_runner_given(tmp_path, monkeypatch, tiny_media):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # a cold cache: every program runs
    monkeypatch.setattr(importlib.import_module("packager.media.probe"), "_MEMO", {})  # nothing probed yet
    system_fonts.cache_clear()
    installed_families.cache_clear()
    strays: list[str] = []  # programs run by the default runner instead
    monkeypatch.setattr(LocalRunner, "run", lambda self, argv, **kw: strays.append(argv[0]) or RUN(self, argv, **kw))
    monkeypatch.setattr(
        LocalRunner, "start", lambda self, argv, **kw: strays.append(argv[0]) or START(self, argv, **kw)
    )
    root = write(tmp_path / "course", {**HINDI_VIDEO_COURSE, "media/clip.mp4": tiny_media["mp4"]})
    runner = RecordingRunner()
    report = build(root, ["html", "pdf"], None, tmp_path / "out", runner=runner)
    assert report.ok, [f.line() for f in report.failures]
    assert strays == []
    assert set(runner.programs) == {"ffprobe", "ffmpeg", "fc-list"}  # probes, renditions, webfonts and the PDF's fonts
