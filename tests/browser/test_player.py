"""A learner's session in the offline html package, from file://, in headless Chromium."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import answer, answer_keys, axe_failures, course_data

pytestmark = pytest.mark.browser


def test_learner_answers_check_and_quiz_and_keeps_progress(browser, sample_site):
    keys = answer_keys(sample_site)
    course = course_data(sample_site)
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((sample_site / "index.html").as_uri())

    page.get_by_role("link", name="Start", exact=True).click()
    first = course["lessons"][0]
    page.wait_for_selector(f'article[data-lesson="{first["id"]}"]')
    assert page.evaluate("document.activeElement.id") == "ks-title"
    page.get_by_role("link", name="Next", exact=True).click()
    page.wait_for_selector(f'article[data-lesson="{course["lessons"][1]["id"]}"]')

    # A knowledge check: a wrong answer, then a right one (checks may be answered again).
    check_lesson = next(q["lesson"] for q in course["quizzes"] if not q["graded"])
    page.goto((sample_site / "index.html").as_uri() + f"#/{check_lesson}")
    form = page.locator("section.ks-quiz[data-graded=false] form.ks-q").first
    key = keys[form.get_attribute("data-q")]
    answer(form, key, right=False)
    expect(form.locator(".ks-feedback")).to_contain_text("Not quite")
    page.reload()
    form = page.locator("section.ks-quiz[data-graded=false] form.ks-q").first
    for box in form.locator("input[type=checkbox]:checked").all():  # the wrong answer was restored
        box.uncheck()
    answer(form, key, right=True)
    expect(form.locator(".ks-feedback")).to_contain_text("Correct")

    # The graded final quiz: everything right.
    final = next(q for q in course["quizzes"] if q["graded"])
    page.goto((sample_site / "index.html").as_uri() + f"#/{final['lesson']}")
    quiz = page.locator(f'section.ks-quiz[data-quiz="{final["id"]}"]')
    quiz.wait_for()
    forms = quiz.locator("form.ks-q")
    assert forms.count() == final["draw"]
    for i in range(forms.count()):
        form = forms.nth(i)
        answer(form, keys[form.get_attribute("data-q")])
        expect(form.locator(".ks-feedback")).to_contain_text("Correct")
    expect(quiz.locator(".ks-quiz-result")).to_contain_text("100%")
    expect(quiz.locator(".ks-quiz-result")).to_contain_text("Passed")

    # Reload: answers, the quiz result and visited lessons are still there.
    page.reload()
    quiz = page.locator(f'section.ks-quiz[data-quiz="{final["id"]}"]')
    quiz.wait_for()
    expect(quiz.locator(".ks-quiz-result")).to_contain_text("Passed")
    assert quiz.locator("form.ks-q .ks-submit:disabled, form.ks-q input:disabled").count() > 0
    assert page.locator("#ks-toc a.ks-done").count() == 3
    assert page.locator("#ks-progress").get_attribute("value") == "3"

    assert requests and all(url.startswith("file://") for url in requests), [
        u for u in requests if not u.startswith("file://")
    ]
    context.close()


def test_failing_the_quiz_uses_up_attempts(browser, sample_site):
    keys = answer_keys(sample_site)
    final = next(q for q in course_data(sample_site)["quizzes"] if q["graded"])
    page = browser.new_page()
    page.goto((sample_site / "index.html").as_uri() + f"#/{final['lesson']}")
    quiz = page.locator(f'section.ks-quiz[data-quiz="{final["id"]}"]')
    for attempt in range(final["attempts"]):
        forms = quiz.locator("form.ks-q")
        forms.first.wait_for()
        for i in range(forms.count()):
            answer(forms.nth(i), keys[forms.nth(i).get_attribute("data-q")], right=False)
        expect(quiz.locator(".ks-quiz-result")).to_contain_text("0%")
        expect(quiz.locator(".ks-quiz-result")).to_contain_text("Not passed")
        if attempt < final["attempts"] - 1:
            quiz.get_by_role("button", name="Try again").click()
    assert quiz.get_by_role("button", name="Try again").count() == 0
    page.close()


def test_empty_submit_asks_for_an_answer(browser, sample_site):
    course = course_data(sample_site)
    lesson = next(q["lesson"] for q in course["quizzes"] if not q["graded"])
    page = browser.new_page()
    page.goto((sample_site / "index.html").as_uri() + f"#/{lesson}")
    form = page.locator("form.ks-q").first
    form.get_by_role("button", name="Submit").click()
    expect(form.locator(".ks-feedback")).to_contain_text("Choose an answer first")
    page.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_every_page_passes_axe_and_fits_the_screen(browser, sample_site, width):
    course = course_data(sample_site)
    # axe is injected as an inline script, which the package's own CSP rightly forbids.
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    index = (sample_site / "index.html").as_uri()
    failures = []
    for hash_ in ["", *(f"#/{lesson['id']}" for lesson in course["lessons"])]:
        page.goto(index + hash_)
        if hash_:
            page.wait_for_selector("article.ks-lesson")
        else:
            page.wait_for_selector("#ks-home")
        failures += axe_failures(page, f"{hash_ or 'home'} @{width}px")
    context.close()
    assert failures == []


def test_video_captions_load_from_file_url(browser, sample_site):
    """Browsers refuse <track> files from file://, so the package carries captions inline."""
    course = course_data(sample_site)
    page = browser.new_page()
    page.goto((sample_site / "index.html").as_uri() + f"#/{course['lessons'][0]['id']}")
    video = page.locator("video").first
    video.wait_for(state="attached")
    assert page.evaluate("document.querySelector('video').textTracks.length") == 2
    cues = page.evaluate(
        """() => new Promise(done => {
            const track = document.querySelector('video track[default]');
            const ready = () => done(track.track.cues ? track.track.cues.length : 0);
            track.track.mode = 'showing';
            if (track.readyState === 2) return ready();
            track.addEventListener('load', ready);
            setTimeout(ready, 3000);
        })"""
    )
    assert cues > 0
    page.close()


