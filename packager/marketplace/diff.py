"""What changed between two snapshots of a course, file by file: what a reviewer reads before approving."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .snapshot import Entry, Snapshot

TEXT_SUFFIXES = (".md", ".yml", ".yaml", ".po", ".vtt", ".srt", ".txt", ".svg", ".csv", ".json")
MAX_TEXT_BYTES = 1 << 20  # larger "text" is shown as changed, not diffed line by line


@dataclass(frozen=True)
class FileChange:
    path: str
    status: str
    """``added``, ``removed`` or ``changed``."""
    diff: str = ""
    """Unified diff for text files; empty for binary ones."""
    old_size: int = 0
    new_size: int = 0

    @property
    def is_text(self) -> bool:
        return self.path.lower().endswith(TEXT_SUFFIXES)


def diff(old: Snapshot | None, new: Snapshot) -> list[FileChange]:
    """Source changes from *old* (None: the first version, everything is added) to *new*, by path."""
    before = {e.path: e for e in old.source} if old else {}
    after = {e.path: e for e in new.source}
    changes = []
    for path in sorted(before.keys() | after.keys()):
        a, b = before.get(path), after.get(path)
        if a and b and a.sha256 == b.sha256:
            continue
        status = "added" if a is None else "removed" if b is None else "changed"
        change = FileChange(path, status, old_size=a.size if a else 0, new_size=b.size if b else 0)
        if change.is_text and max(change.old_size, change.new_size) <= MAX_TEXT_BYTES:
            old_lines = _lines(old, a) if old and a else []
            new_lines = _lines(new, b) if b else []
            text = "".join(difflib.unified_diff(old_lines, new_lines, f"a/{path}", f"b/{path}"))
            change = FileChange(path, status, text, change.old_size, change.new_size)
        changes.append(change)
    return changes


def _lines(snapshot: Snapshot, entry: Entry) -> list[str]:
    text = snapshot.object_path(entry).read_bytes().decode("utf-8", "replace")
    return text.splitlines(keepends=True)
