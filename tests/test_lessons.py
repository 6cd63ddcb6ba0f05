"""Lessons: every construct of the format parsed into the model, and every lesson mistake reported."""

from __future__ import annotations

import time

import pytest

from packager import check_course, load_course
from packager.model import Callout, Html, Quiz, Reflection


def lesson_course(make_course, body: str, front: str = "title: Lesson A\nminutes: 5\n", **files):
    return make_course({"lessons/a.md": f"---\n{front}---\n{body}", **files})


def parse(make_course, body: str, **kw):
    course = load_course(lesson_course(make_course, body, **kw))
    return course.lessons[0], [p.format() for p in check_course(course)]


QUIZ = """\
Intro.

::: quiz pass=80 draw=4 shuffle=no attempts=2 id=final

### Who answers for a delayed reply? {points=2 id=q-officer}
Read the scenario first.

- [ ] The minister's office
  > Ministers' offices pass such letters back.
- [x] The grievance officer
  > Right: the acknowledgement names them.
- [ ] A newspaper

The acknowledgement names the officer.

### What must an acknowledgement include? {multiple}
- [x] A registration number
- [ ] The officer's phone number

### Which two are registers?
- [x] Grievance register
- [x] Dak register
- [ ] Notebook

### Which register records grievances?
= Grievance register
= शिकायत   रजिस्टर

### Put the steps in order {order}
1. Acknowledge
2. Examine
3. Reply

### Match each term {match}
- Acknowledgement -> Confirms receipt
- Disposal -> The final reply
- Closure -> The final reply
:::
"""


def test_quiz_with_all_five_kinds(make_course):
    lesson, problems = parse(make_course, QUIZ)
    assert problems == []
    quiz = lesson.quizzes[0]
    assert (quiz.id, quiz.graded, quiz.pass_mark, quiz.draw, quiz.shuffle, quiz.attempts) == (
        "final",
        True,
        80,
        4,
        False,
        2,
    )
    assert [q.kind for q in quiz.questions] == ["single", "multiple", "multiple", "fill", "order", "match"]
    single = quiz.questions[0]
    assert (single.id, single.points, single.prompt_text) == ("q-officer", 2, "Who answers for a delayed reply?")
    assert "Read the scenario first." in single.prompt_more_html
    assert [o.correct for o in single.options] == [False, True, False]
    assert "Right: the acknowledgement names them." in single.options[1].feedback_html
    assert "names the officer" in single.explanation_html
    assert quiz.questions[1].id == "final-q2"
    assert quiz.questions[3].answers == ["Grievance register", "शिकायत   रजिस्टर"]
    assert [i.html for i in quiz.questions[4].items] == ["Acknowledge", "Examine", "Reply"]
    match = quiz.questions[5]
    assert [(p.left.html, p.right.id) for p in match.pairs] == [
        ("Acknowledgement", "r1"),
        ("Disposal", "r2"),
        ("Closure", "r2"),
    ]


def test_match_written_as_options_keeps_only_the_pairs(make_course):
    lesson, problems = parse(make_course, "::: check\n### M {match}\n- [ ] a -> *b*\n- [x] c -> d\n:::\n")
    assert problems == []
    pairs = lesson.quizzes[0].questions[0].pairs
    assert [(p.left.html, p.right.html) for p in pairs] == [("a", "<em>b</em>"), ("c", "d")]


def test_check_is_ungraded_and_ids_default_from_position(make_course):
    body = "::: check\n### Q?\n- [x] a\n- [ ] b\n:::\n\n::: check\n### R?\n= r\n:::\n"
    lesson, problems = parse(make_course, body)
    assert problems == []
    assert [(q.id, q.graded) for q in lesson.quizzes] == [("lessons-a-check1", False), ("lessons-a-check2", False)]
    assert lesson.quizzes[0].questions[0].id == "lessons-a-check1-q1"


def test_callouts_and_reflection(make_course):
    body = "".join(f"::: {kind}\n{kind} text\n:::\n\n" for kind in ("note", "tip", "warning", "important"))
    body += "::: reflection\nRecall a grievance you handled.\n:::\n"
    lesson, problems = parse(make_course, body)
    assert problems == []
    callouts = [b for b in lesson.blocks if isinstance(b, Callout)]
    assert [c.kind for c in callouts] == ["note", "tip", "warning", "important"]
    reflection = next(b for b in lesson.blocks if isinstance(b, Reflection))
    assert (reflection.id, reflection.prompt_text) == ("lessons-a-r1", "Recall a grievance you handled.")


