"""What every format shares: the course rendered once per language, package names and a reproducible,
streaming, atomic zip writer."""

from __future__ import annotations

import os
import shutil
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from ..files import atomic_path
from ..fonts import WebFont
from ..model import Course, Lesson
from ..render import PackageFile, Player
from ..runner import LOCAL, Runner

if TYPE_CHECKING:
    from ..media import MediaSet

# Already-compressed media gain nothing from deflate; storing them is faster and the same size.
STORED_EXT = {
    ".mp4",
    ".webm",
    ".mov",
    ".mkv",
    ".mp3",
    ".m4a",
    ".ogg",
    ".png",
    ".jpg",
    ".jpeg",
    ".webp",
    ".gif",
    ".pdf",
    ".woff2",
    ".zip",
}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the zip epoch: same input, same bytes


AROUND_PAGES = frozenset({"assets", "head_scripts", "lms", "csp"})
"""The player settings formats differ in: what loads around the lesson pages, never the pages themselves."""


class Rendering:
    """*course* (loaded in one language) as every format of a build renders it: ``packager.build`` makes
    one per language and hands it to each format. The lesson pages, webfonts and media are made once,
    by the first format that asks, and the others take them; *keep* holds the pages for them (a build
    of one format streams them instead). *runner* runs every outside program the formats need."""

    def __init__(self, course: Course, runner: Runner = LOCAL, *, keep: bool = True):
        self.course, self.runner, self.keep = course, runner, keep
        self.lang = course.language
        self.problems: list[Problem] = []
        """Warnings a format found while writing (a question iGOT has no type for): the build reports them
        with the language's."""
        self._pages: list[tuple[Lesson, PackageFile]] | None = None

    @cached_property
    def pages_player(self) -> Player:
        """The player whose pages, webfonts and media every format's player shares."""
        return Player(self.course, runner=self.runner)

    def player(self, **settings: Any) -> Player:
        """The learner player with a format's *settings* (:class:`Player` fields). Settings that only change
        what loads around the pages share this rendering's pages; others (``renames``) make their own."""
        if settings.keys() <= AROUND_PAGES:
            return SharedPlayer(self.course, runner=self.runner, rendering=self, **settings)
        return Player(self.course, runner=self.runner, **settings)

    def lesson_scripts(self) -> Iterator[tuple[Lesson, PackageFile]]:
        """The lessons with their scripts, rendered by the first format and kept for the rest."""
        if self._pages is not None:
            yield from self._pages
            return
        pages = []
        for page in self.pages_player.lesson_scripts():
            if self.keep:
                pages.append(page)
            yield page
        self._pages = pages if self.keep else None  # only once whole: a failed format renders none for the rest


@dataclass
class SharedPlayer(Player):
    """A format's player over its language's :class:`Rendering`: the pages, webfonts and media are the
    rendering's, its own are the assets, scripts and settings around them."""

    rendering: Rendering | None = None

    def lesson_scripts(self) -> Iterator[tuple[Lesson, PackageFile]]:
        assert self.rendering is not None
        return self.rendering.lesson_scripts()

    @property
    def webfonts(self) -> list[WebFont]:  # the rendering's, subset once
        assert self.rendering is not None
        return self.rendering.pages_player.webfonts

    @property
    def media(self) -> MediaSet:  # the rendering's, probed once
        assert self.rendering is not None
        return self.rendering.pages_player.media


def package_name(course: Course, lang: str, fmt: str, ext: str = "zip") -> str:
    """``<id>-<version>-<lang>-<format>.<ext>``, as the format spec names packages."""
    return f"{course.id}-{course.version}-{lang}-{fmt}.{ext}"


class ZipPackage:
    """Writes a zip entry by entry (never the whole package in memory), then moves it into place.

    Entries get fixed times and permissions, so the same files always give the same bytes. A failed
    build leaves no partial package behind.
    """

    def __init__(self, path: Path):
        self.path = path
        self.stack = ExitStack()  # the package's own exit ends the atomic write (moved or removed)
        self.tmp = self.stack.enter_context(atomic_path(path))
        self.zip = zipfile.ZipFile(self.tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
        self.names: set[str] = set()

    def add(self, file: PackageFile) -> None:
        if file.name in self.names:
            raise ValueError(f"duplicate package entry {file.name}")
        self.names.add(file.name)
        info = zipfile.ZipInfo(file.name, FIXED_TIME)
        info.create_system = 3
        info.external_attr = 0o644 << 16
        stored = os.path.splitext(file.name)[1].lower() in STORED_EXT
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        if file.data is not None and file.deflated is not None and not stored:
            self._write_deflated(info, file.data, file.deflated)
        elif file.data is not None:
            self.zip.writestr(info, file.data)
        elif file.source is not None:
            info.file_size = file.source.stat().st_size
            with open(file.source, "rb") as src, self.zip.open(info, "w", force_zip64=info.file_size > 1 << 30) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)

    def _write_deflated(self, info: zipfile.ZipInfo, data: bytes, deflated: bytes) -> None:
        """Write an entry whose deflate stream is made already, as ``writestr`` would write it (the same
        bytes: it compresses with the same settings); zipfile has no call for it, so this does its steps."""
        zf: Any = self.zip  # its private steps, which the stubs do not type
        info.CRC, info.file_size, info.compress_size = zlib.crc32(data), len(data), len(deflated)
        info.flag_bits = 0
        zip64 = info.file_size * 1.05 > zipfile.ZIP64_LIMIT  # zipfile's rule
        with zf._lock:  # zipfile's own steps (_open_to_write, then close)
            zf.fp.seek(zf.start_dir)
            info.header_offset = zf.fp.tell()
            zf._writecheck(info)
            zf._didModify = True
            zf.fp.write(info.FileHeader(zip64))
            zf.fp.write(deflated)
            zf.start_dir = zf.fp.tell()
            zf.filelist.append(info)
            zf.NameToInfo[info.filename] = info

    def __enter__(self) -> ZipPackage:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.zip.close()
        self.stack.__exit__(kind, exc, tb)
