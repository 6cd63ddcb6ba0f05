"""Translated players in headless Chromium: scoring, direction, and a glyph for every character."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image
from playwright.sync_api import expect

from packager import export, load_course
from packager.fonts import shown
from packager.strings import player_strings
from tests.browser.conftest import answer, answer_keys, axe_failures, course_data
from tests.conftest import SAMPLE
from tests.pseudo import pseudo_course

pytestmark = pytest.mark.browser


def _site(package: Path, into: Path) -> Path:
    with zipfile.ZipFile(package) as z:
        z.extractall(into)
    return into


@pytest.fixture(scope="module")
def pseudo_sites(tmp_path_factory) -> dict[str, Path]:
    """The sample course, every segment pseudo-translated into Hindi and Urdu, built as html packages."""
    base = tmp_path_factory.mktemp("pseudo-sites")
    course = load_course(pseudo_course(SAMPLE, base / "course"), use_cache=False)
    return {lang: _site(export(course, "html", base / "dist", lang=lang), base / lang) for lang in ("hi", "ur")}


@pytest.fixture(scope="module")
def sample_sites(tmp_path_factory) -> dict[str, Path]:
    """The sample course as its translators left it (translations/hi.po, ur.po), in Hindi and Urdu."""
    base = tmp_path_factory.mktemp("sample-sites")
    course = load_course(SAMPLE, use_cache=False)
    return {lang: _site(export(course, "html", base / "dist", lang=lang), base / lang) for lang in ("hi", "ur")}


@pytest.mark.parametrize("lang", ["hi", "ur"])
def test_answers_and_scoring_work_in_the_pseudo_translated_player(browser, pseudo_sites, lang):
    site = pseudo_sites[lang]
    s = player_strings(lang)
    keys, course = answer_keys(site), course_data(site)
    final = next(q for q in course["quizzes"] if q["graded"])
    page = browser.new_page()
    page.goto((site / "index.html").as_uri() + f"#/{final['lesson']}")
    quiz = page.locator(f'section.ks-quiz[data-quiz="{final["id"]}"]')
    forms = quiz.locator("form.ks-q")
    forms.first.wait_for()
    assert forms.first.locator("button.ks-submit").inner_text() == s["submit"]
    for i in range(forms.count()):
        form = forms.nth(i)
        answer(form, keys[form.get_attribute("data-q")])
        expect(form.locator(".ks-feedback")).to_contain_text(s["correct"])
        assert "ks-right" in (form.get_attribute("class") or "")
    result = quiz.locator(".ks-quiz-result")
    expect(result).to_contain_text("(100%)")
    expect(result).to_contain_text(s["quizPassed"])
    page.close()


def _fill_side(png: bytes) -> str:
    """Which half of a progress bar screenshot holds the filled (dark blue) part."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    row = [image.getpixel((x, height // 2)) for x in range(width)]
    dark = [x for x, (r, g, b) in enumerate(row) if b > 100 and r < 60 and g < 110]
    assert dark, "no filled part found"
    return "left" if sum(dark) / len(dark) < width / 2 else "right"


@pytest.mark.parametrize(("lang", "direction"), [("hi", "ltr"), ("ur", "rtl")])
def test_sample_builds_run_in_the_right_direction(browser, sample_sites, lang, direction, tmp_path):
    site = sample_sites[lang]
    course = course_data(site)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    for lesson in course["lessons"][:3]:  # visit three lessons: progress 3 of 10
        page.goto((site / "index.html").as_uri() + f"#/{lesson['id']}")
        page.wait_for_selector(f'article[data-lesson="{lesson["id"]}"]')
    page.screenshot(path=str(tmp_path / f"{lang}-lesson.png"), full_page=True)
    assert page.evaluate("document.documentElement.dir") == direction
    assert page.evaluate("getComputedStyle(document.body).direction") == direction
    toc, main = page.locator("#ks-toc").bounding_box(), page.locator("#ks-main").bounding_box()
    prev, nxt = page.locator(".ks-prev").bounding_box(), page.locator(".ks-next").bounding_box()
    if direction == "rtl":  # mirrored: contents on the right, "next" on the left, progress fills from the right
        assert toc["x"] > main["x"] and nxt["x"] < prev["x"]
    else:
        assert toc["x"] < main["x"] and nxt["x"] > prev["x"]
    bar = page.locator("#ks-progress")
    assert bar.get_attribute("value") == "3"
    assert _fill_side(bar.screenshot()) == ("right" if direction == "rtl" else "left")
    # the interface is in the language, not English
    s = player_strings(lang)
    assert page.locator(".ks-next").inner_text() == s["next"]
    assert page.locator(".ks-progress-text").inner_text().replace("\u2068", "").replace("\u2069", "") == s.text(
        "progressText", done=3, total=10
    )
    page.goto((site / "index.html").as_uri())
    page.screenshot(path=str(tmp_path / f"{lang}-home.png"), full_page=True)
    assert page.locator("h1").inner_text() == course["title"]
    context.close()


