"""The editor's preview on device sizes and in each language: the switch beside the preview, and the
preview call rendering the editor's text through a translation as the build does."""

from __future__ import annotations

from tests.studio.test_translate import sample  # noqa: F401  (the fixture: the sample course, adopted)

COURSE = "/o/inst/c/karmayogi-prarambh"
LESSON = "lessons/01-getting-started/01-welcome.md"


def test_the_editor_offers_devices_and_the_courses_languages_in_frames_of_the_content_origin(sample, author):  # noqa: F811
    page = author.get(f"{COURSE}/edit/{LESSON}?view=markdown").get_data(as_text=True)  # the Markdown view's pane
    for device in ('data-device="phone" data-width="360" data-height="740"', 'data-width="768" data-height="1024"'):
        assert device in page
    assert page.count('aria-pressed="true"') == 2  # the pane's width and the course's own language
    assert 'data-lang="hi" data-dir="ltr" lang="hi" dir="ltr" aria-pressed="false">हिन्दी' in page
    assert 'data-lang="ur" data-dir="rtl"' in page
    assert page.count('src="http://content.test/t/') == 2  # both previews live on the content origin


def test_the_preview_renders_the_editors_text_through_the_translation(sample, author):  # noqa: F811
    text = (sample / LESSON).read_text("utf-8") + "\nA paragraph not yet translated.\n"
    hindi = author.api(f"/api{COURSE}/preview", {"path": LESSON, "text": text, "lang": "hi"}).get_json()
    assert "मॉड्यूल" in hindi["html"] and "A paragraph not yet translated." in hindi["html"]
    urdu = author.api(f"/api{COURSE}/preview", {"path": LESSON, "text": text, "lang": "ur"}).get_json()
    assert "ماڈیول 1" in urdu["html"]
    own = author.api(f"/api{COURSE}/preview", {"path": LESSON, "text": text}).get_json()
    assert "मॉड्यूल" not in own["html"] and "Module 1" in own["html"]
    for lang in ("xx", "../hi", 7):
        refused = author.api(f"/api{COURSE}/preview", {"path": LESSON, "text": text, "lang": lang})
        assert refused.status_code == 422 and "has no" in refused.get_json()["error"]


def test_the_block_view_has_the_same_switch_and_the_courses_competency_choices(sample, author):  # noqa: F811
    page = author.get(f"{COURSE}/edit/{LESSON}").get_data(as_text=True)  # the block view, the default
    assert 'id="blocks-editor"' in page and page.count('id="device-preview"') == 1
    assert 'data-lang="ur" data-dir="rtl"' in page and page.count('src="http://content.test/t/') == 2
    assert page.count("device-preview.js") == 1  # one implementation for both views
    lesson = page.split('<template id="competencies-lesson">')[1].split("</template>")[0]
    assert '<optgroup label="Behavioural">' in lesson  # the framework's entries, as the course details list them
    assert "<option>Behavioural / Citizen centricity / Courtesy and responsiveness</option>" in lesson
    question = page.split('<template id="competencies-question">')[1].split("</template>")[0]
    # a question's competency= takes course.yml's themes and subthemes, by slug
    assert '<option value="grievance-handling">Citizen centricity / Grievance handling</option>' in question
    assert '<option value="citizen-centricity">Citizen centricity</option>' in question
    assert "courtesy-and-responsiveness" not in question  # in the framework, not in course.yml
