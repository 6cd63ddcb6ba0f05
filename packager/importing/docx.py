"""A Word document (.docx) read with python-docx: headings make modules and lessons, the rest Markdown.

python-docx gives paragraphs, runs, hyperlinks, tables, styles and image parts. Where it has no API,
the part's XML is read through its own element objects (lxml): block-level content controls, the
check boxes of content controls and legacy form fields, a drawing's ``descr`` (alt text) and the
footnotes part. Questions in the document's own words ("Question 1 … a) … b) …", or options with check
boxes) become quiz questions when an answer is marked (☒, a checked box, a bold option, or a line
"Answer: b"); otherwise they stay text and the report lists them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .model import ImportedCourse, Lesson, Module
from .questions import ANSWER, OPTION, QUESTION, Choice, Question, quiz_blocks, strip_box
from .text import emphasise, escape, inline, line

if TYPE_CHECKING:
    from . import ImportOptions, Progress

IMAGE_TYPES = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "gif": "gif", "webp": "webp", "svg": "svg"}
_HEADING = re.compile(r"^heading (\d)$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"^list (bullet|number)(?: (\d))?$", re.IGNORECASE)
CHECKED, UNCHECKED = "☒", "☐"
_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"


@dataclass
class _Reading:
    """What is being built while the document's blocks are read in order."""

    course: ImportedCourse
    options: ImportOptions
    document: Document
    footnotes: dict[str, str]
    module: Module | None = None
    lesson: Lesson | None = None
    blocks: list[str] = field(default_factory=list)
    notes_used: list[str] = field(default_factory=list)
    images: dict[str, str] = field(default_factory=dict)  # sha1 -> media name: one file per picture
    questions: list[Question] = field(default_factory=list)
    list_open: bool = False
    list_ordered: bool = False
    styles: dict[str, str] | None = None
    numbering: dict[tuple[str, int], bool] = field(default_factory=dict)  # (numId, level) -> counts

    def where(self) -> str:
        return f"lesson '{self.lesson.title}'" if self.lesson else "the document's start"


def read(path: Path, options: ImportOptions, progress: Progress) -> ImportedCourse:
    document = docx.Document(str(path))
    props = document.core_properties
    course = ImportedCourse(title=(props.title or "").strip(), source=path.name, summary=(props.subject or "").strip())
    if props.language:
        course.language = props.language.split("-")[0].lower()[:8] or course.language
    state = _Reading(course, options, document, _footnotes(document))
    blocks = list(_blocks(document))
    for n, block in enumerate(blocks):
        if isinstance(block, Table):
            _flush_questions(state)
            _add(state, _table(state, block))
        else:
            _paragraph(state, block)
        if n % 200 == 0:
            progress(n / max(1, len(blocks)), f"paragraph {n + 1} of {len(blocks)}")
    _end_lesson(state)
    course.title = course.title or Path(path).stem.replace("_", " ").replace("-", " ").strip() or "Imported course"
    course.modules = [m for m in course.modules if m.lessons]
    return course


def _blocks(document: Document) -> Iterator[Paragraph | Table]:
    """The body's paragraphs and tables in order, including those inside block-level content controls
    (python-docx's ``iter_inner_content`` skips ``w:sdt``)."""

    def walk(parent: Any) -> Iterator[Paragraph | Table]:
        for child in parent:
            if child.tag == qn("w:p"):
                yield Paragraph(child, document._body)
            elif child.tag == qn("w:tbl"):
                yield Table(child, document._body)
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    yield from walk(content)

    yield from walk(document.element.body)


def _footnotes(document: Document) -> dict[str, str]:
    """Footnote id -> its text (python-docx has no footnotes API: the part's XML is read)."""
    for rel in document.part.rels.values():
        if rel.reltype == RT.FOOTNOTES and not rel.is_external:
            root = parse_xml(rel.target_part.blob)
            notes = {}
            for note in root.iterchildren(qn("w:footnote")):
                if note.get(qn("w:type")) in (None, "normal"):
                    text = " ".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in note.iter(qn("w:p")))
                    notes[note.get(qn("w:id"))] = text.strip()
            return notes
    return {}


# --- structure -------------------------------------------------------------------------------------------


def _style(state: _Reading, paragraph: Paragraph) -> str:
    """The paragraph style's name, from a table made once (python-docx's ``paragraph.style`` searches
    the styles part on every call: most of the time of a long document)."""
    if state.styles is None:
        styles = state.document.styles
        state.styles = {s.style_id: s.name or "" for s in styles if s.style_id}
        default = styles.default(WD_STYLE_TYPE.PARAGRAPH)
        state.styles[""] = default.name or "" if default is not None else ""
    ppr = paragraph._p.pPr
    ident = ppr.pStyle.val if ppr is not None and ppr.pStyle is not None else ""
    return state.styles.get(ident, state.styles[""])


