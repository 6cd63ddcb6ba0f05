"""Extracting a zip archive as hostile input: a course folder (the studio's course import), and every
archive `kstudio import` reads (SCORM and H5P packages, Word and PowerPoint files are zips too).

Refused: members whose names leave the folder (absolute, ``..``, drive letters, backslashes), links
and other non-regular files, more than ``max_files`` members, more than ``max_bytes`` in all, and zip
bombs: the declared sizes are checked before anything is read, and the bytes actually extracted are
counted as they come, so an archive that lies about its sizes is stopped too. Also refused, naming
the entry: two entries for one file (exactly, after ``./`` and ``//`` are folded, or differing only in
case, which would collide on Windows and macOS where authors unzip and zip courses), a file that is
also a folder, names over 255 bytes or paths over 255 characters, encrypted entries and compression
methods other than stored, deflate, bzip2 and LZMA. Nothing is left behind on a refusal; the course
appears whole or not at all.
"""

from __future__ import annotations

import lzma
import posixpath
import shutil
import stat
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

CHUNK = 1 << 16
MAX_NAME_BYTES = 255  # one file or folder name: the limit of ext4, APFS and NTFS
MAX_PATH_CHARS = 255  # a whole path inside the course: well within every platform's limit
METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_ENCRYPTED = 0x1  # general purpose bit 0
# What a damaged entry raises while it is read: a bad CRC, or a broken zlib, bz2 (OSError) or lzma stream
_DAMAGED = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError)


class ArchiveRefused(ValueError):
    """The archive was refused; the message says why, naming the member."""


@dataclass(frozen=True)
class Limits:
    max_files: int = 2000
    max_bytes: int = 200 * 1024 * 1024
    max_ratio: int = 200


def _member_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if "\\" in name or "\0" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ArchiveRefused(f"'{name}' has an unsafe path; the archive was not imported")
    norm = posixpath.normpath(name)
    if norm.startswith("../") or norm == ".." or "/../" in f"/{norm}/":
        raise ArchiveRefused(f"'{name}' points outside the course folder; the archive was not imported")
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the archiver recorded no Unix file type
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        raise ArchiveRefused(f"'{name}' is a link or a special file; only plain files and folders can be imported")
    if any(len(part.encode()) > MAX_NAME_BYTES for part in norm.split("/")):
        raise ArchiveRefused(f"'{name[:80]}…' has a file or folder name longer than {MAX_NAME_BYTES} bytes")
    if len(norm) > MAX_PATH_CHARS:
        raise ArchiveRefused(f"'{name[:80]}…' has a path longer than {MAX_PATH_CHARS} characters")
    if info.flag_bits & _ENCRYPTED:
        raise ArchiveRefused(f"'{name}' is encrypted; import an archive made without a password")
    if info.compress_type not in METHODS and not info.is_dir():
        raise ArchiveRefused(
            f"'{name}' is compressed with a method that is not supported ({info.compress_type}); "
            "use stored or deflate, as every zip tool does by default"
        )
    return norm


def _refuse_collisions(names: list[tuple[str, zipfile.ZipInfo]]) -> None:
    """Refuse two entries for one path, two paths differing only in case (folders too), and a path
    that is both a file and a folder: extracting would overwrite one entry with another, or fail
    half-way, here or on the author's next unzip."""
    seen: dict[str, str] = {}
    for norm, info in names:
        if norm == "." or info.is_dir():
            continue
        if norm in seen:
            first = seen[norm]
            raise ArchiveRefused(
                f"'{info.filename}' appears twice in the archive"
                if first == info.filename
                else f"'{info.filename}' is the same file as '{first}'"
            )
        seen[norm] = info.filename
    folded: dict[str, str] = {}
    for norm in (n for n, _ in names if n != "."):
        parts = norm.split("/")
        for n in range(1, len(parts) + 1):
            path = "/".join(parts[:n])
            if n < len(parts) and path in seen:
                raise ArchiveRefused(f"'{seen[path]}' is a file and also a folder in the archive")
            other = folded.setdefault(path.casefold(), path)
            if other != path:
                raise ArchiveRefused(
                    f"'{path}' and '{other}' differ only in upper and lower case; "
                    "they would be one file on Windows and macOS"
                )


def vet(archive: zipfile.ZipFile, limits: Limits = Limits()) -> list[tuple[str, zipfile.ZipInfo]]:
    """Every check that needs no entry's data (names, links, collisions, counts, declared sizes and
    ratios); the archive's files as (normalised name, info). ``kstudio import`` calls it before a
    library (python-docx, python-pptx) reads a member: zipfile never reads past a declared size."""
    infos = archive.infolist()
    if len(infos) > limits.max_files:
        raise ArchiveRefused(f"the archive has {len(infos)} entries; at most {limits.max_files} are allowed")
    names = [(_member_name(i), i) for i in infos]
    _refuse_collisions(names)
    files = [(n, i) for n, i in names if not i.is_dir()]
    declared = sum(i.file_size for _, i in files)
    if declared > limits.max_bytes:
        raise ArchiveRefused(f"the archive unpacks to {declared // 2**20} MB; at most {limits.max_bytes // 2**20} MB")
    for name, info in files:
        if info.file_size > limits.max_ratio * max(info.compress_size, 1024):
            raise ArchiveRefused(f"'{name}' expands {info.file_size // max(info.compress_size, 1)}-fold: refused")
    return files


def extract_course(source: IO[bytes] | Path, target: Path, limits: Limits = Limits()) -> Path:
    """Extract the zip *source* into the new folder *target*; return it. The course may sit in one
    top folder inside the archive (as when a folder is zipped) or at the archive's root."""
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise ArchiveRefused("the file is not a zip archive") from None
    with archive:
        files = vet(archive, limits)
        prefix = _common_top(n for n, _ in files)
        if not any(n == f"{prefix}course.yml" for n, _ in files):
            raise ArchiveRefused("the archive has no course.yml at its top (or in its one top folder)")
        staging = target.with_name(f".{target.name}.import")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            total = 0
            for name, info in files:
                rel = name[len(prefix) :]
                if not rel or any(part.startswith(".") for part in rel.split("/")):
                    continue  # dot files (.git, .DS_Store, caches) are not part of a course
                out = staging / rel
                out.parent.mkdir(parents=True, exist_ok=True)
                written = 0
                with archive.open(info) as src, open(out, "xb") as dst:
                    while chunk := _read(src, name):
                        written += len(chunk)
                        total += len(chunk)
                        if written > info.file_size or total > limits.max_bytes:
                            raise ArchiveRefused(f"'{name}' unpacks to more than the archive declares: refused")
                        dst.write(chunk)
            if target.exists():
                raise ArchiveRefused(f"a course folder '{target.name}' exists already")
            staging.rename(target)
        except zipfile.BadZipFile as exc:  # the archive's own structure, before any entry's data
            shutil.rmtree(staging, ignore_errors=True)
            raise ArchiveRefused(f"the archive is damaged: {exc}") from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return target


def _read(src: IO[bytes], name: str) -> bytes:
    """The next chunk of entry *name*; a damaged entry is a refusal naming it (only reads are caught
    here, so a full disk while writing is not mistaken for a bad archive)."""
    try:
        return src.read(CHUNK)
    except _DAMAGED as exc:
        raise ArchiveRefused(f"'{name}' is damaged in the archive: {exc}") from None


def _common_top(names: Iterable[str]) -> str:
    """'top/' when every file is inside one folder 'top', else ''."""
    tops = {n.split("/", 1)[0] if "/" in n else "" for n in names}
    if len(tops) == 1 and (top := tops.pop()):
        return top + "/"
    return ""
