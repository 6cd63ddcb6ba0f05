"""A course's gettext catalogs (``translations/<lang>.po``): read, merge with the current segments, write.

polib rather than Babel's pofile: Babel's reader drops the ``#| msgid`` previous source that a translator
needs to see what changed in a fuzzy entry, and polib keeps it, obsolete entries and line numbers.
Headers follow what Poedit and Weblate expect, with ``Plural-Forms`` from Babel's CLDR plural rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StudioError
from ..files import write_atomic
from .segments import Segment

if TYPE_CHECKING:  # polib itself is imported where a catalog is read or made: not by a build without one
    import polib

MAX_CATALOG_BYTES = 32 << 20
_PO_LINE = re.compile(r'^(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"$')
SIMILAR = 0.6
"""How alike (difflib ratio) an edited segment must be to its old text to keep its translation as fuzzy."""


class CatalogError(StudioError):
    """A catalog could not be read: ``reason`` says why, ``line`` where (None: the whole file)."""

    def __init__(self, path: Path, reason: str, line: int | None = None):
        self.reason, self.line = reason, line
        super().__init__(f"{path}{f':{line}' if line else ''}: {reason}")


def plural_forms(lang: str) -> str:
    """The gettext ``Plural-Forms`` header of *lang*, from CLDR's rules via Babel.

    >>> plural_forms("hi")
    'nplurals=2; plural=((((n == 0)) || ((n == 1))) ? 0 : 1);'
    """
    from babel import Locale, UnknownLocaleError  # Babel's data loads only when a catalog is made or read
    from babel.plural import to_gettext

    try:
        return to_gettext(Locale.parse(lang.replace("-", "_")).plural_form)
    except (UnknownLocaleError, ValueError):
        return "nplurals=2; plural=(n != 1);"


_READ: ContextVar[dict[tuple[str, int, int], polib.POFile] | None] = ContextVar("ks_catalogs_read", default=None)


@contextmanager
def read_once() -> Iterator[None]:
    """Inside the block, :func:`read` parses each catalog file once and hands every later reader the same
    :class:`polib.POFile` (a build's loader, checks and report all read it). Readers must not change it."""
    token = _READ.set(_READ.get() or {})  # a build inside a command shares the command's
    try:
        yield
    finally:
        _READ.reset(token)


def read(path: Path) -> polib.POFile:
    """The catalog at *path*; :class:`CatalogError` (with file and line) if it is not a valid PO file."""
    memo = _READ.get()
    if memo is None:
        return _read(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in memo:
        memo[key] = _read(path)
    return memo[key]


def _read(path: Path) -> polib.POFile:
    if path.stat().st_size > MAX_CATALOG_BYTES:
        raise CatalogError(path, f"catalog is larger than {MAX_CATALOG_BYTES >> 20} MB")
    # polib accepts almost anything: check each line's syntax, then let Babel's strict reader check the
    # structure, so a broken file is reported at the line a PO editor would choke on
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(path, "not valid UTF-8 text", path.read_bytes()[: exc.start].count(b"\n") + 1) from exc
    for number, line in enumerate(text.splitlines(), start=1):
        bare = line.strip().removeprefix("#~").strip()
        if bare and not bare.startswith("#") and not _PO_LINE.match(bare):
            raise CatalogError(path, f"not a valid PO file: cannot read '{bare[:40]}'", number)
    from babel.messages.pofile import PoFileError, read_po

    with open(path, "rb") as fh:
        try:
            read_po(fh, abort_invalid=True)
        except PoFileError as exc:
            raise CatalogError(
                path, f"not a valid PO file: {exc.args[0].rsplit(' on ', 1)[0]}", exc.lineno + 1
            ) from exc
        except (UnicodeDecodeError, ValueError) as exc:
            raise CatalogError(path, f"not a valid PO file: {exc}") from exc
    import polib

    try:
        return polib.pofile(str(path), encoding="utf-8", wrapwidth=78)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise CatalogError(path, f"not a valid PO file: {exc}") from exc


def new(lang: str, project: str) -> polib.POFile:
    import polib

    po = polib.POFile(wrapwidth=78, encoding="utf-8")
    po.metadata = headers(lang, project)
    return po


def headers(lang: str, project: str, old: dict[str, str] | None = None) -> dict[str, str]:
    """The header fields of a catalog; a translator's own (team, last translator, revision date) are kept."""
    old = old or {}
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M+0000")
    return {
        "Project-Id-Version": project,
        "Report-Msgid-Bugs-To": old.get("Report-Msgid-Bugs-To", ""),
        "POT-Creation-Date": old.get("POT-Creation-Date", now),
        "PO-Revision-Date": old.get("PO-Revision-Date", now),
        "Last-Translator": old.get("Last-Translator", ""),
        "Language-Team": old.get("Language-Team", ""),
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_forms(lang),
        "X-Generator": f"Karmayogi Studio {_version()}",
    }


def _version() -> str:
    from .. import __version__  # the package's __init__ imports the loader, which imports this module

    return __version__


@dataclass
class MergeReport:
    added: int = 0
    fuzzy: int = 0
    """Entries newly marked fuzzy because their source changed."""
    obsolete: int = 0
    """Translated entries whose segment is gone (kept as ``#~`` entries)."""
    revived: int = 0


def _scope_kind(ctxt: str) -> tuple[str, str]:
    scope, _, rest = ctxt.partition("|")
    return scope, rest.partition("|")[0]


def merge(old: polib.POFile, segments: Iterable[Segment], lang: str, project: str) -> tuple[polib.POFile, MergeReport]:
    """A catalog for *segments* that keeps every translation in *old*.

    Unchanged segments keep their entries; a segment whose text changed (same id, or a new id whose text
    is like that of an entry no longer used, in the same lesson and of the same kind) keeps the translation,
    marked fuzzy with the old source as ``#| msgid``; entries no segment uses become obsolete.
    """
    import polib

    report = MergeReport()
    po = polib.POFile(wrapwidth=78, encoding="utf-8")
    po.header = old.header
    po.metadata = headers(lang, project, old.metadata)
    by_id = {e.msgctxt: e for e in old if e.msgctxt and not e.obsolete}
    gone = {e.msgctxt: e for e in old.obsolete_entries() if e.msgctxt}
    used: set[int] = set()
    pending: list[tuple[int, Segment]] = []
    entries: list[polib.POEntry | None] = []
    for segment in segments:
        entry = by_id.get(segment.id) or gone.get(segment.id)
        if entry is None or id(entry) in used:
            pending.append((len(entries), segment))
            entries.append(None)
            continue
        used.add(id(entry))
        report.revived += entry.obsolete
        entries.append(_carry(entry, segment, report))
    spare = [e for e in [*by_id.values(), *gone.values()] if id(e) not in used and e.msgstr]
    for at, segment in pending:
        match = _similar(segment, spare)
        if match is not None:
            spare.remove(match)
            used.add(id(match))
            entries[at] = _carry(match, segment, report)
        else:
            report.added += 1
            entries[at] = _entry(segment)
    po.extend(e for e in entries if e is not None)
    strays = [e for e in old if not e.msgctxt and e.msgid and (e.msgstr or e.tcomment)]  # added by hand
    for entry in [*by_id.values(), *gone.values(), *strays]:
        if id(entry) not in used and (entry.msgstr or entry.tcomment):
            report.obsolete += not entry.obsolete
            entry.obsolete = True
            entry.occurrences = []
            po.append(entry)
    return po, report


def _entry(segment: Segment) -> polib.POEntry:
    import polib

    return polib.POEntry(
        msgctxt=segment.id,
        msgid=segment.source,
        msgstr="",
        comment=segment.note,
        occurrences=[(segment.file, str(segment.line))],
    )


def _carry(old: polib.POEntry, segment: Segment, report: MergeReport) -> polib.POEntry:
    entry = _entry(segment)
    entry.msgstr, entry.tcomment = old.msgstr, old.tcomment
    entry.flags = [f for f in old.flags if f != "fuzzy"]
    stale = old.msgid != segment.source
    if old.msgstr and (stale or old.fuzzy):
        entry.flags.append("fuzzy")
        # the oldest source the translation was made for: the translator diffs against it
        entry.previous_msgid = old.previous_msgid if old.fuzzy and old.previous_msgid else old.msgid
        if entry.previous_msgid == segment.source:
            entry.previous_msgid = None
        report.fuzzy += stale and not old.fuzzy
    return entry


def _similar(segment: Segment, spare: list[polib.POEntry]) -> polib.POEntry | None:
    from difflib import SequenceMatcher  # only when merging a catalog: every build imports this module

    scope, kind = _scope_kind(segment.id)
    best, best_ratio = None, SIMILAR
    for entry in spare:
        if _scope_kind(entry.msgctxt or "") != (scope, kind):
            continue
        ratio = SequenceMatcher(None, entry.msgid, segment.source, autojunk=False).ratio()
        if ratio >= best_ratio:
            best, best_ratio = entry, ratio
    return best


def usable(entry: polib.POEntry | None, source: str) -> bool:
    """Is *entry* a finished translation of *source* (translated, not fuzzy, made for this source)?"""
    return entry is not None and bool(entry.msgstr) and not entry.fuzzy and entry.msgid == source


def state(entry: polib.POEntry | None, source: str) -> str:
    """``translated``, ``fuzzy`` or ``missing``, as ``kstudio i18n status`` counts."""
    if usable(entry, source):
        return "translated"
    if entry is not None and entry.msgstr:
        return "fuzzy"
    return "missing"


def active(po: polib.POFile) -> dict[str, polib.POEntry]:
    return {e.msgctxt: e for e in po if e.msgctxt and not e.obsolete}


def write(po: polib.POFile, path: Path) -> None:
    """Write *po* to *path* atomically (a crash never leaves half a catalog)."""
    text = str(po)
    write_atomic(path, text if text.endswith("\n") else text + "\n", durable=True)  # a translator's work
