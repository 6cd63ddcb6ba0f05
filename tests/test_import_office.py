"""kstudio import of Word and PowerPoint files: documents written by python-docx and python-pptx
(tests/office_files.py) covering every construct, read back as a course that checks and builds."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pptx
import pytest

from packager import FORMATS, build, check_course, load_course
from packager.__main__ import main
from packager.archive import Limits
from packager.importing import READERS, ImportOptions, ImportRefused, import_file, recognise
from packager.model import Quiz
from tests.office_files import HOSTILE, make_docx, make_pptx


@pytest.fixture(scope="module")
def word(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("word")
    return import_file(make_docx(tmp / "grievances.docx"), tmp / "course")


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("deck")
    return import_file(make_pptx(tmp / "basics.pptx"), tmp / "course")


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
    assert [p.message for p in word.problems] == ["image 'media/image-002.png' has no alt text"]
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
    report = deck.report.read_text("utf-8")
    assert "- slide 3: a chart: it cannot be kept as text, and the slide was not rendered as a picture" in report
    assert "- slide 3: the group 'Group 3': its text and pictures were kept apart" in report
    assert "## Grievances by month\n\nMost in February" in second
    assert deck.counts == {"converted": 4, "approximated": 2, "dropped": 1}
    assert [p.message for p in deck.problems] == ["image 'media/image-002.png' has no alt text"]


def test_deck_without_sections_groups_slides(tmp_path):
    made = pptx.Presentation()
    for n in range(3):
        made.slides.add_slide(made.slide_layouts[5]).shapes.title.text = f"Step {n + 1}"
    made.save(str(tmp_path / "steps.pptx"))
    result = import_file(tmp_path / "steps.pptx", tmp_path / "out", options=ImportOptions(slides_per_lesson=2))
    assert [lesson.title for lesson in result.course.modules[0].lessons] == ["Step 1", "Step 3"]
    assert result.problems == []


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
    assert check_course(load_course(folder, use_cache=False)) == []
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
