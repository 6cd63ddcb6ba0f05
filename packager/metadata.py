"""course.yml edited through a form, keeping the file's comments, key order and layout (ruamel.yaml).

The reader is :mod:`packager.load` (with :mod:`packager.yamlsrc` and :mod:`packager.schema`); what this
writes loads back as the course the form describes (tests/test_metadata.py).
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from . import yamlsrc

# form field -> (label, kind): "text" is one line, "long" a paragraph, "list" comma-separated words
FIELDS: dict[str, tuple[str, str]] = {
    "title": ("Title", "text"),
    "summary": ("Summary", "long"),
    "version": ("Version", "text"),
    "language": ("Language code", "text"),
    "level": ("Level", "text"),
    "license": ("Licence", "text"),
    "authors": ("Authors (comma-separated)", "list"),
    "keywords": ("Keywords (comma-separated)", "list"),
    "audience": ("Audience (comma-separated)", "list"),
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


def read(text: str) -> dict[str, str]:
    """The form's values from course.yml's text."""
    doc = _load(text)
    values = {}
    for key, (_label, kind) in FIELDS.items():
        value = doc.get(key)
        if kind == "list" and isinstance(value, list):
            values[key] = ", ".join(str(v) for v in value)
        else:
            values[key] = "" if value is None else str(value)
    return values


def update(text: str, form: dict[str, str]) -> str:
    """course.yml's text with the form's values put in; untouched keys, comments and order stay."""
    doc = _load(text)
    for key, (_label, kind) in FIELDS.items():
        if key not in form:
            continue
        raw = form[key].strip()
        if kind == "list":
            items = [_item(item.strip()) for item in raw.split(",") if item.strip()]
            if not items and key not in doc:
                continue
            old = doc.get(key)
            if isinstance(old, CommentedSeq) and list(old) == items:
                continue
            if isinstance(old, CommentedSeq):
                old[:] = items  # in place: the list keeps its style and comments
            else:
                seq = CommentedSeq(items)
                seq.fa.set_flow_style()
                doc[key] = seq
        else:
            if not raw and key not in doc:
                continue
            if str(doc.get(key, "")) != raw:
                doc[key] = raw
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


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
