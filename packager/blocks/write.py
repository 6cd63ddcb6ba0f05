"""Blocks -> lesson Markdown that the reader reads back as the same blocks and the build accepts.

Always safe: whatever a field holds, it stays in its block. A field's Markdown is parsed where it will
stand; a line that would become structure there (``:::``, a ``### `` question inside a quiz, ``- [x]``
outside one, a heading or a lone image inside a text block, a fence that never closes) gets a
backslash before its syntax, so it reads as the text it is; a field that still resists after a few
rounds has every line escaped (linear: hostile text cannot make the writer slow). Media always stand
as their own paragraph and questions inside their quiz; questions are written by
:mod:`packager.markdown.quiz_writer`.
"""

from __future__ import annotations

import json
import re

from ..markdown.quiz import _WANTED, _blocks, _shape
from ..markdown.quiz_writer import QuestionDraft
from ..markdown.quiz_writer import write as write_question
from .model import Attachment, Audio, Block, Callout, Front, Heading, Image, Quiz, Raw, Reflection, Table, Text, Video
from .tokens import CLOSE_FENCE, is_task_item, lone_attachment, lone_media, one_line, parse, top_level

_END = "ks-end-of-field"
"""A paragraph written after a field while checking it: a field that swallows it would swallow what follows."""
_PREFIX = re.compile(r"(?:[ \t]*(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))*[ \t]*")
_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_SMALL = 16 * 1024
_RISKY = set("#>-+*=|:!<[`~_0123456789")
"""What a line must start with to be more than paragraph text (a marker, a fence, a table's row…)."""
_ALIGN = {"": "---", "left": ":--", "center": ":-:", "right": "--:"}


def write(blocks: list[Block]) -> str:
    """The lesson's Markdown: front matter, then each block as its own paragraph or container."""
    text = ""
    for n, block in enumerate(blocks):
        part = _block(block)
        front = isinstance(block, Front) or (n == 0 and isinstance(block, Raw) and part.startswith("---"))
        if not text and isinstance(block, Text) and part.startswith("---"):
            part = "\\" + part  # the lesson has no front matter and this line would open one
        if part.strip():
            text += part + ("\n" if front else "\n\n")  # the body starts on the line after front matter
    return text.rstrip("\n") + "\n"


