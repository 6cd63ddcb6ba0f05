"""Silent traps: text that parses cleanly but shows learners what the author did not mean is reported by
``check`` at its file and line (packager/markdown/traps.py), and by the editor's problem list."""

from __future__ import annotations

import pytest

from packager import check_course, load_course, preview_lesson
from packager.__main__ import main
from packager.lesson import LessonContext, parse_lesson
from tests.conftest import SAMPLE

HEAD = "---\ntitle: Lesson A\nminutes: 5\n---\n"


def problems(make_course, body: str) -> list[tuple[int | None, str, str]]:
    root = make_course({"lessons/a.md": HEAD + body})
    return [(p.line, p.severity, p.message) for p in check_course(load_course(root)) if p.file == "lessons/a.md"]


def test_questions_outside_a_quiz_are_errors_at_their_lines(make_course):
    found = problems(
        make_course,
        "Intro.\n\n"  # 5
        "### Which apply? {multiple}\n"  # 7: a question heading with its attributes
        "- [x] Register the application\n"
        "- [ ] Ignore it\n\n"
        "### How many days?\n"  # 11: any ### with an answer-shaped list under it
        "= 30\n\n"
        "- [ ] a stray option\n"  # 14: answer markers alone
        "- [x] another\n\n"
        "Put these in order {order points=2}\n\n"  # 17: question attributes on a line of text
        "::: quiz\n### Inside\n- [x] yes\n- [ ] no\n:::\n\n"  # inside a quiz: fine
        "::: check\n### Also inside {multiple}\n- [x] yes\n- [x] also\n:::\n",
    )
    outside = [(line, sev) for line, sev, msg in found if msg.startswith("question outside a quiz")]
    assert outside == [(7, "error"), (11, "error"), (14, "error"), (17, "error")]
    assert "'[x]'" in next(msg for line, _, msg in found if line == 14)
    assert len(found) == 4  # one error a question: its answer list is not reported again


def test_a_question_inside_a_note_is_still_outside_a_quiz(make_course):
    found = problems(make_course, "::: note\n### Pick one\n- [x] a\n- [ ] b\n:::\n")
    assert [(line, sev) for line, sev, _ in found] == [(6, "error")]


def test_ordinary_headings_lists_and_code_are_not_questions(make_course):
    assert not problems(
        make_course,
        "### Steps\n\n1. one\n2. two\n\n### Notes\n- a point\n- another\n\n"
        "```\n- [x] code shows its text as it is\n```\n\nA set {like this} in text.\n",
    )


def test_a_video_followed_by_a_text_line_is_an_error_saying_to_leave_a_blank_line(make_course, tiny_media):
    root = make_course(
        {
            "lessons/a.md": HEAD + "Intro.\n\n![Demo](media/v.mp4)\nSource: the team\n\n![Song](media/a.mp3)\n",
            "media/v.mp4": tiny_media["mp4"],
            "media/a.mp3": tiny_media["mp3"],
        }
    )
    found = [p for p in check_course(load_course(root)) if p.file == "lessons/a.md"]
    assert [(p.line, p.severity) for p in found] == [(7, "error")]
    assert "video 'media/v.mp4'" in found[0].message and "blank line" in found[0].message


def test_media_in_a_sentence_is_an_error_too(make_course):
    found = problems(make_course, "Watch ![Demo](media/v.mp4) now.\n")
    assert [(line, sev) for line, sev, msg in found if "shares its paragraph" in msg] == [(5, "error")]


def test_an_image_one_newline_from_text_is_a_warning(make_course, tiny_media):
    root = make_course(
        {
            "lessons/a.md": HEAD + "First line of text.\n![A chart](media/p.png)\nMore text.\n\n"
            "An icon ![gear](media/p.png) in a sentence.\n\n![Alone](media/p.png)\n",
            "media/p.png": tiny_media["png"],
        }
    )
    found = [p for p in check_course(load_course(root)) if p.file == "lessons/a.md"]
    assert [(p.line, p.severity) for p in found] == [(6, "warning")]
    assert "blank line before and after" in found[0].message


def test_check_prints_each_trap_at_file_and_line(make_course, capsys):
    root = make_course({"lessons/a.md": HEAD + "### Q {multiple}\n- [x] a\n- [x] b\n"})
    assert main(["check", str(root)]) == 1
    assert f"{root.as_posix()}/lessons/a.md:5: error: question outside a quiz" in capsys.readouterr().out


@pytest.mark.parametrize("course", ["sample", "starter"])
def test_the_sample_and_starter_courses_have_no_traps(course, tmp_path, capsys):
    folder = SAMPLE if course == "sample" else tmp_path / "starter"
    if course == "starter":
        assert main(["new", str(folder)]) == 0
    assert main(["check", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert "0 errors," in err and "outside a quiz" not in out and "shares its paragraph" not in out
    assert ("0 warnings" in err) == (course == "sample")  # the starter's placeholders are warnings


def test_the_editor_preview_reports_traps_and_missing_files_in_unsaved_text(make_course):
    root = make_course()
    text = HEAD + "### Q {multiple}\n- [x] a\n- [x] b\n\n![Chart](media/none.png)\n"
    _, found = preview_lesson(root, "lessons/a.md", text)
    messages = {(p.line, p.message.split(":")[0]) for p in found}
    assert (5, "question outside a quiz") in messages
    assert (9, "missing image file 'media/none.png'") in messages


def test_the_editor_preview_reports_what_check_reports_of_one_lesson(make_course):
    """Each check of one lesson (LESSON_CHECKS) is seen while the lesson is written, as check reports it."""
    root = make_course()
    text = "---\ntitle: A\nminutes: 20\n---\n[Next](b.md)\n\n"
    text += "::: quiz\n### Q {competency=nowhere}\n- [x] a\n- [ ] b\n:::\n"
    _, found = preview_lesson(root, "lessons/a.md", text)
    (root / "lessons" / "a.md").write_text(text, encoding="utf-8")
    checked = [p for p in check_course(load_course(root, use_cache=False)) if p.file == "lessons/a.md"]
    assert {p.message.split(" ")[0] for p in found} >= {"lesson", "link", "competency=nowhere"}
    assert set(checked) <= set(found), set(checked) - set(found)


def test_traps_read_line_numbers_after_front_matter_and_windows_newlines():
    text = (HEAD + "\n![V](media/v.mp4)\nCaption\n").replace("\n", "\r\n")
    _, found = parse_lesson(text, "lessons/a.md", LessonContext({}, lambda _, target: target, lambda _: []))
    assert [(p.line, p.message.split(" ")[0]) for p in found] == [(6, "video")]
