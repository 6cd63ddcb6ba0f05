"""Submitted course versions, frozen: an immutable, checksummed copy of a course's source and packages.

A snapshot is a manifest (``snapshot.json``) naming every file by its SHA-256, and the files themselves
in a content-addressed object store shared by all snapshots of a catalogue (two versions that share a
video store it once). Nothing in a snapshot is ever written twice: objects are named by their hash, made
read-only, and moved into place atomically; the manifest carries a digest of its own canonical form,
which is the snapshot's identity. :meth:`Snapshot.verify` re-hashes everything, so tampering on disk is
found, not served.

The store is plain files on purpose: several studio processes (or machines sharing the data folder)
freeze and read snapshots without a lock, since every write is of a new name or of identical bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from ..files import atomic_path, write_atomic
from ..model import Course

MANIFEST = "snapshot.json"
FORMAT_VERSION = 1
MAX_FILES = 20_000
SKIPPED_DIRS = {".git", ".hg", ".svn", "__pycache__", "node_modules", ".kstudio"}
_HEX = re.compile(r"^[0-9a-f]{64}$")


class SnapshotError(Exception):
    """A snapshot cannot be made or read; the message says which file and why."""


@dataclass(frozen=True)
class Entry:
    path: str
    """Course-relative POSIX path (source) or package file name."""
    sha256: str
    size: int


@dataclass(frozen=True)
class PackageEntry(Entry):
    format: str = ""
    lang: str = ""


@dataclass(frozen=True)
class Snapshot:
    """One frozen course version. ``digest`` is its identity; ``folder`` is where its manifest lives."""

    folder: Path
    store: Path
    course_id: str
    version: str
    title: str
    created: str
    source: tuple[Entry, ...]
    packages: tuple[PackageEntry, ...]
    digest: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.folder.name

    def object_path(self, entry: Entry) -> Path:
        return _object_path(self.store, entry.sha256)

    def source_file(self, path: str) -> Path:
        """The stored copy of source file *path* (read-only); KeyError if the snapshot has none."""
        entry = next((e for e in self.source if e.path == path), None)
        if entry is None:
            raise KeyError(path)
        return self.object_path(entry)

    def package_file(self, name: str) -> Path:
        entry = next((e for e in self.packages if e.path == name), None)
        if entry is None:
            raise KeyError(name)
        return self.object_path(entry)

    def verify(self) -> list[str]:
        """Every way the stored files differ from the manifest (empty when the snapshot is intact)."""
        problems = self.verify_manifest()
        for entry in (*self.source, *self.packages):
            problem = self.verify_entry(entry)
            if problem:
                problems.append(problem)
        return problems

    def verify_manifest(self) -> list[str]:
        """The manifest alone (cheap): its digest matches its content, so the list of files is as frozen."""
        return (
            []
            if _digest(_manifest_body(self)) == self.digest
            else [f"{MANIFEST}: its digest does not match its content"]
        )

    def verify_entry(self, entry: Entry) -> str | None:
        """One stored file re-hashed (e.g. the package about to be downloaded); None when it is intact."""
        try:
            actual, _ = _hash_file(self.object_path(entry))
        except OSError:
            return f"{entry.path}: stored copy is missing"
        if actual != entry.sha256:
            return f"{entry.path}: stored copy has changed (sha256 {actual[:12]}…)"
        return None

    def materialise(self, dest: Path) -> Path:
        """Write the source tree to *dest* (a new folder), e.g. to load, preview or diff this version."""
        dest.mkdir(parents=True, exist_ok=False)
        for entry in self.source:
            target = dest / entry.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.object_path(entry).read_bytes())
        return dest


def freeze(
    course: Course,
    store: Path,
    packages: Iterable[tuple[Path, str, str]] = (),
    *,
    meta: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Snapshot:
    """Freeze *course*'s source folder and its built *packages* ((file, format, lang), …) into *store*.

    Returns the snapshot; freezing identical content again returns an equal snapshot (same digest).
    """
    source = [_put(store, path, rel) for rel, path in _source_files(course.root)]
    built = []
    for path, fmt, lang in packages:
        entry = _put(store, path, path.name)
        built.append(PackageEntry(entry.path, entry.sha256, entry.size, format=fmt, lang=lang))
    created = (now or datetime.now(UTC)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    draft = Snapshot(
        folder=store,
        store=store,
        course_id=course.id,
        version=course.version,
        title=course.title,
        created=created,
        source=tuple(sorted(source, key=lambda e: e.path)),
        packages=tuple(sorted(built, key=lambda e: e.path)),
        digest="",
        meta=dict(meta or {}),
    )
    digest = _digest(_manifest_body(draft))
    folder = store / "snapshots" / course.id / f"{_safe(course.version)}-{digest[:12]}"
    snapshot = replace(draft, folder=folder, digest=digest)
    manifest = folder / MANIFEST
    if not manifest.exists():
        folder.mkdir(parents=True, exist_ok=True)
        body = {**_manifest_body(snapshot), "digest": digest}
        _write_once(manifest, (json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode())
    return snapshot


def open_snapshot(folder: Path, store: Path | None = None) -> Snapshot:
    """Read the snapshot whose manifest is in *folder* (its store defaults to the folder three levels up)."""
    store = store or folder.parent.parent.parent
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
        if data.get("format") != FORMAT_VERSION:
            raise SnapshotError(f"{folder / MANIFEST}: unknown snapshot format {data.get('format')!r}")
        source = tuple(Entry(**e) for e in data["source"])
        packages = tuple(PackageEntry(**e) for e in data["packages"])
        for entry in (*source, *packages):
            if not _HEX.match(entry.sha256):
                raise SnapshotError(f"{folder / MANIFEST}: bad checksum for {entry.path}")
        return Snapshot(
            folder=folder,
            store=store,
            course_id=data["course_id"],
            version=data["version"],
            title=data["title"],
            created=data["created"],
            source=source,
            packages=packages,
            digest=data["digest"],
            meta=data.get("meta", {}),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SnapshotError(f"{folder / MANIFEST}: cannot be read ({exc})") from exc


def _manifest_body(s: Snapshot) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "course_id": s.course_id,
        "version": s.version,
        "title": s.title,
        "created": s.created,
        "meta": s.meta,
        "source": [asdict(e) for e in s.source],
        "packages": [asdict(e) for e in s.packages],
    }


def _digest(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _source_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative path, file) of every regular file of the course; links and special files refused."""
    count = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                raise SnapshotError(f"{rel}: is a symbolic link; a submitted course holds only its own files")
            if not stat.S_ISREG(mode):
                continue
            count += 1
            if count > MAX_FILES:
                raise SnapshotError(f"the course has more than {MAX_FILES} files")
            yield rel, path


