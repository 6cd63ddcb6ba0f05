"""The html package: reproducible, self-contained, sanitised."""

from __future__ import annotations

import hashlib
import json
import re
import sys
import zipfile

import pytest

from packager import CourseError, ExportError, export, load_course
from packager.model import Lesson
from packager.svg import UnsafeSvg, sanitize_svg
from tests.conftest import COURSE_YML

EVIL_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="steal()">
<script>steal()</script><foreignObject><iframe src="https://evil"/></foreignObject>
<image xlink:href="https://tracker.example/pixel.png" width="1" height="1"/>
<a href="javascript:steal()"><rect width="10" height="10" onclick="steal()" fill="url(https://evil/x)"/></a>
<use href="#ok"/><circle id="ok" r="2"/></svg>"""


def build(root, out):
    return export(load_course(root), "html", out)


def test_same_course_builds_to_identical_bytes(make_course, tmp_path, tiny_media):
    root = make_course({"media/x.png": tiny_media["png"], "lessons/a.md": "---\ntitle: A\n---\n![X](media/x.png)\n"})
    first = build(root, tmp_path / "one").read_bytes()
    second = export(load_course(root, use_cache=False), "html", tmp_path / "two").read_bytes()
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_rendered_lessons_are_reused_only_while_their_page_is_the_same(make_course, tmp_path, monkeypatch):
    from packager import render

    lessons = {f"lessons/{n:02d}.md": f"---\ntitle: L{n}\n---\nText {n}.\n" for n in range(60)}
    listed = ", ".join(lessons)
    course_yml = COURSE_YML.replace("lessons: [lessons/a.md]", f"lessons: [{listed}]")
    root = make_course({"course.yml": course_yml, **lessons})  # past render.PARALLEL_FROM: rendered on every core
    cold = export(load_course(root, use_cache=False), "html", tmp_path / "cold").read_bytes()
    first = build(root, tmp_path / "one").read_bytes()
    rendered: list[str] = []
    monkeypatch.setattr(render, "PARALLEL_FROM", 10**6)  # renders in this process, where they can be counted
    real = render.Player.lesson_js

    def counted(self: render.Player, lesson: Lesson) -> bytes:
        rendered.append(lesson.id)
        return real(self, lesson)

    monkeypatch.setattr(render.Player, "lesson_js", counted)
    assert build(root, tmp_path / "two").read_bytes() == first == cold
    assert rendered == []
    (root / "lessons/07.md").write_text("---\ntitle: L7\n---\nText seven.\n", "utf-8")
    edited = build(root, tmp_path / "three")
    assert rendered == ["lessons/07"]
    with zipfile.ZipFile(edited) as z:
        assert "Text seven." in z.read("lessons/lessons-07.js").decode()
    rendered.clear()
    export(load_course(root, use_cache=False), "html", tmp_path / "four")
    assert len(rendered) == 60  # a build told not to use the cache renders everything


def test_package_is_self_contained(make_course, tmp_path, tiny_media):
    root = make_course({"media/x.png": tiny_media["png"], "lessons/a.md": "---\ntitle: A\n---\n![X](media/x.png)\n"})
    with zipfile.ZipFile(build(root, tmp_path)) as z:
        text = " ".join(
            z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith((".html", ".js", ".css"))
        )
        assert "media/x.png" in z.namelist()
        for info in z.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
    assert not re.search(r"(src|href)=\\?\"(https?:)?//", text), "nothing may load from the network"
    assert "Content-Security-Policy" in text and "connect-src &#39;none&#39;" in text


def test_svg_is_sanitised_in_the_package(make_course, tmp_path):
    root = make_course({"media/evil.svg": EVIL_SVG, "lessons/a.md": "---\ntitle: A\n---\n![Chart](media/evil.svg)\n"})
    with zipfile.ZipFile(build(root, tmp_path)) as z:
        svg = z.read("media/evil.svg").decode()
    for bad in (
        "script",
        "onload",
        "onclick",
        "foreignObject",
        "iframe",
        "tracker.example",
        "javascript",
        "https://evil",
    ):
        assert bad not in svg
    assert 'href="#ok"' in svg and "<circle" in svg


def test_svg_that_is_not_svg_is_refused():
    with pytest.raises(UnsafeSvg):
        sanitize_svg(b"<html><body/></html>")
    with pytest.raises(UnsafeSvg):
        sanitize_svg(b"not xml at all")
    with pytest.raises(UnsafeSvg):  # an entity bomb never expands
        sanitize_svg(
            b'<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><svg>&b;</svg>'
        )


def test_lesson_script_carries_answer_key(make_course, tmp_path):
    body = "::: quiz\n### Q?\n= Register  of  GRIEVANCES\n:::\n\n::: check\n### M {match}\n- a -> b\n- c -> d\n:::\n"
    root = make_course({"lessons/a.md": f"---\ntitle: A\n---\n{body}"})
    with zipfile.ZipFile(build(root, tmp_path)) as z:
        script = z.read("lessons/lessons-a.js").decode()
        course_js = z.read("course.js").decode()
    data = json.loads(script[script.rindex(", {") + 2 : -3])
    assert data["questions"]["lessons-a-quiz1-q1"] == {
        "kind": "fill",
        "points": 1,
        "answers": ["register of grievances"],
    }
    assert data["questions"]["lessons-a-check1-q1"]["correct"] == {"l1": "r1", "l2": "r2"}
    course = json.loads(course_js.removeprefix("window.KS_COURSE = ").rstrip(";\n"))
    assert course["storageKey"] == "ks:test-course:1"
    assert [q["graded"] for q in course["quizzes"]] == [True, False]


def test_html_in_titles_is_escaped(make_course, tmp_path):
    root = make_course({"lessons/a.md": '---\ntitle: "<img src=x onerror=alert(1)>"\n---\nHi\n'})
    with zipfile.ZipFile(build(root, tmp_path)) as z:
        index = z.read("index.html").decode()
        script = z.read("lessons/lessons-a.js").decode()
    assert "<img src=x" not in index and "&lt;img src=x" in index
    assert "<img src=x" not in script


def test_export_refuses_errors_and_unknown_formats(make_course, tmp_path):
    course = load_course(make_course({"lessons/a.md": "---\ntitle: A\n---\n![](nope.png)\n"}))
    with pytest.raises(CourseError) as err:
        export(course, "html", tmp_path / "out")
    assert len(err.value.problems) == 2
    with pytest.raises(ExportError, match="known formats: html"):
        export(course, "flash", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_failed_build_leaves_no_partial_package(make_course, tmp_path, monkeypatch):
    root = make_course({"media/x.png": b"\x89PNG", "lessons/a.md": "---\ntitle: A\n---\n![X](media/x.png)\n"})
    course = load_course(root)
    (root / "media/x.png").unlink()  # vanishes between check and copy
    monkeypatch.setattr(sys.modules["packager.build"], "check_course", lambda c, **kw: [])
    with pytest.raises(OSError):
        export(course, "html", tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_a_preview_cuts_the_script_font_whole_so_a_new_letter_cuts_nothing_again():
    """The studio's previews (``whole_script_fonts``) keep every letter of the script's font: a translator's
    edit that brings a new letter shows at once instead of waiting seconds for another cut; a package
    still carries only the letters it shows."""
    from packager import fonts

    before = fonts.webfonts("hi", ["अच्छी लोक सेवा"], whole_script=True)
    after = fonts.webfonts("hi", ["उत्कृष्ट लोक सेवा"], whole_script=True)
    assert before[0].family == "KS Devanagari" and before[0].data == after[0].data
    assert {"उ", "ृ", "ष"} <= after[0].chars <= before[0].chars
    shown = fonts.webfonts("hi", ["अच्छी लोक सेवा"])
    assert "ष" not in shown[0].chars and len(shown[0].data) < len(before[0].data)
