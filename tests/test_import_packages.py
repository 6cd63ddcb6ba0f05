"""kstudio import for SCORM 1.2/2004 packages and H5P files: fixtures the tests build (after the real
structures of each tool's export), hostile packages, and the round trip of our own SCORM 1.2 export."""

from __future__ import annotations

import base64
import json
import re
import zipfile
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from packager import build, load_course
from packager.export import FORMATS
from packager.importing import ImportRefused, import_file
from packager.importing.package import PackageError
from packager.markdown.quiz import normalise_answer
from packager.model import Course, Quiz
from tests.conftest import SAMPLE

CP12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
CP2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"


def package(path: Path, files: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def manifest(items: str, resources: str, *, version: str = "1.2", title: str = "Imported course") -> str:
    ns = CP12 if version == "1.2" else CP2004
    schema_version = "1.2" if version == "1.2" else "2004 4th Edition"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m" version="1" xmlns="{ns}"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>{schema_version}</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>{title}</title>
    {items}</organization></organizations>
  <resources>{resources}</resources>
</manifest>"""


def sco(ident: str, href: str) -> str:
    return (
        f'<resource identifier="{ident}" type="webcontent" adlcp:scormtype="sco" href="{href}">'
        f'<file href="{href}"/></resource>'
    )


def imported(tmp_path: Path, files: dict[str, str | bytes], name: str = "pkg.zip") -> tuple[Any, dict[str, str]]:
    """Import a package built from *files*; the result and its lessons' Markdown by title."""
    result = import_file(package(tmp_path / name, files), tmp_path / "course")
    course = load_course(result.folder, use_cache=False)
    bodies = {
        lesson.title: (result.folder / lesson.path).read_text("utf-8").split("---\n", 2)[2] for lesson in course.lessons
    }
    return result, bodies


def questions(course: Course) -> list[Any]:
    return [q for lesson in course.lessons for quiz in lesson.quizzes for q in quiz.questions]


def outcomes(result: Any, kind: str) -> list[str]:
    return [f"{o.item}: {o.detail}" for o in result.course.outcomes if o.result == kind]


def no_errors(result: Any) -> None:
    assert not [p for p in result.problems if p.severity == "error"], result.problems


# Any SCORM package: the manifest's outline and each page's HTML --------------------------------

PAGE = """<!DOCTYPE html><html><head><title>x</title><style>p {color: red}</style>
<script src="lib/player.js"></script></head><body>
<nav><a href="b.html">Next</a></nav>
<main><h1>Receiving a grievance</h1>
<p>Every office <b>registers</b> a grievance <em>the day</em> it arrives.<br>Then it is acknowledged.</p>
<p>### not a heading, - [x] not an option, ::: not a block, *not emphasis* &lt;b&gt;not bold&lt;/b&gt;</p>
<h2>Steps</h2>
<ol><li>Register it</li><li>Acknowledge it<ul><li>within three days</li></ul></li></ol>
<table><tr><th>Step</th><th>Days</th></tr><tr><td>Register</td><td>1</td></tr></table>
<p><img src="images/chart.png" alt="Grievances by month"> <img src="images/noalt.png"></p>
<p><img src="../../../etc/passwd.png" alt="outside"> <img src="https://example.org/tracker.png" alt="web"></p>
<p>See <a href="https://pgportal.gov.in">the portal</a>, <a href="javascript:alert(1)">this</a> and
<a href="docs/guide.pdf">the guide</a>.</p>
<script>alert("x")</script><iframe src="https://example.org/embed"></iframe>
</main></body></html>"""


def test_a_scorm_2004_package_becomes_modules_of_lessons_with_its_pages_text(tmp_path, tiny_media):
    items = """
      <item identifier="i1"><title>Receiving</title>
        <item identifier="i11" identifierref="r1"><title>Receiving a grievance</title></item>
        <item identifier="i12" identifierref="r2"><title>The register</title></item>
      </item>
      <item identifier="i2"><title>Resources</title>
        <item identifier="i21" identifierref="r3"><title>Guide</title></item>
        <item identifier="i22" identifierref="r4"><title>Outside</title></item>
        <item identifier="i23" identifierref="r5"><title>Web page</title></item>
      </item>"""
    resources = (
        sco("r1", "a.html")
        + sco("r2", "pages/b.html")
        + sco("r3", "docs/guide.pdf")
        + sco("r4", "../outside.html")
        + sco("r5", "http://example.org/page.html")
    )
    result, bodies = imported(
        tmp_path,
        {
            "imsmanifest.xml": manifest(items, resources, version="2004"),
            "a.html": PAGE,
            "pages/b.html": "<html><body><h2>The register</h2><p>One register per office.</p></body></html>",
            "images/chart.png": tiny_media["png"],
            "images/noalt.png": tiny_media["png"],
            "docs/guide.pdf": b"%PDF-1.4\n%%EOF\n",
        },
    )
    course = load_course(result.folder, use_cache=False)
    assert [(m.title, [le.title for le in m.lessons]) for m in course.modules] == [
        ("Receiving", ["Receiving a grievance", "The register"]),
        ("Resources", ["Guide"]),
    ]
    body = bodies["Receiving a grievance"]
    assert "# Receiving a grievance" not in body  # the page's title is the lesson's, not repeated
    assert "Every office **registers** a grievance *the day* it arrives.\\\nThen it is acknowledged." in body
    assert "## Steps" in body and "1. Register it\n2. Acknowledge it\n   - within three days" in body
    assert "| Step | Days |\n|---|---|\n| Register | 1 |" in body
    assert "![Grievances by month](media/chart.png)" in body and "![noalt](media/noalt.png)" in body
    assert "[the portal](<https://pgportal.gov.in>)" in body and "[the guide](media/guide.pdf)" in body
    assert "javascript" not in body and "alert" not in body and "color: red" not in body and "Next" not in body
    assert "passwd" not in body and "tracker" not in body
    html = course.lessons[0].blocks[0].html
    # what looked like syntax in the page is text in the course
    assert "### not a heading, - [x] not an option, ::: not a block, *not emphasis* &lt;b&gt;not bold&lt;/b&gt;" in html
    assert sorted(result.course.media) == ["chart.png", "guide.pdf", "noalt.png"]
    dropped = outcomes(result, "dropped")
    assert any("'Outside'" in d and "outside the package" in d for d in dropped)
    assert any("'Web page'" in d and "not fetched" in d for d in dropped)
    approximated = outcomes(result, "approximated")
    assert any("'Receiving a grievance'" in a and "iframe" in a and "without alt text" in a for a in approximated)
    assert any("'Guide'" in a and "attachment" in a for a in approximated)
    assert any(o.item == "item 'The register'" and o.result == "converted" for o in result.course.outcomes)
    no_errors(result)


def test_a_one_level_scorm_12_tree_is_one_module_and_a_player_without_text_is_attached(tmp_path):
    items = "".join(f'<item identifier="i{n}" identifierref="r{n}"><title>Part {n}</title></item>' for n in (1, 2, 3))
    resources = "".join(sco(f"r{n}", f"p{n}.html") for n in (1, 2, 3))
    files = {f"p{n}.html": f"<p>Text of part {n}.</p>" for n in (1, 2)}
    files["p3.html"] = "<html><body><div id='player'></div><script src='story.js'></script></body></html>"
    manifest_xml = manifest(items, resources, title="Duties")
    result, bodies = imported(tmp_path, {"imsmanifest.xml": manifest_xml, **files}, name="duties.zip")
    assert [(m.title, [le.title for le in m.lessons]) for m in result.course.modules] == [
        ("Duties", ["Part 1", "Part 2", "Part 3"])
    ]
    assert bodies["Part 2"].strip() == "Text of part 2."
    assert bodies["Part 3"].strip() == "This item could not be converted: [the original package](media/duties.zip)."
    assert outcomes(result, "dropped") == [
        "item 'Part 3': its content is not text the package carries as data; the original package is attached"
    ]
    no_errors(result)


# Articulate Rise: the course as a base64 JSON blob ----------------------------------------------


def rise_package(tiny_png: bytes) -> dict[str, str | bytes]:
    data = {
        "course": {
            "title": "Integrity basics",
            "description": "<p>Short and practical.</p>",
            "lessons": [
                {"type": "section", "title": "Gifts"},
                {
                    "type": "blocks",
                    "title": "When to say no",
                    "items": [
                        {
                            "type": "text",
                            "items": [{"heading": "<p>The test</p>", "paragraph": "<p>Who is <b>giving</b>?</p>"}],
                        },
                        {"type": "list", "items": [{"paragraph": "<p>Sweets</p>"}, {"paragraph": "<p>Tickets</p>"}]},
                        {
                            "type": "image",
                            "items": [
                                {"media": {"image": {"key": "hamper.png", "altText": "A hamper"}}, "caption": ""}
                            ],
                        },
                        {
                            "type": "knowledgeCheck",
                            "items": [
                                {
                                    "type": "MULTIPLE_CHOICE",
                                    "title": "<p>A contractor sends sweets. You…</p>",
                                    "answers": [
                                        {"title": "Decline", "correct": True},
                                        {"title": "Accept", "correct": False},
                                    ],
                                    "feedback": "<p>Decline politely.</p>",
                                }
                            ],
                        },
                        {"type": "divider"},
                    ],
                },
                {
                    "type": "quiz",
                    "title": "Check yourself",
                    "items": [
                        {
                            "type": "knowledgeCheck",
                            "items": [
                                {
                                    "type": "MULTIPLE_RESPONSE",
                                    "title": "<p>Which are gifts?</p>",
                                    "answers": [
                                        {"title": "Free tickets", "correct": True},
                                        {"title": "Hotel stay", "correct": True},
                                        {"title": "Tea at a meeting", "correct": False},
                                    ],
                                },
                                {
                                    "type": "FILL_IN_THE_BLANK",
                                    "title": "<p>Gifts are reported to the …</p>",
                                    "answers": [{"title": "Head of Office"}],
                                },
                                {
                                    "type": "MATCHING",
                                    "title": "<p>Match</p>",
                                    "answers": [
                                        {"title": "Gift", "matchTitle": "Declare"},
                                        {"title": "Loan", "matchTitle": "Refuse"},
                                    ],
                                },
                            ],
                        }
                    ],
                },
            ],
        }
    }
    blob = base64.b64encode(json.dumps(data).encode()).decode()
    page = f'<html><body><div id="app"></div><script>window.courseData = "{blob}";</script></body></html>'
    items = '<item identifier="i1" identifierref="r1"><title>Integrity basics</title></item>'
    return {
        "imsmanifest.xml": manifest(items, sco("r1", "scormcontent/index.html")),
        "scormcontent/index.html": page,
        "scormcontent/assets/hamper.png": tiny_png,
        "scormcontent/lib/main.bundle.js": "/* the player */",
    }


def test_articulate_rise_lessons_blocks_and_questions_come_from_its_course_data(tmp_path, tiny_media):
    result, bodies = imported(tmp_path, rise_package(tiny_media["png"]))
    course = load_course(result.folder, use_cache=False)
    assert course.title == "Integrity basics" and course.summary == "Short and practical."
    assert [(m.title, [le.title for le in m.lessons]) for m in course.modules] == [
        ("Gifts", ["When to say no", "Check yourself"])
    ]
    body = bodies["When to say no"]
    assert "## The test\n\nWho is **giving**?" in body and "- Sweets\n- Tickets" in body
    assert "![A hamper](media/hamper.png)" in body
    check, quiz = course.lessons[0].quizzes[0], course.lessons[1].quizzes[0]
    assert not check.graded and quiz.graded
    kinds = [(q.kind, q.prompt_text) for q in questions(course)]
    assert kinds == [
        ("single", "A contractor sends sweets. You…"),
        ("multiple", "Which are gifts?"),
        ("fill", "Gifts are reported to the …"),
        ("match", "Match"),
    ]
    single, multiple, fill, match = questions(course)
    assert [(o.html, o.correct) for o in single.options] == [("Decline", True), ("Accept", False)]
    assert "Decline politely." in single.explanation_html
    assert [o.correct for o in multiple.options] == [True, True, False]
    assert fill.answers == ["Head of Office"]
    assert [(p.left.html, p.right.html) for p in match.pairs] == [("Gift", "Declare"), ("Loan", "Refuse")]
    assert any("divider" in d for d in outcomes(result, "dropped"))
    no_errors(result)


# Adapt: course/<lang>/*.json ------------------------------------------------------------------


def test_adapt_pages_components_and_questions_come_from_its_json(tmp_path, tiny_media):
    def js(value: Any) -> str:
        return json.dumps(value)

    files: dict[str, str | bytes] = {
        "imsmanifest.xml": manifest(
            '<item identifier="i" identifierref="r"><title>x</title></item>', sco("r", "index.html")
        ),
        "index.html": "<html><body><div id='app'></div></body></html>",
        "course/config.json": js({"_defaultLanguage": "en"}),
        "course/en/course.json": js(
            {"_id": "course", "title": "RTI for officers", "description": "Answering RTI requests."}
        ),
        "course/en/contentObjects.json": js(
            [
                {"_id": "co-05", "_parentId": "course", "_type": "page", "title": "Receiving a request"},
                {"_id": "co-10", "_parentId": "course", "_type": "page", "title": "Assessment"},
            ]
        ),
        "course/en/articles.json": js(
            [
                {"_id": "a-05", "_parentId": "co-05", "_type": "article", "displayTitle": "The basics"},
                {"_id": "a-10", "_parentId": "co-10", "_type": "article", "_assessment": {"_isEnabled": True}},
            ]
        ),
        "course/en/blocks.json": js(
            [
                {"_id": "b-05", "_parentId": "a-05", "_type": "block"},
                {"_id": "b-10", "_parentId": "a-10", "_type": "block"},
            ]
        ),
        "course/en/components.json": js(
            [
                {
                    "_id": "c-1",
                    "_parentId": "b-05",
                    "_component": "text",
                    "displayTitle": "Time limits",
                    "body": "<p>Reply within <strong>30 days</strong>.</p>",
                },
                {
                    "_id": "c-2",
                    "_parentId": "b-05",
                    "_component": "graphic",
                    "_graphic": {"large": "course/en/images/flow.png", "alt": "The RTI flow"},
                },
                {
                    "_id": "c-9",
                    "_parentId": "b-05",
                    "_component": "media",
                    "displayTitle": "Why RTI matters",
                    "_media": {"mp4": "course/en/video/intro.mp4"},
                },
                {
                    "_id": "c-3",
                    "_parentId": "b-05",
                    "_component": "accordion",
                    "_items": [{"title": "First appeal", "body": "<p>Within 30 days.</p>"}],
                },
                {
                    "_id": "c-4",
                    "_parentId": "b-10",
                    "_component": "mcq",
                    "body": "<p>How many days to reply?</p>",
                    "_items": [{"text": "30", "_shouldBeSelected": True}, {"text": "90", "_shouldBeSelected": False}],
                    "_feedback": {"correct": "<p>Thirty days.</p>"},
                },
                {
                    "_id": "c-5",
                    "_parentId": "b-10",
                    "_component": "gmcq",
                    "body": "<p>Which are public authorities?</p>",
                    "_selectable": 2,
                    "_items": [
                        {
                            "text": "A ministry",
                            "_shouldBeSelected": True,
                            "_graphic": {"src": "course/en/images/flow.png", "alt": "Ministry"},
                        },
                        {"text": "A municipality", "_shouldBeSelected": True},
                        {"text": "A private shop", "_shouldBeSelected": False},
                    ],
                },
                {
                    "_id": "c-6",
                    "_parentId": "b-10",
                    "_component": "textinput",
                    "body": "<p>The officer is the PIO, short for?</p>",
                    "_items": [{"_answers": ["Public Information Officer"]}],
                },
                {
                    "_id": "c-7",
                    "_parentId": "b-10",
                    "_component": "matching",
                    "body": "<p>Match</p>",
                    "_items": [
                        {"text": "Reply", "_options": [{"text": "30 days", "_isCorrect": True}, {"text": "5 days"}]},
                        {"text": "Transfer", "_options": [{"text": "5 days", "_isCorrect": True}, {"text": "30 days"}]},
                    ],
                },
                {
                    "_id": "c-8",
                    "_parentId": "b-10",
                    "_component": "mcq",
                    "body": "<p>No answer marked</p>",
                    "_items": [{"text": "a"}, {"text": "b"}],
                },
            ]
        ),
        "course/en/images/flow.png": tiny_media["png"],
        "course/en/video/intro.mp4": tiny_media["mp4"],
    }
    result, bodies = imported(tmp_path, files)
    course = load_course(result.folder, use_cache=False)
    assert course.title == "RTI for officers" and [le.title for le in course.lessons] == [
        "Receiving a request",
        "Assessment",
    ]
    body = bodies["Receiving a request"]
    assert "## The basics" in body and "### Time limits\n\nReply within **30 days**." in body
    assert (
        "![The RTI flow](media/flow.png)" in body
        and "![Why RTI matters](media/intro.mp4)" in body
        and "#### First appeal\n\nWithin 30 days." in body
    )
    quiz = course.lessons[1].quizzes[0]
    assert quiz.graded and [q.kind for q in quiz.questions] == ["single", "multiple", "fill", "match"]
    mcq, gmcq, text, matching = quiz.questions
    assert [o.correct for o in mcq.options] == [True, False] and "Thirty days." in mcq.explanation_html
    assert [o.correct for o in gmcq.options] == [True, True, False] and "media/flow.png" in gmcq.prompt_more_html
    assert text.answers == ["Public Information Officer"]
    assert [(p.left.html, p.right.html) for p in matching.pairs] == [("Reply", "30 days"), ("Transfer", "5 days")]
    assert any("accordion" in a for a in outcomes(result, "approximated"))
    assert any("c-8" in d and "right answer" in d for d in outcomes(result, "dropped"))
    no_errors(result)


# eXeLearning's quiz iDevices and iSpring's compiled player ----------------------------------------

EXE_PAGE = """<html><body><div id="main"><div id="nodeDecoration"><h1 id="nodeTitle">Quiz</h1></div>
<div class="iDevice_wrapper MultiSelectIdevice em_iDevice" id="id3"><div class="iDevice emphasis1">
<h2 class="iDeviceTitle">Select all</h2><div class="iDevice_inner"><div class="question">
<div id="taquestion3_0" class="block iDevice_content"><p>Which need a reply?</p></div>
<section class="iDevice_answer">
<p class="iDevice_answer-field js-required">
<input type="checkbox" id="op3_0_0" value="True" />
</p>
<div class="iDevice_answer-content" id="answer-3_0_0"><p>A grievance</p></div></section>
<section class="iDevice_answer">
<p class="iDevice_answer-field js-required">
<input type="checkbox" id="op3_0_1" value="False" />
</p>
<div class="iDevice_answer-content" id="answer-3_0_1"><p>An advertisement</p></div></section>
</div></div></div></div>
<div class="iDevice_wrapper TrueFalseIdevice em_iDevice" id="id4">
<div class="iDevice emphasis1">
<form name="true-false-form-0b4">
<div id="taquestion0b4" class="block iDevice_content"><p>A reply can wait for three months.</p></div>
<p class="iDevice_answer js-required">
<label for="true0b4">
<input type="radio" name="option0b4" id="true0b4" /> True</label>
</p>
<p class="iDevice_answer js-required">
<label for="false0b4">
<input type="radio" name="option0b4" id="false0b4" /> False</label>
</p>
<div class="iDevice_feedbacks js-feedback"><div id="s0b4" class="feedback js-feedback js-hidden">
<p>
<strong id="s0b4-result" class="right">False</strong>
</p>
<p>Thirty days at most.</p>
</div>
</div>
</form>
</div>
</div>
<div class="iDevice_wrapper MultichoiceIdevice em_iDevice" id="id5">
<div class="iDevice emphasis1">
<form name="multi-choice-form-5">
<div id="taquestion5" class="block iDevice_content">
<p>Who signs the reply?</p>
</div>
<div class="iDevice_answers">
<div class="iDevice_answer">
<p class="iDevice_answer-field js-required">
<input type="radio" name="option5" onclick="$exe.getFeedback(0,2,'5','multi')"/>
</p>
<div class="iDevice_answer-content"><p>The officer</p></div></div>
<div class="iDevice_answer">
<p class="iDevice_answer-field js-required">
<input type="radio" name="option5" onclick="$exe.getFeedback(1,2,'5','multi')"/>
</p>
<div class="iDevice_answer-content"><p>The clerk</p></div></div></div></form></div></div>
</div></body></html>"""


def test_exelearning_quiz_idevices_become_questions_and_an_unmarked_one_stays_text(tmp_path):
    items = '<item identifier="i1" identifierref="r1"><title>Quiz</title></item>'
    result, bodies = imported(
        tmp_path, {"imsmanifest.xml": manifest(items, sco("r1", "quiz.html")), "quiz.html": EXE_PAGE}
    )
    course = load_course(result.folder, use_cache=False)
    multi, true_false = questions(course)
    assert multi.kind == "multiple" and [(o.html, o.correct) for o in multi.options] == [
        ("A grievance", True),
        ("An advertisement", False),
    ]
    assert true_false.prompt_text == "A reply can wait for three months."
    assert [(o.html, o.correct) for o in true_false.options] == [("True", False), ("False", True)]
    assert "Who signs the reply?\n\n- The officer\n- The clerk" in bodies["Quiz"]
    assert any("does not mark the right answer" in a for a in outcomes(result, "approximated"))
    no_errors(result)


def test_an_ispring_package_is_kept_as_an_attachment_and_listed(tmp_path):
    items = '<item identifier="i1" identifierref="r1"><title>Presentation</title></item>'
    files = {
        "imsmanifest.xml": manifest(items, sco("r1", "index.html")),
        "index.html": "<html><head><script>var ispringPresentationConnector = {};</script></head><body></body></html>",
        "data/slide1.js": "(function(){})()",
    }
    result, bodies = imported(tmp_path, files, name="deck-scorm.zip")
    assert "[the original package](media/deck-scorm.zip)" in bodies["Presentation"]
    assert any("iSpring" in d for d in outcomes(result, "dropped"))
    assert (result.folder / "media/deck-scorm.zip").stat().st_size == (tmp_path / "deck-scorm.zip").stat().st_size


# H5P ----------------------------------------------------------------------------------------------


def h5p(main: str, params: dict[str, Any], extra: dict[str, str | bytes] | None = None) -> dict[str, str | bytes]:
    meta = {"title": "Grievance practice", "language": "en", "mainLibrary": main, "preloadedDependencies": []}
    return {"h5p.json": json.dumps(meta), "content/content.json": json.dumps(params), **(extra or {})}


def choice(question: str, answers: list[tuple[str, bool]]) -> dict[str, Any]:
    return {
        "library": "H5P.MultiChoice 1.16",
        "params": {"question": question, "answers": [{"text": f"<div>{t}</div>", "correct": c} for t, c in answers]},
    }


QUESTION_SET = {
    "introPage": {"showIntroPage": True, "introduction": "<p>Five questions on <em>grievances</em>.</p>"},
    "questions": [
        choice("<p>Who registers a grievance?</p>", [("The office", True), ("The citizen", False)]),
        {"library": "H5P.TrueFalse 1.8", "params": {"question": "<p>A reply needs reasons.</p>", "correct": "true"}},
        {
            "library": "H5P.Blanks 1.14",
            "params": {
                "text": "<p>Fill in.</p>",
                "questions": ["<p>Reply within *30/thirty* days, or *write:a hint* why not.</p>"],
            },
        },
        {
            "library": "H5P.DragText 1.10",
            "params": {
                "taskDescription": "Drag the words.",
                "textField": "Grievances are *registered* then *acknowledged*.",
                "distractors": "*ignored*",
            },
        },
        {"library": "H5P.MarkTheWords 1.11", "params": {"textField": "x"}},
        {"library": "H5P.__init__ 1.0", "params": {}},  # a name is looked up in a table, never as an attribute
        choice(
            "<p>### not a heading <script>alert(1)</script>- [x] *not* :::</p>", [("<b>yes</b>", True), ("no", False)]
        ),
    ],
}


def test_an_h5p_question_set_keeps_every_kind_it_can_and_lists_the_rest(tmp_path):
    result, bodies = imported(tmp_path, h5p("H5P.QuestionSet", QUESTION_SET), name="practice.h5p")
    course = load_course(result.folder, use_cache=False)
    assert course.title == "Grievance practice" and [le.title for le in course.lessons] == ["Grievance practice"]
    assert "Five questions on *grievances*." in bodies["Grievance practice"]
    qs = questions(course)
    assert len(course.lessons[0].quizzes) == 1 and course.lessons[0].quizzes[0].graded  # the set is one quiz
    assert [q.kind for q in qs] == ["single", "single", "fill", "fill", "single", "single", "single"]
    mc, tf, blank1, blank2, drag1, drag2, hostile = qs
    assert [(o.html, o.correct) for o in mc.options] == [("The office", True), ("The citizen", False)]
    assert [(o.html, o.correct) for o in tf.options] == [("True", True), ("False", False)]
    assert blank1.answers == ["30", "thirty"] and blank2.answers == ["write"] and "Fill in." in blank1.prompt_more_html
    assert "(1)" in blank1.prompt_text and "(blank 2)" in blank2.prompt_text and "30" not in blank1.prompt_text
    assert [o.html for o in drag1.options] == ["registered", "acknowledged", "ignored"]
    assert [o.correct for o in drag1.options] == [True, False, False] and [o.correct for o in drag2.options] == [
        False,
        True,
        False,
    ]
    # H5P's text is HTML: it is read as text, never passed on as markup or syntax
    assert hostile.prompt_text == "### not a heading - [x] *not* :::" and "script" not in bodies["Grievance practice"]
    assert [(o.html, o.correct) for o in hostile.options] == [("<strong>yes</strong>", True), ("no", False)]
    assert [d.split(": ")[2] for d in outcomes(result, "dropped")] == ["MarkTheWords", "__init__"]
    assert any("one question per blank" in a for a in outcomes(result, "approximated"))
    no_errors(result)


def test_an_interactive_videos_file_and_questions_and_a_presentations_slides(tmp_path, tiny_media):
    video = {
        "interactiveVideo": {
            "video": {
                "startScreenOptions": {"title": "Handling a grievance"},
                "files": [{"path": "videos/clip.mp4", "mime": "video/mp4"}],
            },
            "assets": {
                "interactions": [
                    {
                        "duration": {"from": 65, "to": 70},
                        "action": choice("<p>What comes first?</p>", [("Register", True), ("Reply", False)]),
                    },
                    {"action": {"library": "H5P.Text 1.1", "params": {"text": "<p>Note the date.</p>"}}},
                ]
            },
            "summary": {
                "task": {
                    "library": "H5P.Summary 1.10",
                    "params": {
                        "intro": "Pick the true statement",
                        "summaries": [{"summary": ["<p>Register first</p>", "<p>Reply first</p>"]}],
                    },
                }
            },
        }
    }
    result, bodies = imported(
        tmp_path, h5p("H5P.InteractiveVideo", video, {"content/videos/clip.mp4": tiny_media["mp4"]}), name="video.h5p"
    )
    course = load_course(result.folder, use_cache=False)
    body = bodies["Grievance practice"]
    assert body.startswith("![Handling a grievance](media/clip.mp4)") and "Note the date." in body
    assert [q.prompt_text for q in questions(course)] == ["What comes first?", "Pick the true statement"]
    assert any("interaction 1 at 1:05" in o.item for o in result.course.outcomes)
    no_errors(result)

    deck = {
        "presentation": {
            "slides": [
                {
                    "keywords": [{"main": "Why it matters"}],
                    "elements": [
                        {
                            "action": {
                                "library": "H5P.AdvancedText 1.1",
                                "params": {"text": "<p>Trust <b>grows</b>.</p>"},
                            }
                        }
                    ],
                },
                {
                    "elements": [
                        {
                            "action": {
                                "library": "H5P.TrueFalse 1.8",
                                "params": {"question": "<p>Delay is fine.</p>", "correct": "false"},
                            }
                        }
                    ]
                },
            ]
        }
    }
    (tmp_path / "deck").mkdir()
    result, bodies = imported(tmp_path / "deck", h5p("H5P.CoursePresentation", deck), name="deck.h5p")
    body = bodies["Grievance practice"]
    assert "## Why it matters\n\nTrust **grows**." in body and "## Slide 2" in body and "::: check" in body


def test_h5ps_scorm_export_is_read_as_h5p(tmp_path):
    items = '<item identifier="i1" identifierref="r1"><title>x</title></item>'
    files = {
        "imsmanifest.xml": manifest(items, sco("r1", "index.html")),
        "index.html": "<html><body><div class='h5p-content'></div></body></html>",
        **{
            f"workspace/{k}": v
            for k, v in h5p("H5P.MultiChoice", choice("<p>Q?</p>", [("a", True), ("b", False)])["params"]).items()
        },
    }
    result, _ = imported(tmp_path, files)
    course = load_course(result.folder, use_cache=False)
    assert course.title == "Grievance practice" and [q.prompt_text for q in questions(course)] == ["Q?"]


# Hostile packages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"imsmanifest.xml": manifest("", ""), "../evil.html": "x"}, "points outside the course folder"),
        ({"imsmanifest.xml": manifest("", ""), "big.html": "a" * 3_000_000}, "fold"),
        ({"imsmanifest.xml": "<manifest><organizations>"}, "imsmanifest.xml:1: not well-formed XML"),
        ({"h5p.json": "{", "content/content.json": "{}"}, "'h5p.json' is not valid JSON"),
        (
            {"imsmanifest.xml": manifest("", ""), "course.js": 'window.KS_COURSE = {"lessons": [{"title": "x"}]};'},
            "its Karmayogi Studio data is not as expected (KeyError('file'))",
        ),
        ({"h5p.json": '{"mainLibrary": "H5P.QuestionSet"}', "content/content.json": "[" * 100_000}, "not valid JSON"),
    ],
    ids=["traversal", "zip-bomb", "bad-xml", "bad-json", "unexpected-data", "deep-json"],
)
def test_a_hostile_or_broken_package_is_refused_with_a_clear_message(tmp_path, files, message):
    path = package(tmp_path / ("p.h5p" if "h5p.json" in files else "p.zip"), files)
    with pytest.raises((ImportRefused, PackageError)) as info:
        import_file(path, tmp_path / "out")
    assert message in str(info.value) and path.name in str(info.value)
    assert not (tmp_path / "out").exists()