def _put(store: Path, path: Path, name: str) -> Entry:
    """Copy *path* into the object store (once per content); the entry records name, hash and size."""
    if PurePosixPath(name).is_absolute() or ".." in PurePosixPath(name).parts:
        raise SnapshotError(f"{name}: not a path inside the course")
    digest, size = _hash_file(path)
    target = _object_path(store, digest)
    if not target.exists():  # hashed first, so content already stored is not copied at all
        with atomic_path(target, mode=0o444, durable=True) as tmp:
            copied, _ = _hash_file(path, tmp)
            if copied != digest:
                raise SnapshotError(f"{name}: changed while the course was being submitted; submit again")
    return Entry(name, digest, size)


def _hash_file(path: Path, copy_to: Path | None = None) -> tuple[str, int]:
    """sha256 and size of *path*, copying it to *copy_to* in the same pass when given."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as src, open(copy_to or os.devnull, "wb") as out:
        while chunk := src.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
            if copy_to is not None:
                out.write(chunk)
    return h.hexdigest(), size


def _write_once(path: Path, data: bytes) -> None:
    write_atomic(path, data, mode=0o444, durable=True)


def _object_path(store: Path, sha256: str) -> Path:
    return store / "objects" / sha256[:2] / sha256


def _safe(version: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "_", version)[:40] or "0"
