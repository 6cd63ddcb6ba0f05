"""The one build pipeline: build() and its BuildReport, export() over it, preview_lesson()."""

from __future__ import annotations

import shutil
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from packager import BuildReport, CourseError, ExportError, build, export, load_course, preview_lesson
from packager.__main__ import main
from packager.build import Failure
from packager.i18n import catalog
from packager.i18n.apply import Translation
from packager.i18n.course import segments
from packager.preview import NotInCourse
from packager.render import Player
from tests.conftest import SAMPLE, write
from tests.pseudo import pseudo_course

TABLE = "| Term | Meaning |\n| --- | --- |\n| Reply | The final answer |\n"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pseudo_course(SAMPLE, tmp_path_factory.mktemp("pipeline") / "course")


def test_build_writes_every_format_in_every_language_and_reports_each(sample, tmp_path):
    report = build(sample, ["html", "scorm12"], "all", tmp_path / "dist", options={"fonts": False})
    assert isinstance(report, BuildReport) and report.ok and report.seconds > 0
    assert [(p.format, p.lang) for p in report.packages] == [
        (fmt, lang) for lang in ("en", "hi", "ur") for fmt in ("html", "scorm12")
    ]
    for package in report.packages:
        assert package.path.parent == tmp_path / "dist"
        assert package.path.name == f"karmayogi-prarambh-1.0.0-{package.lang}-{package.format}.zip"
        assert package.bytes == package.path.stat().st_size
        assert package.summary.startswith("media ") and "fonts 0 KB" in package.summary
    assert sorted(report.problems) == ["en", "hi", "ur"]
    assert not any(report.errors(lang) for lang in report.problems)


def test_a_language_the_course_lacks_fails_its_packages_and_the_rest_are_built(sample, tmp_path):
    report = build(sample, ["html"], ["en", "ta"], tmp_path, options={"fonts": False})
    assert [(p.format, p.lang) for p in report.packages] == [("html", "en")]
    assert report.failures == [Failure("html", "ta", "the course has no 'ta' version")]
    assert report.failures[0].line() == "html (ta): the course has no 'ta' version"


def test_a_broken_translation_fails_only_its_language_with_its_errors(tmp_path):
    root = pseudo_course(SAMPLE, tmp_path / "course")
    po = catalog.read(root / "translations/hi.po")
    entry = next(e for e in po if "]({1})" in e.msgid)
    entry.msgstr = entry.msgstr.replace("]({1})", "]({7})")
    catalog.write(po, root / "translations/hi.po")
    report = build(root, ["html", "xapi"], "all", tmp_path / "dist", options={"fonts": False})
    assert sorted({p.lang for p in report.packages}) == ["en", "ur"]
    assert [(f.format, f.lang) for f in report.failures] == [("html", "hi"), ("xapi", "hi")]
    failure = report.failures[0]
    assert failure.message.startswith("the course has") and failure.problems
    assert all(p.severity == "error" for p in failure.problems)
    assert not report.errors("en") and not report.errors("ur")
    assert set(failure.problems) <= set(report.problems["hi"])


def test_build_without_formats_only_checks_each_language(sample):
    report = build(sample, [], "all", None)
    assert report.packages == [] and report.failures == []
    assert sorted(report.problems) == ["en", "hi", "ur"]


def test_unknown_format_or_language_is_refused_before_anything_is_built(sample, tmp_path):
    with pytest.raises(ExportError, match="unknown format 'zip'"):
        build(sample, ["html", "zip"], None, tmp_path)
    with pytest.raises(ExportError, match="no 'ta' version"):
        build(sample, ["html"], "ta", tmp_path)
    assert not list(tmp_path.iterdir())


def test_export_is_one_package_of_the_pipeline_and_raises_what_it_reports(tmp_path):
    root = write(tmp_path / "c", {"course.yml": "id: c\n", "lessons/a.md": "# A\n"})
    with pytest.raises(CourseError) as raised:
        export(load_course(root), "html", tmp_path / "out")
    assert any(p.severity == "error" for p in raised.value.problems)
    with pytest.raises(ExportError, match="takes no option 'answers'"):
        export(load_course(SAMPLE), "html", tmp_path / "out", answers=True)


def test_a_translated_build_parses_its_catalog_once_and_loads_each_language_once(sample, tmp_path, monkeypatch):
    import packager.load

    reads: list[str] = []
    loads: list[str | None] = []
    parse, load = catalog._read, packager.load.load_with_context

    def counting_read(path: Path):
        reads.append(path.name)
        return parse(path)

    def counting_load(root, **kwargs):
        loads.append(kwargs.get("lang"))
        return load(root, **kwargs)

    monkeypatch.setattr(catalog, "_read", counting_read)
    monkeypatch.setattr(packager.load, "load_with_context", counting_load)
    argv = ["build", str(sample), "-f", "html", "--lang", "hi", "-o", str(tmp_path), "--no-fonts"]
    assert main(argv) == 0
    assert reads == ["hi.po"]  # the fallback report, the loader, the check and the QA share one parse
    assert loads == [None, "hi"]