def _heading_level(paragraph: Paragraph, style: str) -> int | None:
    found = _HEADING.match(style)
    if found:
        return int(found.group(1))
    ppr = paragraph._p.pPr
    outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None  # a custom style as an outline level
    value = outline.get(qn("w:val"), "") if outline is not None else ""
    return int(value) + 1 if value.isdigit() and int(value) < 9 else None


def _paragraph(state: _Reading, paragraph: Paragraph) -> None:
    style = _style(state, paragraph)
    text = paragraph.text.strip()
    if style == "Title":
        if not state.course.title:
            state.course.title = text
        return
    if style == "Subtitle" and not state.course.summary:
        state.course.summary = text
        return
    level = _heading_level(paragraph, style)
    if level is not None and text:
        _flush_questions(state)
        _heading(state, level, text)
        return
    markdown, boxes = _inline(state, paragraph)
    listed = _list_level(state, paragraph, style)
    if _question_part(state, paragraph, markdown, boxes, listed):
        return
    _flush_questions(state)
    if not markdown.strip() and not boxes:
        return
    if listed is not None:
        depth, ordered = listed
        _add_item(state, depth, ordered, line(markdown))
    elif style in ("Quote", "Intense Quote"):
        _add(state, "> " + line(markdown))
    else:
        _add(state, line(markdown))


def _heading(state: _Reading, level: int, title: str) -> None:
    opts = state.options
    if level <= opts.module_level:
        _end_lesson(state)
        state.module = Module(title)
        state.course.modules.append(state.module)
        state.course.note(f"heading '{title}'", "converted", "a module")
    elif level <= opts.lesson_level:  # a level between the module's and the lesson's starts a lesson too
        _start_lesson(state, title)
    else:
        if state.lesson is None:
            _start_lesson(state, state.module.title if state.module else state.course.title or "Introduction")
        depth = min(6, level - opts.lesson_level + 1)
        _add(state, "#" * depth + " " + escape(title))


def _start_lesson(state: _Reading, title: str) -> None:
    _end_lesson(state)
    state.lesson = _new_lesson(state, title)
    state.course.note(f"heading '{title}'", "converted", "a lesson")


def _new_lesson(state: _Reading, title: str) -> Lesson:
    if state.module is None:
        state.module = Module(state.course.title or "Lessons")
        state.course.modules.append(state.module)
    lesson = Lesson(title, "")
    state.module.lessons.append(lesson)
    return lesson


def _end_lesson(state: _Reading) -> None:
    _flush_questions(state)
    lesson = state.lesson
    if lesson is None:
        if not any(b.strip() for b in state.blocks):
            state.blocks = []
            return
        # text before the module's (or the document's) first lesson heading: an introduction
        lesson = _new_lesson(state, state.module.title if state.module else state.course.title or "Introduction")
    body = "\n\n".join(b for b in state.blocks if b.strip())
    notes = [f"[^{n}]: {escape(state.footnotes.get(n, ''))}" for n in dict.fromkeys(state.notes_used)]
    lesson.body = body + ("\n\n" + "\n".join(notes) if notes else "")
    if not body.strip():  # a lesson needs a body: say so in it, and in the report
        lesson.body = "*This section of the document had no text.*"
        state.course.note(f"heading '{lesson.title}'", "approximated", "no text under it: the lesson says so")
    state.blocks, state.notes_used, state.lesson = [], [], None


def _add(state: _Reading, block: str) -> None:
    state.blocks.append(block)
    state.list_open = False


def _add_item(state: _Reading, depth: int, ordered: bool, text: str) -> None:
    """A list item: consecutive items make one block (a blank line between them would loosen the list).
    Three spaces a level nest under both "- " and "1. " items."""
    item = "   " * depth + ("1. " if ordered else "- ") + text
    if state.list_open and (depth > 0 or state.list_ordered == ordered):
        state.blocks[-1] += "\n" + item
    else:
        state.blocks.append(item)
        state.list_open = True
    if depth == 0:
        state.list_ordered = ordered


