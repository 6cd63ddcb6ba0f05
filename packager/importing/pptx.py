"""A PowerPoint deck (.pptx) read with python-pptx: one lesson per section (or per group of slides).

Each slide becomes a ``##`` heading (its title), its text (levels as nested lists), pictures with
their alt text, tables, embedded audio and video as media, and its speaker notes as a call-out.
python-pptx has no API for sections, a picture's ``descr``, a movie's media part or SmartArt: those are
read through its element and part objects. A slide whose layout cannot be kept as text (a chart,
SmartArt, an OLE object, a grouped drawing) is drawn as a picture by LibreOffice
(:mod:`.render_slides`, one run for the deck) with its text kept below it; a chart's data also
becomes a table and SmartArt's text a list. Without LibreOffice the report says what was lost, and why.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pptx
from lxml import etree
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.oxml import parse_xml
from pptx.slide import Slide

from .model import ImportedCourse, Lesson, Module
from .render_slides import NotRendered, render
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
_DIAGRAM_DATA = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/diagramData"
_OLE = (MSO_SHAPE_TYPE.EMBEDDED_OLE_OBJECT, MSO_SHAPE_TYPE.LINKED_OLE_OBJECT)
# PowerPoint (and python-pptx) put the inserted file's name where no alt text was written
_FILE_NAME = re.compile(r"^\S+\.[A-Za-z0-9]{2,4}$")


@dataclass
class _Deck:
    course: ImportedCourse
    options: ImportOptions
    media: dict[str, str] = field(default_factory=dict)  # sha1 -> media name
    drawn: dict[int, bytes] = field(default_factory=dict)  # slide number -> PNG of the slide
    why_not: str = ""  # why the slides that needed a picture have none


def read(path: Path, options: ImportOptions, progress: Progress) -> ImportedCourse:
    deck = pptx.Presentation(str(path))
    props = deck.core_properties
    title = (props.title or "").strip() or path.stem.replace("_", " ").replace("-", " ").strip()
    course = ImportedCourse(title=title or "Imported deck", source=path.name, summary=(props.subject or "").strip())
    if props.language:
        course.language = props.language.split("-")[0].lower()[:8] or course.language
    state = _Deck(course, options)
    slides = list(deck.slides)
    _draw(state, path, slides, progress)
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
    picture = state.drawn.get(number)
    if picture is not None:
        name = f"slide-{number:03d}.png"  # by the slide's number, so the deck's own media keep theirs
        state.course.media[name] = picture
        blocks.append(f"![{inline(_slide_alt(slide, number, title))}](media/{name})")
        why = ", ".join(w for w in map(_needs_picture, slide.shapes) if w)
        detail = f"rendered as an image (media/{name}) for {why}; its text is kept below it"
        state.course.note(f"slide {number}", "approximated", detail)
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
        if number not in state.drawn:
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
        return _chart(state, shape.chart, number)
    if shape.element.xpath(f".//a:graphicData[@uri='{_DIAGRAM}']"):
        return _smartart(state, shape, number)
    if kind in _OLE:
        if number not in state.drawn:
            state.course.note(where, "dropped", f"an embedded object (OLE): {_not_drawn(state, number)}")
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


def _needs_picture(shape: Any) -> str:
    """What makes *shape*'s slide need a picture: a layout that text cannot keep ("" for none)."""
    if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        return f"the group '{shape.name}'"
    if getattr(shape, "has_chart", False) and shape.has_chart:
        return "a chart"
    if shape.element.xpath(f".//a:graphicData[@uri='{_DIAGRAM}']"):
        return "a SmartArt diagram"
    return "an embedded object (OLE)" if shape.shape_type in _OLE else ""


def _draw(state: _Deck, path: Path, slides: list[Slide], progress: Progress) -> None:
    """Pictures of the slides that need one, from one LibreOffice run; else the reason there are none."""
    wanted = [n for n, slide in enumerate(slides, 1) if any(map(_needs_picture, slide.shapes))]
    if not wanted:
        return
    visible = [n for n, slide in enumerate(slides, 1) if slide.element.get("show") not in ("0", "false")]
    progress(0.0, f"drawing {len(wanted)} slides with LibreOffice")
    try:
        state.drawn = render(path, wanted, visible=visible, runner=state.options.runner)
    except NotRendered as exc:
        state.why_not = str(exc)


def _not_drawn(state: _Deck, number: int) -> str:
    why = state.why_not or "the slide is hidden in the deck"
    return f"it cannot be kept as text, and the slide was not rendered as a picture ({why})"


