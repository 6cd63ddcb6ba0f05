"""course.yml: YAML syntax, schema, outline — each mistake reported at its line, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from packager import check_course, load_course
from tests.conftest import COURSE_YML


def problems(root):
    return [p.format() for p in check_course(load_course(root))]


def test_valid_course_has_no_problems(make_course):
    assert problems(make_course()) == []


def test_yaml_syntax_error_names_line(make_course):
    root = make_course({"course.yml": COURSE_YML + "keywords: [a, b\n"})
    found = problems(root)
    assert any(p.startswith("course.yml:") and "YAML syntax error" in p for p in found)
    assert all("Traceback" not in p for p in found)


def test_unknown_key_with_suggestion_and_line(make_course):
    root = make_course({"course.yml": COURSE_YML.replace("summary:", "sumary:")})
    found = problems(root)
    assert "course.yml:4: error: unknown key 'sumary' (did you mean 'summary'?)" in found
    assert "course.yml:1: error: missing required key 'summary'" in found


def test_missing_and_invalid_values(make_course):
    yml = COURSE_YML.replace("version: 1.0.0", "version: one").replace("title: Test course\n", "")
    yml += "level: expert\ncompetencies:\n  - {area: Spiritual, theme: x, level: 9}\n"
    found = problems(make_course({"course.yml": yml}))
    assert "course.yml:2: error: 'version' must be a semantic version such as 1.0.0" in found
    assert any("missing required key 'title'" in p for p in found)
    assert any(p.startswith("course.yml:10:") and "'level' must be" in p for p in found)
    assert any("competencies.0.area" in p and p.startswith("course.yml:12:") for p in found)
    assert any("competencies.0.level" in p for p in found)


def test_duplicate_key(make_course):
    found = problems(make_course({"course.yml": COURSE_YML + "title: Again\n"}))
    assert "course.yml:11: error: key 'title' appears twice" in found


def test_lesson_listed_but_missing_and_file_not_listed(make_course):
    yml = COURSE_YML.replace("[lessons/a.md]", "[lessons/a.md, lessons/gone.md]")
    root = make_course({"course.yml": yml, "lessons/extra.md": "---\ntitle: Extra\n---\n"})
    found = problems(root)
    assert "course.yml:10: error: lesson 'lessons/gone.md' is listed but the file does not exist" in found
    assert "lessons/extra.md:1: warning: lesson file is not listed in course.yml, so it is not in the course" in found


def test_lesson_outside_course_and_listed_twice(make_course):
    yml = COURSE_YML.replace("[lessons/a.md]", "[lessons/a.md, ../../etc/passwd.md, lessons/a.md]")
    found = problems(make_course({"course.yml": yml}))
    assert any("outside the course folder" in p for p in found)
    assert any("is listed twice" in p for p in found)


def test_no_course_yml(tmp_path):
    found = problems(tmp_path)
    assert found == [f"course.yml: error: no course.yml in {tmp_path}: is this a course folder?"]


def test_not_utf8(make_course):
    root = make_course({"course.yml": COURSE_YML.encode() + b"keywords: [caf\xe9]\n"})
    assert any("not valid UTF-8" in p and p.startswith("course.yml:11:") for p in problems(root))


def test_alias_bomb_is_refused(make_course):
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for n in range(1, 9):
        prev = chr(ord("a") + n - 1)
        cur = chr(ord("a") + n)
        bomb += f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    found = problems(make_course({"course.yml": bomb}))
    assert "course.yml:1: error: YAML document is too large or too deeply aliased (more than 20000 values)" in found


def test_schema_errors_do_not_hide_lesson_errors(make_course):
    root = make_course(
        {"course.yml": COURSE_YML + "colour: blue\n", "lessons/a.md": "---\ntitle: A\n---\n![](x.png)\n"}
    )
    found = problems(root)
    assert any("unknown key 'colour'" in p for p in found)
    assert any(p.startswith("lessons/a.md:4:") for p in found)


def test_completion_and_metadata_reach_the_model(make_course):
    yml = (
        COURSE_YML.replace("lessons: all}", "lessons: 80%, pass_score: 70}") + "keywords: [x]\ntranslations: [hi, ur]\n"
    )
    course = load_course(make_course({"course.yml": yml}))
    assert course.completion.lessons_percent == 80
    assert course.completion.pass_score == 70
    assert course.translations == ["hi", "ur"]
    assert [lesson.title for lesson in course.lessons] == ["Lesson A"]


def with_line(number: int, text: str, drop: int = 0) -> str:
    """COURSE_YML with line *number* replaced by *text* (and *drop* lines after it removed)."""
    lines = COURSE_YML.splitlines(keepends=True)
    return "".join([*lines[: number - 1], text, *lines[number + drop :]])


@pytest.mark.parametrize(
    ("yml", "line", "message"),
    [
        (COURSE_YML + "links[0]: x\n", 11, "unknown key 'links[0]'"),
        (COURSE_YML + "modules[1].title: x\n", 11, "unknown key 'modules[1].title'"),
        (COURSE_YML + '"[x]": y\n', 11, "unknown key '[x]'"),
        (with_line(6, "provider: [a, b]\n"), 6, "'provider'"),
        (with_line(7, "completion: 7\n"), 7, "'completion'"),
        (with_line(8, "modules: {title: x}\n", drop=2), 8, "'modules'"),
        (with_line(8, "modules: [7, null, [lessons/a.md], true]\n", drop=2), 8, "'modules.0'"),
        (COURSE_YML + "keywords: {a: 1}\n", 11, "'keywords'"),
        (COURSE_YML + "authors: [~, true, 3.5, [x], {a: b}]\n", 11, "'authors.0'"),
        (COURSE_YML + "competencies: [7, null, [1]]\n", 11, "'competencies.0'"),
        (COURSE_YML + "thumbnail: 1" + "0" * 5000 + "\n", 11, "'thumbnail'"),
        (with_line(1, "id: .inf\n"), 1, "'id'"),
        (COURSE_YML + "? [a, b]\n: c\n", 11, "keys must be plain words"),
    ],
)
def test_malformed_keys_and_values_are_located_problems(make_course, yml, line, message):
    found = problems(make_course({"course.yml": yml}))
    assert any(p.startswith(f"course.yml:{line}: error:") and message in p for p in found), found


def test_cli_check_on_malformed_keys_prints_problems_not_a_traceback(make_course, capsys):
    from packager.__main__ import main

    root = make_course(
        {"course.yml": COURSE_YML + "links[0]: x\n", "lessons/a.md": "---\ntitle: A\nnote[1]: x\n---\nText\n"}
    )
    assert main(["check", str(root)]) == 1
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert "course.yml:11: error: unknown key 'links[0]'" in out.out + out.err
    assert "lessons/a.md:3: error: unknown key 'note[1]'" in out.out + out.err


def test_course_yml_over_the_size_limit_names_the_limit_at_line_1(make_course):
    found = problems(make_course({"course.yml": COURSE_YML + "# padding\n" * 110_000}))
    assert found[0] == "course.yml:1: error: course.yml is 1075 KB; the limit is 1024 KB"


SAMPLE_YML = Path(__file__).resolve().parent.parent / "sample_courses/karmayogi-prarambh/course.yml"


def test_usual_course_yml_is_read_without_the_schema():
    from packager import load, yamlsrc

    for text in (SAMPLE_YML.read_text("utf-8"), COURSE_YML):
        assert load._plain_course_fields(yamlsrc.parse(text, "course.yml").value) is not None


def _variants():
    sample = (Path(__file__).resolve().parent.parent / "sample_courses/karmayogi-prarambh/course.yml").read_text(
        "utf-8"
    )
    base = COURSE_YML
    yield sample
    yield base
    for extra in [
        "translations: [hi, pt-BR]",
        "translations: [HI]",
        "translations: hi",
        "authors: [A, B]",
        "authors: ['']",
        "license: CC-BY-4.0",
        "license: 'a\\nb'",
        "level: advanced",
        "level: expert",
        "level:",
        "audience: [All]",
        "keywords: [" + "k" * 101 + "]",
        "thumbnail: media/x.png",
        "thumbnail: 5",
        "activity_iri: https://example.org/c",
        "activity_iri: ftp://example.org/c",
        "competencies: [{area: Domain, theme: Law}]",
        "competencies: [{area: Domain, theme: Law, subtheme: Courts, level: 5}]",
        "competencies: [{area: Domain, theme: Law, level: 6}]",
        "competencies: [{area: Domain, theme: Law, level: true}]",
        "competencies: [{area: Legal, theme: Law}]",
        "competencies: [{area: Domain, theme: Law, colour: red}]",
        "colour: red",
    ]:
        yield base + extra + "\n"
    for old, new in [
        ("completion: {lessons: all}", "completion: {lessons: 80%, pass_score: 70}"),
        ("completion: {lessons: all}", "completion: {lessons: 80%, pass_score: 101}"),
        ("completion: {lessons: all}", "completion: {lessons: 101%}"),
        ("completion: {lessons: all}", "completion: {lessons: 80%, pass_score: }"),
        ("completion: {lessons: all}", "completion: {}"),
        ("completion: {lessons: all}", ""),
        ("version: 1.0.0", "version: 1.0"),
        ("version: 1.0.0", "version: 1.0.0-rc.1+build.5"),
        ("id: test-course", "id: Test"),
        ("id: test-course", "id: 123"),
        ("title: Test course", "title: " + "t" * 201),
        ("title: Test course", "title: 2024"),
        ("summary: A course for tests.", "summary: ''"),
        ("language: en", "language: hi-IN"),
        ("language: en", "language: english"),
        ("provider: {id: test, name: Test Institute}", "provider: {id: -test, name: T}"),
        ("provider: {id: test, name: Test Institute}", "provider: {id: test}"),
        ("lessons: [lessons/a.md]", "lessons: []"),
        ("  - title: Module one\n", "  - title: ''\n"),
    ]:
        yield base.replace(old, new)


@pytest.mark.parametrize("text", list(_variants()))
def test_course_yml_read_without_the_schema_is_what_the_schema_reads(text):
    from packager import load, schema, yamlsrc

    doc = yamlsrc.parse(text, "course.yml")
    spec, _ = schema.validate(schema.CourseSpec, doc, "course.yml")
    plain = load._plain_course_fields(doc.value)
    if spec is None:
        assert plain is None
    elif plain is not None:
        assert plain == load._course_fields(spec)


def test_the_course_files_are_its_regular_files_without_hidden_entries_or_links(tmp_path):
    import os

    from packager.load import file_index

    root = tmp_path / "course"
    (root / "lessons/.drafts").mkdir(parents=True)
    (root / ".git").mkdir()
    for name in ("course.yml", "lessons/a.md", "lessons/.a.md.swp", "lessons/.drafts/b.md", ".git/config"):
        (root / name).write_text("x")
    os.symlink(root / "lessons", root / "linked")
    os.symlink(root / "lessons/a.md", root / "lessons/same.md")
    os.symlink(tmp_path / "gone", root / "broken")
    problems: list = []
    assert file_index(root, problems) == {"course.yml", "lessons/a.md"} and problems == []
    assert file_index(tmp_path / "missing", problems) == set()
