"""The media pipeline: probe, check and convert a course's video, audio, images and captions.

Partners' files become what plays on a low-end phone over a slow network:

- video: H.264/AAC MP4 with ``faststart`` at most 720p, a low rendition (360p, about 400 kbit/s) when it saves data, an
  audio-only rendition for 2G and a poster frame, loudness normalised (``transcode.py``);
- audio: AAC at a speech-friendly rate, plus a low rendition;
- images: at most 1600 px wide and a phone width (photos, not diagrams), metadata stripped, WebP beside
  them (``images.py``);
- captions: WebVTT checked, SRT converted (``captions.py``).

Every output is kept in a content-addressed cache shared by all builds (``store.py``), so a rebuild
with unchanged media converts nothing. Modules, in pipeline order: ``probe``, ``pipeline`` (names the
outputs, makes them in parallel), ``report`` (package sizes), ``progress`` (events for a UI).
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..runner import LOCAL, Runner
from .progress import ProgressEvent, progress_to
from .report import DEFAULT_BUDGET_MB, SizeReport, size_report

if TYPE_CHECKING:
    from .pipeline import Item, MediaError, MediaSet, Output
    from .probe import MediaInfo

# The pipeline's names are imported on first use (PEP 562): a build of a course without media, and
# every command that only reports sizes or progress, never loads the converters, ffprobe's reader or
# Pillow. (``probe`` the function is imported from ``media.probe``, the module of the same name.)
_LAZY = {name: "pipeline" for name in ("Item", "MediaError", "MediaSet", "Output")} | {"MediaInfo": "probe"}

__all__ = [
    "DEFAULT_BUDGET_MB",
    "Item",
    "MediaError",
    "MediaInfo",
    "MediaSet",
    "Output",
    "ProgressEvent",
    "SizeReport",
    "progress_to",
    "running_minutes",
    "size_report",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def running_minutes(root: Path, refs: Iterable[object], runner: Runner = LOCAL) -> float:
    """Minutes of video and audio among *refs* (``MediaRef``s), each file counted once; unusable ones count 0.
    *runner* runs ffprobe."""
    from .probe import probe

    seen: set[str] = set()
    seconds = 0.0
    for ref in refs:
        kind, src = getattr(ref, "kind", ""), getattr(ref, "src", "")
        if kind in ("video", "audio") and src not in seen and (root / src).is_file():
            seen.add(src)
            info = probe(root / src, kind, runner)
            seconds += 0.0 if info.error else info.duration
    return seconds / 60
