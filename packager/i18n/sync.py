"""A translator's edits to a catalog: one segment at a time, or a whole PO/XLIFF file merged in safely.

A segment is ``missing``, ``fuzzy``, ``translated`` or ``reviewed``. ``reviewed`` is a PO flag
(``#, reviewed``) beside gettext's ``fuzzy``: it travels with the catalog (CLI, Git, Poedit keep unknown
flags) and any change of the translation drops it.

An uploaded file is merged three ways: for each segment, the file's text, the catalog's text now, and
the catalog's text when the file was exported (its revision is in the PO header ``X-Studio-Revision`` or
the XLIFF ``build-num``). A segment changed in the studio since the export and changed differently in the
file is a :class:`Conflict`: shown to the translator, never written over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polib
from lxml import etree

from . import catalog, xliff

REVIEWED = "reviewed"
REVISION_HEADER = "X-Studio-Revision"


def state(entry: polib.POEntry | None, source: str) -> str:
    """``missing``, ``fuzzy``, ``translated`` or ``reviewed`` (a reviewed entry is also translated)."""
    found = catalog.state(entry, source)
    return REVIEWED if found == "translated" and entry is not None and REVIEWED in entry.flags else found


def set_translation(entry: polib.POEntry, text: str, *, fuzzy: bool = False) -> bool:
    """Write *text* as *entry*'s translation; True if anything changed. Not fuzzy: the old source is done with."""
    text = text.replace("\r\n", "\n")
    changed = entry.msgstr != text or entry.fuzzy != fuzzy
    # a new text, or the old one confirmed for a changed source, has not been reviewed
    if (entry.msgstr != text or entry.fuzzy) and REVIEWED in entry.flags:
        entry.flags.remove(REVIEWED)
    entry.msgstr = text
    if fuzzy and not entry.fuzzy:
        entry.flags.append("fuzzy")
    elif not fuzzy and entry.fuzzy:
        entry.flags.remove("fuzzy")
    if not fuzzy:
        entry.previous_msgid = None
    if not text and REVIEWED in entry.flags:
        entry.flags.remove(REVIEWED)
    return changed


def set_reviewed(entry: polib.POEntry, reviewed: bool = True) -> bool:
    if reviewed and (not entry.msgstr or entry.fuzzy):
        raise ValueError("only a finished (translated, not fuzzy) segment can be marked reviewed")
    if reviewed == (REVIEWED in entry.flags):
        return False
    if reviewed:
        entry.flags.append(REVIEWED)
    else:
        entry.flags.remove(REVIEWED)
    return True


@dataclass
class Incoming:
    id: str
    source: str
    target: str
    fuzzy: bool
    where: str


@dataclass
class Conflict:
    id: str
    source: str
    ours: str
    """The catalog's text now (saved in the studio since the export)."""
    theirs: str
    """The uploaded file's text."""
    where: str


@dataclass
class MergeReport:
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_upload(path: Path, name: str) -> tuple[list[Incoming], int | None]:
    """The units of an uploaded ``.po`` or ``.xlf``/``.xliff`` file and the revision it was exported from.

    Errors are :class:`catalog.CatalogError` or :class:`xliff.XliffError`, naming the file and line.
    """
    if name.lower().endswith(".po"):
        po = catalog.read(path)
        units = [
            Incoming(e.msgctxt, e.msgid, e.msgstr, e.fuzzy, f"{name}:{e.linenum}")
            for e in po
            if e.msgctxt and not e.obsolete
        ]
        return units, _int(po.metadata.get(REVISION_HEADER))
    if name.lower().endswith((".xlf", ".xliff")):
        _lang, found = xliff.read(path)
        units = [
            Incoming(u.id, u.source, u.target, bool(u.target) and u.state not in xliff.DONE, f"{name}:{u.line}")
            for u in found
        ]
        return units, _xliff_revision(path)
    raise xliff.XliffError(f"{name}: upload a .po or .xlf file")


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _xliff_revision(path: Path) -> int | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    file = etree.parse(str(path), parser).getroot().find(f"{{{xliff.NS}}}file")
    return _int(file.get("build-num")) if file is not None else None


def export_xliff(po: polib.POFile, source_lang: str, lang: str, original: str, revision: int) -> bytes:
    """XLIFF of *po* that remembers the catalog revision it was made from (for a safe upload later)."""
    root = etree.fromstring(xliff.export(po, source_lang, lang, original))
    file = root.find(f"{{{xliff.NS}}}file")
    assert file is not None
    file.set("build-num", str(revision))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def export_po(po: polib.POFile, revision: int) -> bytes:
    copy = polib.pofile(str(po), wrapwidth=78)
    copy.metadata[REVISION_HEADER] = str(revision)
    return str(copy).encode("utf-8")


def merge_upload(current: polib.POFile, base: polib.POFile | None, units: list[Incoming]) -> MergeReport:
    """Apply *units* to *current* where that loses nothing; the rest are conflicts or skipped."""
    report = MergeReport()
    entries = catalog.active(current)
    before = catalog.active(base) if base is not None else {}
    for unit in units:
        entry = entries.get(unit.id)
        if entry is None:
            report.skipped.append(f"{unit.where}: segment '{unit.id}' is not in the course any more")
            continue
        if entry.msgid != unit.source:
            report.skipped.append(f"{unit.where}: the source of '{unit.id}' changed since the export; not merged")
            continue
        if not unit.target or (unit.target == entry.msgstr and unit.fuzzy == entry.fuzzy):
            report.unchanged += 1  # a tool that leaves targets out never erases a translation
            continue
        old = before.get(unit.id)
        untouched = not entry.msgstr or (old is not None and old.msgstr == entry.msgstr)
        if unit.target == entry.msgstr or untouched:
            set_translation(entry, unit.target, fuzzy=unit.fuzzy)
            report.updated.append(unit.id)
        else:
            report.conflicts.append(Conflict(unit.id, entry.msgid, entry.msgstr, unit.target, unit.where))
    return report
