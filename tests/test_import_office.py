"""kstudio import of Word and PowerPoint files: documents written by python-docx and python-pptx
(tests/office_files.py) covering every construct, read back as a course that checks and builds."""

from __future__ import annotations

import http.server
import io
import shutil
import subprocess
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import pptx
import pytest
from PIL import Image

from packager import FORMATS, build, check_course, load_course
from packager.__main__ import main
from packager.archive import Limits
from packager.importing import READERS, ImportOptions, ImportRefused, import_file, recognise
from packager.importing.render_slides import NotRendered, render
from packager.model import Quiz
from packager.runner import LOCAL
from tests.office_files import HOSTILE, make_docx, make_pptx, png


@pytest.fixture(scope="module")
def word(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("word")
    return import_file(make_docx(tmp / "grievances.docx"), tmp / "course")


@pytest.fixture(scope="module")
def fetched():
    """A web server the deck links a picture to: what anything asked it for while the deck was read."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(png("red"))

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/tracker.png", asked
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory, fetched):
    tmp = tmp_path_factory.mktemp("deck")
    return import_file(make_pptx(tmp / "basics.pptx", linked_picture=fetched[0]), tmp / "course")


def own(problems: list[Any]) -> list[Any]:
    """The problems of what was imported: an imported course names the starter's provider until its
    author puts theirs (kstudio check warns about those placeholders, as for a new course)."""
    return [p for p in problems if "starter's placeholder" not in p.message]


def lesson(result, n: int) -> str:
    return sorted((result.folder / "lessons").iterdir())[n].read_text("utf-8")


def test_word_headings_become_modules_and_lessons(word):
    course = load_course(word.folder, use_cache=False)
    assert course.title == "Handling Public Grievances"
    assert [m.title for m in course.modules] == ["Receiving a grievance", "Resolving"]
    titles = [[lesson.title for lesson in m.lessons] for m in course.modules]
    assert titles == [["Receiving a grievance", "Why grievances matter", "Check your learning"], ["Writing the reply"]]


def test_word_text_lists_tables_images_footnotes(word):
    body = lesson(word, 1)
    assert "A reply must be **clear** and *timely*. See [the guidelines](https://example.org/guide).[^1]" in body
    assert "[^1]: From the 2024 guidelines." in body
    assert "- Register the letter\n   - on the day it arrives\n- Acknowledge it" in body
    assert "- Acknowledge it\n\n1. Examine\n1. Reply" in body
    assert "| Step | Who \\| whom |\n|---|---|\n| Register | Dak section |" in body
    assert "## A case from a district office" in body
    assert "![A register on a desk](media/image-001.png)" in body
    assert (word.folder / "media" / "image-001.png").read_bytes()[:4] == b"\x89PNG"
    assert "> Say what was decided." in lesson(word, 3)


def test_word_questions_with_marked_answers_become_a_quiz(word):
    course = load_course(word.folder, use_cache=False)
    quiz = next(b for b in course.modules[0].lessons[2].blocks if isinstance(b, Quiz))
    assert quiz.graded
    assert [(q.prompt_text, q.kind) for q in quiz.questions] == [
        ("Who answers a grievance?", "single"),
        ("What must an acknowledgement include?", "multiple"),
        ("Which register records grievances?", "single"),
        ("Who signs the final reply?", "single"),
        ("How many days for a reply?", "single"),
    ]
    body = lesson(word, 2)
    assert "- [x] The grievance officer" in body  # bold option
    assert "- [x] The grievance register\n- [ ] The stock register" in body  # content control check boxes
    assert "- [ ] The clerk\n- [x] The grievance officer" in body  # legacy form field check boxes
    assert "- [ ] 7\n- [x] 21" in body  # "Answer: b"
    report = word.report.read_text("utf-8")
    assert "question 'Which office is closest?' in lesson 'Check your learning': kept as text" in report


def test_nothing_the_document_says_becomes_syntax(word):
    body = lesson(word, 1)
    for text in HOSTILE:
        assert text not in body.splitlines()
    course = load_course(word.folder, use_cache=False)
    assert not [p for p in course.problems if p.severity == "error" and "alt text" not in p.message]


def test_word_report_counts_and_check(word):
    report = word.report.read_text("utf-8")
    assert word.counts == {"converted": 12, "approximated": 2, "dropped": 0}
    assert "| converted | 12 |" in report and "| approximated | 2 |" in report
    assert "media/image-002.png has no alt text in the document" in report
    # the picture without alt text is the one problem the check lists, in the report too
    assert [p.message for p in own(word.problems)] == ["image 'media/image-002.png' has no alt text"]
    assert "lessons/02-why-grievances-matter.md:31: error: image 'media/image-002.png' has no alt text" in report


def test_deck_sections_slides_notes_media(deck):
    course = load_course(deck.folder, use_cache=False)
    assert [lesson.title for lesson in course.modules[0].lessons] == ["Receiving", "Resolving"]
    first, second = lesson(deck, 0), lesson(deck, 1)
    assert "## Why grievances matter\n\n- A reply must be clear\n   - and timely\n- \\### not a heading" in first
    assert "::: note\n**Speaker notes (transcript)**\n\nWelcome. This deck is about grievances.\n:::" in first
    assert "![A register on a desk](media/image-001.png)" in first
    assert "| Step | Who |\n|---|---|\n| Register | Dak section |" in first
    assert "![Video: A message from the Secretary](media/media-003.mp4)" in second
    assert "| Series | Jan | Feb |\n|---|---|---|\n| Received | 12 | 15 |\n\nMost in February" in second
    smartart = "- Receive\n- Register\n   - on the day it arrives\n   - \\- \\[x\\] not a task\n- Reply"
    assert smartart in second
    assert [p.message for p in own(deck.problems)] == ["image 'media/image-002.png' has no alt text"]


needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice is not installed (./dev installs libreoffice-impress-nogui)"
)


@needs_libreoffice
def test_slides_that_cannot_be_kept_as_text_are_drawn_by_libreoffice(deck, fetched):
    second = lesson(deck, 1)
    alt = "Slide 3: Grievances by month. Most in February"
    assert f"## Grievances by month\n\n![{alt}](media/slide-003.png)\n\n| Series |" in second
    assert "![Slide 5: How a grievance flows. Receive Register on the day it arrives" in second
    made = pptx.Presentation(str(deck.folder.parent / "basics.pptx"))
    for number in (3, 5):
        with Image.open(deck.folder / "media" / f"slide-{number:03d}.png") as picture:
            assert picture.format == "PNG"
            assert picture.width / picture.height == pytest.approx(made.slide_width / made.slide_height, rel=0.01)
    report = deck.report.read_text("utf-8")
    drawn = "- slide 3: rendered as an image (media/slide-003.png) for a chart, the group 'Group 3'; its text is kept"
    assert drawn in report
    assert "- slide 5: rendered as an image (media/slide-005.png) for a SmartArt diagram" in report
    assert "- slide 3: a chart: its data is kept as a table" in report
    assert deck.counts == {"converted": 6, "approximated": 3, "dropped": 1}  # the linked picture
    assert fetched[1] == []  # LibreOffice drew slide 3 without fetching its picture linked to the web
    assert sorted(p.name for p in (deck.folder / "media").iterdir() if p.name.startswith("slide")) == [
        "slide-003.png",
        "slide-005.png",
    ]


class Refusing:
    """A runner on a machine where LibreOffice cannot draw: missing, past its time limit, or failing."""

    def __init__(self, error: Exception | subprocess.CompletedProcess) -> None:
        self.error, self.argv = error, []

    def run(self, argv, *, timeout=None):
        self.argv.append(list(argv))
        if isinstance(self.error, subprocess.CompletedProcess):
            return self.error
        raise self.error

    def start(self, argv, *, stderr):
        raise self.error


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (FileNotFoundError("timeout"), "LibreOffice is not installed"),
        (subprocess.TimeoutExpired("soffice", 135), "LibreOffice did not finish within 120 s"),
        (
            subprocess.CompletedProcess("soffice", 1, b"", b"Error: source file could not be loaded"),
            "LibreOffice could not convert the deck (exit status 1)",
        ),
    ],
)
def test_without_libreoffice_the_slides_are_reported_not_drawn(deck, tmp_path, error, reason):
    runner = Refusing(error)
    result = import_file(deck.folder.parent / "basics.pptx", tmp_path / "course", options=ImportOptions(runner=runner))
    assert len(runner.argv) == 1 and "--convert-to" in runner.argv[0]  # one run for the deck
    report = result.report.read_text("utf-8")
    not_drawn = f"it cannot be kept as text, and the slide was not rendered as a picture ({reason})"
    assert f"- slide 3: a chart: {not_drawn}; its data is kept as a table" in report
    assert f"- slide 5: a SmartArt diagram: {not_drawn}; its text is kept as a list" in report
    assert "- slide 3: the group 'Group 3': its text and pictures were kept apart" in report
    assert result.counts == {"converted": 4, "approximated": 2, "dropped": 3}
    assert "| Received | 12 | 15 |" in lesson(result, 1)
    assert not list((result.folder / "media").glob("slide-*"))


def test_a_hidden_slide_is_kept_as_text_and_never_drawn(tmp_path):
    made = pptx.Presentation()
    slide = made.slides.add_slide(made.slide_layouts[5])
    slide.shapes.title.text = "Spare figures"
    slide.shapes.add_group_shape().shapes.add_textbox(0, 0, 100, 100).text_frame.text = "Kept"
    slide.element.set("show", "0")
    made.save(str(tmp_path / "hidden.pptx"))
    runner = Refusing(FileNotFoundError("soffice"))
    result = import_file(tmp_path / "hidden.pptx", tmp_path / "out", options=ImportOptions(runner=runner))
    assert runner.argv == []
    assert "## Spare figures\n\nKept" in lesson(result, 0)
    assert "the group 'Group 2': its text and pictures were kept apart" in result.report.read_text("utf-8")


@needs_libreoffice
def test_a_libreoffice_past_its_time_is_killed_with_its_worker(deck, tmp_path, monkeypatch):
    """soffice starts soffice.bin, which would outlive a killed soffice: the whole group ends."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(NotRendered, match=r"did not finish within 0\.4 s"):
        render(deck.folder.parent / "basics.pptx", [3], visible=[1, 2, 3, 4, 5], runner=LOCAL, seconds=0.4)
    deadline = time.monotonic() + 5  # killed at once; the kernel may take a moment to reap the group
    while (left := subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True).stdout) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.05)
    assert not left