def _slide_alt(slide: Slide, number: int, title: str) -> str:
    """A drawn slide's alt text: its title and the first of its text (all of it follows the picture)."""
    texts = [t for shape in slide.shapes for t in _texts(shape) if t and t != title]
    alt = f"Slide {number}: {title or 'untitled'}" + (f". {' '.join(texts)}" if texts else "")
    return alt if len(alt) <= 250 else alt[:249].rstrip() + "…"


def _texts(shape: Any) -> Iterator[str]:
    if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        for inner in shape.shapes:
            yield from _texts(inner)
    elif getattr(shape, "has_chart", False) and shape.has_chart:
        yield _chart_title(shape.chart)
    elif shape.element.xpath(f".//a:graphicData[@uri='{_DIAGRAM}']"):
        yield " ".join(text for _, text in _diagram_text(shape))
    elif shape.has_text_frame:
        yield " ".join(shape.text_frame.text.split())


def _chart_title(chart: Any) -> str:
    frame = chart.chart_title.text_frame if chart.has_title and chart.chart_title.has_text_frame else None
    return " ".join(frame.text.split()) if frame is not None else ""


def _chart(state: _Deck, chart: Any, number: int) -> list[str]:
    """A chart's title and its data as a table (series by categories): what a screen reader can read."""
    title = _chart_title(chart)
    table = _chart_table(chart)
    named = f"the chart '{title}'" if title else "a chart"
    kept = "its data is kept as a table" if table else "it holds no data to keep as a table"
    if number in state.drawn:
        state.course.note(f"slide {number}", "converted", f"{named}: {kept}")
    else:
        state.course.note(f"slide {number}", "dropped", f"{named}: {_not_drawn(state, number)}; {kept}")
    return [b for b in (escape(title), table) if b]


def _chart_table(chart: Any) -> str:
    header: list[str] = []
    rows: list[list[str]] = []
    for plot in chart.plots:
        with contextlib.suppress(AttributeError, KeyError, TypeError, ValueError):  # XY charts: no categories
            header = header or [escape(str(c)) for c in plot.categories]
        for series in plot.series:
            values = ["" if v is None else f"{v:.15g}" for v in series.values]
            rows.append([escape(series.name or f"Series {len(rows) + 1}"), *values])
    width = max((len(r) - 1 for r in rows), default=0)
    if not width:
        return ""
    header = (header + [str(n) for n in range(len(header) + 1, width + 1)])[:width]
    rows = [r + [""] * (width + 1 - len(r)) for r in rows]
    lines = ["| Series | " + " | ".join(header) + " |", "|" + "---|" * (width + 1)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def _smartart(state: _Deck, shape: Any, number: int) -> list[str]:
    """SmartArt's text as a nested list, from the diagram's data part (its points and their parents)."""
    items = _diagram_text(shape)
    kept = "its text is kept as a list" if items else "it holds no text"
    if number in state.drawn:
        state.course.note(f"slide {number}", "converted", f"a SmartArt diagram: {kept}")
    else:
        state.course.note(f"slide {number}", "dropped", f"a SmartArt diagram: {_not_drawn(state, number)}; {kept}")
    return ["\n".join("   " * min(level, 5) + "- " + escape(text) for level, text in items)] if items else []


def _diagram_text(shape: Any) -> list[tuple[int, str]]:
    ids = shape.element.xpath(".//a:graphicData/*[local-name()='relIds']/@r:dm")
    rel = shape.part.rels.get(ids[0]) if ids else None
    if rel is None or rel.is_external or rel.reltype != _DIAGRAM_DATA:
        return []
    try:
        model = parse_xml(rel.target_part.blob)  # python-pptx's parser: no entities, no network
    except etree.XMLSyntaxError:
        return []
    ns = {"dgm": _DIAGRAM, "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    kinds, texts = {}, {}
    for point in model.iterfind("dgm:ptLst/dgm:pt", ns):
        key = point.get("modelId", "")
        kinds[key] = point.get("type", "node")
        texts[key] = " ".join("".join(point.xpath("dgm:t//a:t/text()", namespaces=ns)).split())
    children: dict[str, list[tuple[int, str]]] = {}
    for link in model.iterfind("dgm:cxnLst/dgm:cxn", ns):
        if link.get("type", "parOf") == "parOf":
            order = int(link.get("srcOrd", "0")) if link.get("srcOrd", "0").isdigit() else 0
            children.setdefault(link.get("srcId", ""), []).append((order, link.get("destId", "")))
    items: list[tuple[int, str]] = []
    seen: set[str] = set()

    def walk(key: str, level: int) -> None:
        for _, child in sorted(children.get(key, [])):
            if child in seen or kinds.get(child) != "node":
                continue
            seen.add(child)
            if texts.get(child):
                items.append((level, texts[child]))
            walk(child, level + 1 if texts.get(child) else level)

    for root in (k for k, kind in kinds.items() if kind == "doc"):
        walk(root, 0)
    return items
