"""Temporary files that say who writes them, so the ones a killed process left behind can be removed.

Every temporary file the packager and the studio write beside its final place (a package being
zipped, a rendition being encoded, a course file being saved) has a name holding an *owner tag*:
``~<pid>-<host>~``, the writer's process id and a short hash of its machine's name. :func:`sweep`
removes those whose writer is gone (same machine, no such process) or that are older than a limit
(another machine's, or a reused process id), and nothing else: a file without a tag is never touched.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)
OWNER = re.compile(r"~(\d+)-([0-9a-f]{8})~")


def host_tag() -> str:
    if hasattr(os, "uname"):  # the same name as socket.gethostname(), without importing socket
        return hashlib.sha256(os.uname().nodename.encode()).hexdigest()[:8]
    import socket

    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def owner_tag() -> str:
    """``~<pid>-<host>~`` of this process (computed each time: a forked child has its own pid)."""
    return f"~{os.getpid()}-{host_tag()}~"


def mkstemp(directory: Path, name: str = "", suffix: str = ".tmp") -> tuple[int, str]:
    """``tempfile.mkstemp`` beside a final file *name*, the name carrying this process's owner tag."""
    prefix = f".{name}.{owner_tag()}." if name else f".tmp{owner_tag()}."
    return tempfile.mkstemp(dir=directory, prefix=prefix, suffix=suffix)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def abandoned(path: Path, max_age: float, now: float | None = None) -> bool:
    """Whether the tagged temporary *path* belongs to no running writer (or is older than *max_age* s)."""
    found = OWNER.search(path.name)
    if found is None or not path.name.startswith("."):
        return False
    pid, host = int(found.group(1)), found.group(2)
    if host == host_tag():
        if pid == os.getpid():
            return False  # this process's own, being written now
        if not alive(pid):
            return True
    try:  # a live writer keeps writing, so an old file is one nobody finishes (or a reused pid's)
        age = (now or time.time()) - path.lstat().st_mtime
    except OSError:
        return False
    return age > max_age


def sweep(root: Path, max_age: float) -> list[Path]:
    """Remove the abandoned temporaries anywhere under *root*; returns what was removed."""
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    now = time.time()
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            if name.startswith(".") and "~" in name:
                path = Path(dirpath, name)
                if abandoned(path, max_age, now):
                    try:
                        path.unlink()
                        removed.append(path)
                    except OSError as exc:
                        log.warning("could not remove the abandoned temporary %s: %s", path, exc)
    return removed
