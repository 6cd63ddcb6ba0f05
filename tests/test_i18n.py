"""Localisation: segments, catalogs after edits, XLIFF, QA, translated builds, localised media."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import polib
import pytest

from packager import export, load_course
from packager.__main__ import main
from packager.errors import CourseError
from packager.i18n import catalog, qa, xliff
from packager.i18n import course as i18n
from packager.i18n.segments import Segment, protect
from packager.lesson import split_front_matter
from packager.markdown import parser
from packager.render import answer_key
from tests.conftest import SAMPLE, write
from tests.pseudo import pseudo, pseudo_course

LESSON = """\
---
title: Writing the reply
objectives:
  - List what a final reply must contain.
---
First paragraph about **replies**.

Second paragraph with a [link](https://example.org) and `code`.

Third paragraph, unchanged.

| Term | Meaning |
| --- | --- |
| Reply | The *final* answer |

::: check
### Which register records every grievance? {id=q-reg}
= Grievance register
= Register of grievances

### Who answers? {points=2}
- [ ] The minister
  > Not the minister.
- [x] The grievance officer

### Match {match}
- Acknowledgement -> Confirms receipt
- Disposal -> Closes the grievance
:::
"""

COURSE = """\
id: i18n-course
version: 1.0.0
title: Grievance basics
summary: How to handle a grievance.
language: en
translations: [hi]
provider: {id: test, name: Test Institute}
keywords: [grievance, reply]
modules:
  - title: Replying
    lessons: [lessons/a.md]
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write(tmp_path / "c", {"course.yml": COURSE, "lessons/a.md": LESSON})


def _translate_all(root: Path, lang: str = "hi") -> polib.POFile:
    course = load_course(root, use_cache=False)
    i18n.update(course)
    path = i18n.catalog_path(course, lang)
    po = catalog.read(path)
    for entry in po:
        entry.msgstr = pseudo(entry.msgid, lang)
    catalog.write(po, path)
    return po


def _entries(root: Path, lang: str = "hi") -> polib.POFile:
    return catalog.read(root / "translations" / f"{lang}.po")


def _edit(root: Path, old: str, new: str) -> None:
    path = root / "lessons" / "a.md"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


# Segments ---------------------------------------------------------------------------------------


def test_segments_cover_every_part_with_placeholders_for_targets(small):
    found = i18n.segments(load_course(small, use_cache=False))
    kinds = [s.kind for s in found]
    assert kinds[:4] == ["title", "summary", "module", "keyword"]
    by_text = {s.source: s for s in found}
    assert by_text["Second paragraph with a [link]({1}) and `code`."].targets == ["https://example.org"]
    assert by_text["The *final* answer"].kind == "cell"
    assert by_text["Which register records every grievance?"].kind == "question"  # the {id=…} stays out
    assert by_text["Grievance register"].kind == "answer"
    assert by_text["The grievance officer"].kind == "correct"
    assert by_text["Not the minister."].kind == "feedback"
    assert by_text["Acknowledgement"].kind == by_text["Confirms receipt"].kind == "match"
    assert by_text["List what a final reply must contain."].kind == "objective"
    assert all(s.id.count("|") >= 1 for s in found) and len({s.id for s in found}) == len(found)


def test_placeholders_skip_code_and_keep_titles():
    assert protect('a [b](c "T") `[x](y)` ![i](<m p.png>)') == ("a [b]({1}) `[x](y)` ![i]({2})", ['c "T"', "<m p.png>"])


def test_segment_ids_survive_inserting_and_moving_other_blocks(small):
    before = {s.source: s.id for s in i18n.segments(load_course(small, use_cache=False))}
    _edit(small, "First paragraph", "A new opening paragraph.\n\nFirst paragraph")
    _edit(small, "Third paragraph, unchanged.\n\n", "")
    _edit(small, "| Term |", "Third paragraph, unchanged.\n\n| Term |")
    after = {s.source: s.id for s in i18n.segments(load_course(small, use_cache=False))}
    assert {k: v for k, v in after.items() if k in before} == before


# Update after edits -----------------------------------------------------------------------------


def test_update_after_change_insert_move_delete_loses_nothing(small):
    po = _translate_all(small)
    translated = {e.msgid: e.msgstr for e in po}
    _edit(small, "First paragraph about **replies**.", "First paragraph about **final replies**.")  # change
    _edit(small, "Third paragraph, unchanged.", "Third paragraph, unchanged.\n\nAn inserted paragraph.")  # insert
    _edit(small, "Second paragraph with a [link](https://example.org) and `code`.\n\n", "")  # delete
    _edit(small, "Third paragraph, unchanged.\n\n", "")  # move: the third paragraph goes after the table
    text = (small / "lessons/a.md").read_text().replace("::: check", "Third paragraph, unchanged.\n\n::: check", 1)
    (small / "lessons/a.md").write_text(text)
    reports = i18n.update(load_course(small, use_cache=False))
    assert (reports["hi"].added, reports["hi"].fuzzy, reports["hi"].obsolete) == (1, 1, 1)

    po = _entries(small)
    fuzzy = [e for e in po if e.fuzzy]
    assert [(e.msgid, e.previous_msgid) for e in fuzzy] == [
        ("First paragraph about **final replies**.", "First paragraph about **replies**.")
    ]
    assert fuzzy[0].msgstr == translated["First paragraph about **replies**."]  # kept for review
    assert '#| msgid "First paragraph about **replies**."' in (small / "translations/hi.po").read_text()
    moved = next(e for e in po if e.msgid == "Third paragraph, unchanged.")
    assert not moved.fuzzy and moved.msgstr == translated["Third paragraph, unchanged."]
    new = next(e for e in po if e.msgid == "An inserted paragraph.")
    assert not new.msgstr and not new.fuzzy
    gone = po.obsolete_entries()
    assert [(e.msgid, e.msgstr) for e in gone] == [
        (
            "Second paragraph with a [link]({1}) and `code`.",
            translated["Second paragraph with a [link]({1}) and `code`."],
        )
    ]
    untouched = [e for e in po if not e.obsolete and e.msgid in translated and e.msgid != moved.msgid]
    assert all(e.msgstr == translated[e.msgid] and not e.fuzzy for e in untouched)
    status = i18n.status(load_course(small, use_cache=False), "hi")
    assert (status.fuzzy, status.missing) == (1, 1)

    # the paragraph comes back: its translation returns from the obsolete entries, not fuzzy
    _edit(small, "An inserted paragraph.", "Second paragraph with a [link](https://example.org) and `code`.")
    i18n.update(load_course(small, use_cache=False))
    back = next(e for e in _entries(small) if e.msgid.startswith("Second paragraph"))
    assert not back.obsolete and not back.fuzzy and back.msgstr


def test_update_twice_changes_nothing(small):
    _translate_all(small)
    first = (small / "translations/hi.po").read_bytes()
    i18n.update(load_course(small, use_cache=False))
    assert (small / "translations/hi.po").read_bytes() == first


def test_catalog_headers_are_what_poedit_and_weblate_expect(small):
    i18n.update(load_course(small, use_cache=False))
    po = _entries(small)
    meta = po.metadata
    assert meta["Language"] == "hi" and meta["Content-Type"] == "text/plain; charset=UTF-8"
    assert meta["Plural-Forms"].startswith("nplurals=2; plural=")
    assert meta["Project-Id-Version"] == "i18n-course 1.0.0"
    # and Babel's reader, as another tool would, takes the file as valid
    from babel.messages.pofile import read_po

    with open(small / "translations/hi.po", "rb") as fh:
        cat = read_po(fh, abort_invalid=True)
    assert cat.num_plurals == 2 and len(cat) > 10


# XLIFF ------------------------------------------------------------------------------------------


def test_xliff_round_trip_changes_nothing_and_carries_states(small, tmp_path):
    _translate_all(small)
    _edit(small, "First paragraph about **replies**.", "First paragraph about **final replies**.")
    i18n.update(load_course(small, use_cache=False))
    before = (small / "translations/hi.po").read_bytes()
    out = tmp_path / "hi.xlf"
    assert main(["i18n", "export-xliff", str(small), "--lang", "hi", "-o", str(out)]) == 0
    text = out.read_text()
    assert 'state="needs-review-translation"' in text and 'alttranstype="previous-version"' in text
    assert 'id="lessons/a|question|' in text and '<note from="developer">' in text
    assert main(["i18n", "import-xliff", str(small), str(out)]) == 0
    assert (small / "translations/hi.po").read_bytes() == before
    assert main(["i18n", "import-xliff", str(small), str(out), "--lang", "ur"]) == 2  # a Hindi file
    assert main(["i18n", "export-xliff", str(small), "--lang", "hi", "-o", str(out)]) == 2  # no overwrite

    # a CAT tool finishes the fuzzy unit: the catalog takes the target and the state
    _, units = xliff.read(out)
    unit = next(u for u in units if u.state == "needs-review-translation")
    text = text.replace(
        f'<target state="needs-review-translation">{unit.target}</target>',
        '<target state="translated">पहला अनुच्छेद <g id="1">**अंतिम उत्तर**</g>।</target>',
    )
    out.write_text(text)
    assert main(["i18n", "import-xliff", str(small), str(out)]) == 0
    entry = next(e for e in _entries(small) if e.msgctxt == unit.id)
    assert entry.msgstr == "पहला अनुच्छेद **अंतिम उत्तर**।" and not entry.fuzzy and not entry.previous_msgid


def test_hostile_xliff_is_refused_or_harmless(small, tmp_path):
    _translate_all(small)
    bomb = tmp_path / "bomb.xlf"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file target-language="hi"><body>'
        '<trans-unit id="course|title"><source>Grievance basics</source><target state="translated">&e;&b;</target>'
        "</trans-unit></body></file></xliff>"
    )
    _, units = xliff.read(bomb)
    assert "root:" not in units[0].target
    escape = tmp_path / "escape.xlf"
    escape.write_text(bomb.read_text().replace('target-language="hi"', 'target-language="../../../evil"'))
    assert main(["i18n", "import-xliff", str(small), str(escape)]) == 2
    assert not list(tmp_path.rglob("evil*"))
    broken = tmp_path / "broken.xlf"
    broken.write_text("<xliff version='1.2'><file>")
    with pytest.raises(xliff.XliffError, match=r"broken.xlf:1"):
        xliff.read(broken)


