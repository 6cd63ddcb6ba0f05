"""Every outside program goes through the runner passed in; the local one runs the real thing."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import pytest

from packager.fonts import system_fonts
from packager.media import MediaSet
from packager.pdf.fonts import installed_families
from packager.runner import LOCAL


class RecordingRunner:
    """The local runner, noting the name of each program it runs."""

    def __init__(self) -> None:
        self.programs: list[str] = []

    def run(self, argv: Sequence[str], *, timeout: float | None = None) -> subprocess.CompletedProcess[bytes]:
        self.programs.append(Path(argv[0]).name)
        return LOCAL.run(argv, timeout=timeout)

    def start(self, argv: Sequence[str], *, stderr: IO[bytes]) -> subprocess.Popen[bytes]:
        self.programs.append(Path(argv[0]).name)
        return LOCAL.start(argv, stderr=stderr)


def test_media_probes_and_encodes_through_the_runner_given(tmp_path, monkeypatch, tiny_media):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # a cold cache: nothing is reused
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