def _list_level(state: _Reading, paragraph: Paragraph, style: str) -> tuple[int, bool] | None:
    """(depth, ordered) of a list paragraph: from its numbering (``w:numPr``) or a List style."""
    found = _LIST_STYLE.match(style)
    ppr = paragraph._p.pPr
    num = ppr.find(qn("w:numPr")) if ppr is not None else None
    if not found and num is None:
        return None
    depth = int(found.group(2)) - 1 if found and found.group(2) else 0
    ordered = bool(found and found.group(1).lower() == "number")
    if num is not None:
        ilvl, num_id = num.find(qn("w:ilvl")), num.find(qn("w:numId"))
        level = ilvl.get(qn("w:val"), "") if ilvl is not None else ""
        ident = num_id.get(qn("w:val"), "0") if num_id is not None else "0"
        depth = int(level) if level.isdigit() else depth
        if ident.isdigit() and ident != "0":
            key = (ident, depth)
            if key not in state.numbering:
                state.numbering[key] = _numbered(state.document, ident, depth)
            ordered = state.numbering[key]
    return min(depth, 5), ordered


def _numbered(document: Document, num_id: str, level: int) -> bool:
    """Whether list *num_id* counts (decimal, letters, roman) at *level*, rather than bullets."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return False
    fmt = numbering.xpath(
        f"./w:abstractNum[@w:abstractNumId=../w:num[@w:numId='{int(num_id)}']/w:abstractNumId/@w:val]"
        f"/w:lvl[@w:ilvl='{level}']/w:numFmt/@w:val"
    )
    return bool(fmt) and fmt[0] not in ("bullet", "none")


# --- questions -------------------------------------------------------------------------------------------


def _question_part(
    state: _Reading, paragraph: Paragraph, markdown: str, boxes: list[bool], listed: tuple[int, bool] | None
) -> bool:
    """Take *paragraph* as a question, one of its options or its "Answer:" line; False when it is none."""
    text, box = strip_box(paragraph.text)
    if boxes:
        box = boxes[0]
    pending = state.questions[-1] if state.questions else None
    if pending is not None:
        option = OPTION.match(text)
        if option or box is not None:
            choice_text = option.group("text") if option else text
            choice_text, inner = strip_box(choice_text)
            marked = bool(box) or bool(inner)
            pending.choices.append(Choice(choice_text, marked, bold=not marked and _all_bold(paragraph)))
            return True
        answer = ANSWER.match(text)
        if answer and pending.choices:
            pending.answers = set(re.findall(r"[a-h]", answer.group("letters").lower()))
            return True
    found = QUESTION.match(text)
    if found or (listed is not None and listed[1] and text.endswith("?")):
        if pending is not None and not pending.choices:  # a numbered line with no options: it was text
            _flush_questions(state)
        prompt = found.group("prompt") if found else text
        where = f"question '{prompt[:40]}' in {state.where()}"
        question = Question(prompt, where, text=markdown, listed=listed)
        state.questions.append(question)
        return True
    return False


def _all_bold(paragraph: Paragraph) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(r.bold for r in runs)


def _flush_questions(state: _Reading) -> None:
    """Write the questions collected so far; a "question" that got no options was a plain paragraph."""
    if not state.questions:
        return
    pending, state.questions = state.questions, []
    run: list[Question] = []
    for q in pending:
        if q.choices:
            run.append(q)
            continue
        for block in quiz_blocks(run, state.course):
            _add(state, block)
        run = []
        if q.listed is not None:  # an item of a numbered list that ends with '?': it stays one
            _add_item(state, q.listed[0], q.listed[1], line(q.text))
        else:
            _add(state, line(q.text) if q.text else escape(q.prompt))
    for block in quiz_blocks(run, state.course):
        _add(state, block)


# --- inline text -----------------------------------------------------------------------------------------


def _inline(state: _Reading, paragraph: Paragraph) -> tuple[str, list[bool]]:
    """The paragraph's Markdown (emphasis, links, images, footnote marks, check boxes as ☒/☐) and the
    states of its check boxes."""
    parts: list[str] = []
    boxes: list[bool] = []
    for kind, obj in _inline_items(paragraph):
        if kind == "run":
            parts.append(_run(state, obj, boxes))
        elif kind == "link":
            parts.append(_link(state, obj))
        elif kind == "box":
            boxes.append(obj)
            parts.append(CHECKED if obj else UNCHECKED)
    return "".join(parts), boxes


def _inline_items(paragraph: Paragraph) -> Iterator[tuple[str, Any]]:
    """Runs and hyperlinks as python-docx objects, in order; the runs inside inline content controls,
    tracked insertions and simple fields too (python-docx yields only direct ones); a content
    control's check box (``w14:checkbox``) as its state."""

    def walk(parent: Any) -> Iterator[tuple[str, Any]]:
        for child in parent:
            tag = child.tag
            if tag == qn("w:r"):
                yield "run", Run(child, paragraph)
            elif tag == qn("w:hyperlink"):
                yield "link", Hyperlink(child, paragraph)
            elif tag == qn("w:sdt"):
                checkbox = child.find(f"{qn('w:sdtPr')}/{{{_W14}}}checkbox")
                content = child.find(qn("w:sdtContent"))
                if checkbox is not None:
                    state = checkbox.find(f"{{{_W14}}}checked")
                    yield "box", state is not None and state.get(f"{{{_W14}}}val") in ("1", "true")
                elif content is not None:
                    yield from walk(content)
            elif tag in (qn("w:ins"), qn("w:fldSimple"), qn("w:smartTag"), qn("w:customXml")):
                yield from walk(child)

    yield from walk(paragraph._p)