# QA ---------------------------------------------------------------------------------------------


def test_qa_reports_placeholders_links_code_emphasis_numbers_and_empty(small, capsys):
    _translate_all(small)
    po = _entries(small)
    for entry in po:
        if entry.msgid.startswith("Second paragraph"):
            entry.msgstr = "दूसरा अनुच्छेद [कड़ी]({2}) और `कोड`।"
        elif entry.msgid.startswith("First paragraph"):
            entry.msgstr = "पहला **अनुच्छेद।"
        elif entry.msgid == "Grievance basics":
            entry.msgstr = " … "
        elif entry.msgid == "Reply":
            entry.msgstr = "उत्तर 2"
    catalog.write(po, small / "translations/hi.po")
    assert main(["check", str(small)]) == 1
    out = capsys.readouterr().out
    lines = {re.sub(r"^.*?translations/hi\.po:\d+: ", "", line) for line in out.splitlines() if "hi.po:" in line}
    assert "error: placeholder {1} is missing: keep '({1})' right after the link text's ']'" in lines
    assert "error: placeholder {2} is not in the source: a link to it would lead nowhere" in lines
    assert "error: code `code` is missing or changed: keep it exactly as in the source" in lines
    assert "warning: unbalanced bold: '**' must open and close" in lines
    assert "error: empty translation: write the text, or clear it so the source is shown" in lines
    assert not any("number" in line for line in lines)  # 2 is an extra number, not a missing one
    line_no = int(re.search(r"translations/hi\.po:(\d+): error: empty", out).group(1))
    assert 'msgctxt "course|title"' in "\n".join(
        (small / "translations/hi.po").read_text().splitlines()[line_no - 1 : line_no + 3]
    )


