"""The learner's media quality switch (assets/media.js) on a real transcoded video, from file://."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from packager import export, load_course
from tests.conftest import COURSE_YML, write

pytestmark = pytest.mark.browser

LESSON = "---\ntitle: Watch\n---\nA short talk.\n\n![The talk](media/talk.mp4)\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course with one 720p talk (so it gets a low and an audio rendition), built and unzipped."""
    root = tmp_path_factory.mktemp("talk-course")
    src = root / "media" / "talk.mp4"
    src.parent.mkdir()
    lavfi = ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi", "-i", "sine=frequency=300"]
    encode = ["-t", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"]
    subprocess.run(["ffmpeg", "-v", "error", "-y", *lavfi, *encode, str(src)], check=True)
    write(root, {"course.yml": COURSE_YML, "lessons/a.md": LESSON})
    package = export(load_course(root), "html", root / "out")
    site = root / "site"
    with zipfile.ZipFile(package) as z:
        z.extractall(site)
    return site


def pressed(page) -> list[str]:
    return page.locator(".ks-quality button[aria-pressed=true]").evaluate_all("bs => bs.map(b => b.dataset.mode)")


def test_learner_switches_quality_and_the_choice_is_remembered(browser, site):
    context = browser.new_context()
    page = context.new_page()
    page.goto((site / "index.html").as_uri() + "#/lessons/a")
    video = page.locator("video")
    expect(video).to_have_attribute("src", "media/talk.mp4.main.mp4")
    assert pressed(page) == ["standard"]
    group = page.get_by_role("group", name="Quality")
    group.get_by_role("button", name="Low data").focus()
    page.keyboard.press("Enter")  # keyboard alone is enough
    expect(video).to_have_attribute("src", "media/talk.mp4.low.mp4")
    assert pressed(page) == ["low"]
    page.reload()
    expect(page.locator("video")).to_have_attribute("src", "media/talk.mp4.low.mp4")
    page.get_by_role("button", name="Audio only").click()
    expect(page.locator("video")).to_have_attribute("src", "media/talk.mp4.audio.m4a")
    expect(page.locator("video")).to_have_class("ks-audio-only")
    assert pressed(page) == ["audio"]
    context.close()


def test_save_data_starts_on_the_low_rendition(browser, site):
    context = browser.new_context()
    # Chromium reports Save-Data and 2G/3G through navigator.connection; the test browser has neither
    context.add_init_script(
        "Object.defineProperty(navigator, 'connection', {value: {saveData: true, effectiveType: '4g'}})"
    )
    page = context.new_page()
    page.goto((site / "index.html").as_uri() + "#/lessons/a")
    expect(page.locator("video")).to_have_attribute("src", "media/talk.mp4.low.mp4")
    assert pressed(page) == ["low"]
    context.close()
