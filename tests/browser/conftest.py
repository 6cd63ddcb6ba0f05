"""Headless Chromium (Debian's, driven by Playwright), the sample course built as an html package, and what
every browser test does alike: sign in to the studio, scan a page with axe, answer a question."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from packager import export, load_course
from tests.conftest import ROOT, SAMPLE
from tests.studio.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run ./dev setup (it installs Debian's chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample course's html package, unzipped: the folder holding index.html."""
    out = tmp_path_factory.mktemp("sample-html")
    package = export(load_course(SAMPLE, use_cache=False), "html", out)
    site = out / "site"
    with zipfile.ZipFile(package) as z:
        z.extractall(site)
    return site


def answer_keys(site: Path) -> dict[str, dict]:
    """Every question's answer key, read from the lesson scripts the package ships."""
    keys: dict[str, dict] = {}
    decoder = json.JSONDecoder()
    for script in (site / "lessons").glob("*.js"):
        text = script.read_text("utf-8").removeprefix("KS.lesson(")
        _, end = decoder.raw_decode(text)
        _, end2 = decoder.raw_decode(text, end + 2)
        data, _ = decoder.raw_decode(text, end2 + 2)
        keys.update(data["questions"])
    return keys


def course_data(site: Path) -> dict:
    text = (site / "course.js").read_text("utf-8")
    return json.loads(text.removeprefix("window.KS_COURSE = ").rstrip().rstrip(";"))


def phone(browser):
    """A 320 px wide window (the smallest screen the studio serves); CSP bypassed so axe can be injected."""
    return browser.new_context(viewport={"width": 320, "height": 700}, bypass_csp=True)


def submit_and_wait(page, base: str) -> None:
    """Submit course c1 of inst to the marketplace and wait for its gate to pass."""
    from playwright.sync_api import expect

    page.goto(base + "/o/inst/c/c1/submissions/")
    page.get_by_role("button", name="Submit to Karmayogi Marketplace").click()
    for _ in range(120):  # the submit job builds, gates and freezes in the background
        page.goto(base + "/o/inst/c/c1/submissions/")
        if "Building and checking" not in page.content():
            break
        page.wait_for_timeout(250)
    expect(page.locator(".submission .state").first).to_have_text("In review")


def sign_in(context, base: str, email: str, *, heading: str | None = None):
    """A new page of *context*, signed in to the studio at *base* as *email* (the test password); with
    *heading*, the page it lands on must say so in its h1."""
    from playwright.sync_api import expect

    page = context.new_page()
    page.goto(base + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    if heading is not None:
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    return page


def axe_failures(page, where: str, *, iframes: bool = True) -> list[str]:
    """The serious and critical WCAG 2.1 AA violations axe finds on the page as it stands, and any sideways
    scrolling, each told with *where*. The page's context must bypass CSP: axe is injected inline."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """(iframes) => axe.run(document, {iframes,
             runOnly: {type: "tag", values: ["wcag2a","wcag2aa","wcag21a","wcag21aa"]}})""",
        iframes,
    )
    failures = [
        f"{where}: {v['id']} {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        failures.append(f"{where}: {overflow}px of horizontal scrolling")
    return failures


def answer(form, key: dict, right: bool = True) -> None:
    """Fill one question form from its answer key (or wrongly, when *right* is False) and submit it.
    A typed answer goes in upper case: the player must match it regardless of case."""
    kind = key["kind"]
    if kind in ("single", "multiple"):
        options = form.locator("input").evaluate_all("els => els.map(e => e.value)")
        chosen = key["correct"] if right else [o for o in options if o not in key["correct"]][:1]
        for value in chosen:
            form.locator(f'input[value="{value}"]').check()
    elif kind == "fill":
        form.locator("input.ks-fill").fill(key["answers"][0].upper() if right else "something else")
    elif kind == "order":
        order = key["correct"] if right else list(reversed(key["correct"]))
        for position, item in enumerate(order, start=1):
            form.locator(f'[data-i="{item}"] select').select_option(str(position))
    elif kind == "match":
        rights = list(key["correct"].values())
        for n, (left, right_id) in enumerate(key["correct"].items()):
            value = right_id if right else rights[(n + 1) % len(rights)]
            form.locator(f'[data-l="{left}"] select').select_option(value)
    form.locator("button.ks-submit").click()