def test_deck_without_sections_groups_slides(tmp_path):
    made = pptx.Presentation()
    for n in range(3):
        made.slides.add_slide(made.slide_layouts[5]).shapes.title.text = f"Step {n + 1}"
    made.save(str(tmp_path / "steps.pptx"))
    result = import_file(tmp_path / "steps.pptx", tmp_path / "out", options=ImportOptions(slides_per_lesson=2))
    assert [lesson.title for lesson in result.course.modules[0].lessons] == ["Step 1", "Step 3"]
    assert own(result.problems) == []


@pytest.fixture(scope="module")
def built(word, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """The Word course, its one listed problem fixed as its author would, built to every format once."""
    folder = tmp_path_factory.mktemp("fixed") / "course"
    shutil.copytree(word.folder, folder)
    path = folder / "lessons" / "02-why-grievances-matter.md"
    path.write_text(path.read_text("utf-8").replace("![](", "![A navy square]("), "utf-8")
    out = tmp_path_factory.mktemp("dist")
    report = build(folder, list(FORMATS), None, out, options={"fonts": False})
    assert report.ok, report.failures
    return folder, [p.path for p in report.packages]


def test_the_imported_course_checks_clean_and_builds_to_every_format(built):
    folder, packages = built
    assert own(check_course(load_course(folder, use_cache=False))) == []
    assert len(packages) == len(FORMATS)
    site = next(p for p in packages if p.name.endswith("-html.zip"))
    with zipfile.ZipFile(site) as z:
        text = b"".join(z.read(n) for n in z.namelist() if n.endswith((".html", ".js", ".json")))
    for shown in ("### not a heading", "- [x] not a task", "= not an answer"):
        assert shown.encode() in text or shown.replace("&", "&amp;").encode() in text


def test_cli_prints_counts_and_problems(tmp_path, capsys):
    source = make_docx(tmp_path / "handout.docx")
    assert main(["import", str(source), "-o", str(tmp_path / "handout")]) == 1  # the check found an error
    out = capsys.readouterr().out
    assert "2 modules, 4 lessons; 12 converted, 2 approximated, 0 dropped" in out
    assert "import-report.md" in out
    assert "02-why-grievances-matter.md:31: error: image 'media/image-002.png' has no alt text" in out
    assert main(["import", str(source), "-o", str(tmp_path / "handout")]) == 2
    assert "already exists and is not empty" in capsys.readouterr().err


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


WORD = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({**WORD, "word/media/bomb.png": b"\0" * (4 * 2**20)}, "expands"),
        ({**WORD, "../../evil.txt": b"x"}, "points outside the course folder"),
        ({**WORD, **{f"word/m{n}.xml": b"x" for n in range(30)}}, "entries; at most 20"),
    ],
    ids=["zip-bomb", "traversal", "too-many-entries"],
)
def test_a_hostile_docx_is_refused_before_python_docx_reads_it(tmp_path, capsys, members, message):
    source = _zip(tmp_path / "hostile.docx", members)
    with pytest.raises(ImportRefused, match=message):
        import_file(source, tmp_path / "out", options=ImportOptions(limits=Limits(max_files=20)))
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]
    if message == "expands":  # the CLI says so in one line, no traceback
        assert main(["import", str(source), "-o", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err
        assert err.startswith("kstudio: error: hostile.docx: 'word/media/bomb.png' expands") and "Traceback" not in err


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old binary Office file"),
        (b"plain text", "not a file that can be imported"),
        (None, "is a zip, but not one that can be imported"),
        ("damaged", "could not be read as a Word document"),
    ],
    ids=["doc", "text", "other-zip", "damaged-docx"],
)
def test_files_that_are_not_office_documents_are_refused_clearly(tmp_path, data, message):
    source = tmp_path / "file.docx"
    if data is None:
        _zip(source, {"readme.txt": b"hello"})
    elif data == "damaged":
        _zip(source, WORD)  # the parts python-docx needs are not there
    else:
        source.write_bytes(data)
    with pytest.raises(ImportRefused, match=message):
        import_file(source, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_kind_is_recognised_by_content_not_name(tmp_path):
    source = make_docx(tmp_path / "handout.bin")
    assert recognise(source) is READERS["docx"]
    buffer = io.BytesIO()
    pptx.Presentation().save(buffer)
    (tmp_path / "deck.docx").write_bytes(buffer.getvalue())
    assert recognise(tmp_path / "deck.docx") is READERS["pptx"]


def test_an_empty_document_writes_nothing(tmp_path):
    import docx

    docx.Document().save(str(tmp_path / "empty.docx"))
    with pytest.raises(Exception, match="nothing to import"):
        import_file(tmp_path / "empty.docx", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_numbered_lines_without_options_stay_text(tmp_path):
    import docx

    d = docx.Document()
    d.add_heading("Scope", 2)
    d.add_paragraph("1. The office registers the letter.")
    d.add_paragraph("Why does it matter?", style="List Number")
    d.add_paragraph("Who replies?", style="List Number")
    d.save(str(tmp_path / "scope.docx"))
    result = import_file(tmp_path / "scope.docx", tmp_path / "out")
    text = "1\\. The office registers the letter.\n\n1. Why does it matter?\n1. Who replies?\n"
    assert lesson(result, 0).endswith(text)
    assert result.counts == {"converted": 1, "approximated": 0, "dropped": 0}
