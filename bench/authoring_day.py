"""The author's day of issue 15, counted: clicks and keystrokes before and after the block editor.

    .venv/bin/python bench/authoring_day.py [--only markdown|blocks] [--show]

In headless Chromium (Debian's, driven by Playwright) against a live studio (the browser tests' server,
its job worker embedded), one author does the same day twice, each in a fresh studio:

- **markdown** (before): the lessons in the editor's Markdown view, typing Markdown and using its
  toolbar, its upload form and its question form (what the form has no field for, an option's feedback,
  the explanation, the pass mark and attempts, typed as Markdown); the outline changed by typing in
  ``course.yml`` (cut and paste a lesson's path, delete another's) and in the lesson's front matter
  (the title: the studio's editors cannot rename a file, so the file keeps its name, and the deleted
  lesson's file stays, unlisted, a warning of ``check``); one package built at a time from "Build one
  package", each job's downloads taken. Opening the Markdown view is not counted: before the block
  editor a lesson opened in it (today that is one more click a lesson, four in this day).
- **blocks** (after): the lessons in the block editor (no Markdown typed), the outline on the course
  page, every format built by "Build all" and everything it lists downloaded.

The day: a new course from the starter; three lessons (text with bold and an uploaded image; a graded
quiz with the five question kinds; an uploaded video, its captions uploaded to the media library, the
one place either editor takes a captions file); a block deleted by mistake and undone; two lessons
reordered, one renamed, the starter's quiz lesson deleted; every format built and downloaded. Both
results must pass ``kstudio check`` and make the same lessons (titles, ids, text, questions, media and
captions; file names aside), and every format must build both ways.

Counting is the block editor test's (``tests/browser/hands.py``): a click on a control is one click, a
click into a field then its text is one click and one keystroke a character, a key chord (Ctrl+Z) is
one keystroke. Beyond it: the browser's file chooser is two clicks (open, pick), a <select> two (open,
pick), selecting text with the mouse (one press-drag-release) or putting the cursor somewhere is one
click. Waiting is not counted. Prints flow, clicks, keystrokes and wall time (the studio's work
included: uploads, media jobs, builds), then the counts by phase of the day. ``--show`` prints each
lesson's Markdown and the check report.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TITLE = "Grievance Redress Basics"
TEXT_LESSON, RENAMED, QUIZ_LESSON, VIDEO_LESSON = (
    "Answering a grievance",
    "Replying to a grievance",
    "Check your answers",
    "Watch a hearing",
)
DELETED = "Check your learning"  # the starter's quiz lesson, replaced by ours
PLACEHOLDER = "Write the lesson here."  # what a new lesson says
ALT, VIDEO_TITLE = "A clear desk", "A grievance hearing"
CAPTIONS = "WEBVTT\n\n00:00.000 --> 00:01.500\nThe officer hears the grievance.\n"
SAVED = re.compile(r"^Revision \d+, saved")


def make_media(folder: Path) -> dict[str, bytes]:
    """The image (the block editor test's PNG), a 2 s video with sound made by ffmpeg, and its captions."""
    from tests.browser.hands import png

    video = folder / "hearing.mp4"
    lavfi = ["-f", "lavfi", "-i", "testsrc2=size=64x36:rate=10", "-f", "lavfi", "-i", "sine=frequency=440"]
    codecs = ["-t", "2", "-c:v", "libx264", "-c:a", "aac", "-pix_fmt", "yuv420p"]
    subprocess.run(["ffmpeg", "-v", "error", "-y", *lavfi, *codecs, str(video)], check=True)
    return {"desk.png": png(), "hearing.mp4": video.read_bytes(), "hearing.vtt": CAPTIONS.encode()}


FLOWS = {"markdown": "before", "blocks": "after"}
MIME = {"png": "image/png", "mp4": "video/mp4", "vtt": "text/vtt"}


def hands(page):
    from tests.browser.hands import Author

    class Hands(Author):
        """The counting hands of the block editor test, and what the rest of the day needs."""

        def choose(self, select, value: str) -> None:
            select.select_option(value)
            self.clicks += 2  # open the list, pick

        def pick_file(self, chooser, name: str, media: dict[str, bytes]) -> None:
            chooser.set_input_files({"name": name, "mimeType": MIME[name.rsplit(".", 1)[1]], "buffer": media[name]})
            self.clicks += 2  # the file chooser: open it, pick the file

        def select_text(self, field, text: str) -> None:
            """The first *text* in the field selected with the mouse (one press, drag and release)."""
            field.focus()
            field.evaluate(
                """(t, text) => { const s = t.value.indexOf(text);
                     if (s < 0) throw new Error('not in the text: ' + text);
                     t.setSelectionRange(s, s + text.length); }""",
                text,
            )
            self.clicks += 1

        def cursor_after(self, field, text: str) -> None:
            """The cursor put just after *text* with one click."""
            field.focus()
            field.evaluate(
                """(t, text) => { const s = t.value.indexOf(text);
                     if (s < 0) throw new Error('not in the text: ' + text);
                     t.setSelectionRange(s + text.length, s + text.length); }""",
                text,
            )
            self.clicks += 1

        def phase(self, name: str) -> None:
            """What follows is counted under *name* (the phases table)."""
            self.phases.append([name, self.clicks, self.keys])

        def download(self, link) -> str:
            with self.page.expect_download() as info:
                self.click(link)
            return info.value.suggested_filename

    me = Hands(page)
    me.phases, me.downloaded = [], []
    return me


# ---- the day in the block editor (after)


def new_course(me) -> str:
    from playwright.sync_api import expect

    page = me.page
    me.type(page.get_by_label("Title", exact=True), TITLE)
    me.click(page.get_by_role("button", name="Create from the starter course"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    return page.url


def add_lesson(me, title: str) -> None:
    from playwright.sync_api import expect

    page = me.page
    me.type(page.get_by_label("New lesson title"), title)
    me.click(page.get_by_role("button", name="Add a lesson"))
    expect(page.locator("#file-path")).to_contain_text(".md")


def blocks_saved(page) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#blocks-status")).to_have_text(SAVED, timeout=15000)


def blocks_text(me, text: str) -> None:
    """The new lesson's placeholder text replaced."""
    from playwright.sync_api import expect

    page = me.page
    blocks_saved(page)
    field = me.block(2).get_by_label("Text", exact=True)
    expect(field).to_have_value(PLACEHOLDER)
    me.click(field)
    me.key("Control+A")
    me.keyboard(text)


def back_to_course(me) -> None:
    from playwright.sync_api import expect

    me.click(me.page.locator("main p.meta").get_by_role("link", name=TITLE))
    expect(me.page.get_by_role("heading", level=1)).to_have_text(TITLE)


def day_in_blocks(me, media: dict[str, bytes]) -> None:
    from playwright.sync_api import expect

    from tests.browser.hands import five_questions

    page = me.page
    me.phase("new course")
    new_course(me)

    # a lesson: text with bold by the button, an uploaded image with its alt text
    me.phase("lesson 1: text, image, undo")
    add_lesson(me, TEXT_LESSON)
    blocks_text(me, "Answer every grievance within ")
    me.click(me.block(2).get_by_role("button", name="Bold"))
    me.keyboard("thirty days")
    me.click(page.get_by_role("button", name="Add a block after block 2"))
    me.click(page.get_by_role("button", name="Add a Image block after block 2"))
    me.pick_file(me.block(3).get_by_label("Or upload a new file"), "desk.png", media)
    me.type(me.block(3).get_by_label(re.compile("^Alt text")), ALT)
    me.click(page.get_by_role("button", name="Upload the file for block 3"))
    expect(me.block(3).locator(".upload-status")).to_contain_text("Uploaded media/desk")
    # the image deleted by mistake, and brought back
    me.click(page.get_by_role("button", name=re.compile(r"^Delete block 3 'Image: ")))
    expect(page.locator(".block-image")).to_have_count(0)
    me.click(page.get_by_role("button", name="Undo"))
    expect(page.locator(".block-image")).to_have_count(1)
    blocks_saved(page)
    back_to_course(me)

    # a lesson: a graded quiz with the five kinds of question, each from its form
    me.phase("lesson 2: quiz, 5 kinds")
    add_lesson(me, QUIZ_LESSON)
    blocks_text(me, "Answer the quiz.")
    me.click(page.get_by_role("button", name="Add a block after block 2"))
    me.click(page.get_by_role("button", name="Add a Quiz or check block after block 2"))
    five_questions(me, 3)
    blocks_saved(page)
    back_to_course(me)

    # a lesson: an uploaded video with its title
    me.phase("lesson 3: video")
    add_lesson(me, VIDEO_LESSON)
    blocks_text(me, "Watch the hearing.")
    me.click(page.get_by_role("button", name="Add a block after block 2"))
    me.click(page.get_by_role("button", name="Add a Video block after block 2"))
    me.pick_file(me.block(3).get_by_label("Or upload a new file"), "hearing.mp4", media)
    me.type(me.block(3).get_by_label("Title", exact=True), VIDEO_TITLE)
    me.click(page.get_by_role("button", name="Upload the file for block 3"))
    expect(me.block(3).locator(".upload-status")).to_contain_text("Uploaded media/hearing")
    blocks_saved(page)
    back_to_course(me)

    me.phase("captions")
    captions(me, media)
    me.phase("reorder, rename, delete")
    outline_on_the_course_page(me)
    me.phase("build, download")
    build_all(me)


def captions(me, media: dict[str, bytes]) -> None:
    """The video's captions, uploaded in the media library (the same way in both flows)."""
    from playwright.sync_api import expect

    page = me.page
    me.click(page.get_by_role("link", name="Media library"))
    me.pick_file(page.get_by_label(re.compile("^Upload a file")), "hearing.vtt", media)
    me.click(page.get_by_role("button", name="Upload", exact=True))
    expect(page.locator("table").get_by_text("media/hearing.vtt").first).to_be_visible()
    me.click(page.get_by_role("link", name="Back to the course"))


def outline_on_the_course_page(me) -> None:
    from playwright.sync_api import expect

    page = me.page
    lessons = page.locator(".outline-module .lessons > li > a")
    me.click(page.get_by_role("button", name=f"Move ‘{VIDEO_LESSON}’ up"))
    expect(page.locator(".flash.info")).to_contain_text("moved lesson")
    me.click(page.get_by_text(f"Rename, move or delete ‘{TEXT_LESSON}’"))
    me.select_text(page.get_by_label(f"New title for ‘{TEXT_LESSON}’"), "Answering")
    me.keyboard("Replying to")
    me.click(page.get_by_role("button", name=f"Rename ‘{TEXT_LESSON}’"))
    expect(page.locator(".flash.info")).to_contain_text("renamed")
    me.click(page.get_by_text(f"Rename, move or delete ‘{DELETED}’"))
    me.click(page.get_by_role("button", name=f"Delete ‘{DELETED}’"))
    expect(page.locator(".flash.info")).to_contain_text("deleted lesson")
    expect(lessons).to_have_text(["Welcome", RENAMED, VIDEO_LESSON, QUIZ_LESSON])


def build_all(me) -> None:
    from playwright.sync_api import expect

    page = me.page
    me.click(page.get_by_role("link", name="Packages"))
    me.click(page.locator("form.build-all").get_by_role("button", name="Build all"))
    expect(page.locator("#job-state")).to_contain_text("Finished", timeout=300000)
    links = page.locator("table.downloads tbody tr a")
    me.downloaded = [me.download(links.nth(n)) for n in range(links.count())]


# ---- the day in the Markdown view (before)


def markdown_view(me):
    """The lesson open in the editor as it was before the block editor: the Markdown view. Not counted: the
    studio now opens a lesson in the block view, the Markdown view one click away."""
    from playwright.sync_api import expect

    page = me.page
    page.goto(page.url.split("?")[0] + "?view=markdown")
    text = page.locator("#text")
    expect(text).to_be_editable()
    return text


def text_saved(page) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#status")).to_have_text(SAVED, timeout=15000)


def upload_in_markdown(me, name: str, alt: str, media: dict[str, bytes]) -> None:
    """The toolbar's Image button, then its upload form: the file goes in at the cursor."""
    from playwright.sync_api import expect

    page = me.page
    me.click(page.locator(".toolbar").get_by_role("button", name="Image"))
    form = page.locator("#media")
    me.pick_file(form.get_by_label("File", exact=True), name, media)
    me.type(form.get_by_label("Alt text (images) or title (video, audio)"), alt)
    me.click(form.get_by_role("button", name="Upload and insert at the cursor"))
    expect(page.locator("#m-status")).to_contain_text(re.compile("Made for learners|Used as it is"), timeout=60000)
    expect(page.locator("#text")).to_have_value(re.compile(re.escape(f"![{alt}](media/{name})")))


def day_in_markdown(me, media: dict[str, bytes]) -> None:
    from playwright.sync_api import expect

    page = me.page
    me.phase("new course")
    new_course(me)

    # a lesson: text with bold typed as Markdown, an image by the toolbar's upload form
    me.phase("lesson 1: text, image, undo")
    add_lesson(me, TEXT_LESSON)
    text = markdown_view(me)
    me.select_text(text, PLACEHOLDER)
    me.keyboard("Answer every grievance within **thirty days**")
    upload_in_markdown(me, "desk.png", ALT, media)
    # the image deleted by mistake, and brought back
    image = f"![{ALT}](media/desk.png)"
    me.select_text(text, image)
    me.press(text, "Delete")
    expect(text).not_to_have_value(re.compile(re.escape(image)))
    me.press(text, "Control+z")
    expect(text).to_have_value(re.compile(re.escape(image)))
    text_saved(page)
    back_to_course(me)

    # a lesson: a graded quiz with the five kinds of question from the question form; what the form has no
    # field for (an option's feedback, the explanation, the pass mark and attempts) typed as Markdown
    me.phase("lesson 2: quiz, 5 kinds")
    add_lesson(me, QUIZ_LESSON)
    text = markdown_view(me)
    me.select_text(text, PLACEHOLDER)
    me.keyboard("Answer the quiz.")
    me.click(page.get_by_text("Add a question", exact=True))
    form = page.locator("#question")

    def question(prompt: str, options: str, kind: str = "", wrap: str | None = None) -> None:
        if kind:
            me.choose(form.get_by_label("Question type"), kind)
        if wrap is not None:
            me.choose(form.get_by_label("Put it in"), wrap)
        me.type(form.get_by_label("Question", exact=True), prompt)
        me.type(form.get_by_label(re.compile("^Options, one a line")), options)
        me.click(form.get_by_role("button", name="Insert the question at the cursor"))
        expect(form.get_by_label("Question", exact=True)).to_have_value("")
        expect(page.locator("#q-status")).to_have_text("Question inserted.")
        expect(text).to_have_value(re.compile(re.escape(f"### {prompt}")))

    question("Who replies first?", "*The officer\nNobody")  # the form's first kind, into a new graded quiz
    question("What goes in a reply?", "*The decision\n*The reasons", "multiple", "")  # "the quiz around the cursor"
    me.cursor_after(text, "- [x] The reasons")
    me.keyboard("\n  > Yes, always the reasons.")
    question("How many days at most?", "30", "fill")
    question("Order the steps.", "Register\nDecide", "order")
    question("Match each to its office.", "Pension -> Finance\nTransfer -> Personnel", "match")
    me.cursor_after(text, "- Transfer -> Personnel")
    me.keyboard("\n\nEach office answers for its own rules.")
    me.cursor_after(text, "::: quiz")
    me.keyboard(" pass=70 attempts=2")
    text_saved(page)
    back_to_course(me)

    # a lesson: a video by the same upload form
    me.phase("lesson 3: video")
    add_lesson(me, VIDEO_LESSON)
    text = markdown_view(me)
    me.select_text(text, PLACEHOLDER)
    me.keyboard("Watch the hearing.")
    upload_in_markdown(me, "hearing.mp4", VIDEO_TITLE, media)
    text_saved(page)
    back_to_course(me)

    me.phase("captions")
    captions(me, media)
    me.phase("reorder, rename, delete")
    outline_by_typing(me)
    me.phase("build, download")
    build_one_by_one(me)


def outline_by_typing(me) -> None:
    """Reorder and delete in course.yml's list of lessons (cut and paste, select and delete); rename in the
    lesson's front matter (its file keeps its name: the studio's editors cannot rename a file)."""
    from playwright.sync_api import expect

    page = me.page
    me.click(page.locator("ul.files").get_by_role("link", name="course.yml"))
    text = page.locator("#text")
    expect(text).to_have_value(re.compile("modules:"))
    me.select_text(text, ", lessons/05-watch-a-hearing.md")
    me.press(text, "Control+x")
    me.cursor_after(text, "lessons/03-answering-a-grievance.md")
    me.press(text, "Control+v")
    me.select_text(text, "lessons/02-check-your-learning.md, ")
    me.press(text, "Delete")
    listed = "[lessons/01-welcome.md, lessons/03-answering-a-grievance.md, lessons/05-watch-a-hearing.md, "
    expect(text).to_have_value(re.compile(re.escape(listed + "lessons/04-check-your-answers.md]")))
    text_saved(page)
    back_to_course(me)

    lessons = page.locator(".outline-module .lessons > li > a")
    expect(lessons).to_have_text(["Welcome", TEXT_LESSON, VIDEO_LESSON, QUIZ_LESSON])
    me.click(lessons.filter(has_text=TEXT_LESSON))
    text = markdown_view(me)
    me.select_text(text, "Answering")
    me.keyboard("Replying to")
    text_saved(page)
    back_to_course(me)
    expect(lessons).to_have_text(["Welcome", RENAMED, VIDEO_LESSON, QUIZ_LESSON])


def build_one_by_one(me) -> None:
    """Each format built from the "Build one package" form, and every file its job lists downloaded."""
    from playwright.sync_api import expect

    page = me.page
    me.click(page.get_by_role("link", name="Packages"))
    formats = page.locator("select#format option").evaluate_all("os => os.map(o => o.value)")
    for n, fmt in enumerate(formats):
        if n:  # the first is already chosen
            me.choose(page.get_by_label("Format"), fmt)
        me.click(page.get_by_role("button", name="Build the package"))
        expect(page.locator("#job-state")).to_contain_text("Finished", timeout=300000)
        links = page.locator("#job-result a[download]")
        expect(links.first).to_be_visible()
        me.downloaded += [me.download(links.nth(k)) for k in range(links.count())]
        me.click(page.get_by_role("link", name="All packages and jobs"))


# ---- running a flow in a fresh studio


def run(flow: str, media: dict[str, bytes], browser, show: bool) -> dict:
    from packager import load_course
    from studio.cli import main as kstudio
    from studio.jobs.queue import BUILD_FORMATS
    from tests.browser.conftest import sign_in
    from tests.studio.live import live_studio

    with tempfile.TemporaryDirectory(prefix=f"kstudio-day-{flow}-") as tmp, live_studio(Path(tmp)) as (base, app):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page = sign_in(context, base, "author@inst.example")
        page.set_default_timeout(20000)
        me = hands(page)
        started = time.perf_counter()
        (day_in_markdown if flow == "markdown" else day_in_blocks)(me, media)
        wall = time.perf_counter() - started
        context.close()
        course = next(p for p in (Path(app.config["COURSES_ROOT"]) / "inst").iterdir() if p.name != "c1")
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = kstudio(["check", str(course)])
        assert code == 0, f"{flow}: kstudio check failed\n{out.getvalue()}"
        model = load_course(course, use_cache=False)
        built = {re.sub(r"^.*-\w+-(\w+)\.\w+$", r"\1", name) for name in me.downloaded}
        assert set(BUILD_FORMATS) <= built, f"{flow}: not built: {set(BUILD_FORMATS) - built}"
        if show:
            for lesson in model.lessons:
                print(f"---- {flow}: {lesson.path}\n{(course / lesson.path).read_text('utf-8')}")
            print(out.getvalue())
        return {
            "flow": flow,
            "clicks": me.clicks,
            "keys": me.keys,
            "wall": wall,
            "lessons": shape(model),
            "packages": sorted(me.downloaded),
            "phases": [
                (name, clicks_after - clicks, keys_after - keys)
                for (name, clicks, keys), (_, clicks_after, keys_after) in zip(
                    me.phases, [*me.phases[1:], ["end", me.clicks, me.keys]], strict=True
                )
            ],
            "check": re.findall(r"\d+ errors?, \d+ warnings?", out.getvalue())[-1],
        }


def shape(model) -> list:
    """What the learner gets, lesson by lesson (title, id, blocks, questions, media), without file paths
    and line numbers: the renamed lesson's file is named after its new title only by the outline."""

    def strip(value):
        if isinstance(value, dict):
            dropped = ("path", "source_key")
            return {k: strip(v) for k, v in value.items() if k not in dropped and not k.endswith("line")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return [strip(dataclasses.asdict(lesson)) for lesson in model.lessons]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=("markdown", "blocks"))
    parser.add_argument("--show", action="store_true", help="print each lesson's Markdown and the check report")
    args = parser.parse_args()
    os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp(prefix="kstudio-day-cache-"))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the live server's request log
    logging.getLogger("packager").setLevel(logging.ERROR)  # the builds' notes (iGOT: no competency framework)

    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    flows = [args.only] if args.only else ["markdown", "blocks"]
    with tempfile.TemporaryDirectory(prefix="kstudio-day-media-") as folder:
        media = make_media(Path(folder))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            results = [run(flow, media, browser, args.show) for flow in flows]
            browser.close()
    print(f"{'flow':10} {'clicks':>6} {'keystrokes':>10} {'wall time':>9}  {'downloads':>9}  kstudio check")
    for r in results:
        row = f"{FLOWS[r['flow']]:10} {r['clicks']:6d} {r['keys']:10d} {r['wall']:8.1f}s  {len(r['packages']):9d}"
        print(f"{row}  {r['check']}")
    print(f"\n{'phase (clicks / keystrokes)':30}" + "".join(f"{FLOWS[r['flow']]:>12}" for r in results))
    for n, (name, *_) in enumerate(results[0]["phases"]):
        print(f"{name:30}" + "".join("{:>7} /{:>4}".format(*r["phases"][n][1:]) for r in results))
    if len(results) == 2:
        before, after = results
        assert before["lessons"] == after["lessons"], "the two days made different lessons"
        print(
            f"same {len(after['lessons'])} lessons, questions and media both ways; every format built both ways; "
            f"after/before: {after['clicks'] / before['clicks']:.0%} of the clicks, "
            f"{after['keys'] / before['keys']:.0%} of the keystrokes"
        )


if __name__ == "__main__":
    main()
