"""A PowerPoint deck (.pptx) read with python-pptx: one lesson per section (or per group of slides).

Each slide becomes a ``##`` heading (its title), its text (levels as nested lists), pictures with
their alt text, tables, embedded audio and video as media, and its speaker notes as a call-out.
python-pptx has no API for sections, a picture's ``descr`` or a movie's media part: those are read
through its element and part objects. What cannot be kept as text (charts, SmartArt, OLE objects)
would be rendered as a picture of the slide by LibreOffice; this module does not run it, so such a
shape's text is kept where it has any and the report says what was lost, slide by slide.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pptx
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.slide import Slide

from .model import ImportedCourse, Lesson, Module
from .text import emphasise, escape, inline, line

if TYPE_CHECKING:
    from . import ImportOptions, Progress

P14 = "http://schemas.microsoft.com/office/powerpoint/2010/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
IMAGE_TYPES = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "gif": "gif", "webp": "webp", "svg": "svg"}
MEDIA_TYPES = {"mp4": "mp4", "m4v": "mp4", "webm": "webm", "mov": "mov", "mp3": "mp3", "m4a": "m4a", "wav": "wav"}
MEDIA_TYPES |= {"ogg": "ogg", "mkv": "mkv"}
_TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.VERTICAL_TITLE)
_DIAGRAM = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
# PowerPoint (and python-pptx) put the inserted file's name where no alt text was written
_FILE_NAME = re.compile(r"^\S+\.[A-Za-z0-9]{2,4}$")


_NOT_RENDERED = (
    "it cannot be kept as text, and the slide was not rendered as a picture ("
    + ("LibreOffice is not installed" if shutil.which("soffice") is None else "kstudio import does not run LibreOffice")
    + "); the slide's other text is kept: add a picture of it in the editor"
)


@dataclass
class _Deck:
    course: ImportedCourse
    options: ImportOptions
    media: dict[str, str] = field(default_factory=dict)  # sha1 -> media name


def read(path: Path, options: ImportOptions, progress: Progress) -> ImportedCourse:
    deck = pptx.Presentation(str(path))
    props = deck.core_properties
    title = (props.title or "").strip() or path.stem.replace("_", " ").replace("-", " ").strip()
    course = ImportedCourse(title=title or "Imported deck", source=path.name, summary=(props.subject or "").strip())
    if props.language:
        course.language = props.language.split("-")[0].lower()[:8] or course.language
    state = _Deck(course, options)
    slides = list(deck.slides)
    module = Module(course.title)
    course.modules.append(module)
    for name, group in _lessons(deck, slides, options.slides_per_lesson):
        blocks: list[str] = []
        for slide in group:
            number = slides.index(slide) + 1
            blocks += _slide(state, slide, number)
            if number % 20 == 0:
                progress(number / max(1, len(slides)), f"slide {number} of {len(slides)}")
        first = slides.index(group[0]) + 1
        module.lessons.append(Lesson(name or _title(group[0]) or f"Slides {first}–{first + len(group) - 1}", ""))
        module.lessons[-1].body = "\n\n".join(b for b in blocks if b.strip())
    return course


def _lessons(deck: Any, slides: list[Slide], size: int) -> Iterator[tuple[str, list[Slide]]]:
    """(section name, its slides), or groups of *size* slides named by their first slide's title."""
    by_id = {slide.slide_id: slide for slide in slides}
    sections = deck.part._element.iter(f"{{{P14}}}section")  # python-pptx has no sections API
    found = False
    for section in sections:
        ids = [int(s.get("id")) for s in section.iter(f"{{{P14}}}sldId") if s.get("id", "").isdigit()]
        members = [by_id[i] for i in ids if i in by_id]
        if members:
            found = True
            yield section.get("name", "").strip(), members
    if not found:
        for start in range(0, len(slides), size):
            yield "", slides[start : start + size]


def _title(slide: Slide) -> str:
    shape = slide.shapes.title
    return " ".join(shape.text_frame.text.split()) if shape is not None and shape.has_text_frame else ""


def _slide(state: _Deck, slide: Slide, number: int) -> list[str]:
    title = _title(slide)
    blocks = [f"## {escape(title) if title else f'Slide {number}'}"]
    for shape in slide.shapes:
        if shape.is_placeholder and shape.placeholder_format.type in _TITLES:
            continue
        blocks += _shape(state, shape, number, title or f"slide {number}")
    frame = slide.notes_slide.notes_text_frame if slide.has_notes_slide else None
    notes = frame.text if frame is not None else ""
    if notes and notes.strip():
        paragraphs = [escape(p) for p in notes.splitlines() if p.strip()]
        blocks.append("::: note\n**Speaker notes (transcript)**\n\n" + "\n\n".join(paragraphs) + "\n:::")
        state.course.note(f"slide {number}", "converted", "speaker notes as a call-out")
    return blocks