def test_markdown_extensions_tables_strikethrough_footnotes(make_course):
    body = "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ new[^1]\n\n[^1]: A footnote.\n"
    lesson, _ = parse(make_course, body)
    html = "".join(b.html for b in lesson.blocks if isinstance(b, Html))
    assert '<div class="ks-table-wrap" tabindex="0" role="region" aria-label="Table">' in html
    assert "<s>old</s>" in html
    assert 'class="footnotes' in html and "A footnote." in html


def test_media_images_video_audio_attachments(make_course, tiny_media):
    body = (
        "![A chart](media/chart.png)\n\n"
        "![A message](media/message.mp4)\n\n"
        "![Interview](media/talk.mp3)\n\n"
        "[Download the guidelines](media/guide.pdf)\n"
    )
    files = {
        "media/chart.png": tiny_media["png"],
        "media/message.mp4": tiny_media["mp4"],
        "media/message.en.vtt": "WEBVTT\n",
        "media/message.hi.vtt": "WEBVTT\n",
        "media/talk.mp3": tiny_media["mp3"],
        "media/talk.en.vtt": "WEBVTT\n",
        "media/guide.pdf": b"%PDF",
    }
    lesson, problems = parse(make_course, body, **files)
    assert problems == []
    assert [(m.kind, m.src) for m in lesson.media] == [
        ("image", "media/chart.png"),
        ("video", "media/message.mp4"),
        ("audio", "media/talk.mp3"),
        ("attachment", "media/guide.pdf"),
    ]
    assert [c.lang for c in lesson.media[1].captions] == ["en", "hi"]
    html = lesson.blocks[0].html
    assert '<figure class="ks-figure"><img src="media/chart.png" alt="A chart"' in html
    assert '<track kind="captions" src="media/message.en.vtt" srclang="en" label="English" default>' in html
    assert 'srclang="hi" label="हिन्दी">' in html
    assert '<audio controls preload="metadata" src="media/talk.mp3">' in html
    assert 'href="media/guide.pdf" class="ks-attachment" download' in html
    assert lesson.media[3].text == "Download the guidelines"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("![](media/x.png)\n", "lessons/a.md:5: error: image 'media/x.png' has no alt text"),
        ("![Chart](media/none.png)\n", "lessons/a.md:5: error: missing image file 'media/none.png'"),
        ("![Chart](https://cdn.example/x.png)\n", "must be a file in the course folder, not a web address"),
        ("![Chart](../../x.png)\n", "points outside the course folder"),
        ("![Chart](media/x.exe)\n", "unknown media type .exe"),
        (
            "::: quiz\n### Q?\n- [ ] a\n- [ ] b\n:::\n",
            "lessons/a.md:6: error: question 'Q?' has no correct answer: mark one with [x]",
        ),
        (
            "::: quiz\n### M {match}\n- a -> b\n- c d\n- e -> f\n:::\n",
            "lessons/a.md:8: error: malformed match line 'c d': write 'left -> right'",
        ),
        ("::: quiz\n### Q?\nJust text.\n:::\n", "question 'Q?' has no answers"),
        ("::: quiz\n### O {order}\n- a\n- b\n:::\n", "needs a numbered list"),
        ("::: quiz\n### Q? {bogus}\n- [x] a\n- [ ] b\n:::\n", "unknown question type 'bogus'"),
        ("::: quiz passs=80\n### Q?\n= a\n:::\n", "unknown quiz option 'passs' (did you mean 'pass'?)"),
        ("::: quiz draw=5\n### Q?\n= a\n:::\n", "draw=5 but the quiz has only 1 questions"),
        ("::: quiz pass=120\n### Q?\n= a\n:::\n", "pass=120 must be a whole number from 0 to 100"),
        ("::: quiz\n:::\n", "has no questions"),
        (
            "::: quiz\n### Q?\n- [x] a\n- b\n:::\n",
            "lessons/a.md:8: error: option must start with '[ ]' (wrong) or '[x]' (right)",
        ),
        ("::: notee\ntext\n:::\n", "unknown block '::: notee' (did you mean 'note'?)"),
        ("::: quiz\n### Q? {single}\n- [x] a\n- [x] b\n:::\n", "a {single} question must have exactly one [x]"),
        ("![](media/x.mp4)\n", "video 'media/x.mp4' has no title: write it between the brackets"),
        ("::: tip\nnever closed\n", "lessons/a.md:5: error: '::: tip' is never closed"),
        ("[x](lessons/b.md)\n", "link to 'lessons/b.md', which is not a lesson listed in course.yml"),
        (
            "<script>alert(1)</script>\n",
            "lessons/a.md:5: warning: raw HTML is not allowed in lessons; it is shown as text",
        ),
        ("[x](javascript:alert(1))\n", "lessons/a.md:5: warning: link to 'javascript:alert(1)' removed"),
        ("[x](data:text/html,hi)\n", "warning: link to 'data:text/html,hi' removed"),
    ],
)
def test_lesson_mistakes(make_course, body, expected):
    _, problems = parse(make_course, body, **{"media/x.png": b"png", "media/x.exe": b"exe", "media/x.mp4": b"v"})
    assert any(expected in p for p in problems), problems


