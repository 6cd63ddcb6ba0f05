"""The marketplace catalogue's library side: frozen submissions, the review gate, diffs and iGOT sheets.

No web code here: the studio's catalogue pages call these, and so could a command line or a batch job.

- :mod:`.snapshot`: :func:`freeze` a course version (source and packages) into an immutable,
  checksummed, content-addressed store, and read it back;
- :mod:`.gate`: the checks a version must pass before review, as a report a partner can act on;
- :mod:`.diff`: what changed since the previously published version;
- :mod:`.sheet`: the iGOT content partner sheet (CSV) and ``igot-metadata.json``.
"""

from __future__ import annotations

from .diff import FileChange, diff
from .gate import Built, GateReport, Result, gate, validate_package
from .sheet import COLUMNS, Listing, igot_metadata, partner_sheet
from .snapshot import Entry, PackageEntry, Snapshot, SnapshotError, freeze, open_snapshot

__all__ = [
    "COLUMNS",
    "Built",
    "Entry",
    "FileChange",
    "GateReport",
    "Listing",
    "PackageEntry",
    "Result",
    "Snapshot",
    "SnapshotError",
    "diff",
    "freeze",
    "gate",
    "igot_metadata",
    "open_snapshot",
    "partner_sheet",
    "validate_package",
]
