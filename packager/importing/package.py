"""A package a reader takes apart (a SCORM package, an H5P file): a vetted zip, read member by member.

The zip is vetted with :func:`packager.archive.vet` (names, links, counts, sizes, ratio) and never
unpacked: a reader asks for the members it needs, each read whole up to a limit, and what the course
keeps (images, video, attachments) becomes its media through :class:`Reading`. Paths in the package's
pages resolve inside it only (:func:`resolve_in`): a page or image outside it, or on the web, is
refused and listed, never fetched.
"""

from __future__ import annotations

import json
import lzma
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from ..archive import ArchiveRefused, Limits, vet
from . import ImportRefused
from .html import MAX_HTML_BYTES, Converter, MediaNames, Resolver, Special, parse_html
from .model import ImportedCourse, Lesson

if TYPE_CHECKING:
    from . import ImportOptions

MAX_DATA_BYTES = 32 * 1024 * 1024
"""A page, JSON file or script read whole; a larger one is not a lesson's data."""


class PackageError(ImportRefused):
    """The package cannot be read; the message names the file (and line, for the manifest)."""


UNEXPECTED = (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError)
"""What a tool's data of an unexpected shape raises in a reader: the package is refused, naming it."""


@dataclass
class Package:
    """A vetted zip read member by member. *top* is the folder holding the package (``""`` or ``x/``)."""

    archive: zipfile.ZipFile
    files: dict[str, zipfile.ZipInfo]
    source: Path
    top: str = ""

    @classmethod
    def open(cls, path: Path, limits: Limits, marker: str) -> Package:
        """The package of *path*, whose *marker* (``imsmanifest.xml``, ``h5p.json``) is at its top or in
        its one top folder."""
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise PackageError(f"{path.name} is not a zip archive: {exc}") from None
        try:
            files = {name: info for name, info in vet(archive, limits)}
        except ArchiveRefused as exc:
            archive.close()
            raise PackageError(f"{path.name}: {exc}") from None
        tops = [n[: -len(marker)] for n in files if n == marker or n.endswith("/" + marker)]
        top = min(tops, key=len, default=None)
        if top is None or top.count("/") > 1:
            archive.close()
            raise PackageError(f"{path.name} has no {marker} at its top (or in its one top folder)")
        return cls(archive, files, path, top)

    def close(self) -> None:
        self.archive.close()

    def has(self, name: str) -> bool:
        return self.top + name in self.files

    def names(self) -> Iterator[str]:
        """The package's files, relative to its top folder."""
        for name in self.files:
            if name.startswith(self.top):
                yield name[len(self.top) :]

    def size(self, name: str) -> int:
        return self.files[self.top + name].file_size

    def read(self, name: str, limit: int = MAX_DATA_BYTES) -> bytes:
        """The bytes of member *name*: no more than it declares (zipfile stops there) and at most *limit*."""
        info = self.files.get(self.top + name)
        if info is None:
            raise PackageError(f"{self.source.name}: '{name}' is not in the package")
        if info.file_size > limit:
            raise PackageError(f"{self.source.name}: '{name}' is {info.file_size // 2**20} MB, too large to read")
        try:
            return self.archive.read(info)
        except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError) as exc:
            raise PackageError(f"{self.source.name}: '{name}' is damaged in the archive: {exc}") from None

    def text(self, name: str) -> str:
        return self.read(name).decode("utf-8-sig", errors="replace")

    def json(self, name: str) -> Any:
        try:
            return json.loads(self.read(name))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise PackageError(f"{self.source.name}: '{name}' is not valid JSON: {exc}") from None


def resolve_in(page: str, ref: str) -> str | None:
    """The package path a *ref* on *page* points at; None when it leaves the package or is a web address."""
    parts = urlsplit(ref)
    if parts.scheme or ref.startswith("//") or ref.startswith("/"):
        return None
    path = unquote(parts.path)
    if not path or "\\" in path or "\0" in path:
        return None
    rel = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    return None if rel == ".." or rel.startswith("../") else rel


@dataclass
class Reading:
    """What every tool's reader works with: the package, the course being filled and its media."""

    package: Package
    course: ImportedCourse
    options: ImportOptions
    media: MediaNames = field(init=False)

    def __post_init__(self) -> None:
        self.media = MediaNames(self.course)

    def resolver(self, page: str, refused: list[str]) -> Resolver:
        """A :data:`html.Resolver` for *page*: package files become media; the rest is listed in *refused*."""

        def resolve(ref: str) -> str | None:
            path = resolve_in(page, ref)
            if path is None or not self.package.has(path):
                refused.append(ref)
                return None
            if path.lower().endswith((".html", ".htm")):
                return path
            return self.file(path, refused)

        return resolve

    def file(self, path: str, refused: list[str]) -> str | None:
        """``media/<name>`` for the package file *path*; None (listed) when it is too large to keep."""
        size = self.package.size(path)
        if size > self.options.max_media_bytes:
            refused.append(f"{path} ({size // 2**20} MB, over the {self.options.max_media_bytes // 2**20} MB limit)")
            return None
        return self.media.add(path, self.package.read(path, limit=size), path)

    def attachment(self) -> str:
        """The original package, kept as an attachment for what could not be recovered."""
        return self.media.add("\0package", self.package.source, self.package.source.name)

    def html_lesson(self, title: str, page: str, *, special: Special | None = None) -> tuple[Lesson, list[str], int]:
        """A lesson from an HTML page of the package: (lesson, what was dropped, images without alt)."""
        refused: list[str] = []
        size = self.package.size(page)
        if size > MAX_HTML_BYTES:
            return Lesson(title, ""), [f"'{page}' is {size // 2**20} MB, too large for a lesson's page"], 0
        root = parse_html(self.package.read(page))
        converter = Converter(self.resolver(page, refused), special=special)
        body = converter.markdown(content_root(root, title)) if root is not None else ""
        dropped = converter.dropped + [f"'{r}' (outside the package or missing)" for r in refused]
        return Lesson(title=title, body=body), dropped, converter.missing_alt


def content_root(root: Any, title: str) -> Any:
    """The part of a page that is the lesson: its ``main`` (or body) without navigation, and without a
    first heading that only repeats the item's title."""
    for xpath in ("//main", "//*[@role='main']", "//*[@id='main']", "//article", "//body"):
        found = root.xpath(xpath)
        if found:
            root = found[0]
            break
    for junk in root.xpath(
        ".//nav | .//*[@id='nav' or @id='siteNav' or @id='header' or @id='siteFooter' or @id='topPagination' "
        "or @id='bottomPagination' or contains(@class, 'pagination') or @id='nodeDecoration']"
    ):
        if junk.getparent() is not None:
            junk.drop_tree()
    first = next(iter(root.xpath(".//h1 | .//h2")), None)
    if first is not None and " ".join(first.text_content().split()).casefold() == title.casefold():
        first.drop_tree()
    return root
