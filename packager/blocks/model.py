"""A lesson as the block editor edits it: plain-data blocks, and their JSON with validation.

Text fields hold Markdown as the author writes it (``**bold**``, ``[a link](…)``, lists): the blocks
say where the structure is (a heading, an image, a quiz and its questions), the Markdown inside a
field stays the author's. What the model cannot represent is a :class:`Raw` block, kept byte for byte.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from ..markdown.quiz import ID, KIND_WORDS
from ..markdown.rules import media_kind
from ..patterns import LESSON_ID_PATTERN

FORMAT = 1
"""The JSON's version: a browser holding blocks of another version must reload them."""
MAX_BLOCKS = 2000
MAX_TEXT = 256 * 1024  # a lesson's own limit (packager.lesson.MAX_LESSON_KB): no field can be longer
CALLOUT_KINDS = ("note", "tip", "warning", "important")
COMPETENCY_AREAS = ("Behavioural", "Functional", "Domain")
ALIGNS = ("", "left", "center", "right")


class BlockError(ValueError):
    """Blocks that cannot be a lesson: the message names the field (``blocks[3].questions[0].prompt``)."""


@dataclass
class Competency:
    area: str
    theme: str
    subtheme: str = ""
    level: int | None = None


@dataclass
class Front:
    """The front matter: what the lesson's details form edits."""

    title: str
    id: str = ""
    minutes: float | None = None
    objectives: list[str] = field(default_factory=list)
    competencies: list[Competency] = field(default_factory=list)


@dataclass
class Text:
    """Prose: paragraphs, lists, quotes, code, footnotes; ``markdown`` is the author's Markdown."""

    markdown: str


@dataclass
class Heading:
    level: int
    text: str
    """Inline Markdown, one line."""


@dataclass
class Image:
    src: str
    """As written: a course-relative path (``media/chart.png``)."""
    alt: str


@dataclass
class Video:
    src: str
    title: str
    """The alt text, which the format uses as the video's title."""


@dataclass
class Audio:
    src: str
    title: str


@dataclass
class Attachment:
    src: str
    text: str
    """The link's text."""


@dataclass
class Callout:
    kind: str
    markdown: str


@dataclass
class Reflection:
    markdown: str
    id: str = ""


@dataclass
class Table:
    rows: list[list[str]]
    """The header row first; each cell inline Markdown, one line (a ``|`` in it is written ``\\|``)."""
    align: list[str] = field(default_factory=list)
    """Per column: ``left``, ``center``, ``right`` or ``""``."""


@dataclass
class Option:
    text: str
    correct: bool = False
    feedback: str = ""
    """Markdown shown once the learner chose this option."""


@dataclass
class Question:
    kind: Literal["single", "multiple", "fill", "order", "match"]
    prompt: str
    """Inline Markdown, one line: the heading."""
    more: str = ""
    """Markdown between the prompt and the answers (a scenario, an image, a table)."""
    options: list[Option] = field(default_factory=list)
    """single, multiple."""
    answers: list[str] = field(default_factory=list)
    """fill: every accepted answer."""
    items: list[str] = field(default_factory=list)
    """order: the items in the right order."""
    pairs: list[list[str]] = field(default_factory=list)
    """match: [left, right] pairs."""
    explanation: str = ""
    points: int = 1
    id: str = ""
    competency: list[str] = field(default_factory=list)
    """Themes or subthemes of the course's competencies, by slug."""


@dataclass
class Quiz:
    kind: Literal["quiz", "check"]
    """``quiz`` is graded; ``check`` is an ungraded knowledge check."""
    questions: list[Question] = field(default_factory=list)
    intro: str = ""
    pass_mark: int | None = None
    draw: int | None = None
    shuffle: bool = True
    attempts: int | None = None
    id: str = ""


@dataclass
class Raw:
    """Text the model cannot represent (an unknown block, a malformed quiz), kept exactly as written."""

    text: str


Block = Front | Text | Heading | Image | Video | Audio | Attachment | Callout | Reflection | Table | Quiz | Raw

