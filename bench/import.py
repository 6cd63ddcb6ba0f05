"""Import benchmark: a 100-page Word document and a 100-slide deck, each made into a checked course.

    .venv/bin/python bench/import.py [--pages 100] [--slides 100]

The files are written here with python-docx and python-pptx: a page is a lesson heading, five
paragraphs with bold, italic and a link, a list, a table, and every fifth page a marked question and
every tenth a picture; a slide has a title, bullets on two levels and speaker notes, every fifth a
picture and every tenth a table. Each import (``import_file``: read, write, ``kstudio check``) runs in
a fresh interpreter, best of 3, with its CPU time and peak memory (max RSS). The goal is under 10 s of
wall time each (on a busy machine the CPU time says what the import itself took).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 10.0
WORDS = (
    "A citizen who writes to an office about a delayed pension expects a reply that is clear, timely and fair. "
    "The clerk records the letter in the register on the day it arrives and gives the citizen a number. "
    "The section officer examines it within seven days and the grievance officer answers within twenty-one."
)


def picture(n: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 200), (n * 37 % 256, n * 91 % 256, n * 53 % 256)).save(out, "PNG")
    return out.getvalue()


def make_document(path: Path, pages: int) -> None:
    import docx
    from docx.shared import Inches

    d = docx.Document()
    d.core_properties.title = "Benchmark handout"
    for n in range(pages):
        if n % 10 == 0:
            d.add_heading(f"Part {n // 10 + 1}", 1)
        d.add_heading(f"Page {n + 1}: handling grievance {n}", 2)
        for k in range(5):
            p = d.add_paragraph(WORDS + " ")
            p.add_run("Register it the same day.").bold = True
            p.add_run(f" Step {k + 1} of the process is ")
            p.add_run("explained below").italic = True
            p.add_run(". " + WORDS)
        for item in ("Register the letter", "Acknowledge it", "Reply on time"):
            d.add_paragraph(item, style="List Bullet")
        table = d.add_table(rows=3, cols=3)
        for i, cell in enumerate(table._cells):
            cell.text = f"cell {i}"
        if n % 5 == 4:
            d.add_paragraph(f"Question {n}: Who answers grievance {n}?")
            d.add_paragraph("a) The minister")
            d.add_paragraph("b) The grievance officer").runs[0].bold = True
        if n % 10 == 9:
            d.add_picture(io.BytesIO(picture(n)), width=Inches(3))
            d.inline_shapes[-1]._inline.docPr.set("descr", f"Chart {n}")
    d.save(str(path))


def make_deck(path: Path, slides: int) -> None:
    import pptx
    from pptx.util import Inches

    deck = pptx.Presentation()
    deck.core_properties.title = "Benchmark deck"
    for n in range(slides):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = f"Slide {n + 1}: grievance {n}"
        frame = slide.placeholders[1].text_frame
        frame.text = "Register the letter the same day"
        for k in range(4):
            para = frame.add_paragraph()
            para.text = f"Point {k + 1}: {WORDS[:90]}"
            para.level = k % 2
        slide.notes_slide.notes_text_frame.text = WORDS
        if n % 5 == 4:
            pic = slide.shapes.add_picture(io.BytesIO(picture(n)), Inches(6), Inches(5), Inches(3))
            pic._element.nvPicPr.cNvPr.set("descr", f"Chart {n}")
        if n % 10 == 9:
            table = slide.shapes.add_table(3, 3, Inches(1), Inches(5), Inches(4), Inches(1)).table
            for r in range(3):
                for c in range(3):
                    table.cell(r, c).text = f"cell {r}{c}"
    deck.save(str(path))


def run_phase(source: Path, out: Path) -> None:
    from packager.importing import import_file

    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    result = import_file(source, out)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    peak = after.ru_maxrss / 1024
    lessons = sum(len(m.lessons) for m in result.course.modules)
    figures = {"seconds": seconds, "cpu": cpu, "peak_mb": peak, "lessons": lessons}
    print(json.dumps({**figures, "problems": len(result.problems)}))


def measure(source: Path, out: Path) -> dict[str, float]:
    """The import in a fresh interpreter (its time without interpreter start), best of 3."""
    runs = []
    for n in range(3):
        target = out / f"{source.stem}-{n}"
        argv = [sys.executable, __file__, "--phase", str(source), str(target)]
        runs.append(json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout))
    return min(runs, key=lambda r: r["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--slides", type=int, default=100)
    parser.add_argument("--phase", nargs=2, metavar=("FILE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_phase(Path(args.phase[0]), Path(args.phase[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        os.environ["PYTHONPYCACHEPREFIX"] = str(tmp_path / "bytecode")
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        document, deck = tmp_path / "handout.docx", tmp_path / "deck.pptx"
        make_document(document, args.pages)
        make_deck(deck, args.slides)
        rows = [
            (f"Word, {args.pages} pages", document, measure(document, tmp_path)),
            (f"PowerPoint, {args.slides} slides", deck, measure(deck, tmp_path)),
        ]
        print(f"{'':26}{'file KB':>9}{'lessons':>9}{'seconds':>9}{'CPU s':>9}{'peak MiB':>10}")
        for name, source, r in rows:
            size = source.stat().st_size / 1024
            figures = f"{r['lessons']:9.0f}{r['seconds']:9.3f}{r['cpu']:9.3f}{r['peak_mb']:10.0f}"
            print(f"{name:26}{size:9.0f}{figures}")
        slowest = max(r["seconds"] for _, _, r in rows)
        print(f"{'slowest import':26}{'':18}{slowest:9.3f}   (goal < {GOAL_SECONDS:.0f} s each)")
        if slowest >= GOAL_SECONDS:
            sys.exit(1)


if __name__ == "__main__":
    main()
