"""A course's media -> the files learners get, made in parallel and kept in the content-addressed cache.

:func:`outputs_for` is pure: from a probed source it names every output (its package path, the
rendition and its size), so lessons can be rendered before anything is transcoded. :class:`MediaSet`
then makes the outputs that are not in the cache yet, on every core, and hands back cache paths in
the order asked for, so a package streams them straight from the cache.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..runner import LOCAL, Runner
from . import images, store, transcode
from .probe import IMAGE_FORMATS, MediaInfo, probe
from .progress import Listener, ProgressEvent, current

log = logging.getLogger(__name__)


class MediaError(Exception):
    """A media file could not be converted; the message names the file."""


@dataclass(frozen=True)
class Output:
    name: str
    """Path in the package."""
    rendition: str
    """``video``, ``low``, ``audio``, ``speech``, ``poster``, ``image`` or ``copy`` (shipped as it is)."""
    width: int = 0
    height: int = 0
    fmt: str = ""
    """Image format for ``image`` outputs (``PNG``, ``JPEG``, ``WEBP``)."""


@dataclass
class Item:
    """One source file and everything made of it."""

    src: str
    kind: str
    info: MediaInfo
    outputs: list[Output] = field(default_factory=list)

    def get(self, rendition: str, fmt: str = "", width: int = 0) -> Output | None:
        for out in self.outputs:
            if out.rendition == rendition and (not fmt or out.fmt == fmt) and (not width or out.width == width):
                return out
        return None


def outputs_for(src: str, kind: str, info: MediaInfo) -> list[Output]:
    """Every file made of *src*, named ``<src>.<rendition>.<ext>`` beside it (an image keeps its own name).

    >>> [o.name for o in outputs_for("m/a.mov", "video", MediaInfo("video", size=10**6, duration=1, width=640,
    ...     height=360, video_codec="h264", audio_codec="aac"))]
    ['m/a.mov.main.mp4', 'm/a.mov.low.mp4', 'm/a.mov.audio.m4a', 'm/a.mov.poster.jpg']
    """
    if info.error or (kind == "image" and info.format in (None, "SVG", "GIF")):
        return [Output(src, "copy", info.width, info.height)]  # SVG is sanitised, GIF may be animated
    if kind == "video":
        main = transcode.fit(info.width, info.height, transcode.RENDITIONS["video"]["box"])
        outs = [Output(f"{src}.main.mp4", "video", *main)]
        if transcode.low_saves(info):
            low = transcode.fit(info.width, info.height, transcode.RENDITIONS["low"]["box"])
            outs.append(Output(f"{src}.low.mp4", "low", *low))
        if info.has_audio:
            outs.append(Output(f"{src}.audio.m4a", "audio"))
        return [*outs, Output(f"{src}.poster.jpg", "poster", *main, fmt="JPEG")]
    if kind == "audio":
        outs = [Output(f"{src}.main.m4a", "speech")]
        if transcode.audio_kbps("speech", info) > transcode.audio_kbps("audio", info):  # else low saves nothing
            outs.append(Output(f"{src}.low.m4a", "audio"))
        return outs
    fmt = IMAGE_FORMATS[src.rsplit(".", 1)[-1].lower()]
    outs = []
    widths = images.widths(info)
    for width in widths:
        size = (width, images.height_at(info, width))
        full = width == widths[-1]
        outs.append(Output(src if full else f"{src}.{width}w.{src.rsplit('.', 1)[-1]}", "image", *size, fmt=fmt))
        if fmt != "WEBP":
            outs.append(Output(f"{src}.webp" if full else f"{src}.{width}w.webp", "image", *size, fmt="WEBP"))
    return outs


class MediaSet:
    """The media of one course: probed sources, their outputs, and the cache they are made into."""

    def __init__(self, root: Path, sources: Mapping[str, str], workers: int | None = None, runner: Runner = LOCAL):
        """*sources*: course-relative path -> kind (``video``, ``audio``, ``image``); *runner* runs ffprobe
        and ffmpeg."""
        self.root = root
        self.runner = runner
        self.workers = workers or os.cpu_count() or 1
        self.items: dict[str, Item] = {}
        self.made = 0
        """Outputs made by this set (not found in the cache): 0 on a warm rebuild."""
        for src, kind in sorted(sources.items()):
            path = root / src
            if path.is_file():
                info = probe(path, kind, runner)
                self.items[src] = Item(src, kind, info, outputs_for(src, kind, info))
        self.by_name = {out.name: (item, out) for item in self.items.values() for out in item.outputs}

    def cache_path(self, item: Item, out: Output) -> Path:
        settings = {"r": out.rendition, "w": out.width, "h": out.height, "f": out.fmt}
        settings["s"] = images.SETTINGS if out.rendition == "image" else transcode.RENDITIONS.get(out.rendition)
        if out.rendition in ("speech", "audio", "video", "low") and item.info.has_audio:
            settings["a"] = transcode.audio_kbps(out.rendition, item.info)
        key = store.rendition_key(store.content_hash(self.root / item.src), settings)
        ext = out.name.rsplit(".", 1)[-1]
        return store.media_dir() / "out" / key[:2] / f"{key}.{ext}"

    def files(self, names: Iterable[str]) -> Iterator[tuple[str, Path]]:
        """(name, file) for each output *name*, in order; missing ones are made in parallel first-come."""
        wanted = [(name, *self.by_name[name]) for name in names]
        todo = [
            (item, out, path)
            for _, item, out in wanted
            if out.rendition != "copy"
            for path in [self.cache_path(item, out)]
            if not path.is_file()
        ]
        listener = current()
        tracker = _Tracker(listener, len(todo))
        threads = max(1, self.workers // max(1, min(self.workers, len(todo))))
        futures: dict[str, Future[Path]] = {}
        pool = ThreadPoolExecutor(max_workers=self.workers) if todo else None
        try:
            for item, out, path in todo:
                assert pool is not None
                futures[out.name] = pool.submit(self._make, item, out, path, threads, tracker)
            for name, item, out in wanted:
                if out.rendition == "copy":
                    yield name, self.root / item.src
                elif name in futures:
                    yield name, futures[name].result()
                else:
                    yield name, self.cache_path(item, out)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    def _make(self, item: Item, out: Output, path: Path, threads: int, tracker: _Tracker) -> Path:
        src = self.root / item.src
        tracker.report(out.name, 0.0)
        log.info("making %s", out.name)
        try:
            if out.rendition == "image":
                store.produce(path, lambda tmp: images.make(src, tmp, out.width, out.fmt))
            else:
                run = lambda tmp: transcode.execute(  # noqa: E731
                    transcode.plan(out.rendition, src, tmp, item.info, threads),
                    lambda f: tracker.report(out.name, f),
                    self.runner,
                )
                store.produce(path, run)
        except (transcode.TranscodeError, OSError, ValueError) as exc:
            raise MediaError(f"{item.src}: could not make {out.name}: {exc}") from exc
        with tracker.lock:
            self.made += 1
        tracker.finish(out.name)
        return path


class _Tracker:
    """Counts finished files and forwards events to the listener, one at a time (calls come from workers)."""

    def __init__(self, listener: Listener | None, total: int):
        self.listener, self.total, self.done = listener, total, 0
        self.lock = threading.Lock()

    def report(self, name: str, fraction: float) -> None:
        if self.listener:
            with self.lock:
                self.listener(ProgressEvent(name, fraction, self.done, self.total))

    def finish(self, name: str) -> None:
        with self.lock:
            self.done += 1
            if self.listener:
                self.listener(ProgressEvent(name, 1.0, self.done, self.total))