def test_manifest_entities_are_not_expanded_and_nothing_is_fetched(tmp_path):
    laughs = '<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY ext SYSTEM "file:///etc/passwd">]>'
    xml = manifest('<item identifier="i" identifierref="r"><title>&b;&ext;</title></item>', sco("r", "a.html"))
    xml = xml.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="UTF-8"?>' + laughs)
    result, _ = imported(tmp_path, {"imsmanifest.xml": xml, "a.html": "<p>Text.</p>"})
    title = result.course.modules[0].lessons[0].title
    assert "aaaaaaaaaa" not in title and "root:" not in title


# The round trip: our own SCORM 1.2 export, imported back ----------------------------------------


def _text(html: str) -> str:
    """The text a learner reads (a link that became text leaves no space before the next stop)."""
    return re.sub(r" ([.,;:])", r"\1", " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split()))


def _shape(course: Course) -> list[Any]:
    """What the round trip keeps: the outline, each lesson's text, and every question's parts."""
    out: list[Any] = []
    for module in course.modules:
        out.append(("module", module.title))
        for lesson in module.lessons:
            out.append(("lesson", lesson.title, tuple(lesson.objectives)))
            for block in lesson.blocks:
                if isinstance(block, Quiz):
                    out.append(
                        ("quiz", block.id, block.graded, block.pass_mark, block.draw, block.attempts, block.shuffle)
                    )
                    for q in block.questions:
                        out.append(
                            (
                                q.id,
                                q.kind,
                                q.points,
                                _text(q.prompt_html),
                                _text(q.prompt_more_html),
                                _text(q.explanation_html),
                                [(o.html, o.correct, _text(o.feedback_html)) for o in q.options],
                                [normalise_answer(a) for a in q.answers],
                                [i.html for i in q.items],
                                [(p.left.html, _text(p.right.html)) for p in q.pairs],
                            )
                        )
                else:
                    out.append(
                        (
                            type(block).__name__,
                            getattr(block, "kind", ""),
                            _text(getattr(block, "html", "") or getattr(block, "prompt_html", "")),
                        )
                    )
    return out


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Course, Any, Path]:
    """The sample course, its SCORM 1.2 export imported back, and where its other SCORM exports are."""
    folder = tmp_path_factory.mktemp("round-trip")
    report = build(SAMPLE, ["scorm12", "scorm2004", "igot"], None, folder / "dist", options={"fonts": False})
    assert report.ok
    scorm12 = next(p.path for p in report.packages if p.format == "scorm12")
    return load_course(SAMPLE, use_cache=False), import_file(scorm12, folder / "course"), folder / "dist"


