"""What every format shares: package names and a reproducible, streaming, atomic zip writer."""

from __future__ import annotations

import os
import shutil
import zipfile
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType

from ..files import atomic_path
from ..model import Course
from ..render import PackageFile

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
        if file.data is not None:
            self.zip.writestr(info, file.data)
        elif file.source is not None:
            info.file_size = file.source.stat().st_size
            with open(file.source, "rb") as src, self.zip.open(info, "w", force_zip64=info.file_size > 1 << 30) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)

    def __enter__(self) -> ZipPackage:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.zip.close()
        self.stack.__exit__(kind, exc, tb)
