"""XLIFF 1.2 for CAT tools: the same entries as the catalog, with the same ids, notes and states.

One ``trans-unit`` per active catalog entry: ``id`` is the segment id (the PO ``msgctxt``), ``source`` the
text, ``target`` the translation with ``state`` ``translated``, ``needs-review-translation`` (fuzzy) or
``new``; the translator notes and the previous source of a fuzzy entry (``alt-trans``) come along, and the
place in the course as a ``context-group``. Importing writes targets and states back into the catalog;
exporting and importing again without edits leaves the catalog byte for byte the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polib
from lxml import etree

from ..errors import StudioError

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
MAX_XLIFF_BYTES = 64 << 20
STATES = {"translated": "translated", "fuzzy": "needs-review-translation", "missing": "new"}
DONE = {"translated", "final", "signed-off"}
"""States that mean the target is finished; any other state with a target imports as fuzzy."""


class XliffError(StudioError):
    pass


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def export(po: polib.POFile, source_lang: str, target_lang: str, original: str) -> bytes:
    """The XLIFF 1.2 document of catalog *po* (obsolete entries are left out)."""
    root = etree.Element(_q("xliff"), nsmap={None: NS}, version="1.2")
    file = etree.SubElement(
        root,
        _q("file"),
        original=original,
        datatype="x-gettext-po",
        attrib={"source-language": source_lang, "target-language": target_lang},
    )
    header = etree.SubElement(file, _q("header"))
    etree.SubElement(header, _q("tool"), attrib={"tool-id": "karmayogi-studio", "tool-name": "Karmayogi Studio"})
    body = etree.SubElement(file, _q("body"))
    for entry in po:
        if entry.obsolete or not entry.msgctxt:
            continue
        unit = etree.SubElement(body, _q("trans-unit"), id=entry.msgctxt, attrib={XML_SPACE: "preserve"})
        etree.SubElement(unit, _q("source")).text = entry.msgid
        state = "fuzzy" if entry.fuzzy and entry.msgstr else ("translated" if entry.msgstr else "missing")
        target = etree.SubElement(unit, _q("target"), state=STATES[state])
        target.text = entry.msgstr
        if entry.previous_msgid:
            alt = etree.SubElement(unit, _q("alt-trans"), attrib={"alttranstype": "previous-version"})
            etree.SubElement(alt, _q("source")).text = entry.previous_msgid
        if entry.comment:
            etree.SubElement(unit, _q("note"), attrib={"from": "developer"}).text = entry.comment
        if entry.tcomment:
            etree.SubElement(unit, _q("note"), attrib={"from": "translator"}).text = entry.tcomment
        for file_name, line in entry.occurrences:
            group = etree.SubElement(unit, _q("context-group"), purpose="location")
            etree.SubElement(group, _q("context"), attrib={"context-type": "sourcefile"}).text = file_name
            etree.SubElement(group, _q("context"), attrib={"context-type": "linenumber"}).text = str(line)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


@dataclass
class Unit:
    id: str
    source: str
    target: str
    state: str
    line: int
    note: str | None = None


@dataclass
class ImportReport:
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    """Why units were not imported (unknown id, changed source), one line each."""


def read(path: Path) -> tuple[str | None, list[Unit]]:
    """(target language, units) of an XLIFF 1.2 file; :class:`XliffError` names the file and line."""
    if path.stat().st_size > MAX_XLIFF_BYTES:
        raise XliffError(f"{path}: larger than {MAX_XLIFF_BYTES >> 20} MB")
    # hostile files: no entities, no network, no DTDs, no huge trees
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise XliffError(f"{path}:{exc.lineno}: not well-formed XML: {exc.msg}") from exc
    if root.tag != _q("xliff") or root.get("version") != "1.2":
        raise XliffError(f"{path}:{root.sourceline}: not an XLIFF 1.2 document (namespace {NS})")
    file = root.find(_q("file"))
    lang = file.get("target-language") if file is not None else None
    units = []
    for unit in root.iter(_q("trans-unit")):
        source, target = unit.find(_q("source")), unit.find(_q("target"))
        if source is None or not unit.get("id"):
            raise XliffError(f"{path}:{unit.sourceline}: trans-unit without id or source")
        units.append(
            Unit(
                id=str(unit.get("id")),
                source=_text(source),
                target=_text(target) if target is not None else "",
                state=(target.get("state") or "") if target is not None else "new",
                line=unit.sourceline or 0,
            )
        )
    return lang, units


def _text(element: etree._Element) -> str:
    """An element's text, inline markup (a CAT tool's ``<g>``/``<x/>``) flattened to its text."""
    return "".join(element.itertext())


def apply(po: polib.POFile, units: list[Unit], path: Path) -> ImportReport:
    """Write the targets of *units* into *po*. A unit whose source no longer matches is skipped."""
    report = ImportReport()
    entries = {e.msgctxt: e for e in po if e.msgctxt and not e.obsolete}
    for unit in units:
        entry = entries.get(unit.id)
        where = f"{path}:{unit.line}"
        if entry is None:
            report.skipped.append(f"{where}: unit '{unit.id}' is not in the catalog (run 'kstudio i18n update')")
            continue
        if entry.msgid != unit.source:
            report.skipped.append(f"{where}: the source of '{unit.id}' has changed since export; not imported")
            continue
        if not unit.target and entry.msgstr:  # a tool that leaves targets out must not erase translations
            report.unchanged += 1
            continue
        fuzzy = bool(unit.target) and unit.state not in DONE
        if entry.msgstr == unit.target and entry.fuzzy == fuzzy:
            report.unchanged += 1
            continue
        entry.msgstr = unit.target
        if fuzzy and not entry.fuzzy:
            entry.flags.append("fuzzy")
        elif not fuzzy and entry.fuzzy:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = None  # reviewed: the old source has served its purpose
        report.updated += 1
    return report