TYPES: dict[str, type] = {
    "front": Front,
    "text": Text,
    "heading": Heading,
    "image": Image,
    "video": Video,
    "audio": Audio,
    "attachment": Attachment,
    "callout": Callout,
    "reflection": Reflection,
    "table": Table,
    "quiz": Quiz,
    "raw": Raw,
}
_NAMES = {cls: name for name, cls in TYPES.items()}


def to_json(blocks: list[Block]) -> dict[str, Any]:
    """The blocks as JSON-ready data: ``{"format": 1, "blocks": [{"type": "heading", …}, …]}``."""
    return {"format": FORMAT, "blocks": [{"type": _NAMES[type(b)], **dataclasses.asdict(b)} for b in blocks]}


def from_json(data: Any) -> list[Block]:
    """Blocks from what :func:`to_json` gave (a browser's copy, so anything): raises :class:`BlockError`."""
    if not isinstance(data, dict) or not isinstance(data.get("blocks"), list):
        raise BlockError('expected {"format": 1, "blocks": [...]}')
    if data.get("format") != FORMAT:
        raise BlockError(f"blocks of format {data.get('format')!r}; this studio reads format {FORMAT}: reload")
    items = data["blocks"]
    if len(items) > MAX_BLOCKS:
        raise BlockError(f"a lesson has at most {MAX_BLOCKS} blocks; split it into shorter lessons")
    if _chars(items) > MAX_TEXT:
        raise BlockError(f"the lesson is larger than {MAX_TEXT // 1024} KB; split it into shorter lessons")
    blocks = [_block(item, f"blocks[{i}]") for i, item in enumerate(items)]
    if any(isinstance(b, Front) for b in blocks[1:]):
        raise BlockError("the lesson's details (front matter) can only be the first block")
    return blocks


def _chars(value: Any) -> int:
    """The characters of every string in *value* (JSON data), counted before anything is written."""
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            count += len(item)
        elif isinstance(item, dict):
            stack += item.values()
        elif isinstance(item, list):
            stack += item
    return count


def _block(item: Any, where: str) -> Block:
    read = _Fields(item, where)
    kind = read.choice("type", tuple(TYPES))
    block: Block
    if kind == "front":
        block = Front(
            read.text("title", line=True),
            read.ident("id", LESSON_ID_PATTERN),
            read.number("minutes"),
            read.texts("objectives", line=True),
            [_competency(c, f"{where}.competencies[{i}]") for i, c in enumerate(read.items("competencies"))],
        )
    elif kind in ("text", "raw"):
        block = TYPES[kind](read.text("markdown" if kind == "text" else "text"))
    elif kind == "heading":
        block = Heading(read.whole("level", 1, 6), read.text("text", line=True))
    elif kind in ("image", "video", "audio"):
        src = read.text("src", line=True)
        if media_kind(src) != kind:
            raise BlockError(f"{where}.src: '{src[:60]}' is not {'an' if kind == 'image' else 'a'} {kind} file")
        block = TYPES[kind](src, read.text("alt" if kind == "image" else "title", line=True))
    elif kind == "attachment":
        block = Attachment(read.text("src", line=True), read.text("text", line=True))
    elif kind == "callout":
        block = Callout(read.choice("kind", CALLOUT_KINDS), read.text("markdown"))
    elif kind == "reflection":
        block = Reflection(read.text("markdown"), read.ident("id"))
    elif kind == "table":
        rows = [_cells(r, f"{where}.rows[{i}]") for i, r in enumerate(read.items("rows"))]
        if not rows or not rows[0]:
            raise BlockError(f"{where}.rows: a table needs a header row with at least one cell")
        align = read.texts("align")
        if any(a not in ALIGNS for a in align):
            raise BlockError(f"{where}.align: each column is one of left, center, right or ''")
        block = Table(rows, align)
    else:
        block = Quiz(
            read.choice("kind", ("quiz", "check")),  # type: ignore[arg-type]
            [_question(q, f"{where}.questions[{i}]") for i, q in enumerate(read.items("questions"))],
            read.text("intro"),
            read.whole("pass_mark", 0, 100, optional=True),
            read.whole("draw", 1, 1000, optional=True),
            read.flag("shuffle", True),
            read.whole("attempts", 1, 100, optional=True),
            read.ident("id"),
        )
    return block


