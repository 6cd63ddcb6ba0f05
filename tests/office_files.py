"""Word and PowerPoint files the import tests read, written with python-docx and python-pptx.

Each covers every construct ``kstudio import`` converts; what python-docx has no API for (hyperlinks,
footnotes, check boxes, alt text) is added through its element objects, as Word itself writes it.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import docx
import pptx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Inches
from PIL import Image
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Inches as PInches

HOSTILE = ["### not a heading", ":::", "- [x] not a task", "= not an answer", "![not an image](x.png)"]
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"


def png(color: str = "teal", size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def _hyperlink(paragraph, text: str, url: str) -> None:
    rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _footnotes(document, notes: dict[int, str]) -> None:
    body = "".join(
        f'<w:footnote w:id="{n}"><w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:footnote>'
        for n, text in notes.items()
    )
    xml = f"<w:footnotes {nsdecls('w')}>{body}</w:footnotes>".encode()
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, xml, document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)


def _footnote_mark(paragraph, n: int) -> None:
    run = paragraph.add_run()
    ref = OxmlElement("w:footnoteReference")
    ref.set(qn("w:id"), str(n))
    run._r.append(ref)


def _content_control_box(paragraph, checked: bool) -> None:
    sdt = parse_xml(
        f'<w:sdt {nsdecls("w")} xmlns:w14="{W14}"><w:sdtPr><w14:checkbox>'
        f'<w14:checked w14:val="{int(checked)}"/></w14:checkbox></w:sdtPr>'
        f"<w:sdtContent><w:r><w:t>{'☒' if checked else '☐'}</w:t></w:r></w:sdtContent></w:sdt>"
    )
    paragraph._p.append(sdt)


def _legacy_box(paragraph, checked: bool) -> None:
    run = parse_xml(
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Check1"/>'
        f'<w:checkBox><w:sizeAuto/><w:default w:val="{int(checked)}"/></w:checkBox></w:ffData></w:fldChar></w:r>'
    )
    paragraph._p.append(run)


def make_docx(path: Path) -> Path:
    d = docx.Document()
    d.core_properties.title = "Handling Public Grievances"
    d.add_heading("Receiving a grievance", 1)
    d.add_paragraph("This module is about the first days.")
    d.add_heading("Why grievances matter", 2)
    p = d.add_paragraph("A reply must be ")
    p.add_run("clear").bold = True
    p.add_run(" and ")
    p.add_run("timely").italic = True
    p.add_run(". See ")
    _hyperlink(p, "the guidelines", "https://example.org/guide")
    p.add_run(".")
    _footnote_mark(p, 1)
    _footnotes(d, {1: "From the 2024 guidelines."})
    for text in HOSTILE:
        d.add_paragraph(text)
    d.add_paragraph("Register the letter", style="List Bullet")
    d.add_paragraph("on the day it arrives", style="List Bullet 2")
    d.add_paragraph("Acknowledge it", style="List Bullet")
    d.add_paragraph("Examine", style="List Number")
    d.add_paragraph("Reply", style="List Number")
    table = d.add_table(rows=2, cols=2)
    for cell, text in zip(table._cells, ["Step", "Who | whom", "Register", "Dak section"], strict=True):
        cell.text = text
    d.add_heading("A case from a district office", 3)
    d.add_picture(io.BytesIO(png()), width=Inches(1))
    d.inline_shapes[0]._inline.docPr.set("descr", "A register on a desk")
    d.add_picture(io.BytesIO(png("navy")), width=Inches(1))
    d.add_heading("Check your learning", 2)
    d.add_paragraph("Question 1: Who answers a grievance?")
    d.add_paragraph("a) The minister")
    d.add_paragraph("b) The grievance officer").runs[0].bold = True
    d.add_paragraph("c) A newspaper")
    d.add_paragraph("Question 2: What must an acknowledgement include?")
    d.add_paragraph("☒ A registration number")
    d.add_paragraph("☒ The date of the reply")
    d.add_paragraph("☐ A phone number")
    d.add_paragraph("Question 3: Which register records grievances?")
    for text, checked in [("The grievance register", True), ("The stock register", False)]:
        _content_control_box(option := d.add_paragraph(), checked)
        option.add_run(" " + text)
    d.add_paragraph("Question 4: Who signs the final reply?")
    for text, checked in [("The clerk", False), ("The grievance officer", True)]:
        _legacy_box(option := d.add_paragraph(), checked)
        option.add_run(" " + text)
    d.add_paragraph("Question 5: How many days for a reply?")
    d.add_paragraph("a) 7")
    d.add_paragraph("b) 21")
    d.add_paragraph("Answer: b")
    d.add_paragraph("Question 6: Which office is closest?")
    d.add_paragraph("a) The district office")
    d.add_paragraph("b) The state office")
    d.add_heading("Resolving", 1)
    d.add_heading("Writing the reply", 2)
    d.add_paragraph("Say what was decided.", style="Quote")
    d.save(str(path))
    return path


def make_pptx(path: Path) -> Path:
    deck = pptx.Presentation()
    deck.core_properties.title = "Grievance Basics"
    title_only, content = deck.slide_layouts[5], deck.slide_layouts[1]
    s1 = deck.slides.add_slide(content)
    s1.shapes.title.text = "Why grievances matter"
    body = s1.placeholders[1].text_frame
    body.text = "A reply must be clear"
    sub = body.add_paragraph()
    sub.text = "and timely"
    sub.level = 1
    hostile = body.add_paragraph()
    hostile.text = HOSTILE[0]
    s1.notes_slide.notes_text_frame.text = "Welcome. This deck is about grievances."
    s2 = deck.slides.add_slide(title_only)
    s2.shapes.title.text = "The register"
    pic = s2.shapes.add_picture(io.BytesIO(png()), PInches(1), PInches(2))
    pic._element.nvPicPr.cNvPr.set("descr", "A register on a desk")
    bare = s2.shapes.add_picture(io.BytesIO(png("navy")), PInches(3), PInches(2))
    bare._element.nvPicPr.cNvPr.set("descr", "")
    rows = s2.shapes.add_table(2, 2, PInches(1), PInches(4), PInches(4), PInches(1)).table
    for cell, text in zip(
        [rows.cell(0, 0), rows.cell(0, 1), rows.cell(1, 0), rows.cell(1, 1)],
        ["Step", "Who", "Register", "Dak section"],
        strict=True,
    ):
        cell.text = text
    s3 = deck.slides.add_slide(title_only)
    s3.shapes.title.text = "Grievances by month"
    data = CategoryChartData()
    data.categories = ["Jan", "Feb"]
    data.add_series("Received", (12, 15))
    s3.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, PInches(1), PInches(2), PInches(4), PInches(3), data)
    group = s3.shapes.add_group_shape()
    group.shapes.add_textbox(PInches(6), PInches(2), PInches(2), PInches(1)).text_frame.text = "Most in February"
    s4 = deck.slides.add_slide(title_only)
    s4.shapes.title.text = "A message from the Secretary"
    video = path.parent / "message.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=navy:s=64x48:d=1",
            "-pix_fmt",
            "yuv420p",
            str(video),
        ],
        check=True,
    )
    s4.shapes.add_movie(
        str(video),
        PInches(1),
        PInches(2),
        PInches(4),
        PInches(3),
        mime_type="video/mp4",
        poster_frame_image=io.BytesIO(png("gray")),
    )
    _sections(deck, {"Receiving": [s1, s2], "Resolving": [s3, s4]})
    deck.save(str(path))
    return path


def _sections(deck, sections: dict[str, list]) -> None:
    """PowerPoint's sections (python-pptx has no API for them): p14:sectionLst in presentation.xml."""
    items = "".join(
        f'<p14:section name="{name}" id="{{{n:08d}-0000-0000-0000-000000000000}}"><p14:sldIdLst>'
        + "".join(f'<p14:sldId id="{s.slide_id}"/>' for s in slides)
        + "</p14:sldIdLst></p14:section>"
        for n, (name, slides) in enumerate(sections.items(), 1)
    )
    ext = parse_xml(
        f'<p:extLst xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:ext '
        'uri="{521415D9-36F7-43E2-AB2F-B90AF26B5E84}"><p14:sectionLst '
        f'xmlns:p14="http://schemas.microsoft.com/office/powerpoint/2010/main">{items}</p14:sectionLst></p:ext></p:extLst>'
    )
    deck.part._element.append(ext)
