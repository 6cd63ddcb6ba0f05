"""The course details form (issue 15): every course.yml field the catalogue uses, the competency picker
over the course's framework, iGOT's languages (a ticked one starts its catalog), the thumbnail chosen from
the media library or uploaded."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from packager import load_course
from tests.studio.conftest import csrf
from tests.studio.test_translate import SAMPLE
from tests.test_svg_security import png

FORM = "/o/inst/c/c1/meta"


def folder(app) -> Path:
    return Path(app.config["COURSES_ROOT"]) / "inst" / "c1"


def submit(author, changes: dict, files: dict | None = None):
    """The form as a browser sends it: every field as shown, with *changes*."""
    page = author.get(FORM).get_data(as_text=True)
    data: dict = {"csrf_token": csrf(page), "base": page.split('name="base" value="')[1].split('"')[0]}
    data |= {"translations_shown": "1", "competencies_shown": "1"}
    data |= changes
    data |= files or {}
    return author.client.post(FORM, data=data, content_type="multipart/form-data", follow_redirects=True)


def test_the_form_shows_every_field_with_its_choices(author):
    page = author.get(FORM).get_data(as_text=True)
    for name in ("title", "summary", "provider_name", "provider_id", "authors", "thumbnail", "level", "license"):
        assert f'name="{name}"' in page
    for name in ("audience", "keywords", "category", "translations", "thumbnail_file"):
        assert f'name="{name}"' in page
    assert "<option selected>CC-BY-4.0</option>" in page and "<option>CC0-1.0</option>" in page
    assert "<option>Learning Resource</option>" in page  # iGOT's categories
    assert 'value="hi" aria-describedby="h-translations"> Hindi' in page  # iGOT's language list
    assert 'name="translations" value="en"' not in page  # the course's own language is not a translation
    assert "Learning time: about 7 min" in page  # 3 + 4, the two lessons' minutes:
    assert 'name="competencies"' in page  # no framework: written as text


def test_the_competency_picker_offers_the_frameworks_entries_and_writes_the_chosen(app, author):
    shutil.copy(SAMPLE / "competencies.yml", folder(app) / "competencies.yml")
    page = author.get(FORM).get_data(as_text=True)
    assert 'name="competencies"' not in page
    assert '<optgroup label="Behavioural">' in page
    assert "<option>Behavioural / Citizen centricity / Grievance handling</option>" in page
    assert "<option selected>Behavioural / Citizen centricity</option>" in page  # the starter's, as chosen
    choice = ["Behavioural / Citizen centricity", "Behavioural / Integrity / Ethical decision-making"]
    assert "Saved the course details." in submit(author, {"competency": choice}).get_data(as_text=True)
    course = load_course(folder(app))
    assert [(c.area, c.theme, c.subtheme) for c in course.competencies] == [
        ("Behavioural", "Citizen centricity", None),
        ("Behavioural", "Integrity", "Ethical decision-making"),
    ]
    assert "# A starter course" in (folder(app) / "course.yml").read_text("utf-8")


def test_a_ticked_language_starts_its_catalog(app, author):
    page = submit(author, {"translations": ["hi", "ta"]}).get_data(as_text=True)
    assert "Started the Hindi translation: translations/hi.po." in page
    assert "Started the Tamil translation: translations/ta.po." in page
    po = (folder(app) / "translations/hi.po").read_text("utf-8")
    assert 'msgid "Welcome"' in po and "Language: hi" in po
    assert load_course(folder(app)).translations == ["hi", "ta"]
    assert author.get("/o/inst/c/c1/history/translations/hi.po").status_code == 200  # revisioned from the start
    again = submit(author, {"translations": ["hi"]}).get_data(as_text=True)  # ta removed; hi's catalog kept
    assert "Started the" not in again and (folder(app) / "translations/hi.po").read_text("utf-8") == po


def test_every_field_saved_loads_back_as_the_course(app, author):
    changes = {
        "provider_name": "Institute of Secretariat Training",
        "provider_id": "istm",
        "authors": "A. Author",
        "level": "advanced",
        "license": "CC-BY-SA-4.0",
        "audience": "Group A",
        "keywords": "grievance",
        "category": "Learning Resource",
    }
    page = submit(author, changes, {"thumbnail_file": (io.BytesIO(png()), "Cover Art.png")}).get_data(as_text=True)
    assert "Saved the course details." in page
    course = load_course(folder(app))
    assert (course.provider.name, course.provider.id, course.authors) == (
        "Institute of Secretariat Training",
        "istm",
        ["A. Author"],
    )
    assert (course.level, course.license, course.audience, course.keywords, course.category) == (
        "advanced",
        "CC-BY-SA-4.0",
        ["Group A"],
        ["grievance"],
        "Learning Resource",
    )
    assert course.thumbnail == "media/cover-art.png" and (folder(app) / course.thumbnail).read_bytes() == png()
    assert "<option selected>media/cover-art.png</option>" in author.get(FORM).get_data(as_text=True)


def test_a_form_course_yml_cannot_take_is_refused_with_its_reason(app, author):
    before = (folder(app) / "course.yml").read_text("utf-8")
    page = submit(author, {"competencies": "Behavioural"})
    assert page.status_code == 400
    assert "Nothing was saved: competency 1 (&#39;Behavioural&#39;): write it as Area / Theme" in page.get_data(
        as_text=True
    )
    assert (folder(app) / "course.yml").read_text("utf-8") == before


def test_only_who_may_edit_course_yml_sees_the_form(person):
    translator = person("translator@inst.example")
    assert translator.get(FORM).status_code == 403
    assert translator.client.post(FORM, data={"csrf_token": translator.token, "title": "x"}).status_code == 403


def test_the_block_editors_pickers_offer_the_same_choices(app, author):
    lesson = "/o/inst/c/c1/edit/lessons/01-welcome.md"  # the block view

    def choices(page: str, which: str) -> str:
        return page.split(f'<template id="competencies-{which}">')[1].split("</template>")[0]

    page = author.get(lesson).get_data(as_text=True)  # no framework: course.yml's competencies
    assert "<option>Behavioural / Citizen centricity</option>" in choices(page, "lesson")
    assert '<option value="citizen-centricity">Citizen centricity</option>' in choices(page, "question")
    shutil.copy(SAMPLE / "competencies.yml", folder(app) / "competencies.yml")
    page = author.get(lesson).get_data(as_text=True)  # the framework's entries, as the details form's
    assert "<option>Behavioural / Integrity / Ethical decision-making</option>" in choices(page, "lesson")
    assert "ethical-decision-making" not in choices(page, "question")  # not in course.yml: check refuses it