def normalise(blocks: list[Block]) -> list[Block]:
    """The blocks as the reader would give them back: adjacent text blocks are one, empty ones none,
    a table's rows as wide as its header."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Text):
            if not block.markdown.strip():
                continue
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].markdown + "\n\n" + block.markdown.strip("\n"))
                continue
            block = Text(block.markdown.strip("\n"))
        elif isinstance(block, Table):
            width = len(block.rows[0])
            rows = [(row + [""] * width)[:width] for row in block.rows]
            block = Table(rows, (block.align + [""] * width)[:width])
        out.append(block)
    return out


def _block(block: Block) -> str:
    if isinstance(block, Front):
        return _front(block)
    if isinstance(block, Text):
        return safe(block.markdown, top=True)
    if isinstance(block, Heading):
        return "#" * block.level + " " + _heading_text(block.text)
    if isinstance(block, Image | Video | Audio | Attachment):
        return _lone(block)
    if isinstance(block, Callout):
        return f"::: {block.kind}\n{safe(block.markdown)}\n:::".replace("\n\n:::", "\n:::")
    if isinstance(block, Reflection):
        head = "::: reflection" + (f" id={block.id}" if block.id else "")
        return f"{head}\n{safe(block.markdown)}\n:::".replace("\n\n:::", "\n:::")
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Quiz):
        return _quiz(block)
    return block.text


def _quiz(quiz: Quiz) -> str:
    params = [f"id={quiz.id}"] if quiz.id else []
    for key, value in (("pass", quiz.pass_mark), ("draw", quiz.draw), ("attempts", quiz.attempts)):
        if value is not None:
            params.append(f"{key}={value}")
    if not quiz.shuffle:
        params.append("shuffle=no")
    parts = [" ".join([f"::: {quiz.kind}", *params])]
    if quiz.intro.strip():
        parts.append(safe(quiz.intro, h3=True))
    for q in quiz.questions:
        word = q.kind if q.kind in ("multiple", "order", "match") else None
        options = [o.text for o in q.options] if q.kind in ("single", "multiple") else []
        options += q.answers if q.kind == "fill" else q.items if q.kind == "order" else []
        options += [f"{left} -> {right}" for left, right in q.pairs] if q.kind == "match" else []
        draft = QuestionDraft(
            q.kind,
            q.prompt,
            options,
            [i for i, o in enumerate(q.options) if o.correct] if q.kind in ("single", "multiple") else [],
            q.id,
            feedback=[safe(o.feedback) if o.feedback.strip() else "" for o in q.options],
            more=safe(q.more, h3=True, shapes=_WANTED[word] + _WANTED[None]) if q.more.strip() else "",
            explanation=safe(_unindent_first(q.explanation), h3=True) if q.explanation.strip() else "",
            points=q.points,
            competency=q.competency,
        )
        taken = {_list_marker(draft.more, last=True), _list_marker(draft.explanation, last=False)}
        draft.bullet = next(m for m in "-*+" if m not in taken)
        draft.delimiter = next(m for m in ".)" if m not in taken)
        parts.append(write_question(draft).rstrip("\n"))
    return "\n\n".join(parts) + "\n:::"


def _list_marker(markdown: str, *, last: bool) -> str | None:
    """The marker of the list *markdown* ends (*last*) or starts with, if it does."""
    if not markdown:
        return None
    tokens = parse(markdown)
    blocks = list(top_level(tokens))
    if not blocks:
        return None
    token = tokens[blocks[-1 if last else 0][0]]
    return token.markup if token.type in ("bullet_list_open", "ordered_list_open") else None


def _unindent_first(markdown: str) -> str:
    """After a list, an indented first line would belong to its last item."""
    lines = markdown.strip("\n").split("\n")
    return "\n".join([lines[0].lstrip(), *lines[1:]])


def _table(table: Table) -> str:
    width = len(table.rows[0])
    align = (table.align + [""] * width)[:width]
    rows = [(row + [""] * width)[:width] for row in table.rows]
    lines = ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    lines.insert(1, "|" + "|".join(_ALIGN[a] for a in align) + "|")
    return "\n".join(lines)


def _cell(text: str) -> str:
    """One line, every ``|`` not already escaped written ``\\|``."""
    out, escaped = "", False
    for ch in one_line(text):
        out += "\\|" if ch == "|" and not escaped else ch
        escaped = ch == "\\" and not escaped
    return out + ("\\" if escaped else "")


def _heading_text(text: str) -> str:
    """One line whose trailing ``#``s are text, not the heading's closing sequence."""
    return re.sub(r"(^|\s)(#+)$", r"\1\\\2", one_line(text))


def _lone(block: Image | Video | Audio | Attachment) -> str:
    """A medium or an attachment alone on its line; its text all escaped if it would be more (a link)."""
    label = block.alt if isinstance(block, Image) else block.text if isinstance(block, Attachment) else block.title
    bang = "" if isinstance(block, Attachment) else "!"
    line = f"{bang}[{_label(label)}]({_target(block.src)})"
    tokens = parse(line)
    if tokens and (lone_attachment if isinstance(block, Attachment) else lone_media)(tokens, 0, [line]):
        return line
    plain = "".join("\\" + ch if ch in _PUNCT else ch for ch in one_line(label))
    return f"{bang}[{plain}]({_target(block.src)})"


def _label(text: str) -> str:
    """Link or image text that cannot end the brackets early: unbalanced brackets are escaped."""
    text = one_line(text)
    depth, escaped, balanced = 0, False, True
    for ch in text:
        if not escaped and ch in "[]":
            depth += 1 if ch == "[" else -1
            balanced = balanced and depth >= 0
        escaped = ch == "\\" and not escaped
    if not balanced or depth:
        text = re.sub(r"(?<!\\)([\[\]])", r"\\\1", text)
    return text + ("\\" if escaped else "")


def _target(src: str) -> str:
    """A link target on one line with nothing that would end it: space, brackets, backslash encoded."""
    return re.sub(r"[\s()<>\\]", lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), src.strip())


# Front matter ------------------------------------------------------------------------------------

_PLAIN = re.compile(r"[^\W\d_][\w .'/&+-]*")
_YAML_WORDS = {"yes", "no", "on", "off", "y", "n", "true", "false", "null"}


def _scalar(text: str) -> str:
    """A YAML string that reads back as *text*: plain when nothing in it means something, else quoted."""
    if _PLAIN.fullmatch(text) and text == text.strip() and text.lower() not in _YAML_WORDS:
        return text
    quoted = json.dumps(text, ensure_ascii=False)  # YAML's double-quoted style is JSON's
    return quoted.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\x85")


