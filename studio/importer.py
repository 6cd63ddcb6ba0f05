"""Importing a course folder from a zip, treating the archive as hostile.

Refused: members whose names leave the folder (absolute, ``..``, drive letters, backslashes), links
and other non-regular files, more than ``max_files`` members, more than ``max_bytes`` in all, and zip
bombs: the declared sizes are checked before anything is read, and the bytes actually extracted are
counted as they come, so an archive that lies about its sizes is stopped too. Nothing is left behind
on a refusal; the course appears whole or not at all.
"""

from __future__ import annotations

import posixpath
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

CHUNK = 1 << 16


class ImportError_(ValueError):  # not the builtin ImportError
    """The archive was refused; the message says why, naming the member."""


@dataclass(frozen=True)
class Limits:
    max_files: int = 2000
    max_bytes: int = 200 * 1024 * 1024
    max_ratio: int = 200


def _member_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if "\\" in name or "\0" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ImportError_(f"'{name}' has an unsafe path; the archive was not imported")
    norm = posixpath.normpath(name)
    if norm.startswith("../") or norm == ".." or "/../" in f"/{norm}/":
        raise ImportError_(f"'{name}' points outside the course folder; the archive was not imported")
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the archiver recorded no Unix file type
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        raise ImportError_(f"'{name}' is a link or a special file; only plain files and folders can be imported")
    return norm


def extract_course(source: IO[bytes] | Path, target: Path, limits: Limits = Limits()) -> Path:
    """Extract the zip *source* into the new folder *target*; return it. The course may sit in one
    top folder inside the archive (as when a folder is zipped) or at the archive's root."""
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise ImportError_("the file is not a zip archive") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_files:
            raise ImportError_(f"the archive has {len(infos)} entries; at most {limits.max_files} are allowed")
        names = [(_member_name(i), i) for i in infos]
        files = [(n, i) for n, i in names if not i.is_dir()]
        declared = sum(i.file_size for _, i in files)
        if declared > limits.max_bytes:
            raise ImportError_(f"the archive unpacks to {declared // 2**20} MB; at most {limits.max_bytes // 2**20} MB")
        for name, info in files:
            if info.file_size > limits.max_ratio * max(info.compress_size, 1024):
                raise ImportError_(f"'{name}' expands {info.file_size // max(info.compress_size, 1)}-fold: refused")
        prefix = _common_top(n for n, _ in files)
        if not any(n == f"{prefix}course.yml" for n, _ in files):
            raise ImportError_("the archive has no course.yml at its top (or in its one top folder)")
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
                    while chunk := src.read(CHUNK):
                        written += len(chunk)
                        total += len(chunk)
                        if written > info.file_size or total > limits.max_bytes:
                            raise ImportError_(f"'{name}' unpacks to more than the archive declares: refused")
                        dst.write(chunk)
            if target.exists():
                raise ImportError_(f"a course folder '{target.name}' exists already")
            staging.rename(target)
        except zipfile.BadZipFile as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise ImportError_(f"the archive is damaged: {exc}") from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return target


def _common_top(names: object) -> str:
    """'top/' when every file is inside one folder 'top', else ''."""
    tops = {n.split("/", 1)[0] if "/" in n else "" for n in names}  # type: ignore[attr-defined]
    if len(tops) == 1 and (top := tops.pop()):
        return top + "/"
    return ""