def test_qa_numbers_compare_across_digit_systems():
    problems = list(qa.check_entry("Reply within 21 days, by 5 p.m.", "२१ दिनों में उत्तर दें", "a|paragraph|x", "t.po", 3))
    assert [p.message for p in problems] == ["number 5 of the source is not in the translation"]


# Translated builds --------------------------------------------------------------------------------


def _structure(tokens) -> list:
    """Token structure without the words: types, tags, nesting, link and image targets, code as written."""
    out = []
    for token in tokens:
        entry = [token.type, token.tag, token.nesting, token.attrGet("href"), token.attrGet("src")]
        if token.type in ("code_inline", "code_block", "fence", "container_ks_open"):
            entry.append(token.content if token.type != "container_ks_open" else token.info)
        if token.children:
            kids = [c for c in token.children if c.type != "softbreak"]
            merged = [k for i, k in enumerate(kids) if not (k.type == "text" and i and kids[i - 1].type == "text")]
            entry.append(_structure(merged))
        out.append(entry)
    return out


@pytest.fixture(scope="module")
def pseudo_sample(tmp_path_factory) -> Path:
    return pseudo_course(SAMPLE, tmp_path_factory.mktemp("pseudo") / "course")


@pytest.mark.parametrize("lang", ["hi", "ur"])
def test_pseudo_translation_keeps_every_lessons_token_structure(pseudo_sample, lang):
    source = load_course(pseudo_sample, use_cache=False)
    translated = load_course(pseudo_sample, use_cache=False, lang=lang)
    entries = catalog.active(catalog.read(pseudo_sample / "translations" / f"{lang}.po"))

    def lookup(segment: Segment) -> str | None:
        entry = entries.get(segment.id)
        return entry.msgstr if entry is not None and catalog.usable(entry, segment.source) else None

    for lesson in source.lessons:
        text = (pseudo_sample / lesson.path).read_text("utf-8")
        _, body, _ = split_front_matter(text, lesson.path, [])
        original = parser().parse(body, {})
        rewritten = parser().parse(body, {"ks_translate": (lesson.id, lookup)})
        assert _structure(rewritten) == _structure(original), lesson.path
        assert [t.content for t in rewritten if t.type == "inline"] != [
            t.content for t in original if t.type == "inline"
        ]

    # the model: same lessons, quizzes, questions, correct answers and scoring
    assert translated.language == lang and translated.title == pseudo(source.title, lang)
    assert [m.title for m in translated.modules] == [pseudo(m.title, lang) for m in source.modules]
    for a, b in zip(source.lessons, translated.lessons, strict=True):
        assert b.title == pseudo(a.title, lang) and len(b.objectives) == len(a.objectives)
        assert [type(x).__name__ for x in a.blocks] == [type(x).__name__ for x in b.blocks]
        assert [r.src for r in a.media] == [r.src for r in b.media]
        assert [path for path, _ in a.links] == [path for path, _ in b.links]
    for qa_, qb in zip(source.quizzes, translated.quizzes, strict=True):
        assert (qa_.id, qa_.graded, qa_.draw, qa_.pass_mark) == (qb.id, qb.graded, qb.draw, qb.pass_mark)
        for x, y in zip(qa_.questions, qb.questions, strict=True):
            kx, ky = answer_key(x), answer_key(y)
            if x.kind == "fill":
                assert ky["answers"] == [pseudo(a, lang).lower() for a in kx["answers"]]
                kx.pop("answers"), ky.pop("answers")
            assert kx == ky and x.id == y.id
            assert [o.feedback_html != "" for o in x.options] == [o.feedback_html != "" for o in y.options]
    assert not [p for p in translated.problems if p.severity == "error"]


