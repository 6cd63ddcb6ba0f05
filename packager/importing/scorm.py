"""SCORM 1.2 and 2004 packages -> :class:`ImportedCourse`.

The manifest's default organisation is the outline: items with children become modules, leaves
lessons (a one-level tree is one module). Where a tool keeps its course as data, that data is read
instead of its player's pages, which hold little text: our own packages (``course.js`` and the lesson
scripts: text, questions and answers come back exactly), Articulate Rise (the ``courseData`` blob),
Adapt (``course/<lang>/*.json``) and H5P's SCORM export (``h5p.json``). eXeLearning pages are HTML
with quiz markup (its iDevices: :mod:`.scorm_exe`). Anything else is kept as an attachment and
listed; the report says, per item, what was recovered.

The package is hostile (:mod:`.package` reads it); the manifest is parsed without entities, DTD or
network; a resource outside the package is refused, never fetched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from . import scorm_adapt, scorm_ours, scorm_rise
from .html import escape
from .model import ImportedCourse, Lesson, Module
from .package import UNEXPECTED, Package, PackageError, Reading, resolve_in
from .scorm_exe import idevice

if TYPE_CHECKING:
    from . import ImportOptions, Progress

MAX_MANIFEST_BYTES = 4 * 1024 * 1024
TOOLS = {
    "scorm_ours": "Karmayogi Studio",
    "scorm_rise": "Articulate Rise",
    "scorm_adapt": "Adapt",
    "_h5p_inside": "H5P",
    "_generic": "SCORM",
}
"""Each way of reading a package, tried in this order, by the name its refusals give it."""


# The manifest ------------------------------------------------------------------------------------


@dataclass
class Item:
    title: str
    href: str | None = None
    """The package path of the item's launch page (its resource's href with ``xml:base`` and parameters)."""
    resource: str | None = None
    children: list[Item] = field(default_factory=list)


@dataclass
class Manifest:
    title: str
    version: str
    """``1.2``, ``2004`` or ``""`` when the manifest does not say."""
    items: list[Item]
    language: str = ""


def _local(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if isinstance(c.tag, str) and _local(c) == name]


def _title(el: Any) -> str:
    title = next(iter(_children(el, "title")), None)
    return " ".join((title.text or "").split()) if title is not None else ""


XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


def read_manifest(package: Package) -> Manifest:
    """The manifest of *package*, both versions (their namespaces are matched by local name)."""
    name = "imsmanifest.xml"
    if package.size(name) > MAX_MANIFEST_BYTES:
        raise PackageError(f"{package.source.name}: imsmanifest.xml is larger than {MAX_MANIFEST_BYTES // 2**20} MB")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
    )
    try:
        root = etree.fromstring(package.read(name), parser=parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        raise PackageError(f"{package.source.name}: imsmanifest.xml:{line}: not well-formed XML: {exc.msg}") from None
    if _local(root) != "manifest":
        raise PackageError(f"{package.source.name}: imsmanifest.xml is not an IMS manifest (<{_local(root)}>)")
    version = ""
    for meta in root.iter():
        if isinstance(meta.tag, str) and _local(meta) == "schemaversion":
            text = (meta.text or "").strip()
            version = "1.2" if text.startswith("1.2") else "2004" if text else ""
            break
    language = ""
    for el in root.iter():
        if isinstance(el.tag, str) and _local(el) == "language" and (el.text or "").strip():
            code = (el.text or "").strip().split("-")[0].lower()
            language = code if re.fullmatch(r"[a-z]{2,3}", code) and code != "und" else ""
            break
    base = root.get(XML_BASE, "")
    resources: dict[str, Any] = {}
    for group in _children(root, "resources"):
        group_base = base + group.get(XML_BASE, "")
        for res in _children(group, "resource"):
            ident = res.get("identifier", "")
            res_base = group_base + res.get(XML_BASE, "")
            resources[ident] = (res_base, res.get("href"))
    organizations = next(iter(_children(root, "organizations")), None)
    orgs = _children(organizations, "organization") if organizations is not None else []
    default = organizations.get("default") if organizations is not None else None
    org = next((o for o in orgs if o.get("identifier") == default), orgs[0] if orgs else None)

    def item(el: Any) -> Item:
        ref = el.get("identifierref")
        href = None
        if ref in resources:
            res_base, res_href = resources[ref]
            if res_href:
                href = res_base + res_href + (el.get("parameters") or "")
        return Item(_title(el) or "Untitled", href, ref, [item(c) for c in _children(el, "item")])

    items = [item(c) for c in _children(org, "item")] if org is not None else []
    if not items and resources:  # no organisation: each resource with a page is one item
        items = [Item(ident, b + h, ident) for ident, (b, h) in resources.items() if h]
    title = (_title(org) if org is not None else "") or ""
    return Manifest(title, version, items, language)


def outline(items: list[Item], course_title: str) -> list[tuple[str, list[Item]]]:
    """(module title, leaves): top items with children are modules (their leaves, however deep, its
    lessons); runs of top-level leaves make a module named after the course."""
    modules: list[tuple[str, list[Item]]] = []
    for top in items:
        if top.children:
            modules.append((top.title, list(_leaves(top))))
        elif modules and modules[-1][0] == course_title and not _is_module(modules[-1]):
            modules[-1][1].append(top)
        else:
            modules.append((course_title, [top]))
    return modules


def _is_module(entry: tuple[str, list[Item]]) -> bool:
    return any(i.children for i in entry[1])


def _leaves(item: Item) -> Iterator[Item]:
    if item.href and not item.children:
        yield item
    for child in item.children:
        if child.children:
            if child.href:
                yield Item(child.title, child.href, child.resource)
            yield from _leaves(child)
        else:
            yield child


# Reading ------------------------------------------------------------------------------------------


def read(path: Path, options: ImportOptions, progress: Progress) -> ImportedCourse:
    package = Package.open(path, options.limits, "imsmanifest.xml")
    try:
        manifest = read_manifest(package)
        course = ImportedCourse(
            title=manifest.title or path.stem, source=path.name, language=manifest.language or options.language
        )
        reading = Reading(package, course, options)
        for tool in (scorm_ours.read, scorm_rise.read, scorm_adapt.read, _h5p_inside, _generic):
            try:
                if tool(reading, manifest, progress):
                    return course
            except PackageError:
                raise
            except UNEXPECTED as exc:
                key = tool.__module__.rpartition(".")[2] if tool.__name__ == "read" else tool.__name__
                raise PackageError(f"{path.name}: its {TOOLS[key]} data is not as expected ({exc!r:.120})") from None
        return course
    finally:
        package.close()


def _h5p_inside(reading: Reading, manifest: Manifest, progress: Progress) -> bool:
    """H5P's SCORM export: the H5P package's own files sit inside the SCORM package."""
    names = [n for n in reading.package.names() if n == "h5p.json" or n.endswith("/h5p.json")]
    for name in sorted(names, key=len):
        folder = name[: -len("h5p.json")]
        if reading.package.has(folder + "content/content.json"):
            from . import h5p

            inner = Package(
                reading.package.archive, reading.package.files, reading.package.source, reading.package.top + folder
            )
            h5p.read_into(Reading(inner, reading.course, reading.options), progress, tool="H5P's SCORM export")
            return True
    return False


def _generic(reading: Reading, manifest: Manifest, progress: Progress) -> bool:
    """Each leaf's page as a lesson: its text, media and links; eXeLearning's quizzes as questions."""
    course, package = reading.course, reading.package
    ispring = _is_ispring(package)
    leaves = sum(len(leaves) for _, leaves in outline(manifest.items, course.title))
    done = 0
    for module_title, leaves_ in outline(manifest.items, course.title):
        module = Module(module_title)
        for leaf in leaves_:
            done += 1
            progress(done / max(leaves, 1), f"item '{leaf.title}'")
            where = f"item '{leaf.title}'"
            page = resolve_in("", leaf.href or "") if leaf.href else None
            if leaf.href and page is None:
                course.note(where, "dropped", f"its page '{leaf.href}' is outside the package; not fetched")
                continue
            page = page.split("?")[0] if page else None
            if page is None or not package.has(page):
                course.note(where, "dropped", f"its page '{leaf.href}' is not in the package")
                continue
            reason = "its content is not text the package carries as data"
            if page.lower().endswith((".html", ".htm")) and not ispring:
                lesson, dropped, no_alt = reading.html_lesson(leaf.title, page, special=idevice(reading, where))
                if lesson.body.strip():
                    module.lessons.append(lesson)
                    detail = "text" + (f"; left out: {', '.join(dropped[:5])}" if dropped else "")
                    if no_alt:
                        detail += f"; {no_alt} image(s) without alt text were given their file name"
                    course.note(where, "approximated" if dropped or no_alt else "converted", detail)
                    continue
                reason = "; ".join(dropped) or reason
            if not ispring and not page.lower().endswith((".html", ".htm")):
                refused: list[str] = []
                target = reading.file(page, refused)
                if target is not None:
                    module.lessons.append(Lesson(leaf.title, f"[{escape(leaf.title)}]({target})\n"))
                    course.note(where, "approximated", f"'{page}' is kept as an attachment")
                    continue
            link = reading.attachment()
            why = "iSpring keeps its slides and quizzes as compiled player data" if ispring else reason
            module.lessons.append(
                Lesson(leaf.title, f"This item could not be converted: [the original package]({link}).\n")
            )
            course.note(where, "dropped", f"{why}; the original package is attached")
        if module.lessons:
            course.modules.append(module)
    return True


def _is_ispring(package: Package) -> bool:
    if not any(n.startswith("data/") for n in package.names()):
        return False
    for page in ("index.html", "res/index.html"):
        if package.has(page) and b"ispring" in package.read(page).lower():
            return True
    return False
