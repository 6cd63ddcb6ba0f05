"""The screenshots of docs/authors.md: docs/img/authors-*.png, taken from the studio as it is now.

    .venv/bin/python docs/screenshots.py            # every screenshot
    .venv/bin/python docs/screenshots.py outline    # only those whose name contains "outline"

It starts ``kstudio serve --demo`` on a temporary data folder (so on a copy of the sample courses: nothing of
yours is touched), signs in as the demo admin in headless Chromium (Debian's, as the browser tests use:
Playwright's own browser download is not needed) and saves each screenshot clipped to the part of the page
the guide talks about, at most 1280×800, as a palette PNG when Pillow can make one smaller.
"""

from __future__ import annotations

import io
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "docs" / "img"
KSTUDIO = ROOT / ".venv" / "bin" / "kstudio"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
VIEWPORT = {"width": 1280, "height": 800}
COURSE = "karmayogi-prarambh"
LESSON = "lessons/03-serving-citizens/07-handling-grievances.md"
QUIZ_LESSON = "lessons/04-learning-and-growing/10-final-assessment.md"


def free_ports() -> int:
    """A port whose next port is free too (the studio serves course content on port + 1)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return port
    raise SystemExit("no two free ports next to each other")


@contextmanager
def studio() -> Iterator[tuple[str, str, str]]:
    """A demo studio on a temporary data folder: (its address, the admin's e-mail, password)."""
    port = free_ports()
    with tempfile.TemporaryDirectory(prefix="kstudio-shots-") as tmp:
        data = Path(tmp) / "data"
        log = (Path(tmp) / "serve.log").open("w")
        catalogue = ["admin", "create-org", "marketplace", "--name", "Karmayogi Marketplace", "--catalogue"]
        subprocess.run([str(KSTUDIO), *catalogue, "--data", str(data)], check=True, stdout=log, cwd=tmp)
        server = subprocess.Popen(
            [str(KSTUDIO), "serve", "--demo", "--data", str(data), "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=tmp,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen(base + "/login", timeout=1)
                    break
                except OSError:
                    if server.poll() is not None:
                        raise SystemExit((Path(tmp) / "serve.log").read_text()) from None
                    time.sleep(0.1)
            password = (data / "demo-password").read_text("utf-8").strip()
            yield base, "admin@demo.example", password
        finally:
            server.terminate()
            server.wait(20)
            log.close()


def save(name: str, png: bytes) -> None:
    """Write docs/img/authors-NAME.png, as a 256-colour palette image when that is smaller."""
    out = IMG / f"authors-{name}.png"
    try:
        from PIL import Image

        image = Image.open(io.BytesIO(png)).convert("RGB")
        buffer = io.BytesIO()
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(buffer, "PNG", optimize=True)
        if buffer.tell() < len(png):
            png = buffer.getvalue()
    except ImportError:
        pass
    out.write_bytes(png)
    print(f"{out.relative_to(ROOT)}: {len(png) // 1024} KB")


def shoot(page, name: str, target=None, *, pad: int = 8, height: int | None = None) -> None:
    """Screenshot *target* (a locator; the whole viewport without one), *pad* pixels around it, at most
    *height* pixels (default: the viewport's) from its top."""
    if target is None:
        save(name, page.screenshot())
        return
    target.scroll_into_view_if_needed()
    box = target.bounding_box()  # in the viewport; the clip of a full-page screenshot is in the page
    scroll_x, scroll_y, page_height = page.evaluate(
        "[window.scrollX, window.scrollY, document.documentElement.scrollHeight]"
    )
    x, y = max(0, box["x"] + scroll_x - pad), max(0, box["y"] + scroll_y - pad)
    clip = {
        "x": x,
        "y": y,
        "width": min(VIEWPORT["width"] - x, box["width"] + 2 * pad),
        "height": min(height or VIEWPORT["height"], box["height"] + 2 * pad, page_height - y),
    }
    save(name, page.screenshot(clip=clip, full_page=True))


SHOTS: dict[str, Callable] = {}


def shot(func: Callable) -> Callable:
    SHOTS[func.__name__.replace("_", "-")] = func
    return func


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def course_url(base: str, course: str = COURSE) -> str:
    return f"{base}/o/demo/c/{course}"


@shot
def sign_in_page(page, base: str, email: str, password: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.goto(base + "/login")
    page.get_by_label("E-mail address").fill(email)
    shoot(page, "sign-in", page.locator("main"), height=360)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


@shot
def course_list(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/o/demo/")
    shoot(page, "course-list", page.locator("main"), pad=0)


@shot
def new_course(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/o/demo/")
    page.get_by_label("Title").fill("Grievance redress for front-desk staff")
    page.get_by_role("button", name="Create from the starter course").click()
    page.get_by_role("heading", name="Check report").wait_for()
    top = page.locator("main")
    shoot(page, "new-course", top, pad=0, height=640)


@shot
def outline(page, base: str, email: str, password: str) -> None:
    page.goto(course_url(base) + "/")
    module = page.locator("section.outline-module").nth(2)
    module.locator("details summary").first.click()
    module.locator("details.outline-module-actions summary").click()
    shoot(page, "outline", module, height=800)


@shot
def block_view(page, base: str, email: str, password: str) -> None:
    page.goto(f"{course_url(base)}/edit/{LESSON}")
    page.locator("#blocks .block").nth(3).wait_for()
    page.wait_for_timeout(1500)  # the live preview
    shoot(page, "block-view", page.locator("main"), pad=0, height=780)


@shot
def quiz_block(page, base: str, email: str, password: str) -> None:
    page.goto(f"{course_url(base)}/edit/{LESSON}")
    quiz = page.locator("#blocks section.block-quiz").first
    quiz.wait_for()
    shoot(page, "quiz-block", quiz, height=800)


@shot
def markdown_view(page, base: str, email: str, password: str) -> None:
    page.goto(f"{course_url(base)}/edit/{LESSON}?view=markdown")
    page.wait_for_timeout(1500)  # the live preview
    shoot(page, "markdown-view", page.locator("main"), pad=0, height=720)


@shot
def device_preview(page, base: str, email: str, password: str) -> None:
    page.goto(f"{course_url(base)}/edit/{LESSON}?view=markdown")
    page.get_by_role("button", name="Phone").click()
    page.get_by_role("button", name="हिन्दी").click()
    page.wait_for_timeout(2000)
    shoot(page, "device-preview", page.locator(".preview-pane"), height=780)
    page.get_by_role("button", name="Fit the pane").click()  # the studio remembers the choice
    page.get_by_role("button", name="English").click()


@shot
def course_details(page, base: str, email: str, password: str) -> None:
    page.goto(course_url(base) + "/meta")
    translations = page.locator("main fieldset").filter(has_text="iGOT's languages")
    competencies = page.locator("main fieldset").filter(has_text="Add a competency")
    top, bottom = translations.bounding_box(), competencies.bounding_box()
    save(
        "course-details",
        page.screenshot(
            full_page=True,
            clip={
                "x": top["x"] - 8,
                "y": top["y"] - 8,
                "width": top["width"] + 16,
                "height": bottom["y"] + bottom["height"] - top["y"] + 16,
            },
        ),
    )


@shot
def media_library(page, base: str, email: str, password: str) -> None:
    page.goto(course_url(base) + "/media/")
    shoot(page, "media-library", page.locator("main"), pad=0, height=780)


@shot
def check_problems(page, base: str, email: str, password: str) -> None:
    page.goto(f"{course_url(base)}/edit/{LESSON}")
    page.get_by_label("Minutes to read").fill("20")
    image = page.locator("#blocks section.block-image").first
    image.get_by_label("Alt text (what the image shows; required)").fill("")
    page.get_by_role("button", name="Save now").click()
    page.locator("#preview-problems li").first.wait_for(timeout=15_000)
    page.wait_for_timeout(500)
    shoot(page, "check-problems", page.locator("#preview-problems"), pad=16)
    page.goto(f"{course_url(base)}/")
    shoot(page, "check-report", page.locator("#check").locator("xpath=following-sibling::ul[1]"), pad=16)
    page.goto(f"{course_url(base)}/history/{LESSON}")
    shoot(page, "history", page.locator("main"), pad=0, height=600)


@shot
def build_everything(page, base: str, email: str, password: str) -> None:
    page.goto(course_url(base) + "/builds")
    shoot(page, "build-everything", page.locator("form.build-all"))
    for box in page.locator("form.build-all input[name=format]").all():
        if box.get_attribute("value") not in ("html", "pdf"):
            box.uncheck()
    page.get_by_role("button", name="Build all").click()
    # the job builds in the background; its page reloads itself when the job ends
    page.locator("table.downloads a[download], #failed-h").first.wait_for(timeout=600_000)
    shoot(page, "downloads", page.locator("main"), pad=0, height=600)


@shot
def catalogue(page, base: str, email: str, password: str) -> None:
    page.goto(course_url(base) + "/submissions/")
    shoot(page, "catalogue", page.locator("main"), pad=0, height=600)


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    wanted = [name for name in SHOTS if not argv or any(word in name for word in argv)]
    IMG.mkdir(parents=True, exist_ok=True)
    with studio() as (base, email, password), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
        page = context.new_page()
        sign_in(page, base, email, password)
        for name in wanted:
            SHOTS[name](page, base, email, password)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