def _run(state: _Reading, run: Run, boxes: list[bool]) -> str:
    out: list[str] = []
    legacy = run._r.xpath("./w:fldChar/w:ffData/w:checkBox")
    if legacy:  # a legacy form field's check box: its w:checked (on when it has no value), else w:default
        state_el, default = legacy[0].find(qn("w:checked")), legacy[0].find(qn("w:default"))
        if state_el is not None:
            checked = state_el.get(qn("w:val"), "1") not in ("0", "false")
        else:
            checked = default is not None and default.get(qn("w:val")) in ("1", "true")
        boxes.append(checked)
        out.append(CHECKED if checked else UNCHECKED)
    for item in run.iter_inner_content():
        if isinstance(item, str):
            out.append(emphasise(item, bool(run.bold), bool(run.italic)))
        elif type(item).__name__ == "Drawing":
            out.append(_drawing(state, item))
    for note in run._r.xpath("./w:footnoteReference/@w:id"):
        if note in state.footnotes:
            state.notes_used.append(note)
            out.append(f"[^{note}]")
    return "".join(out)


def _link(state: _Reading, link: Hyperlink) -> str:
    text = "".join(emphasise(r.text, bool(r.bold), bool(r.italic)) for r in link.runs).strip()
    url = link.address
    if not url or not re.match(r"^(https?|mailto):", url, re.IGNORECASE):
        if link.fragment:
            state.course.note(
                f"link '{link.text[:40]}' in {state.where()}",
                "approximated",
                "a link within the document: kept as text",
            )
        return text
    safe = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    return f"[{text or inline(url)}]({safe})"


def _drawing(state: _Reading, drawing: Any) -> str:
    xml = drawing._drawing
    where = f"image in {state.where()}"
    if not drawing.has_picture:
        state.course.note(where, "dropped", "a chart, SmartArt or drawing canvas: only pictures can be kept")
        return ""
    alt = " ".join(" ".join(xml.xpath("./wp:inline/wp:docPr/@descr | ./wp:anchor/wp:docPr/@descr")).split())
    try:
        rid = xml.xpath(".//pic:blipFill/a:blip/@r:embed")[0]
        part = drawing.part.related_parts[rid]
        blob = part.blob
        ext = IMAGE_TYPES.get(part.partname.ext.lower())
    except (IndexError, KeyError, AttributeError):
        state.course.note(where, "dropped", "the picture is linked, not embedded in the document")
        return ""
    if ext is None:
        state.course.note(where, "dropped", f"a .{part.partname.ext} picture: save it as PNG or JPEG in the document")
        return ""
    if len(blob) > state.options.max_media_bytes:
        state.course.note(where, "dropped", f"the picture is {len(blob) // 2**20} MB, over the import's limit")
        return ""
    digest = hashlib.sha1(blob).hexdigest()
    name = state.images.get(digest)
    if name is None:
        name = f"image-{len(state.images) + 1:03d}.{ext}"
        state.images[digest] = name
        state.course.media[name] = blob
    if not alt:
        state.course.note(
            where, "approximated", f"media/{name} has no alt text in the document: write one in the lesson"
        )
        return f"![](media/{name})"
    state.course.note(where, "converted", f"media/{name}")
    return f"![{inline(alt)}](media/{name})"


# --- tables ----------------------------------------------------------------------------------------------


def _table(state: _Reading, table: Table) -> str:
    """A GFM table; the first row is its header. A cell's paragraphs join with spaces."""
    rows: list[list[str]] = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            if cell.tables:
                state.course.note(
                    f"table in {state.where()}", "approximated", "a table inside a table cell: its text was kept flat"
                )
            cells.append(" ".join(line(_inline(state, p)[0]) for p in cell.paragraphs).strip())
        rows.append(cells)
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    state.course.note(f"table in {state.where()}", "converted", f"{len(rows)} rows, {width} columns")
    return "\n".join(lines)
