"""The lesson block model: the block editor's one reader and one writer of lesson Markdown.

Every lesson of the sample and starter courses reads -> writes -> reads as the same blocks, and the
written course builds the same lessons; random blocks written read back as themselves; hostile text in
any field never changes the blocks around it; bad JSON from a browser is a clear error.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packager import load_course
from packager.blocks import BlockError, from_json, normalise, read, to_json, write
from packager.blocks.model import (
    Attachment,
    Audio,
    Block,
    Callout,
    Competency,
    Front,
    Heading,
    Image,
    Option,
    Question,
    Quiz,
    Raw,
    Reflection,
    Table,
    Text,
    Video,
)
from packager.blocks.read import comparable

ROOT = Path(__file__).resolve().parent.parent
COURSES = [*sorted((ROOT / "sample_courses").glob("*/course.yml")), ROOT / "packager" / "starter" / "course.yml"]
LESSONS = [p for yml in COURSES for p in sorted(yml.parent.glob("lessons/**/*.md"))]
PROPERTY = settings(
    max_examples=40, derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_lesson_reads_writes_and_reads_as_the_same_blocks(path: Path) -> None:
    blocks = read(path.read_text("utf-8"))
    assert not [b for b in blocks if isinstance(b, Raw)], "the model represents every block of the samples"
    assert read(write(blocks)) == blocks
    assert from_json(json.loads(json.dumps(to_json(blocks)))) == blocks


@pytest.fixture(scope="module")
def written_courses(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Path]]:
    """Each course, and a copy whose every lesson is the writer's Markdown of its blocks."""
    pairs = []
    for yml in COURSES:
        copy = tmp_path_factory.mktemp("written") / yml.parent.name
        shutil.copytree(yml.parent, copy)
        for lesson in copy.glob("lessons/**/*.md"):
            lesson.write_text(write(read(lesson.read_text("utf-8"))), "utf-8")
        pairs.append((yml.parent, copy))
    return pairs


def test_the_written_courses_build_the_same_lessons(written_courses: list[tuple[Path, Path]]) -> None:
    for original, rewritten in written_courses:
        before, after = load_course(original, use_cache=False), load_course(rewritten, use_cache=False)
        assert len(before.lessons) == len(after.lessons) > 0
        for a, b in zip(before.lessons, after.lessons, strict=True):
            assert comparable(b) == comparable(a), a.path
        assert sorted(p.message for p in after.problems) == sorted(p.message for p in before.problems)


# Random blocks -------------------------------------------------------------------------------------

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789अआकखग", min_size=1, max_size=7)
LINE = st.lists(
    st.one_of(WORD, WORD.map(lambda w: f"**{w}**"), WORD.map(lambda w: f"*{w}*")), min_size=1, max_size=5
).map(" ".join)
PARAGRAPH = st.lists(LINE, min_size=1, max_size=3).map("\n".join)
LIST = st.lists(LINE, min_size=1, max_size=3).map(lambda items: "\n".join(f"- {i}" for i in items))
PARAGRAPHS = st.lists(PARAGRAPH, min_size=1, max_size=2).map("\n\n".join)
MARKDOWN = st.lists(st.one_of(PARAGRAPH, LIST), min_size=1, max_size=3).map("\n\n".join)
ID = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
TITLE = st.one_of(LINE, st.sampled_from(["Yes", "a: b", "#1 rule", "Don't panic", "Rs. 2,000 [approx]", "- x"]))


@st.composite
def questions(
    draw: st.DrawFn, text: st.SearchStrategy[str], md: st.SearchStrategy[str], more: st.SearchStrategy[str]
) -> Question:
    kind = draw(st.sampled_from(["single", "multiple", "fill", "order", "match"]))
    q = Question(kind, draw(text), points=draw(st.integers(1, 100)), id=draw(st.one_of(st.just(""), ID)))
    q.more = draw(st.one_of(st.just(""), more))
    q.explanation = draw(st.one_of(st.just(""), md))
    q.competency = draw(st.lists(ID, max_size=2))
    if kind in ("single", "multiple"):
        q.options = draw(
            st.lists(st.builds(Option, text, st.booleans(), st.one_of(st.just(""), md)), min_size=1, max_size=4)
        )
    elif kind == "fill":
        q.answers = draw(st.lists(text, min_size=1, max_size=3))
    elif kind == "order":
        q.items = draw(st.lists(text, min_size=1, max_size=4))
    else:
        q.pairs = draw(st.lists(st.tuples(text, text).map(list), min_size=1, max_size=4))
    return q