def test_build_all_languages_with_report_and_strict(tmp_path, capsys):
    root = pseudo_course(SAMPLE, tmp_path / "course")
    po = catalog.read(root / "translations/ur.po")
    po[0].msgstr = ""  # the course title
    po[5].flags.append("fuzzy")
    catalog.write(po, root / "translations/ur.po")
    out = tmp_path / "dist"
    assert main(["build", str(root), "-f", "html", "--lang", "all", "-o", str(out), "--no-fonts"]) == 0
    err = capsys.readouterr().err
    assert "translations/ur.po: warning: 2 segments are missing or fuzzy and fall back to 'en'" in err
    assert "course.yml:5: warning: ur: missing translation, shown in en: 'Karmayogi Prarambh" in err
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"karmayogi-prarambh-1.0.0-{lang}-html.zip" for lang in ("en", "hi", "ur")]
    with zipfile.ZipFile(out / "karmayogi-prarambh-1.0.0-ur-html.zip") as z:
        index = z.read("index.html").decode()
        assert 'lang="ur" dir="rtl"' in index and "Karmayogi Prarambh" in index  # the fallback
        assert not any(n.startswith("assets/fonts") for n in z.namelist())  # --no-fonts
    assert main(["build", str(root), "-f", "html", "--lang", "ur", "-o", str(out), "--strict"]) == 1
    assert "error: 2 segments are missing or fuzzy" in capsys.readouterr().err
    assert main(["build", str(root), "-f", "html", "--lang", "hi", "-o", str(out), "--strict"]) == 0
    assert main(["build", str(root), "-f", "html", "--lang", "ta", "-o", str(out)]) == 2