def test_default_lesson_id_from_an_awkward_path_is_an_error(make_course):
    yml = (make_course() / "course.yml").read_text().replace("[lessons/a.md]", '["lessons/my lesson.md"]')
    root = make_course({"course.yml": yml, "lessons/my lesson.md": "---\ntitle: A\n---\nHi\n"})
    problems = [p.format() for p in check_course(load_course(root))]
    assert any(p.startswith("lessons/my lesson.md:1: error: lesson id 'lessons/my lesson'") for p in problems)


def test_one_caption_track_per_language(make_course, tiny_media):
    files = {"media/v.mp4": tiny_media["mp4"], "media/v.vtt": "WEBVTT\n", "media/v.en.vtt": "WEBVTT\n"}
    lesson, problems = parse(make_course, "![Talk](media/v.mp4)\n", **files)
    assert problems == []
    assert [(c.lang, c.src) for c in lesson.media[0].captions] == [("en", "media/v.en.vtt")]


def test_duplicate_ids_across_lessons(make_course):
    quiz = "::: quiz\n### Q? {id=same}\n- [x] a\n- [ ] b\n:::\n"
    yml = (make_course() / "course.yml").read_text().replace("[lessons/a.md]", "[lessons/a.md, lessons/b.md]")
    root = make_course(
        {
            "course.yml": yml,
            "lessons/a.md": f"---\ntitle: A\n---\n{quiz}",
            "lessons/b.md": f"---\ntitle: B\nid: lessons/a\n---\n{quiz}",
        }
    )
    problems = [p.format() for p in check_course(load_course(root))]
    assert "lessons/b.md:1: error: duplicate lesson id 'lessons/a' (also used at lessons/a.md:1)" in problems
    assert "lessons/b.md:6: error: duplicate question id 'same' (also used at lessons/a.md:5)" in problems


def test_long_lesson_is_a_warning(make_course):
    _, problems = parse(make_course, "Text.\n", front="title: Long\nminutes: 20\n")
    assert problems == [
        "lessons/a.md:3: warning: lesson is set to 20 minutes; "
        "micro-learning lessons should take at most 15: consider splitting it"
    ]


def test_front_matter_errors(make_course):
    _, problems = parse(make_course, "Text\n", front="titel: A\nminutes: -1\n")
    assert "lessons/a.md:2: error: unknown key 'titel' (did you mean 'title'?)" in problems
    assert any(p.startswith("lessons/a.md:3:") and "minutes" in p for p in problems)
    root = make_course({"lessons/a.md": "no front matter\n"})
    problems = [p.format() for p in check_course(load_course(root))]
    assert problems == [
        "lessons/a.md:1: error: lesson has no front matter: start the file with '---', 'title: …', '---'"
    ]


def test_raw_html_and_unsafe_links_never_render(make_course):
    body = (
        "<img src=x onerror=alert(1)> [a](javascript:alert(1)) [b](JaVaScRiPt:alert(2)) [c](//evil.example)\n\n"
        '<div onclick="x()">hi</div>\n'
    )
    lesson, _ = parse(make_course, body)
    html = "".join(b.html for b in lesson.blocks if isinstance(b, Html))
    assert "<img src=x" not in html and "<div onclick" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "javascript" not in html.lower() and "evil.example" not in html


def test_links_between_lessons_become_player_links(make_course):
    yml = (make_course() / "course.yml").read_text().replace("[lessons/a.md]", "[lessons/a.md, lessons/b.md]")
    root = make_course(
        {
            "course.yml": yml,
            "lessons/a.md": "---\ntitle: A\n---\nSee [B](b.md).\n",
            "lessons/b.md": "---\ntitle: B\nid: bee\n---\nB.\n",
        }
    )
    course = load_course(root)
    assert check_course(course) == []
    assert '<a href="#/bee">B</a>' in course.lessons[0].blocks[0].html