def test_our_own_scorm_12_export_comes_back_with_the_same_outline_text_and_questions(round_trip):
    original, result, _ = round_trip
    back = load_course(result.folder, use_cache=False)
    assert back.title == original.title and back.summary == original.summary
    assert _shape(back) == _shape(original)
    assert sum(len(q.options) for q in questions(back)) == sum(len(q.options) for q in questions(original)) > 20
    assert {
        "welcome.mp4",
        "welcome.en.vtt",
        "welcome.hi.vtt",
        "70-20-10.png",
        "code-of-conduct-at-a-glance.pdf",
    } <= set(result.course.media)
    # what the package cannot give back: fill-in answers' case, and a link to another lesson (kept as text)
    approximated = outcomes(result, "approximated")
    assert len(approximated) == 2 and not outcomes(result, "dropped")
    assert all("fill-in answers" in a for a in approximated)
    assert "the link to another lesson ('Handling a grievance, step by step') became text" in approximated[0]
    no_errors(result)


@pytest.mark.parametrize("fmt", ["scorm2004", "igot"])
def test_our_scorm_2004_and_igot_exports_come_back_the_same_too(round_trip, fmt, tmp_path):
    original, _, dist = round_trip
    result = import_file(next(dist.glob(f"*-{fmt}.zip")), tmp_path / "course")
    assert _shape(load_course(result.folder, use_cache=False)) == _shape(original)