def _competency(item: Any, where: str) -> Competency:
    read = _Fields(item, where)
    return Competency(
        read.choice("area", COMPETENCY_AREAS),
        read.text("theme", line=True),
        read.text("subtheme", line=True),
        read.whole("level", 1, 5, optional=True),
    )


def _cells(row: Any, where: str) -> list[str]:
    if not isinstance(row, list) or not all(isinstance(c, str) and len(c) <= MAX_TEXT for c in row):
        raise BlockError(f"{where}: expected a list of cells (text)")
    return list(row)


def _question(item: Any, where: str) -> Question:
    read = _Fields(item, where)
    pairs = []
    for i, pair in enumerate(read.items("pairs")):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(s, str) for s in pair)):
            raise BlockError(f"{where}.pairs[{i}]: expected [left, right]")
        if any("->" in s for s in pair):
            raise BlockError(f"{where}.pairs[{i}]: a side of a pair cannot contain '->'")
        pairs.append([" ".join(s.split()) for s in pair])
    options = []
    for i, option in enumerate(read.items("options")):
        got = _Fields(option, f"{where}.options[{i}]")
        options.append(Option(got.text("text", line=True), got.flag("correct", False), got.text("feedback")))
    return Question(
        read.choice("kind", KIND_WORDS),  # type: ignore[arg-type]
        read.text("prompt", line=True),
        read.text("more"),
        options,
        read.texts("answers", line=True),
        read.texts("items", line=True),
        pairs,
        read.text("explanation"),
        read.whole("points", 1, 100, default=1),
        read.ident("id"),
        read.texts("competency", line=True),
    )


class _Fields:
    """Reads one JSON object's fields, each checked, with the field's place in any error."""

    def __init__(self, item: Any, where: str) -> None:
        if not isinstance(item, dict):
            raise BlockError(f"{where}: expected an object")
        self.item, self.where = item, where

    def _get(self, key: str, default: Any) -> Any:
        return self.item.get(key, default)

    def text(self, key: str, *, line: bool = False) -> str:
        value = self._get(key, "")
        if not isinstance(value, str):
            raise BlockError(f"{self.where}.{key}: expected text")
        if len(value) > MAX_TEXT:
            raise BlockError(f"{self.where}.{key}: longer than a lesson may be")
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        return " ".join(value.split("\n")).strip() if line else value

    def texts(self, key: str, *, line: bool = False) -> list[str]:
        values = self.items(key)
        return [_Fields({key: v}, f"{self.where}[{i}]").text(key, line=line) for i, v in enumerate(values)]

    def items(self, key: str) -> list[Any]:
        value = self._get(key, [])
        if not isinstance(value, list):
            raise BlockError(f"{self.where}.{key}: expected a list")
        return value

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self._get(key, None)
        if value not in allowed:
            raise BlockError(f"{self.where}.{key}: {value!r} is not one of {', '.join(allowed)}")
        return str(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise BlockError(f"{self.where}.{key}: expected true or false")
        return value

    def whole(self, key: str, low: int, high: int, *, optional: bool = False, default: int = 0) -> Any:
        value = self._get(key, None)
        if value is None and (optional or default):
            return None if optional else default
        if type(value) is not int or not low <= value <= high:
            raise BlockError(f"{self.where}.{key}: expected a whole number from {low} to {high}")
        return value

    def number(self, key: str) -> float | None:
        value = self._get(key, None)
        if value is None:
            return None
        if type(value) not in (int, float) or not 0 < value <= 600:
            raise BlockError(f"{self.where}.{key}: expected a number of minutes from 1 to 600")
        return float(value)

    def ident(self, key: str, pattern: str | None = None) -> str:
        value = self.text(key, line=True)
        if value and not (re.match(pattern, value) if pattern else ID.match(value)):
            raise BlockError(f"{self.where}.{key}: '{value[:40]}' may use only letters, digits, '-' and '_'")
        return value