def blocks(
    text: st.SearchStrategy[str] = LINE, md: st.SearchStrategy[str] = MARKDOWN
) -> st.SearchStrategy[list[Block]]:
    media = st.builds(lambda kind, name, label: kind[0](f"media/{name}.{kind[1]}", label), st.sampled_from(
        [(Image, "png"), (Video, "mp4"), (Audio, "mp3")]), WORD, text)  # fmt: skip
    quiz = st.builds(
        Quiz,
        st.sampled_from(["quiz", "check"]),
        st.lists(
            questions(text, md, PARAGRAPHS if md is MARKDOWN else md), max_size=3
        ),  # a list before answers is answers
        st.one_of(st.just(""), md),
        st.one_of(st.none(), st.integers(0, 100)),
        st.none(),
        st.booleans(),
        st.one_of(st.none(), st.integers(1, 100)),
        st.one_of(st.just(""), ID),
    )
    table = st.integers(1, 3).flatmap(
        lambda width: st.builds(
            Table,
            st.lists(st.lists(text, min_size=width, max_size=width), min_size=1, max_size=3),
            st.lists(st.sampled_from(["", "left", "center", "right"]), min_size=width, max_size=width),
        )
    )
    body = st.one_of(
        st.builds(Text, md),
        st.builds(Heading, st.integers(1, 6), text),
        media,
        st.builds(Attachment, WORD.map(lambda w: f"media/{w}.pdf"), text),
        st.builds(Callout, st.sampled_from(["note", "tip", "warning", "important"]), md),
        st.builds(Reflection, md, st.one_of(st.just(""), ID)),
        table,
        quiz,
        WORD.map(lambda w: Raw(f"::: aside\n{w}\n:::")),
    )
    front = st.builds(
        Front,
        TITLE,
        st.one_of(st.just(""), ID),
        st.one_of(st.none(), st.integers(1, 60).map(float)),
        st.lists(TITLE, max_size=2),
        st.lists(
            st.builds(
                Competency,
                st.sampled_from(["Behavioural", "Functional", "Domain"]),
                TITLE,
                st.one_of(st.just(""), TITLE),
                st.one_of(st.none(), st.integers(1, 5)),
            ),
            max_size=2,
        ),
    )
    return st.tuples(front, st.lists(body, max_size=8)).map(lambda fb: [fb[0], *fb[1]])


@PROPERTY
@given(blocks())
def test_random_blocks_written_read_back_as_the_same_blocks(lesson: list[Block]) -> None:
    assert read(write(lesson)) == normalise(lesson)


# the format's syntax, and what once broke a lesson, in every text field
HOSTILE = st.lists(
    st.one_of(
        st.sampled_from(
            [
                ":::",
                "::: quiz",
                ":::: note",
                "   :::",
                "### Who? {multiple}",
                "- [x] right",
                "* [ ] wrong",
                "1. first",
                "= answer",
                "- a -> b",
                "```",
                "~~~",
                "<!--",
                "<div>",
                "![Video](media/x.mp4)",
                "[Get it](media/a.pdf)",
                "| a | b |\n|---|---|",
                "---",
                "===",
                "[^n]: note",
                "[ref]: /x",
                "> ::: note",
                "    code",
                "\\",
                "{order}",
                "#",
                "- ",
                "> - [x] a",
                "Title\n---",
                "*",
                "\t",
            ]
        ),
        # any text but control characters: the format reads \x1c-\x1f as spaces (Python's str.split does),
        # so an answer holding one is not the answer written; the model keeps such a block raw instead
        st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    ),
    min_size=1,
    max_size=5,
).flatmap(
    lambda parts: st.lists(st.sampled_from(["\n", "\n\n", " ", ""]), min_size=len(parts), max_size=len(parts)).map(
        lambda seps: "".join(p + s for p, s in zip(parts, seps, strict=True))
    )
)


def structure(lesson: list[Block]) -> list[object]:
    """The blocks' kinds and sizes: what hostile text must never change."""
    shape: list[object] = []
    for block in normalise(lesson):
        if isinstance(block, Quiz):
            shape.append(
                [
                    "quiz",
                    [(q.kind, len(q.options), len(q.answers), len(q.items), len(q.pairs)) for q in block.questions],
                ]
            )
        elif isinstance(block, Table):
            shape.append(["table", len(block.rows), len(block.rows[0])])
        else:
            shape.append(type(block).__name__)
    return shape


@PROPERTY
@given(blocks(text=HOSTILE.filter(lambda s: "->" not in s), md=HOSTILE))
def test_hostile_text_in_any_field_never_changes_the_blocks(lesson: list[Block]) -> None:
    written = write(lesson)
    again = read(written)
    assert structure(again) == structure(lesson), written
    assert not [b for b in again if isinstance(b, Raw) and "aside" not in b.text], written
    assert read(write(again)) == again, "what the writer escaped stays as it is"


# Safe writing, kept raw, JSON ------------------------------------------------------------------------


def body(lesson: list[Block]) -> str:
    return write(lesson).split("---\n", 2)[2]