def test_the_imported_course_builds_to_every_format(round_trip, tmp_path):
    _, result, _ = round_trip
    report = build(result.folder, list(FORMATS), None, tmp_path, options={"fonts": False})
    assert report.ok, [f.line() for f in report.failures]
    assert sorted(p.format for p in report.packages) == sorted(FORMATS)


def test_recovered_questions_are_written_so_the_quiz_reader_takes_their_text_as_text(make_course):
    from packager.importing.html import Choice, Question, escape, quiz_markdown

    tricky = [
        Question(escape("Pick {one}"), choices=[Choice(escape("a -> b"), True), Choice(escape("[ ] c"), False)]),
        Question(escape("Type it"), kind="fill", answers=["= *x*", "{y}"]),
        Question(
            escape("Pair {them}"), kind="match", pairs=[(escape("a -> b"), escape("c")), (escape("d"), escape("e"))]
        ),
    ]
    lesson = "---\ntitle: A\n---\n" + quiz_markdown(tricky, graded=False) + "\n"
    course = load_course(make_course({"lessons/a.md": lesson}), use_cache=False)
    pick, fill, pair = questions(course)
    assert pick.prompt_text == "Pick {one}" and [o.html for o in pick.options] == ["a -&gt; b", "[ ] c"]
    assert fill.answers == ["= *x*", "{y}"]
    assert pair.prompt_text == "Pair {them}" and [(p.left.html, p.right.html) for p in pair.pairs] == [
        ("a → b", "c"),
        ("d", "e"),
    ]