def _front(front: Front) -> str:
    lines = ["---", f"title: {_scalar(front.title)}"]
    if front.id:
        lines.append(f"id: {_scalar(front.id)}")
    if front.minutes is not None:
        lines.append(f"minutes: {int(front.minutes) if front.minutes.is_integer() else front.minutes}")
    if front.objectives:
        lines += ["objectives:", *(f"  - {_scalar(o)}" for o in front.objectives)]
    if front.competencies:
        lines.append("competencies:")
        for c in front.competencies:
            fields = [f"area: {_scalar(c.area)}", f"theme: {_scalar(c.theme)}"]
            fields += [f"subtheme: {_scalar(c.subtheme)}"] if c.subtheme else []
            fields += [f"level: {c.level}"] if c.level is not None else []
            lines.append("  - {" + ", ".join(fields) + "}")
    return "\n".join([*lines, "---"])


# Safe Markdown ----------------------------------------------------------------------------------


def safe(markdown: str, *, top: bool = False, h3: bool = False, shapes: tuple[str, ...] = ()) -> str:
    """*markdown* as it must be written to stay one field: at the top level of a lesson (*top*: no
    heading, table, lone medium or container in it), or inside a container (no line that closes it;
    *h3*: no question heading; *shapes*: no block a question would take as its answers). Nowhere a
    task-list item, which only a quiz's options may be. Lines are escaped one at a time, each where
    the reader found structure; a field that resists is escaped line by line as a whole."""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not top:
        text = "\n".join(_escape(line) if CLOSE_FENCE.match(line) else line for line in text.split("\n"))
    if not any(line.lstrip()[:1] in _RISKY for line in text.split("\n") if line.strip()):
        return text  # only lines of words: paragraphs wherever they stand
    rounds = 8 if len(text) <= _SMALL else 1  # a parse of a long hostile text costs seconds (lesson.py)
    for _ in range(rounds):  # each round escapes every line found; what a round uncovers, the next finds
        found = _structure(text, top, h3, shapes)
        if not found:
            return text
        lines = text.split("\n")
        for line, marker in found.items():
            lines[line] = _escape(lines[line], marker=marker)
        if "\n".join(lines) == text:
            break
        text = "\n".join(lines)
    return "\n".join(_escape_first(line) for line in text.split("\n"))


def _escape_first(line: str) -> str:
    """*line* as paragraph text whatever it starts with: no block can start at a backslash."""
    line = line.lstrip()
    number = re.match(r"\d{1,9}(?=[.)])", line)
    if number:
        return line[: number.end()] + "\\" + line[number.end() :]
    return "\\" + line if line[:1] in _PUNCT else line


def _escape(line: str, *, marker: bool = False) -> str:
    """*line* with a backslash before its syntax: the list marker itself (*marker*), else the first
    character after any quote and list markers (``- [x]`` -> ``- \\[x]``, ``###`` -> ``\\###``)."""
    if marker:
        found = re.match(r"([ \t]*)(?:(\d{1,9})([.)])|([-+*]))(?=[ \t]|$)", line)
        if found:
            at = found.start(3) if found[3] else found.start(4)
            return line[:at] + "\\" + line[at:]
    at = _PREFIX.match(line).end()  # type: ignore[union-attr]  # matches the empty string at least
    if at < len(line) and line[at] in _PUNCT:
        return line[:at] + "\\" + line[at:]
    return line


def _structure(text: str, top: bool, h3: bool, shapes: tuple[str, ...]) -> dict[int, bool]:
    """The lines where *text* has structure it must not have: line -> escape its list marker."""
    end = text.count("\n") + 2
    lines = [*text.split("\n"), "", _END]
    tokens = parse("\n".join(lines))
    found: dict[int, bool] = {}
    for i, token in enumerate(tokens):
        if token.map and (token.type == "container_ks_open" or is_task_item(tokens, i)):
            found.setdefault(token.map[0], False)
    last, closed = 0, False
    for i, j in top_level(tokens):
        token = tokens[i]
        start, after = token.map  # type: ignore[misc]  # top_level gives blocks with lines
        if start == end:
            closed = token.type == "paragraph_open"
            continue
        last = start
        if token.type == "heading_open" and (top or (h3 and token.tag == "h3")):
            found.setdefault(after - 1 if token.markup in ("=", "-") else start, False)
        elif top and token.type == "table_open":
            found.setdefault(start + 1, False)
        elif top and (lone_media(tokens, i, lines) or lone_attachment(tokens, i, lines)):
            found.setdefault(start, False)
        elif shapes and _shape(_blocks(tokens[i : j + 1])[0]) in shapes:
            found[start] = token.type.endswith("list_open")
    if not closed:
        found.setdefault(last, False)
    return found
