"""course.yml edited through a form, keeping the file's comments, key order and layout (ruamel.yaml).

The reader is :mod:`packager.load` (with :mod:`packager.yamlsrc` and :mod:`packager.schema`); what this
writes loads back as the course the form describes (tests/test_metadata.py).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from . import yamlsrc
from .igot.programme import CATEGORIES

LEVELS = ("beginner", "intermediate", "advanced")
LICENSES = (
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC-BY-NC-4.0",
    "CC-BY-NC-SA-4.0",
    "CC-BY-ND-4.0",
    "CC-BY-NC-ND-4.0",
    "CC0-1.0",
    "GODL-India",
    "Proprietary",
)
"""The licences the form offers (SPDX identifiers; GODL-India is the Government Open Data Licence)."""
COMPETENCY_SEP = " / "


@dataclass(frozen=True)
class Field:
    """One field of the course details form: its label, how it is edited, and where it lives in course.yml.

    Kinds: ``text`` (one line), ``long`` (a paragraph), ``list`` (comma-separated; a YAML list),
    ``choice`` (one of *choices*, or none), ``languages`` (a list of language codes), ``image`` (a
    course-relative file), ``competencies`` (one ``Area / Theme / Subtheme`` a line)."""

    label: str
    kind: str = "text"
    choices: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    """The key path in course.yml; empty: the field's own name."""


FIELDS: dict[str, Field] = {
    "title": Field("Title"),
    "summary": Field("Summary", "long"),
    "version": Field("Version"),
    "language": Field("Language code"),
    "provider_name": Field("Provider (institute)", key=("provider", "name")),
    "provider_id": Field("Provider's short name (letters, digits, '-')", key=("provider", "id")),
    "authors": Field("Authors (comma-separated)", "list"),
    "thumbnail": Field("Thumbnail image", "image"),
    "level": Field("Level", "choice", LEVELS),
    "license": Field("Licence", "choice", LICENSES),
    "audience": Field("Audience (comma-separated)", "list"),
    "keywords": Field("Keywords (comma-separated)", "list"),
    "category": Field("iGOT category", "choice", CATEGORIES),
    "translations": Field("Translations", "languages"),
    "competencies": Field("Competencies", "competencies"),
}


class MetadataError(ValueError):
    pass


_FLOW_SIGNS = set(":#,[]{}&*!|>'\"%@`?-")


def _item(text: str) -> str:
    """A list item as written: quoted when YAML could read it as syntax (ruamel writes ``[:0]`` plain,
    which other YAML readers, the loader's among them, refuse)."""
    return DoubleQuotedScalarString(text) if _FLOW_SIGNS & set(text) else text


def _yaml() -> YAML:
    yaml = YAML()  # round-trip mode
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap an author's long lines
    yaml.indent(mapping=2, sequence=4, offset=2)  # the format's documented style: "  - item"
    return yaml


def _path(name: str) -> tuple[str, ...]:
    return FIELDS[name].key or (name,)


def _get(doc: CommentedMap, path: tuple[str, ...]) -> Any:
    value: Any = doc
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def competency_text(entry: Any) -> str:
    """A course.yml competency (a mapping) as the form's line: ``Area / Theme / Subtheme``."""
    if not isinstance(entry, dict):
        return str(entry)
    return COMPETENCY_SEP.join(str(entry[k]) for k in ("area", "theme", "subtheme") if entry.get(k) is not None)


def read(text: str) -> dict[str, str]:
    """The form's values from course.yml's text."""
    doc = _load(text)
    values = {}
    for name, spec in FIELDS.items():
        value = _get(doc, _path(name))
        if spec.kind in ("list", "languages") and isinstance(value, list):
            values[name] = ", ".join(str(v) for v in value)
        elif spec.kind == "competencies" and isinstance(value, list):
            values[name] = "\n".join(competency_text(v) for v in value)
        else:
            values[name] = "" if value is None else str(value)
    return values


