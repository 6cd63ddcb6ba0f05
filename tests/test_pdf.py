"""PDF handouts: the English sample course and Hindi and Urdu fixture courses, each rendered once.

Reference images live in tests/fixtures/pdf/. After a reviewed change to the handout's look, run
``KS_UPDATE_PDF_REFS=1 .venv/bin/python -m pytest tests/test_pdf.py`` and look at the new PNGs before
committing them.
"""

from __future__ import annotations

import os
import re
import subprocess
import zlib
from html import unescape
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from packager.__main__ import main
from packager.errors import ExportError
from packager.export import export
from packager.load import load_course
from packager.model import Html
from packager.pdf import fonts
from packager.pdf.handout import CourseFetcher

from .conftest import SAMPLE

FIXTURES = Path(__file__).parent / "fixtures"
REFS = FIXTURES / "pdf"
COURSES = {
    "en": SAMPLE,
    "hi": FIXTURES / "courses" / "shikayat-hi",
    "ur": FIXTURES / "courses" / "shikayat-ur",
}
PAGES = {"en": (20, 45), "hi": (5, 12), "ur": (5, 14)}
FONTS = {"en": "Noto-Sans", "hi": "Noto-Sans-Devanagari", "ur": "Noto-Nastaliq-Urdu"}
REF_PAGES = (1, 2, 3)
TOLERANCE = 6.0  # mean absolute difference of grey levels (0-255) at 30 dpi


@pytest.fixture(scope="session")
def handouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each handout, with its answer key, rendered once for the whole session."""
    out = tmp_path_factory.mktemp("pdf")
    os.environ.setdefault("XDG_CACHE_HOME", str(out / "cache"))
    return {lang: export(load_course(root), "pdf", out, answers=True) for lang, root in COURSES.items()}


def page_texts(pdf: Path) -> list[str]:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout.split("\f")


def squash(text: str) -> str:
    """Spaces made single; the bidi marks pdftotext puts around right-to-left lines dropped. Poppler
    also treats Arabic punctuation as a left-to-right island and prints the space before it, so spaces
    around `،` `؛` `؟` `۔` are normalised (the letters and words themselves are compared exactly)."""
    text = re.sub("[\u202a-\u202e]", "", text)
    text = re.sub(r"\s*([\u060c\u061b\u061f\u06d4])\s*", r"\1 ", text)
    return re.sub(r"\s+", " ", text).strip()


def letters(text: str) -> str:
    return re.sub(r"\s+", "", text)


def first_paragraph(html: str) -> str:
    match = re.search(r"<p>(.*?)</p>", html, re.S)
    assert match
    return squash(unescape(re.sub(r"<[^>]+>", "", match.group(1))))


def actual_texts(pdf: Path) -> str:
    """The /ActualText of every marked-content span, from the PDF's (deflated) content streams."""
    found = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf.read_bytes(), re.S):
        try:
            data = zlib.decompress(raw)
        except zlib.error:
            continue
        found += [
            bytes.fromhex(h.decode())[2:].decode("utf-16-be") for h in re.findall(rb"/ActualText <([0-9a-f]+)>", data)
        ]
    return "".join(found)


@pytest.mark.parametrize("lang", COURSES)
def test_name_pages_and_metadata(handouts: dict[str, Path], lang: str) -> None:
    pdf = handouts[lang]
    course = load_course(COURSES[lang])
    assert pdf.name == f"{course.id}-{course.version}-{lang}-pdf.pdf"
    assert not [p for p in pdf.parent.iterdir() if p.name.endswith(".tmp")]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    low, high = PAGES[lang]
    assert low <= pages <= high
    assert "Tagged:          yes" in info
    assert f"Title:           {course.title}" in info


@pytest.mark.parametrize("lang", COURSES)
def test_toc_numbers_are_the_pages_lessons_start_on(handouts: dict[str, Path], lang: str) -> None:
    texts = page_texts(handouts[lang])
    course = load_course(COURSES[lang])
    toc = texts[1]
    # Leader dots, then the page number (or the number, then dots, in a right-to-left handout).
    listed = [int(a or b) for a, b in re.findall(r"\.{5,}\s*(\d+)|(\d+)\s*\.{5,}", toc)]
    starts: list[int] = []
    for n, lesson in enumerate(course.lessons, start=1):
        title = squash(lesson.title)
        # A lesson starts on the page with its title at the top (other pages may link to it).
        tops = [squash(" ".join([line for line in text.splitlines() if line.strip()][:8])) for text in texts]
        after = starts[-1] if starts else 2
        starts.append(next(n for n, top in enumerate(tops[after:], start=after + 1) if title in top))
    assert listed[: len(starts)] == starts
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