def test_broken_translation_blocks_only_its_own_language(tmp_path):
    root = pseudo_course(SAMPLE, tmp_path / "course")
    po = catalog.read(root / "translations/hi.po")
    entry = next(e for e in po if "]({1})" in e.msgid)
    entry.msgstr = entry.msgstr.replace("]({1})", "]({7})")
    catalog.write(po, root / "translations/hi.po")
    course = load_course(root, use_cache=False)
    assert export(course, "html", tmp_path / "out", lang="ur", fonts=False).exists()
    with pytest.raises(CourseError):
        export(course, "html", tmp_path / "out", lang="hi", fonts=False)


def test_localised_media_and_captions_are_picked_per_language(tmp_path):
    from PIL import Image

    files: dict[str, str | bytes] = {
        "course.yml": COURSE,
        "lessons/a.md": "---\ntitle: A\n---\n![A chart](media/chart.png)\n\n![Talk](media/talk.mp3)\n\n"
        "![Intro](media/intro.mp3)\n",
    }
    root = write(tmp_path / "c", files)
    (root / "media").mkdir()
    for name, colour in (("chart.png", "red"), ("chart.hi.png", "blue")):
        Image.new("RGB", (40, 30), colour).save(root / "media" / name)
    (root / "media" / "intro.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nen\n")  # no language: the course's
    for name in ("talk.mp3", "talk.hi.mp3", "intro.mp3"):
        (root / "media" / name).write_bytes(b"ID3")
    for lang in ("en", "hi"):
        (root / "media" / f"talk.{lang}.vtt").write_text(f"WEBVTT\n\n00:00.000 --> 00:01.000\n{lang}\n")
    _translate_all(root)
    en = load_course(root, use_cache=False)
    hi = load_course(root, use_cache=False, lang="hi")
    assert [r.src for r in en.lessons[0].media] == ["media/chart.png", "media/talk.mp3", "media/intro.mp3"]
    assert [r.src for r in hi.lessons[0].media] == ["media/chart.hi.png", "media/talk.hi.mp3", "media/intro.mp3"]
    assert [(c.lang, c.src) for c in hi.lessons[0].media[2].captions] == [("en", "media/intro.vtt")]
    assert [c.src for c in hi.lessons[0].media[1].captions] == ["media/talk.en.vtt", "media/talk.hi.vtt"]
    html = hi.lessons[0].blocks[0].html
    assert 'srclang="hi" label="हिन्दी" default' in html and 'alt="' + pseudo("A chart", "hi") in html


def test_broken_catalog_is_reported_with_its_line(small, capsys):
    i18n.update(load_course(small, use_cache=False))
    path = small / "translations/hi.po"
    path.write_text(path.read_text().replace('msgstr ""\n\n#. Translate the course summary.', 'msgstr "x\n\n#.'))
    assert main(["check", str(small)]) == 1
    assert re.search(r"translations/hi\.po:\d+: error: not a valid PO file", capsys.readouterr().out)


def test_markup_in_a_translation_is_escaped_and_unsafe_links_dropped(small, tmp_path):
    po = _translate_all(small)
    for entry in po:
        if entry.msgid.startswith("Third paragraph"):
            entry.msgstr = "<img src=x onerror=alert(1)> [क्लिक](javascript:alert(1))"
    catalog.write(po, small / "translations/hi.po")
    course = load_course(small, use_cache=False, lang="hi")
    html = course.lessons[0].blocks[0].html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "javascript:" not in html
    assert any("javascript" in p.message for p in course.problems)


def test_the_sample_course_is_completely_translated_into_hindi_and_urdu():
    course = load_course(SAMPLE, use_cache=False)
    assert course.translations == ["hi", "ur"]
    found = i18n.segments(course)
    for lang in course.translations:
        status = i18n.status(course, lang, found)
        assert (status.fuzzy, status.missing) == (0, 0), (
            f"{lang}: {status.line()}; after editing the sample course run 'kstudio i18n update "
            f"sample_courses/karmayogi-prarambh' and translate what it lists"
        )
        po = catalog.read(i18n.catalog_path(course, lang))
        assert not list(qa.check(po, f"translations/{lang}.po"))