def update(text: str, form: dict[str, str]) -> str:
    """course.yml's text with the form's values put in; untouched keys, comments and order stay.
    MetadataError for a value course.yml cannot take (a competency line without a theme)."""
    doc = _load(text)
    for name, spec in FIELDS.items():
        if name not in form:
            continue
        raw = form[name].strip()
        if not raw and _get(doc, _path(name)) is None:
            continue  # nothing given, nothing there: no key is added
        *parents, key = _path(name)
        holder = doc
        for part in parents:
            if not isinstance(holder.get(part), dict):
                holder[part] = _flow(CommentedMap())
            holder = holder[part]
        if spec.kind in ("list", "languages", "competencies"):
            old = holder.get(key)
            items = _competencies(raw, old) if spec.kind == "competencies" else _list(raw)
            if isinstance(old, CommentedSeq) and list(old) == items:
                continue
            if isinstance(old, CommentedSeq):
                old[:] = items  # in place: the list keeps its style and comments
            else:
                holder[key] = items_seq = CommentedSeq(items)
                if spec.kind != "competencies":
                    items_seq.fa.set_flow_style()
        else:
            if not raw and spec.kind in ("choice", "image"):
                del holder[key]  # none chosen: the key goes (the format's default applies)
            elif str(holder.get(key, "")) != raw:
                holder[key] = raw
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


def _flow(node: CommentedMap) -> CommentedMap:
    node.fa.set_flow_style()
    return node


def _list(raw: str) -> list[str]:
    return [_item(item.strip()) for item in raw.split(",") if item.strip()]


def _competencies(raw: str, old: Any) -> list[Any]:
    """The form's competency lines as course.yml entries; an entry that was there already is kept as it
    was (its level and layout stay)."""
    known = {competency_text(entry): entry for entry in old} if isinstance(old, list) else {}
    items: list[Any] = []
    for number, line in enumerate(raw.splitlines(), 1):
        line = " ".join(line.split())
        if not line:
            continue
        if line in known:
            items.append(known[line])
            continue
        parts = [part.strip() for part in line.split("/")]
        if len(parts) not in (2, 3) or not all(parts):
            raise MetadataError(
                f"competency {number} ('{line[:80]}'): write it as Area / Theme or Area / Theme / Subtheme"
            )
        entry = CommentedMap(zip(("area", "theme", "subtheme"), (_item(p) for p in parts), strict=False))
        items.append(_flow(entry))
    return items


def _load(text: str) -> CommentedMap:
    too_big = yamlsrc.size_problem(text, "course.yml")  # ruamel keeps aliases; str() of a bomb would not
    if too_big:
        raise MetadataError(f"course.yml: {too_big.message}: fix it in the file editor first")
    try:
        doc: Any = _yaml().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)  # where it began
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise MetadataError(f"course.yml is not valid YAML{where}: fix it in the file editor first") from None
    if not isinstance(doc, CommentedMap):
        raise MetadataError("course.yml does not hold a mapping of keys: fix it in the file editor first")
    return doc


def add_lesson(text: str, path: str, module_title: str = "Lessons") -> str:
    """course.yml's text with lesson *path* appended to the last module (a new module if there is none)."""
    doc = _load(text)
    modules = doc.get("modules")
    if not isinstance(modules, CommentedSeq) or not modules:
        modules = CommentedSeq([CommentedMap([("title", module_title), ("lessons", CommentedSeq())])])
        doc["modules"] = modules
    last = modules[-1]
    if not isinstance(last, CommentedMap):
        raise MetadataError("the last entry of modules: is not a module; fix course.yml in the file editor")
    lessons = last.get("lessons")
    if not isinstance(lessons, CommentedSeq):
        lessons = CommentedSeq()
        last["lessons"] = lessons
    if path in lessons:
        raise MetadataError(f"{path} is in the course already")
    lessons.append(path)
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


def add_module(text: str, title: str, lessons: list[str]) -> str:
    """course.yml's text with a module *title* of *lessons* appended to ``modules:`` (made if missing)."""
    doc = _load(text)
    modules = doc.get("modules")
    if not isinstance(modules, CommentedSeq):
        modules = CommentedSeq()
        doc["modules"] = modules
    modules.append(CommentedMap([("title", title), ("lessons", CommentedSeq(lessons))]))
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()
