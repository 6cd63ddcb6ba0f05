"""Caches of parsed and of rendered lessons, keyed by everything the work depends on.

One file per course folder, kind and language under the user's cache directory
(``$XDG_CACHE_HOME/karmayogi-studio``): a load keeps only the entries it used, so languages sharing a
file would evict each other and a ``--lang all`` build would parse every lesson every time.
A parsed lesson's key hashes its text and path, the lesson id map (links between lessons), the list of
files in the course (media resolution, captions) and the parser version; any change misses. A rendered
lesson's key hashes the parsed lesson and everything its page shows around it (``render.py``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
from pathlib import Path
from typing import Any

from .files import write_atomic

log = logging.getLogger(__name__)

PARSER_VERSION = "8"  # bump when parsing output changes


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "karmayogi-studio"


class LessonCache:
    """Entries are kept pickled, each on its own: a load unpickles only the entries it gets, and a save
    after a one-lesson edit writes the others' bytes as they were read instead of pickling them again."""

    def __init__(self, file: Path | None, context: str):
        self.file, self.context = file, context
        self.entries: dict[str, bytes] = {}
        self.used: dict[str, bytes] = {}
        self.dirty = False

    @classmethod
    def disabled(cls) -> LessonCache:
        return cls(None, "")

    @classmethod
    def open(cls, root: Path, files: set[str], lang: str | None = None) -> LessonCache:
        """The parsed lessons of the course in *root* loaded in *lang* (None: its own language), valid
        while its list of *files* is the same."""
        kind = f"lessons-{lang}" if lang else "lessons"
        return cls.of_kind(kind, root, hashlib.sha256("\n".join(sorted(files)).encode()).hexdigest())

    @classmethod
    def of_kind(cls, kind: str, root: Path, context: str) -> LessonCache:
        """The *kind* cache (``lessons``, ``lessons-<lang>``, ``rendered-<lang>``) of the course in *root*,
        empty unless made in *context*."""
        where = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:24]
        store = cls(cache_dir() / kind / f"{where}.pickle", context)
        try:
            with open(store.file, "rb") as fh:  # type: ignore[arg-type]
                data = pickle.load(fh)
            if data.get("version") == PARSER_VERSION and data.get("context") == context:
                store.entries = data["entries"]
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, KeyError, TypeError, ImportError):
            pass  # a missing or stale cache only costs a parse
        return store

    @staticmethod
    def ids_digest(lesson_ids: dict[str, str]) -> str:
        return hashlib.sha256(json.dumps(lesson_ids, sort_keys=True).encode()).hexdigest()

    def key(self, *parts: str) -> str:
        """A key over *parts* (what a parse depends on), computed once per lesson."""
        digest = hashlib.sha256()
        for part in parts:
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()

    def get(self, key: str) -> Any:
        if self.file is None:
            return None
        hit = self.entries.get(key)
        if hit is None:
            return None
        try:
            value = pickle.loads(hit)
        except (EOFError, pickle.UnpicklingError, AttributeError, KeyError, TypeError, ImportError, ValueError):
            return None  # made by other code: only costs a parse
        self.used[key] = hit
        return value

    def put(self, key: str, value: Any) -> None:
        if self.file is not None:
            self.used[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            self.dirty = True

    def save(self) -> None:
        """Write the entries used by this load (dropping stale ones), atomically; failures only log."""
        if self.file is None or not (self.dirty or len(self.used) != len(self.entries)):
            return
        try:
            payload = {"version": PARSER_VERSION, "context": self.context, "entries": self.used}
            write_atomic(self.file, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError as exc:
            log.warning("could not write the lesson cache %s: %s", self.file, exc)