def test_text_that_would_become_syntax_is_escaped() -> None:
    front = Front("A")
    written = body([front, Text("- [x] not an option\n### not a heading\n::: quiz\n\n![a](media/v.mp4)")])
    assert written == "- \\[x] not an option\n\\### not a heading\n\\::: quiz\n\n\\![a](media/v.mp4)\n"
    q = Question("single", "Which?", more="### Also {multiple}\n- [x] sneaky", options=[Option("a", True), Option("b")])
    quiz = body([front, Quiz("quiz", [q], intro=":::\nIntro")])
    assert "\\:::\nIntro" in quiz and "\\### Also {multiple}\n\\- [x] sneaky" in quiz
    assert read(write([front, Quiz("quiz", [q])]))[1].questions[0].options == q.options  # type: ignore[union-attr]


def test_media_always_stand_as_their_own_paragraph() -> None:
    lesson = [Front("A"), Text("Before"), Video("media/v.mp4", "Talk"), Text("Source: DoPT")]
    assert body(lesson) == "Before\n\n![Talk](media/v.mp4)\n\nSource: DoPT\n"
    assert read(write(lesson)) == lesson


def test_what_the_model_cannot_represent_is_kept_byte_for_byte() -> None:
    text = (
        "---\ntitle: A  # a comment\n---\nIntro\n\n::: quiz pass=80 colour=red\n\n### Q\n- [x] a\n- [ ] b\n:::\n\n"
        "::: note\nok\n:::\n\n::: quiz\n\n### Two paragraphs in an option\n- [x] a\n\n  more\n- [ ] b\n:::\n"
    )
    lesson = read(text)
    assert [type(b).__name__ for b in lesson] == ["Raw", "Text", "Raw", "Callout", "Raw"]
    assert write(lesson) == text


def test_a_lesson_without_front_matter_does_not_gain_one() -> None:
    lesson = [Text("---\ntitle: not front matter\n---"), Heading(2, "After")]
    assert read(write(lesson))[0] == Text("\\---\ntitle: not front matter\n\\---")  # and no setext heading
    assert [type(b) for b in read(write(lesson))] == [Text, Heading]


def test_bad_json_from_a_browser_is_a_clear_error() -> None:
    good = to_json([Front("A"), Quiz("check", [Question("fill", "Name it", answers=["x"])])])
    assert from_json(good)
    cases = [
        (None, "expected"),
        ({"format": 2, "blocks": []}, "format 2"),
        ({"format": 1, "blocks": [{"type": "essay"}]}, "blocks[0].type"),
        ({"format": 1, "blocks": [{"type": "heading", "level": 9, "text": "x"}]}, "blocks[0].level"),
        ({"format": 1, "blocks": [{"type": "image", "src": "media/a.pdf", "alt": "x"}]}, "not an image"),
        ({"format": 1, "blocks": [{"type": "text", "markdown": 5}]}, "blocks[0].markdown: expected text"),
        ({"format": 1, "blocks": [{"type": "text", "markdown": "a"}, {"type": "front", "title": "A"}]}, "first block"),
    ]
    bad_question = json.loads(json.dumps(good))
    bad_question["blocks"][1]["questions"][0]["pairs"] = [["a -> b", "c"]]
    cases.append((bad_question, "blocks[1].questions[0].pairs[0]"))
    bad_id = json.loads(json.dumps(good))
    bad_id["blocks"][1]["id"] = "no spaces"
    cases.append((bad_id, "blocks[1].id"))
    for data, message in cases:
        with pytest.raises(BlockError, match=message.replace("[", r"\[").replace("]", r"\]")):
            from_json(data)


def test_the_lesson_details_as_the_block_editor_sends_them_round_trip() -> None:
    """Every field of a lesson's front matter the details block edits: parse -> write -> parse is equal,
    from the browser's JSON (a new competency without level, minutes with a fraction) and from the text."""
    sent = {
        "format": 1,
        "blocks": [
            {
                "type": "front",
                "title": "Gifts: yes or no?",
                "id": "conduct/gifts-2",
                "minutes": 2.5,
                "objectives": ["Say when a gift must be reported.", "Name: the form"],
                "competencies": [
                    {"area": "Domain", "theme": "Public administration", "subtheme": "Conduct rules", "level": 1},
                    {"area": "Behavioural", "theme": "Integrity", "subtheme": "", "level": None},
                ],
            },
            {"type": "text", "markdown": "Body."},
        ],
    }
    lesson = from_json(sent)
    text = write(lesson)
    assert text.startswith(
        '---\ntitle: "Gifts: yes or no?"\nid: conduct/gifts-2\nminutes: 2.5\nobjectives:\n'
        '  - Say when a gift must be reported.\n  - "Name: the form"\ncompetencies:\n'
        "  - {area: Domain, theme: Public administration, subtheme: Conduct rules, level: 1}\n"
        "  - {area: Behavioural, theme: Integrity}\n---\n"
    )
    assert read(text) == lesson
    assert write(read(text)) == text
    assert from_json(json.loads(json.dumps(to_json(read(text))))) == lesson
    front = read(text)[0]
    assert isinstance(front, Front) and front.competencies[1] == Competency("Behavioural", "Integrity")
