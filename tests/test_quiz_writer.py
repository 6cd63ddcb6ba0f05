"""The quiz writer (the question editor's output) read back by the quiz reader gives the same question."""

from __future__ import annotations

import html

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packager.lesson import LessonContext, parse_lesson
from packager.markdown.quiz_writer import QuestionDraft, QuestionError, to_markdown
from packager.model import Question, Quiz

ROUND_TRIP = settings(
    max_examples=40, derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# plain words: Markdown inside a prompt or option is the author's to write and renders as Markdown
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789अआकखग", min_size=1, max_size=8)
TEXT = st.lists(WORD, min_size=1, max_size=5).map(" ".join)
ID = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,10}", fullmatch=True)


@st.composite
def drafts(draw: st.DrawFn) -> QuestionDraft:
    kind = draw(st.sampled_from(["single", "multiple", "fill", "order", "match"]))
    qid = draw(st.one_of(st.just(""), ID))
    if kind == "match":
        lefts = draw(st.lists(TEXT, min_size=2, max_size=4, unique=True))
        rights = draw(st.lists(TEXT, min_size=len(lefts), max_size=len(lefts), unique=True))
        return QuestionDraft(kind, draw(TEXT), [f"{a} -> {b}" for a, b in zip(lefts, rights, strict=True)], id=qid)
    options = draw(st.lists(TEXT, min_size=2, max_size=5, unique=True))
    correct: list[int] = []
    if kind == "single":
        correct = [draw(st.integers(0, len(options) - 1))]
    elif kind == "multiple":
        correct = sorted(draw(st.sets(st.integers(0, len(options) - 1), min_size=1)))
    return QuestionDraft(kind, draw(TEXT), options, correct, id=qid)


def read_back(markdown: str) -> Question:
    ctx = LessonContext(lesson_ids={}, resolve=lambda lesson, target: target, captions=lambda src: [])
    lesson, problems = parse_lesson(f"---\ntitle: A\n---\n{markdown}", "lessons/a.md", ctx)
    assert [p.format() for p in problems] == []
    (quiz,) = [b for b in lesson.blocks if isinstance(b, Quiz)]
    (question,) = quiz.questions
    return question


@ROUND_TRIP
@given(drafts())
def test_what_the_writer_writes_the_reader_reads_as_the_same_question(draft: QuestionDraft) -> None:
    question = read_back(to_markdown(draft, wrap="quiz"))
    assert question.kind == draft.kind and question.prompt_html == html.escape(draft.prompt)
    if draft.id:
        assert question.id == draft.id
    if draft.kind in ("single", "multiple"):
        assert [o.html for o in question.options] == [html.escape(o) for o in draft.options]
        assert [i for i, o in enumerate(question.options) if o.correct] == draft.correct
    elif draft.kind == "fill":
        assert question.answers == draft.options
    elif draft.kind == "order":
        assert [i.html for i in question.items] == [html.escape(o) for o in draft.options]
    else:
        pairs = [(p.left.html, p.right.html) for p in question.pairs]
        assert pairs == [tuple(html.escape(s.strip()) for s in o.split("->")) for o in draft.options]


@ROUND_TRIP
@given(drafts())
def test_the_read_question_written_back_gives_the_same_file(draft: QuestionDraft) -> None:
    written = to_markdown(draft, wrap="check")
    question = read_back(written)
    again = QuestionDraft(
        question.kind,
        html.unescape(question.prompt_html),
        [html.unescape(o.html) for o in question.options]
        or question.answers
        or [html.unescape(i.html) for i in question.items]
        or [f"{html.unescape(p.left.html)} -> {html.unescape(p.right.html)}" for p in question.pairs],
        [i for i, o in enumerate(question.options) if o.correct],
        id=draft.id,  # the reader gives an unnamed question its position as id; the file named none
    )
    assert to_markdown(again, wrap="check") == written


def test_an_id_the_reader_refuses_is_refused_by_the_writer() -> None:
    with pytest.raises(QuestionError, match="not a usable id"):
        to_markdown(QuestionDraft("fill", "Which?", ["this"], id="q.1"))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            QuestionDraft("multiple", "Pick", ["a", "b", "c"], [0, 2]),
            "### Pick {multiple}\n- [x] a\n- [ ] b\n- [x] c\n",
        ),
        (QuestionDraft("fill", "Micro-___?", ["learning", "Learning"]), "### Micro-___?\n= learning\n= Learning\n"),
        (
            QuestionDraft("order", "Steps", ["Learn", "Practise"], id="q-1"),
            "### Steps {order id=q-1}\n1. Learn\n2. Practise\n",
        ),
        (QuestionDraft("match", "Match", ["a -> 1", "b->2"]), "### Match {match}\n- a -> 1\n- b -> 2\n"),
        (QuestionDraft("single", "Close :::\nblock", ["x", "y"], [1]), "### Close : : : block\n- [ ] x\n- [x] y\n"),
    ],
)
def test_question_kinds(question, expected):
    assert to_markdown(question) == expected


def test_bad_question_input_is_refused():
    with pytest.raises(QuestionError):
        to_markdown(QuestionDraft("essay", "x", []))
    with pytest.raises(QuestionError):
        to_markdown(QuestionDraft("single", "x", ["a", "b"], [0, 1]))
