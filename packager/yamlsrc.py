"""YAML with line numbers: plain Python values plus a map from each key path to its source line.

PyYAML's C loader composes the node tree (fast, and safe: no tags are constructed), and we convert
nodes ourselves so that every value keeps the line it came from, duplicate keys are reported instead of
silently overwritten, and alias bombs ("billion laughs") are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import Problem, error

try:  # The C loader is ~10x faster; fall back when PyYAML was built without libyaml.
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

Path_ = tuple[str | int, ...]
MAX_NODES = 20_000  # far beyond any real course.yml, far below an alias bomb

_BOOL = {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}


@dataclass
class YamlDoc:
    """A parsed YAML document: its value, the line of every key path, and the problems found."""

    value: Any = None
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, path: Path_) -> int | None:
        """The line of *path*, or of its nearest ancestor that has one.

        >>> doc = parse("a:\\n  b: 1\\n", "x.yml", line_offset=0)
        >>> doc.line_of(("a", "b")), doc.line_of(("a", "zz"))
        (2, 1)
        """
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def _parse(text: str, file: str, *, line_offset: int = 0) -> YamlDoc:
    doc = YamlDoc()
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else 1 + line_offset
        what = exc.problem or "invalid YAML"
        doc.problems.append(error(file, line, f"YAML syntax error: {what}"))
        return doc
    except yaml.YAMLError as exc:
        doc.problems.append(error(file, 1 + line_offset, f"YAML error: {exc}"))
        return doc
    if node is None:
        return doc
    state = _Converter(file, line_offset, doc)
    doc.value = state.convert(node, ())
    return doc


class _Converter:
    def __init__(self, file: str, offset: int, doc: YamlDoc):
        self.file, self.offset, self.doc, self.count = file, offset, doc, 0

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def convert(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig
        self.doc.lines.setdefault(path, self.line(node))
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, (str, int)) or isinstance(key, bool):
                    self.doc.problems.append(error(self.file, self.line(key_node), "keys must be plain words"))
                    continue
                key = str(key)
                if key in out:
                    self.doc.problems.append(error(self.file, self.line(key_node), f"key '{key}' appears twice"))
                self.doc.lines[(*path, key)] = self.line(key_node)
                out[key] = self.convert(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> Any:
        value = node.value
        tag = node.tag
        if tag.endswith(":null"):
            return None
        if tag.endswith(":bool"):
            return _BOOL.get(value.lower(), bool(value))
        if tag.endswith(":int"):
            try:
                return int(value.replace("_", ""), 0)
            except ValueError:
                return value
        if tag.endswith(":float"):
            try:
                return float(value.replace("_", ""))
            except ValueError:
                return value
        return value  # str, and timestamps kept as written


class _TooBig(Exception):
    pass


def size_problem(text: str, file: str) -> Problem | None:
    """The problem when *text* expands past :data:`MAX_NODES` values or nests too deeply, else None:
    for other YAML readers (the studio's round-trip editor), to run before they expand aliases."""
    return next((p for p in parse(text, file).problems if p.message.startswith(_TOO_BIG)), None)


_TOO_BIG = "YAML document is "  # the start of both messages below


def parse(text: str, file: str, *, line_offset: int = 0) -> YamlDoc:
    """Parse one YAML document; problems carry *file* and lines shifted by *line_offset*.

    Never raises on bad input: syntax errors, duplicate keys and over-large documents are problems.
    """
    first = 1 + line_offset  # the problem is the whole document: point at its first line
    try:
        return _parse(text, file, line_offset=line_offset)
    except _TooBig:
        message = f"YAML document is too large or too deeply aliased (more than {MAX_NODES} values)"
        return YamlDoc(problems=[error(file, first, message)])
    except RecursionError:
        return YamlDoc(problems=[error(file, first, "YAML document is nested too deeply")])
