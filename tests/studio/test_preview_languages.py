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