@pytest.mark.parametrize("lang", COURSES)
def test_fonts_are_embedded_and_subset(handouts: dict[str, Path], lang: str) -> None:
    out = subprocess.run(["pdffonts", str(handouts[lang])], capture_output=True, text=True).stdout
    rows = [line.split() for line in out.splitlines()[2:]]
    assert rows and all(row[-5:-3] == ["yes", "yes"] for row in rows), out
    assert any(re.fullmatch(r"[A-Z]{6}\+" + FONTS[lang], row[0]) for row in rows), out


@pytest.mark.parametrize("lang", COURSES)
def test_text_extracts_lesson_titles_and_first_paragraphs(handouts: dict[str, Path], lang: str) -> None:
    """pdftotext gives back each lesson's title and first paragraph, word for word, in every script.
    Indic and Urdu text come from /ActualText spans (see packager/pdf/text.py)."""
    text = squash(" ".join(page_texts(handouts[lang])))
    for lesson in load_course(COURSES[lang]).lessons:
        assert squash(lesson.title) in text
        first = next(b for b in lesson.blocks if isinstance(b, Html) and "<p>" in b.html)
        assert first_paragraph(first.html) in text
    if lang != "en":
        assert actual_texts(handouts[lang])


def test_answer_key_and_questions(handouts: dict[str, Path]) -> None:
    text = squash(" ".join(page_texts(handouts["en"])))
    assert "Answer key" in text and "Knowledge check" in text
    assert "Return both politely, and inform her senior in writing." in text
    assert "Watch it in the online course" in text


def test_without_answers_no_key(make_course, tmp_path: Path) -> None:
    course = load_course(make_course())
    pdf = export(course, "pdf", tmp_path / "out")
    text = squash(" ".join(page_texts(pdf)))
    assert "Lesson A" in text and "Hello." in text and "Answer key" not in text


@pytest.mark.parametrize("lang", COURSES)
def test_pages_look_like_the_reviewed_references(handouts: dict[str, Path], lang: str, tmp_path: Path) -> None:
    first, last = REF_PAGES[0], REF_PAGES[-1]
    prefix = tmp_path / lang
    subprocess.run(
        ["pdftoppm", "-r", "30", "-gray", "-png", "-f", str(first), "-l", str(last), str(handouts[lang]), str(prefix)],
        check=True,
    )
    for page, png in zip(REF_PAGES, sorted(tmp_path.glob(f"{lang}-*.png")), strict=True):
        ref = REFS / f"{lang}-{page}.png"
        if os.environ.get("KS_UPDATE_PDF_REFS"):
            REFS.mkdir(parents=True, exist_ok=True)
            ref.write_bytes(png.read_bytes())
        got, want = Image.open(png).convert("L"), Image.open(ref).convert("L")
        assert got.size == want.size
        diff = ImageStat.Stat(ImageChops.difference(got, want)).mean[0]
        assert diff <= TOLERANCE, f"{lang} page {page} differs from {ref} by {diff:.1f}"


def test_missing_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setattr(fonts, "installed_families", lambda: frozenset({"Noto Sans"}))
    with pytest.raises(ExportError, match="fonts-noto-core") as info:
        export(load_course(COURSES["hi"]), "pdf", tmp_path)
    assert "Devanagari" in str(info.value)
    assert main(["build", str(COURSES["ur"]), "-f", "pdf", "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "missing font" in err and "fonts-noto-core" in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())


def test_fetcher_serves_only_course_and_theme_files(tmp_path: Path) -> None:
    course = tmp_path / "course"
    (course / "media").mkdir(parents=True)
    (course / "media" / "a.png").write_bytes(b"png")
    (tmp_path / "secret.txt").write_text("no")
    fetch = CourseFetcher(course)
    assert fetch((course / "media" / "a.png").as_uri()).read() == b"png"
    for url in ("https://example.org/x.png", (tmp_path / "secret.txt").as_uri(), course.as_uri() + "/../secret.txt"):
        with pytest.raises(ValueError):
            fetch(url)


def test_cli_answers_flag(tmp_path: Path, capsys) -> None:
    assert main(["build", str(COURSES["hi"]), "-f", "pdf", "--answers", "-o", str(tmp_path)]) == 0
    assert "shikayat-nivaran-hi-1.0.0-hi-pdf.pdf" in capsys.readouterr().out
    assert "उत्तर कुंजी" in squash(" ".join(page_texts(tmp_path / "shikayat-nivaran-hi-1.0.0-hi-pdf.pdf")))
