"""Headless Chromium (Debian's, driven by Playwright) and the sample course built as an html package."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from packager import export, load_course
from tests.conftest import ROOT, SAMPLE

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
