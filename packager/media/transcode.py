"""ffmpeg runs: one function turns (input, probe, rendition settings) into an argv, one runs it.

The argv is built by ffmpeg-python (a list, never a shell line). Inputs are named ``file:/abs/path``
so a name cannot be read as an option or a protocol, and only local files and the expected demuxers
are allowed. Each run has a time limit and reports its progress from ffmpeg's ``-progress`` output.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..runner import LOCAL, Runner
from .probe import DEMUXERS, MediaInfo, ffmpeg_input

LOUDNORM = {"I": -16, "TP": -1.5, "LRA": 11}  # EBU R128-style target for speech on phone speakers

# Each rendition's settings are part of its cache key: change one and only those outputs are redone.
RENDITIONS: dict[str, dict[str, Any]] = {
    "video": {
        "box": [1280, 720],
        "fps": 30,
        "crf": 23,
        "maxrate": 1500,
        "preset": "medium",
        "audio_kbps": 96,
        "ar": 48000,
    },
    "low": {
        "box": [640, 360],
        "fps": 25,
        "crf": 28,
        "maxrate": 300,
        "preset": "medium",
        "audio_kbps": 64,
        "ar": 44100,
        "mono": True,
    },
    "audio": {"audio_kbps": 32, "ar": 24000, "mono": True},  # 2G: speech stays clear at 32 kbit/s
    "speech": {"audio_kbps": 64, "ar": 44100, "mono": True},
    "poster": {"box": [1280, 720], "quality": 4},
}


class TranscodeError(Exception):
    """ffmpeg failed or ran out of time; the message names the reason, not a traceback."""


@dataclass(frozen=True)
class Run:
    argv: list[str]
    duration: float
    timeout: float


def fit(width: int, height: int, box: list[int]) -> tuple[int, int]:
    """The largest even size within *box* (long side, short side) keeping the aspect ratio; never upscales.

    >>> fit(1920, 1080, [1280, 720]), fit(1080, 1920, [1280, 720]), fit(321, 241, [1280, 720])
    ((1280, 720), (720, 1280), (320, 240))
    """
    long_side, short_side = max(width, height), min(width, height)
    scale = min(1.0, box[0] / long_side, box[1] / short_side)
    return max(2, int(width * scale / 2) * 2), max(2, int(height * scale / 2) * 2)


def plan(rendition: str, src: Path, dst: Path, info: MediaInfo, threads: int = 0) -> Run:
    """The ffmpeg run that makes *rendition* of *src* into *dst*."""
    import ffmpeg  # ffmpeg-python (and its Python 2 shims) only when something is transcoded

    s = RENDITIONS[rendition]
    options: dict[str, Any] = {"protocol_whitelist": "file", "format_whitelist": DEMUXERS}
    if rendition == "poster":
        options["ss"] = round(min(1.0, info.duration / 2), 3)
    source = ffmpeg.input(ffmpeg_input(src), **options)
    streams: list[Any] = []
    out: dict[str, Any] = {"map_metadata": -1, "map_chapters": -1, "threads": threads, "fflags": "+bitexact"}
    if rendition in ("video", "low", "poster") and info.has_video:
        w, h = fit(info.width, info.height, s["box"])
        video = source["V:0"]
        if rendition != "poster":
            video = video.filter("fps", fps=str(_fps(info.fps, s["fps"])))
        streams.append(video.filter("scale", w, h).filter("setsar", 1))
    if rendition == "poster":
        out.update({"frames:v": 1, "q:v": s["quality"], "f": "image2", "update": 1})
    else:
        if rendition in ("video", "low"):
            rate = s["maxrate"]
            out.update(
                vcodec="libx264",
                preset=s["preset"],
                crf=s["crf"],
                maxrate=f"{rate}k",
                bufsize=f"{rate * 2}k",
                pix_fmt="yuv420p",
                movflags="+faststart",
                **{"profile:v": "main", "x264-params": "keyint=150:min-keyint=25"},
            )
        if info.has_audio:
            layout = "mono" if s.get("mono") or info.channels == 1 else "stereo"
            audio = (
                source["a:0"]
                .filter("loudnorm", **LOUDNORM)  # works at 192 kHz: resample after it
                .filter("aresample", s["ar"])
                .filter("aformat", sample_rates=s["ar"], channel_layouts=layout)
            )
            streams.append(audio)
            out.update(acodec="aac", **{"b:a": f"{audio_kbps(rendition, info)}k"})
        if rendition in ("audio", "speech"):
            out.update(movflags="+faststart", f="mp4")
    argv = ffmpeg.output(*streams, str(dst), **out).compile()
    # global options go first: ffmpeg ignores options after the last output file
    argv[1:1] = ["-nostdin", "-hide_banner", "-loglevel", "error", "-nostats", "-progress", "pipe:1", "-y"]
    # a generous limit: an honest encode of a file runs far faster than 20x its length
    return Run(argv, info.duration, 120 + 20 * info.duration)


def low_saves(info: MediaInfo) -> bool:
    """Whether a low rendition would be smaller than the standard one: not when the source already fits
    the low rendition's frame and rate (re-encoding such a file only spends the learner's data again).

    >>> low_saves(MediaInfo("video", size=110_000, duration=13, width=640, height=360))
    False
    >>> low_saves(MediaInfo("video", size=110_000, duration=13, width=1280, height=720))
    True
    """
    low = RENDITIONS["low"]
    fits = fit(info.width, info.height, low["box"]) == (info.width - info.width % 2, info.height - info.height % 2)
    return not fits or info.kbps > low["maxrate"] + low["audio_kbps"]


def audio_kbps(rendition: str, info: MediaInfo) -> int:
    """The rendition's audio rate, never above the source's: re-encoding adds no quality, only bytes.

    >>> audio_kbps("speech", MediaInfo("audio", audio_kbps=32)), audio_kbps("speech", MediaInfo("audio"))
    (32, 64)
    """
    wanted = int(RENDITIONS[rendition]["audio_kbps"])
    return max(16, min(wanted, info.audio_kbps)) if info.audio_kbps else wanted


def _fps(source: float, cap: int) -> Fraction:
    """Keep the source rate (23.976, 25…) when under the cap; variable or odd rates become constant."""
    if source <= 0 or source > cap:
        return Fraction(cap)
    return Fraction(source).limit_denominator(1001)


def execute(run: Run, on_progress: Callable[[float], None] | None = None, runner: Runner = LOCAL) -> None:
    """Run ffmpeg; raises :class:`TranscodeError` on failure or when the time limit passes."""
    with tempfile.TemporaryFile() as errors:
        proc = runner.start(run.argv, stderr=errors)
        timer = threading.Timer(run.timeout, proc.kill)
        timer.start()
        started = time.monotonic()
        try:
            assert proc.stdout is not None
            for raw in proc.stdout:
                key, _, value = raw.decode("ascii", "replace").strip().partition("=")
                if key == "out_time_us" and on_progress and run.duration > 0 and value.isdigit():
                    on_progress(min(1.0, int(value) / 1e6 / run.duration))
            code = proc.wait()
        finally:
            timer.cancel()
        if code != 0:
            if time.monotonic() - started >= run.timeout:
                raise TranscodeError(f"ffmpeg took longer than {run.timeout:.0f} s")
            errors.seek(0)
            lines = [ln for ln in errors.read().decode("utf-8", "replace").splitlines() if ln.strip()]
            raise TranscodeError(f"ffmpeg failed: {lines[-1][:200] if lines else f'exit code {code}'}")