def test_estimated_minutes_when_not_given(make_course):
    lesson, _ = parse(make_course, "word " * 900, front="title: A\n")
    assert lesson.minutes is None and lesson.learning_minutes == 5


def test_quiz_blocks_keep_order(make_course):
    lesson, _ = parse(make_course, "Before.\n\n::: check\n### Q?\n= a\n:::\n\nAfter.\n")
    assert [type(b).__name__ for b in lesson.blocks] == ["Html", "Quiz", "Html"]
    assert isinstance(lesson.blocks[1], Quiz)


def _parse_seconds(body: str) -> float:
    from packager.lesson import LessonContext, parse_lesson

    ctx = LessonContext(lesson_ids={}, resolve=lambda lesson, target: target, captions=lambda src: [])
    started = time.process_time()
    parse_lesson(f"---\ntitle: Slow\n---\n{body}", "lessons/a.md", ctx)
    return time.process_time() - started


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,  # each '[' walked the next 20 positions: 18 µs a character
        "[" * 100_000 + "]",  # one ']' at the end: each '[' still stepped into the next
        "![" * 50_000,
        "^[" * 50_000,  # the plugin's inline footnotes: the same walk (they are not part of the format)
        "[^1]: x\n\n" + "[^" * 50_000,  # footnote references scanned to the end from every '[^': minutes
    ],
    ids=["brackets", "brackets-closed", "images", "inline-footnotes", "footnote-refs"],
)
def test_unclosed_brackets_parse_in_linear_time(body):
    # measured against the same length of ']' (every character a token, no label to look for), in CPU
    # time, so a slow or loaded machine moves both: before the fix the ratio was 6 to several thousand
    plain = _parse_seconds("]" * len(body))
    assert _parse_seconds(body) < 4 * plain + 0.3


def test_lesson_over_the_size_limit_is_one_clear_error(make_course):
    from packager.lesson import MAX_LESSON_KB

    body = "Words and more words.\n" * (MAX_LESSON_KB * 1024 // 22 + 10)
    root = lesson_course(make_course, body)
    size_kb = -(-(root / "lessons/a.md").stat().st_size // 1024)
    problems = [p.format() for p in check_course(load_course(root))]
    assert problems == [
        f"lessons/a.md:1: error: lesson is {size_kb} KB; the limit is 256 KB: split it into shorter lessons"
    ]
    assert MAX_LESSON_KB == 256


def test_lesson_just_under_the_size_limit_is_parsed(make_course):
    body = "Words and more words.\n" * (255 * 1024 // 22)
    lesson, problems = parse(make_course, body)
    assert not any("limit" in p for p in problems) and lesson.blocks


@pytest.mark.parametrize(
    "front",
    [
        "title: A",
        "title: A lesson\nminutes: 5\nobjectives: [one, two]\nid: unit-1/a_b.c",
        "title: A\nminutes: 2.5",
        "title: 42",  # a number as a title: the schema makes it a string
        "title: A\nminutes: 0",
        "title: A\nminutes: 601",
        "title: A\nminutes: true",
        "title: A\nminutes:",
        "title: ''",
        f"title: {'x' * 201}",
        "title: A\nid: -bad",
        "title: A\nid:",
        "title: A\nobjectives: [a, '']",
        "title: A\nobjectives: one",
        "title: A\nauthor: me",
        "title: A\ncompetencies: [{area: Functional, theme: Drafting}]",
        "- a list",
    ],
)
def test_front_matter_read_without_the_schema_is_what_the_schema_reads(front):
    from packager import schema, yamlsrc
    from packager.lesson import front_matter

    doc = yamlsrc.parse(front, "lessons/a.md")
    spec, expected = schema.validate(schema.FrontMatterSpec, doc, "lessons/a.md")
    meta, problems = front_matter(doc, "lessons/a.md")
    assert problems == expected
    if spec is None:
        assert meta is None
    else:
        assert meta is not None
        assert (meta.title, meta.id, meta.minutes, meta.objectives) == (
            spec.title,
            spec.id,
            spec.minutes,
            list(spec.objectives),
        )
        assert [c.__dict__ for c in meta.competencies] == [c.model_dump() for c in spec.competencies]