_TEXT = """() => {
  const out = [document.title];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: n => n.parentElement.closest("noscript, script, style")
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT
  });
  while (walk.nextNode()) out.push(walk.currentNode.nodeValue);
  return out.join("\\n");
}"""


def _loaded_fonts(site: Path) -> dict[str, set[int]]:
    """Family -> code points of each font the package's fonts.css loads."""
    css = (site / "assets" / "fonts.css").read_text("utf-8")
    fonts = {}
    for family, url in re.findall(r'font-family:"([^"]+)";src:url\(([^)]+)\)', css):
        with TTFont(str(site / "assets" / url)) as font:
            fonts[family] = set(font.getBestCmap())
    return fonts


@pytest.mark.parametrize("lang", ["hi", "ur"])
def test_every_character_has_a_glyph_in_the_fonts_the_page_loads(browser, sample_sites, lang):
    site = sample_sites[lang]
    fonts = _loaded_fonts(site)
    assert len(fonts) >= 1
    covered = set().union(*fonts.values())
    css = (site / "assets" / "player.css").read_text("utf-8")
    text = "".join(re.findall(r'content:"([^"]*)"', css))
    course = course_data(site)
    page = browser.new_page()
    index = (site / "index.html").as_uri()
    for hash_ in ["", *(f"#/{lesson['id']}" for lesson in course["lessons"])]:
        page.goto(index + hash_)
        page.wait_for_selector("article.ks-lesson" if hash_ else "#ks-home")
        text += page.evaluate(_TEXT)
    loaded = page.evaluate(
        "async () => { await document.fonts.ready; return [...document.fonts].filter(f => f.status == 'loaded')"
        ".map(f => f.family.replace(/\"/g, '')); }"
    )
    page.close()
    assert set(loaded) == set(fonts), "the browser did not load every font the package ships"
    missing = sorted({c for c in text if shown(c) and ord(c) not in covered})
    assert not missing, "no glyph for " + ", ".join(f"U+{ord(c):04X} {c}" for c in missing)
    script = {"hi": (0x0900, 0x097F), "ur": (0x0600, 0x06FF)}[lang]
    assert sum(script[0] <= ord(c) <= script[1] for c in text) > 5000  # the course really is in that script


def test_completion_date_and_counts_are_in_the_language(browser, sample_sites):
    from packager.strings import date_format

    site = sample_sites["hi"]
    course = course_data(site)
    page = browser.new_page()
    index = (site / "index.html").as_uri()
    for lesson in course["lessons"]:
        page.goto(index + f"#/{lesson['id']}")
        page.wait_for_selector(f'article[data-lesson="{lesson["id"]}"]')
    page.goto(index + "#ks-home")
    status = page.locator(".ks-status")
    expect(status).to_contain_text(player_strings("hi")["courseComplete"])
    text = status.inner_text()
    month = page.evaluate("new Date().getMonth()")
    assert "को पूरा किया।" in text and date_format("hi")["months"][month] in text
    assert page.locator(".ks-progress-text").inner_text() == "10 में से 10 पाठ"
    page.close()


@pytest.mark.parametrize("lang", ["hi", "ur"])
def test_translated_pages_pass_axe_and_fit_a_small_screen(browser, sample_sites, lang):
    site = sample_sites[lang]
    course = course_data(site)
    context = browser.new_context(viewport={"width": 320, "height": 800}, bypass_csp=True)  # axe is inline
    page = context.new_page()
    index = (site / "index.html").as_uri()
    failures = []
    for hash_ in ["", *(f"#/{lesson['id']}" for lesson in course["lessons"])]:
        page.goto(index + hash_)
        page.wait_for_selector("article.ks-lesson" if hash_ else "#ks-home")
        failures += axe_failures(page, hash_ or "home")
    context.close()
    assert failures == []