def test_progress_saved_in_the_stored_format_resumes(browser, sample_site):
    """Saved progress outlives a rebuilt package: learners mid-course keep it, so its short keys are a wire
    format (v version, x seed, l visited lessons, c current lesson, r reflections; per quiz in z: a attempt,
    d drawn questions)."""
    course = course_data(sample_site)
    lessons = [lesson["id"] for lesson in course["lessons"]]
    final = next(q for q in course["quizzes"] if q["graded"])
    drawn = [q["id"] for q in final["questions"]][::-1][: final["draw"]]
    reflection = course["reflections"][0]
    reflection_lesson = next(
        json.JSONDecoder().raw_decode(script.read_text("utf-8").removeprefix("KS.lesson("))[0]
        for script in (sample_site / "lessons").glob("*.js")
        if f'data-reflection=\\"{reflection}\\"' in script.read_text("utf-8")  # HTML inside a JSON string
    )
    saved = {
        "v": 1,
        "x": 12345,
        "l": lessons[:3],
        "c": lessons[2],
        "n": 4,
        "r": {reflection: "What I wrote before the package was rebuilt"},
        "z": {final["id"]: {"a": 2, "d": drawn}},
    }
    context = browser.new_context()
    page = context.new_page()
    page.goto((sample_site / "index.html").as_uri())
    page.evaluate("([key, state]) => localStorage.setItem(key, JSON.stringify(state))", [course["storageKey"], saved])
    page.reload()

    expect(page.locator("#ks-progress")).to_have_attribute("value", "3")
    assert page.locator("#ks-toc a.ks-done").count() == 3
    resume = page.locator("a.ks-start")
    expect(resume).to_have_text("Continue")
    assert resume.get_attribute("href") == f"#/{lessons[2]}"

    page.goto((sample_site / "index.html").as_uri() + f"#/{final['lesson']}")
    quiz = page.locator(f'section.ks-quiz[data-quiz="{final["id"]}"]')
    quiz.wait_for()
    expect(quiz.locator("form.ks-q")).to_have_count(len(drawn))
    assert sorted(quiz.locator("form.ks-q").evaluate_all("els => els.map(e => e.dataset.q)")) == sorted(drawn)

    page.goto((sample_site / "index.html").as_uri() + f"#/{reflection_lesson}")
    expect(page.locator(f'[data-reflection="{reflection}"] textarea')).to_have_value(saved["r"][reflection])
    context.close()
