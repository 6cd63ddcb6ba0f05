"""The media cache: content hashes, probe results and finished renditions, shared by every build.

Everything lives under ``$XDG_CACHE_HOME/karmayogi-studio/media/``. A rendition's file name is the hash of
its input's content and of the encoding settings, so any course, any output folder and any process on
the machine reuses it, and a changed file misses only its own entries. Writes go to a temporary file
and are moved into place (``packager.files``), so a crash or a parallel build never leaves half a file.

Hashing a large video on every load would cost more than the rest of a warm build, so the hash of a
file is remembered by its path, size, modification time and inode (as git's index does).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..cache import cache_dir
from ..files import atomic_path, write_atomic

log = logging.getLogger(__name__)

_HASHES: dict[tuple[str, int, int, int], str] = {}  # in-process memo over the on-disk index


def media_dir() -> Path:
    return cache_dir() / "media"


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def content_hash(path: Path) -> str:
    """SHA-256 of the file's bytes, read once per (path, size, mtime, inode)."""
    st = path.stat()
    stamp = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)
    if stamp in _HASHES:
        return _HASHES[stamp]
    index = media_dir() / "hashes" / _digest(*map(str, stamp))
    try:
        known = index.read_text("ascii").strip()
        if len(known) == 64:
            _HASHES[stamp] = known
            return known
    except OSError:
        pass
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    value = h.hexdigest()
    _HASHES[stamp] = value
    write_cache(index, value.encode("ascii"))
    return value


def rendition_key(input_hash: str, settings: Any) -> str:
    """The cache name of one output: the input's content and every setting that shapes the output."""
    return _digest(input_hash, json.dumps(settings, sort_keys=True))[:40]


def read_json(name: str) -> Any:
    try:
        return json.loads((media_dir() / name).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def write_json(name: str, value: Any) -> None:
    write_cache(media_dir() / name, json.dumps(value, sort_keys=True).encode())


def write_cache(path: Path, data: bytes) -> None:
    """Write *data* to *path* whole; a failure only logs (the cache is an optimisation)."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        log.warning("could not write the media cache %s: %s", path, exc)


def produce(path: Path, make: Callable[[Path], None]) -> Path:
    """*path* if it is already in the cache; else ``make(tmp)`` writes it and it is moved into place.

    ``make`` writes a temporary file beside *path* (same suffix, so tools pick the format by name);
    whatever it raises leaves nothing behind.
    """
    if path.is_file():
        return path
    with atomic_path(path, tool_suffix=True) as tmp:  # the writer's pid in the name: see sweep
        make(tmp)
    return path