def _shape(state: _Deck, shape: Any, number: int, title: str) -> list[str]:
    where = f"slide {number}"
    kind = shape.shape_type
    if kind == MSO_SHAPE_TYPE.GROUP:
        state.course.note(where, "approximated", f"the group '{shape.name}': its text and pictures were kept apart")
        return [b for inner in shape.shapes for b in _shape(state, inner, number, title)]
    if kind == MSO_SHAPE_TYPE.MEDIA or shape.element.xpath(
        "./p:nvPicPr/p:nvPr/a:videoFile|./p:nvPicPr/p:nvPr/a:audioFile"
    ):
        return _media(state, shape, where, title)
    if kind == MSO_SHAPE_TYPE.PICTURE:
        return _picture(state, shape, where)
    if getattr(shape, "has_table", False) and shape.has_table:
        return [_table(state, shape.table, where)]
    if getattr(shape, "has_chart", False) and shape.has_chart:
        chart = shape.chart
        text = chart.chart_title.text_frame.text if chart.has_title and chart.chart_title.has_text_frame else ""
        state.course.note(where, "dropped", f"a chart{f' ({text})' if text else ''}: {_NOT_RENDERED}")
        return [escape(text)] if text else []
    if shape.element.xpath(f".//a:graphicData[@uri='{_DIAGRAM}']"):
        state.course.note(where, "dropped", f"a SmartArt diagram: {_NOT_RENDERED}")
        return []
    if kind in (MSO_SHAPE_TYPE.EMBEDDED_OLE_OBJECT, MSO_SHAPE_TYPE.LINKED_OLE_OBJECT):
        state.course.note(where, "dropped", "an embedded object (OLE): it cannot be shown in a course")
        return []
    if shape.has_text_frame and shape.text_frame.text.strip():
        return _text(shape)
    return []


def _text(shape: Any) -> list[str]:
    """A text frame: a body placeholder's paragraphs are bullets (levels nest), a text box's are paragraphs."""
    paragraphs = [p for p in shape.text_frame.paragraphs if p.text.strip()]
    bullets = (shape.is_placeholder and len(paragraphs) > 1) or any(p.level for p in paragraphs)
    texts = [line("".join(_run(r) for r in p.runs)) or escape(p.text) for p in paragraphs]
    if not bullets:
        return texts
    return ["\n".join("   " * min(p.level, 5) + "- " + t for p, t in zip(paragraphs, texts, strict=True))]


def _run(run: Any) -> str:
    text = emphasise(run.text, bool(run.font.bold), bool(run.font.italic))
    address = run.hyperlink.address if run.hyperlink is not None else None
    if address and address.lower().startswith(("http://", "https://", "mailto:")) and text.strip():
        safe = address.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        return f"[{text.strip()}]({safe})"
    return text


def _keep(state: _Deck, blob: bytes, ext: str, stem: str) -> str:
    digest = hashlib.sha1(blob).hexdigest()
    if digest not in state.media:
        state.media[digest] = f"{stem}-{len(state.media) + 1:03d}.{ext}"
        state.course.media[state.media[digest]] = blob
    return state.media[digest]


def _picture(state: _Deck, shape: Any, where: str) -> list[str]:
    try:
        image = shape.image
        blob, ext = image.blob, IMAGE_TYPES.get(image.ext.lower())
    except (AttributeError, KeyError, ValueError):
        state.course.note(where, "dropped", f"the picture '{shape.name}' is linked, not embedded in the deck")
        return []
    if ext is None:
        state.course.note(where, "dropped", f"the .{image.ext} picture '{shape.name}': save it as PNG or JPEG")
        return []
    if len(blob) > state.options.max_media_bytes:
        state.course.note(where, "dropped", f"the picture '{shape.name}' is over the import's size limit")
        return []
    name = _keep(state, blob, ext, "image")
    alt = _alt(shape)
    if not alt:
        state.course.note(where, "approximated", f"media/{name} has no alt text in the deck: write one in the lesson")
        return [f"![](media/{name})"]
    state.course.note(where, "converted", f"media/{name}")
    return [f"![{inline(alt)}](media/{name})"]


def _alt(shape: Any) -> str:
    """The picture's alt text (``descr``); none when it is only the inserted file's name."""
    alt = " ".join((shape.element.nvPicPr.cNvPr.get("descr") or "").split())
    return "" if _FILE_NAME.match(alt) else alt


def _media(state: _Deck, shape: Any, where: str, slide_title: str) -> list[str]:
    """An embedded movie or sound: its media part (the ``p14:media`` embed, else the video/audio link)."""
    element = shape.element
    ids = element.xpath("./p:nvPicPr/p:nvPr/p:extLst/p:ext/*[local-name()='media']/@r:embed")
    ids += element.xpath("./p:nvPicPr/p:nvPr/a:videoFile/@r:link | ./p:nvPicPr/p:nvPr/a:audioFile/@r:link")
    for rid in ids:
        rel = shape.part.rels.get(rid)
        if rel is None or rel.is_external:
            continue
        part = rel.target_part
        ext = MEDIA_TYPES.get(part.partname.ext.lower())
        if ext is None:
            state.course.note(where, "dropped", f"the .{part.partname.ext} media '{shape.name}': use MP4 or MP3")
            return []
        if len(part.blob) > state.options.max_media_bytes:
            state.course.note(where, "dropped", f"the media '{shape.name}' is over the import's size limit")
            return []
        name = _keep(state, part.blob, ext, "media")
        title = _alt(shape) or f"{'Video' if ext in ('mp4', 'webm', 'mov', 'mkv') else 'Audio'}: {slide_title}"
        state.course.note(where, "converted", f"media/{name}")
        return [f"![{inline(title)}](media/{name})"]
    state.course.note(where, "dropped", f"the media '{shape.name}' is linked to a file outside the deck")
    return []


def _table(state: _Deck, table: Any, where: str) -> str:
    rows = [[escape(cell.text) for cell in row.cells] for row in table.rows]
    width = max((len(r) for r in rows), default=0)
    if not rows or not width:
        return ""
    rows = [r + [""] * (width - len(r)) for r in rows]
    state.course.note(where, "converted", f"a table of {len(rows)} rows, {width} columns")
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows[1:]])
