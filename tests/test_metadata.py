"""course.yml written through the metadata form, read back by the loader: the same course fields."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packager import load_course, metadata
from tests.conftest import COURSE_YML, LESSON, write

ROUND_TRIP = settings(
    max_examples=30, derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# what authors type, YAML's own characters included (the writer must quote them)
CHARS = st.characters(codec="utf-8", categories=["L", "N", "Zs"], include_characters=":#'\"-&*!%@[]{}|>?")
TEXT = st.text(CHARS, min_size=1, max_size=30).map(str.strip).filter(bool)
WORDS = st.lists(TEXT.map(lambda s: s.replace(",", " ").strip()).filter(bool), max_size=4)
SOURCE = "# the course\n" + COURSE_YML.replace("title: Test course\n", "title: Test course  # shown first\n")


def load(text: str):
    with tempfile.TemporaryDirectory() as folder:
        course = load_course(write(Path(folder), {"course.yml": text, "lessons/a.md": LESSON}))
    assert [p.format() for p in course.problems] == []
    return course


@ROUND_TRIP
@given(
    title=TEXT,
    summary=TEXT,
    keywords=WORDS,
    authors=WORDS,
    level=st.sampled_from(["", "beginner", "advanced"]),
)
def test_what_the_form_writes_the_loader_reads(title, summary, keywords, authors, level) -> None:
    form = {
        "title": title,
        "summary": summary,
        "keywords": ", ".join(keywords),
        "authors": ", ".join(authors),
        "level": level,
    }
    text = metadata.update(SOURCE, form)
    course = load(text)
    assert (course.title, course.summary, course.keywords, course.authors) == (title, summary, keywords, authors)
    assert course.level == (level or None)
    assert "# the course\n" in text and "# shown first" in text  # the author's comments stay
    assert metadata.update(text, metadata.read(text)) == text  # read back and written again: the same file


def test_the_loaded_course_written_back_is_the_same_file() -> None:
    course = load(SOURCE)
    form = {"title": course.title, "summary": course.summary, "version": course.version, "language": course.language}
    assert metadata.update(SOURCE, form) == SOURCE


def test_a_lesson_added_to_course_yml_is_a_lesson_of_the_loaded_course() -> None:
    text = metadata.add_lesson(SOURCE, "lessons/b.md")
    with tempfile.TemporaryDirectory() as folder:
        course = load_course(write(Path(folder), {"course.yml": text, "lessons/a.md": LESSON, "lessons/b.md": LESSON}))
    assert [lesson.path for lesson in course.lessons] == ["lessons/a.md", "lessons/b.md"]
    with pytest.raises(metadata.MetadataError, match="in the course already"):
        metadata.add_lesson(text, "lessons/b.md")


def test_metadata_round_trip_is_byte_for_byte_when_nothing_changes():
    text = "# comment\nid: x-y\ntitle: 'Quoted'  # why\nkeywords:\n  - a\n  - b\nsummary: >-\n  folded\n  text\n"
    assert metadata.update(text, metadata.read(text)) == text


def test_broken_course_yml_gives_a_clear_error():
    with pytest.raises(metadata.MetadataError, match="line 2"):
        metadata.read("id: x\ntitle: [unclosed\n")


def test_metadata_form_refuses_an_alias_bomb_before_expanding_it():
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for n in range(1, 9):
        prev, cur = chr(ord("a") + n - 1), chr(ord("a") + n)
        bomb += f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    started = time.process_time()
    with pytest.raises(metadata.MetadataError, match="too large or too deeply aliased"):
        metadata.read(bomb + "keywords: [*i]\n")  # str() of it would build 387 million strings
    assert time.process_time() - started < 2


EVERY_FIELD = {
    "title": "Grievance redressal",
    "summary": "Handle a citizen's complaint: listen, log, resolve, close.",
    "version": "1.2.0",
    "language": "en",
    "provider_name": "Institute of Secretariat Training",
    "provider_id": "istm",
    "authors": "A. Author, B. Author",
    "thumbnail": "media/cover.png",
    "level": "intermediate",
    "license": "CC-BY-SA-4.0",
    "audience": "Group B, Group C",
    "keywords": "grievance, CPGRAMS",
    "category": "Learning Resource",
    "translations": "hi, ta",
    "competencies": "Behavioural / Citizen centricity / Grievance handling\nFunctional / Noting and drafting",
}


def test_every_field_of_the_form_round_trips_through_course_yml_keeping_comments() -> None:
    source = SOURCE.replace(
        "provider: {id: test, name: Test Institute}", "provider: {id: test, name: Test Institute}  # who"
    )
    source += (
        "competencies:\n  - {area: Behavioural, theme: Citizen centricity, subtheme: Grievance handling, level: 3}\n"
    )
    text = metadata.update(source, EVERY_FIELD)
    assert metadata.read(text) == EVERY_FIELD
    assert "# the course\n" in text and "# shown first" in text and "# who" in text
    with tempfile.TemporaryDirectory() as folder:
        files = {"course.yml": text, "lessons/a.md": LESSON}
        course = load_course(write(Path(folder), files))
    assert [p.format() for p in course.problems] == []
    assert (course.provider.id, course.provider.name) == ("istm", "Institute of Secretariat Training")
    assert (course.thumbnail, course.level, course.license, course.category) == (
        "media/cover.png",
        "intermediate",
        "CC-BY-SA-4.0",
        "Learning Resource",
    )
    assert (course.translations, course.audience, course.keywords) == (
        ["hi", "ta"],
        ["Group B", "Group C"],
        ["grievance", "CPGRAMS"],
    )
    assert [(c.area, c.theme, c.subtheme, c.level) for c in course.competencies] == [
        ("Behavioural", "Citizen centricity", "Grievance handling", 3),  # kept as it was: its level stays
        ("Functional", "Noting and drafting", None, None),
    ]
    assert metadata.update(text, metadata.read(text)) == text


def test_clearing_a_choice_removes_its_key_and_a_bad_competency_line_is_refused() -> None:
    text = metadata.update(SOURCE, {"level": "advanced", "thumbnail": "media/c.png"})
    assert "level: advanced" in text
    cleared = metadata.update(text, {"level": "", "thumbnail": ""})
    assert "level:" not in cleared and "thumbnail:" not in cleared
    with pytest.raises(metadata.MetadataError, match=r"competency 2 \('Domain'\): write it as Area / Theme"):
        metadata.update(SOURCE, {"competencies": "Domain / Law\nDomain"})