def test_every_format_in_two_languages_loads_once_and_checks_and_renders_once_per_language(
    sample, tmp_path, monkeypatch
):
    import packager.load

    pipeline = sys.modules["packager.build"]  # the module: packager.build is also the function
    loads: list[str | None] = []
    applied: list[str] = []
    checked: list[str] = []
    pages: list[str] = []  # each language's one pass over its lessons
    rendered: Counter[tuple[str, str]] = Counter()
    load, open_, check = packager.load.load_with_context, Translation.open, pipeline.check_course
    lesson_scripts, lesson_js = Player.lesson_scripts, Player.lesson_js

    def counting_load(root, **kwargs):
        loads.append(kwargs.get("lang"))
        return load(root, **kwargs)

    def counting_open(root, lang, doc, problems):
        applied.append(lang)
        return open_(root, lang, doc, problems)

    def counting_check(course, **kwargs):
        checked.append(course.language)
        return check(course, **kwargs)

    def counting_scripts(player):
        pages.append(player.lang)
        return lesson_scripts(player)

    def counting_render(player, lesson):
        rendered[player.lang, lesson.id] += 1
        return lesson_js(player, lesson)

    monkeypatch.setattr(packager.load, "load_with_context", counting_load)
    monkeypatch.setattr(Translation, "open", staticmethod(counting_open))
    monkeypatch.setattr(pipeline, "check_course", counting_check)
    monkeypatch.setattr(Player, "lesson_scripts", counting_scripts)
    monkeypatch.setattr(Player, "lesson_js", counting_render)
    formats = ["html", "scorm12", "scorm2004", "xapi", "cmi5", "pdf"]
    report = build(sample, formats, ["en", "hi"], tmp_path)
    assert report.ok and [(p.format, p.lang) for p in report.packages] == [
        (fmt, lang) for lang in ("en", "hi") for fmt in formats
    ]
    assert loads == [None, "hi"] and applied == ["hi"] and checked == ["en", "hi"]
    assert pages == ["en", "hi"]  # the formats take the pages the first one rendered
    assert set(rendered.values()) <= {1}  # a page is rendered at most once (else it comes from the cache)
    with_media = {lesson.id for lesson in load_course(sample).lessons if lesson.media}
    assert with_media and {(lang, ident) for lang in ("en", "hi") for ident in with_media} <= set(rendered)
    for lang in ("en", "hi"):  # every player format of a language ships the same pages
        players = [p.path for p in report.packages if p.lang == lang and p.format != "pdf"]
        assert len({_lesson_pages(path) for path in players}) == 1


def _lesson_pages(package: Path) -> tuple[tuple[str, bytes], ...]:
    with zipfile.ZipFile(package) as z:
        return tuple((n, z.read(n)) for n in sorted(z.namelist()) if n.startswith("lessons/"))


def test_catalogs_are_read_again_outside_a_build(sample):
    path = sample / "translations/hi.po"
    assert catalog.read(path) is not catalog.read(path)
    with catalog.read_once():
        assert catalog.read(path) is catalog.read(path)


# preview_lesson -------------------------------------------------------------------------------------

HINDI_COURSE = """\
id: hindi-course
version: 1.0.0
title: शिकायत
summary: शिकायत का उत्तर कैसे दें।
language: hi
provider: {id: test, name: Test Institute}
modules:
  - title: उत्तर
    lessons: [lessons/a.md, lessons/b.md]
"""


def test_preview_of_a_hindi_course_labels_tables_as_its_package_does(tmp_path):
    lesson = f"---\ntitle: पहला\n---\n{TABLE}"
    root = write(
        tmp_path / "c",
        {"course.yml": HINDI_COURSE, "lessons/a.md": lesson, "lessons/b.md": "---\ntitle: दूसरा\n---\nपाठ।\n"},
    )
    html, problems = preview_lesson(root, "lessons/a.md", lesson + "\nनया अनुच्छेद।\n")
    assert "तालिका" in html and ">Table<" not in html and "नया अनुच्छेद।" in html
    assert not [p for p in problems if p.severity == "error"]
    package = export(load_course(root), "html", tmp_path / "out", fonts=False)
    with zipfile.ZipFile(package) as z:
        assert any("तालिका" in z.read(n).decode() for n in z.namelist() if n.endswith(".js"))


