"""Writing a file whole or not at all: the one atomic write of the packager and the studio.

A writer fills a temporary file beside the final one (named with the writer's owner tag, so
:func:`packager.temporaries.sweep` can remove what a killed writer left) and renames it over the final
name only when it succeeded: a reader sees the old file or the new one, never half of one.

fsync policy, decided here once: ``durable=True`` flushes the data to disk before the rename, for files
that hold what a person wrote and that nothing can rebuild (course files, translation catalogs,
marketplace snapshots). Everything else (packages, renditions, caches) is rebuilt from those, so it
skips the fsync: a crash may lose the newest copy, the rename still never shows half of one, and a build
does not wait on the disk once per file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .temporaries import mkstemp


@contextmanager
def atomic_path(path: Path, *, mode: int = 0o644, durable: bool = False, tool_suffix: bool = False) -> Iterator[Path]:
    """A temporary path beside *path* for a writer that streams (a zip, a program); moved onto *path*
    with *mode* only if the block succeeds, removed otherwise.

    ``tool_suffix`` ends the temporary's name with *path*'s suffix, for programs that pick the format
    by the name (ffmpeg).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if tool_suffix:
        fd, tmp = mkstemp(path.parent, suffix=path.suffix)
    else:
        fd, tmp = mkstemp(path.parent, path.name)
    os.close(fd)
    try:
        yield Path(tmp)
        if durable:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes | str, *, mode: int = 0o644, durable: bool = False) -> None:
    """Write *data* (text as UTF-8, newlines as given) to *path* whole or not at all."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    with atomic_path(path, mode=mode, durable=durable) as tmp:
        tmp.write_bytes(data)