def test_preview_in_a_translated_language_uses_its_catalog_and_words(sample):
    path = "lessons/01-getting-started/01-welcome.md"
    text = (sample / path).read_text()
    source, _ = preview_lesson(sample, path, text)
    hindi, _ = preview_lesson(sample, path, text, lang="hi")
    built = next(lesson for lesson in load_course(sample, lang="hi").lessons if lesson.path == path)
    assert hindi != source and built.blocks[0].html.split(">")[1][:20] in hindi


def test_preview_refuses_a_lesson_the_course_does_not_list(sample):
    with pytest.raises(NotInCourse, match=r"lessons/zz\.md is not listed"):
        preview_lesson(sample, "lessons/zz.md", "x")


def counted_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The path of every lesson the loader parses from here on (cache misses), in order."""
    import packager.load

    parsed: list[str] = []
    parse = packager.load.parse_lesson

    def counting_parse(text, path, ctx):
        parsed.append(path)
        return parse(text, path, ctx)

    monkeypatch.setattr(packager.load, "parse_lesson", counting_parse)
    return parsed


def test_each_language_keeps_its_parsed_lessons_so_a_rebuild_parses_none(sample, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for lang in ("en", "hi", "ur"):
        load_course(sample, lang=lang)
    parsed = counted_parses(monkeypatch)
    for lang in ("en", "hi", "ur"):
        assert load_course(sample, lang=lang).lessons
    assert parsed == []


def test_a_build_without_the_cache_neither_reads_nor_writes_it_in_any_language(sample, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    lessons = len(load_course(sample).lessons)
    build(sample, ["html"], "all", tmp_path / "warm", options={"fonts": False})  # a cache that spares every parse

    def kept() -> dict[str, bytes]:  # the lessons' caches, parsed and rendered (media renditions are apart)
        files = (tmp_path / "cache").rglob("*.pickle")
        return {str(p.relative_to(tmp_path)): p.read_bytes() for p in files if "media" not in p.parts}

    before = kept()
    assert any("rendered-hi" in name for name in before)
    parsed = counted_parses(monkeypatch)
    report = build(sample, ["html"], "all", tmp_path / "dist", options={"fonts": False}, use_cache=False)
    assert report.ok and len(parsed) == 3 * lessons
    assert kept() == before


def test_the_pages_templates_are_compiled_while_the_lessons_are_parsed(tmp_path, monkeypatch):
    """A build's renderer is made ready by this process while the workers parse (parallel.in_order's
    *meanwhile*), not after the parse; a check-only build never prepares it."""
    import packager.load
    import packager.parallel

    pipeline = sys.modules["packager.build"]  # the module (packager.build is its function)
    monkeypatch.setattr(packager.load, "PARALLEL_FROM", 2)
    monkeypatch.setattr(packager.parallel, "cores", lambda: 2)
    root = pseudo_course(SAMPLE, tmp_path / "course")
    parsing, seen = [False], []
    parse_many = packager.load._parse_many

    def watched_parse_many(*args):
        parsing[0] = True
        try:
            return parse_many(*args)
        finally:
            parsing[0] = False

    monkeypatch.setattr(packager.load, "_parse_many", watched_parse_many)
    monkeypatch.setattr(pipeline, "prepare_pages", lambda: seen.append(parsing[0]))
    assert build(root, [], None, None, use_cache=False).ok and seen == []
    assert build(root, ["html"], None, tmp_path / "dist", options={"fonts": False}, use_cache=False).ok
    assert seen == [True]


def test_preparing_the_pages_leaves_a_broken_template_to_fail_where_a_page_needs_it(monkeypatch):
    import jinja2

    import packager.render

    def broken(theme):
        raise jinja2.TemplateSyntaxError("unexpected '}'", 3, "lesson.html")

    monkeypatch.setattr(packager.render, "template_env", broken)
    assert packager.render.prepare_pages() is None  # not raised here, in the middle of the parse


def test_segments_of_an_unchanged_course_parse_no_lesson_again(tmp_path, monkeypatch):
    import packager.i18n.course as course_catalogs

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = Path(shutil.copytree(SAMPLE, tmp_path / "course"))
    first = segments(load_course(root))
    parsed: list[int] = []
    parser = course_catalogs.parser

    def counting_parser():
        parsed.append(1)
        return parser()

    monkeypatch.setattr(course_catalogs, "parser", counting_parser)
    assert segments(load_course(root)) == first
    assert parsed == []
    lesson = root / "lessons/01-getting-started/01-welcome.md"
    lesson.write_text(lesson.read_text() + "\nA paragraph added since.\n")
    again = segments(load_course(root))
    assert parsed == [1]  # the edited lesson alone
    assert Counter(s.source for s in again) == Counter([*(s.source for s in first), "A paragraph added since."])
