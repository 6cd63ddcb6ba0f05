"""The SCORM packages of the sample course, run in headless Chromium inside a test LMS.

The LMS side is the ``scorm-again`` npm package (commits go to a test server that keeps them, as an LMS's
database would) or, for ``igot``, an emulation of iGOT Karmayogi's SCORM 1.2 adapter with its quirks
(``lms/igot-adapter.js``). Every test asserts what the LMS holds, not what the course thinks it sent.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from packager import export, load_course
from tests.browser.conftest import answer, answer_keys, course_data
from tests.conftest import ROOT, SAMPLE

pytestmark = pytest.mark.browser

LMS = Path(__file__).parent / "lms"
VENDOR = ROOT / "node_modules" / "scorm-again" / "dist" / "scorm-again.min.js"
S12, S2004 = "scorm12", "scorm2004"
COMMIT_BUDGET = 32_000
"""Bytes a commit may carry: half the 64 KB a closing page may send (beacon, keepalive), for LMSs that re-send
every element on each commit, as Moodle does. The test LMS refuses (413) and records any commit over it."""


@dataclass
class Server:
    root: Path
    url: str = ""
    commits: dict[str, list[dict]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    """Session -> how many commits to refuse before accepting again (an LMS having trouble)."""
    sizes: dict[str, list[int]] = field(default_factory=dict)
    """Session -> the size in bytes of every commit that arrived."""

    def saved(self, session: str) -> dict:
        """What the LMS keeps for *session*: the data of its last successful commit."""
        return self.commits[session][-1] if self.commits.get(session) else {}


@pytest.fixture(scope="session")
def lms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("lms")
    shutil.copytree(LMS, root / "lms")
    (root / "vendor").mkdir()
    shutil.copy(VENDOR, root / "vendor" / VENDOR.name)
    course = load_course(SAMPLE, use_cache=False)
    for fmt in (S12, S2004, "igot"):
        package = export(course, fmt, root / "zips")
        with zipfile.ZipFile(package) as z:
            z.extractall(root / "pkg" / fmt)
    server = Server(root)

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):  # quiet
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            session = self.path.rsplit("/", 1)[-1]
            server.sizes.setdefault(session, []).append(len(body))
            if len(body) > COMMIT_BUDGET:
                self.send_response(413)
                self.end_headers()
                return
            if server.failures.get(session, 0) > 0:
                server.failures[session] -= 1
                self.send_response(503)
                self.end_headers()
                return
            server.commits.setdefault(session, []).append(json.loads(body or b"{}"))
            reply = b'{"result": true, "errorCode": 0}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    httpd.shutdown()


@pytest.fixture(scope="session")
def sample(lms: Server) -> tuple[dict, dict]:
    site = lms.root / "pkg" / S12
    return course_data(site), answer_keys(site)


def launch(
    browser, lms: Server, fmt: str, session: str, saved: dict | None = None, context=None
) -> tuple[Page, object]:
    """Open the LMS page with the *fmt* package in its frame (in *context*: the same browser profile, else a
    fresh one); returns the page and the course frame."""
    context = context or browser.new_context()
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and print("console:", m.text))
    if saved is not None:
        page.add_init_script(f"window.LMS_SAVED = {json.dumps(saved)};")
    api = "igot" if fmt == "igot" else fmt
    page.goto(f"{lms.url}/lms/lms.html?api={api}&session={session}&pkg=/pkg/{fmt}/index.html")
    frame = page.frame_locator("#sco")
    frame.locator("#ks-home:not([hidden]) h1, article h1").first.wait_for()
    return page, frame


def leave(page: Page) -> None:
    """The learner closes the course: the LMS removes the course's frame (pagehide fires in it)."""
    page.evaluate("document.getElementById('sco').remove()")


def visit_lessons(frame, course: dict, upto: int | None = None) -> None:
    lessons = course["lessons"][: upto if upto is not None else len(course["lessons"])]
    frame.locator(f'#ks-toc a[data-lesson="{lessons[0]["id"]}"]').dispatch_event("click")
    for n, lesson in enumerate(lessons):
        frame.locator(f'article[data-lesson="{lesson["id"]}"]').wait_for()
        if n + 1 < len(lessons):
            frame.get_by_role("link", name="Next", exact=True).click()


def take_final_quiz(frame, course: dict, keys: dict, right: bool) -> dict:
    final = next(q for q in course["quizzes"] if q["graded"])
    frame.locator(f'#ks-toc a[data-lesson="{final["lesson"]}"]').dispatch_event("click")
    quiz = frame.locator(f'section.ks-quiz[data-quiz="{final["id"]}"]')
    quiz.wait_for()
    forms = quiz.locator("form.ks-q")
    for i in range(forms.count()):
        form = forms.nth(i)
        answer(form, keys[form.get_attribute("data-q")], right=right)
        expect(form.locator(".ks-feedback")).not_to_be_empty()
    expect(quiz.locator(".ks-quiz-result .ks-score")).to_be_visible()
    return final


def interactions(data: dict, prefix: str = "cmi.interactions.") -> list[dict]:
    out: dict[int, dict] = {}
    for key, value in data.items():
        if key.startswith(prefix) and not key.endswith("_count"):
            n, rest = key[len(prefix) :].split(".", 1)
            out.setdefault(int(n), {})[rest] = value
    return [out[n] for n in sorted(out)]


def assert_suspend_fits(data: dict) -> None:
    saved = data["cmi.suspend_data"]  # something was saved, in the runtime's packed format, within the limit
    assert saved.startswith("K1|") and len(saved) <= 4096


# ---- SCORM 1.2 and 2004 with scorm-again ------------------------------------------------------------


@pytest.mark.parametrize("fmt", [S12, S2004])
def test_learner_completes_and_passes(browser, lms, sample, fmt):
    course, keys = sample
    session = f"pass-{fmt}"
    page, frame = launch(browser, lms, fmt, session)
    visit_lessons(frame, course)
    final = take_final_quiz(frame, course, keys, right=True)
    leave(page)
    data = lms.saved(session)
    assert_suspend_fits(data)
    records = interactions(data)
    assert len(records) == final["draw"]
    for record in records:
        assert record["id"] in keys
        assert record["result"] == "correct"
        assert record["type"] in ("choice", "fill-in", "sequencing", "matching")
        assert record["correct_responses.0.pattern"]
    if fmt == S12:
        assert data["cmi.core.lesson_status"] == "passed"
        assert data["cmi.core.score.raw"] == "100"
        assert (data["cmi.core.score.min"], data["cmi.core.score.max"]) == ("0", "100")
        assert data["cmi.core.exit"] == ""
        assert data["cmi.core.session_time"] not in ("", "00:00:00")
        for record in records:
            assert record["student_response"] and len(record["student_response"]) <= 255
    else:
        assert data["cmi.completion_status"] == "completed"
        assert data["cmi.success_status"] == "passed"
        assert data["cmi.score.scaled"] == "1"
        assert data["cmi.progress_measure"] == "1"
        assert data["cmi.exit"] == "normal"
        assert data["cmi.session_time"].startswith("PT")
        for record in records:
            assert (
                record["learner_response"] == record["correct_responses.0.pattern"].removeprefix("{case_matters=false}")
                or record["type"] == "fill-in"
            )
    page.context.close()


@pytest.mark.parametrize("fmt", [S12, S2004])
def test_learner_fails_the_final_quiz(browser, lms, sample, fmt):
    course, keys = sample
    session = f"fail-{fmt}"
    page, frame = launch(browser, lms, fmt, session)
    visit_lessons(frame, course)
    take_final_quiz(frame, course, keys, right=False)
    leave(page)
    data = lms.saved(session)
    assert_suspend_fits(data)
    assert all(r["result"] in ("wrong", "incorrect") for r in interactions(data))
    if fmt == S12:
        assert data["cmi.core.lesson_status"] == "failed"
        assert data["cmi.core.score.raw"] == "0"
        assert data["cmi.core.exit"] == "suspend"
    else:
        assert data["cmi.completion_status"] == "completed"
        assert data["cmi.success_status"] == "failed"
        assert data["cmi.score.scaled"] == "0"
        assert data["cmi.exit"] == "suspend"
    page.context.close()


@pytest.mark.parametrize("fmt", [S12, S2004])
def test_learner_leaves_halfway_and_resumes_exactly(browser, lms, sample, fmt):
    course, keys = sample
    session = f"resume-{fmt}"
    page, frame = launch(browser, lms, fmt, session)
    visit_lessons(frame, course, upto=6)
    # an ungraded check answered, and a reflection written, on the way
    check = next(q for q in course["quizzes"] if not q["graded"])
    frame.locator(f'#ks-toc a[data-lesson="{check["lesson"]}"]').dispatch_event("click")
    form = frame.locator("section.ks-quiz[data-graded=false] form.ks-q").first
    answer(form, keys[form.get_attribute("data-q")], right=True)
    reflection_lesson = next(
        lesson["id"] for lesson in course["lessons"] if _has_reflection(lms.root / "pkg" / fmt, lesson["file"])
    )
    frame.locator(f'#ks-toc a[data-lesson="{reflection_lesson}"]').dispatch_event("click")
    text = "मैं हर शिकायत का उत्तर सात दिन में दूँगा — I will reply within seven days."
    frame.locator(".ks-reflection textarea").first.fill(text)
    where = next(lesson["id"] for lesson in course["lessons"][3:] if lesson["id"] != reflection_lesson)
    frame.locator(f'#ks-toc a[data-lesson="{where}"]').dispatch_event("click")
    frame.locator(f'article[data-lesson="{where}"]').wait_for()
    before = frame.locator("body").evaluate("() => KS.state()")
    leave(page)
    page.context.close()

    data = lms.saved(session)
    assert_suspend_fits(data)
    status = data["cmi.core.lesson_status"] if fmt == S12 else data["cmi.completion_status"]
    assert status == "incomplete"
    assert data["cmi.core.exit" if fmt == S12 else "cmi.exit"] == "suspend"
    assert data["cmi.core.lesson_location" if fmt == S12 else "cmi.location"] == where

    # Relaunch in a fresh browser profile (no local copy): everything comes from the LMS.
    page, frame = launch(browser, lms, fmt, session + "-2", saved=data)
    frame.locator(f'article[data-lesson="{where}"]').wait_for()
    after = frame.locator("body").evaluate("() => KS.state()")
    for key in ("seed", "current", "visited", "quizzes", "reflections"):
        assert after[key] == before[key], key
    frame.locator(f'#ks-toc a[data-lesson="{reflection_lesson}"]').dispatch_event("click")
    expect(frame.locator(".ks-reflection textarea").first).to_have_value(text)
    page.context.close()


def _has_reflection(site: Path, file: str) -> bool:
    return "ks-reflection" in (site / file).read_text("utf-8")


def test_lms_trouble_is_told_and_retried_and_nothing_is_lost(browser, lms, sample):
    course, _ = sample
    session = "trouble"
    lms.failures[session] = 2
    page, frame = launch(browser, lms, S12, session)
    frame.get_by_role("link", name="Start", exact=True).click()
    expect(frame.locator(".ks-notice")).to_contain_text("could not be saved")
    frame.get_by_role("link", name="Next", exact=True).click()
    expect(frame.locator(".ks-notice")).to_have_count(0, timeout=15000)  # a retry got through
    data = lms.saved(session)
    assert data["cmi.core.lesson_location"] == course["lessons"][1]["id"]
    page.context.close()


def test_without_an_lms_the_course_works_and_says_so(browser, lms, sample):
    course, _ = sample
    page = browser.new_page()
    page.goto(f"{lms.url}/pkg/{S2004}/index.html")
    expect(page.locator(".ks-notice")).to_contain_text("could not connect to your learning platform")
    page.get_by_role("link", name="Start", exact=True).click()
    page.locator(f'article[data-lesson="{course["lessons"][0]["id"]}"]').wait_for()
    page.reload()
    expect(page.locator(".ks-start")).to_have_text("Continue")  # progress kept on this device
    page.close()


# ---- iGOT: an emulation of its SCORM 1.2 adapter ------------------------------------------------------


def test_igot_completes_keeps_progress_and_resumes(browser, lms, sample):
    course, keys = sample
    page, frame = launch(browser, lms, "igot", "igot")
    visit_lessons(frame, course, upto=5)
    where = course["lessons"][4]["id"]
    before = frame.locator("body").evaluate("() => KS.state()")
    leave(page)
    igot = page.evaluate("window.IGOT")
    assert "LMSFinish" not in igot["calls"]  # it would delete the record
    record = igot["browser"]
    assert record["cmi.core.lesson_status"] == "incomplete"
    assert record["cmi.core.exit"] == "suspend"
    assert_suspend_fits(record)
    page.context.close()

    # Relaunch: iGOT restores only exit, status, session time and suspend_data, and never says "resume".
    page, frame = launch(browser, lms, "igot", "igot-2", saved=record)
    frame.locator(f'article[data-lesson="{where}"]').wait_for()
    after = frame.locator("body").evaluate("() => KS.state()")
    assert after["visited"] == before["visited"] and after["current"] == where
    expect(frame.locator(".ks-notice")).to_have_count(0)  # LMSCommit's false is not a failure there
    visit_lessons(frame, course)
    take_final_quiz(frame, course, keys, right=True)
    igot = page.evaluate("window.IGOT")
    assert igot["server"]["cmi.core.lesson_status"] == "passed"  # sent to iGOT's server by LMSCommit
    assert igot["server"]["cmi.core.score.raw"] == "100"
    page.context.close()


# ---- suspend_data stays within SCORM 1.2's limit ---------------------------------------------------------


def test_suspend_data_of_a_big_course_fits_in_4096_characters(browser, tmp_path):
    """200 questions and 50 reflections of 300 characters: reflections are cut, nothing else is lost."""
    from tests.test_export_scorm import big_course

    root = big_course(tmp_path / "big", questions=200, reflections=50)
    package = export(load_course(root, use_cache=False), S12, tmp_path / "out")
    site = tmp_path / "site"
    with zipfile.ZipFile(package) as z:
        z.extractall(site)
    course = course_data(site)
    page = browser.new_page()
    page.goto((site / "index.html").as_uri())
    page.wait_for_function("window.KS && KS.scorm && KS.state()")
    result = page.evaluate(
        """course => {
        const progress = {seed: 123456789, saves: 42, current: course.lessons[3].id,
          visited: course.lessons.map(l => l.id), quizzes: {}, reflections: {}};
        course.quizzes.forEach((q, qi) => {
          const z = progress.quizzes[q.id] = {attempt: 2, answers: {}, best: [3, 5]};
          q.questions.forEach((x, i) => {
            const v = {single: "o2", multiple: ["o1", "o3"], fill: "answer " + i, order: {i1: "2", i2: "1", i3: "3"},
                       match: {l1: "r2", l2: "r1"}}[x.kind];
            z.answers[x.id] = [v, i % 2];
          });
        });
        course.reflections.forEach((id, i) => {
          progress.reflections[id] = ("विचार " + i + " ").repeat(40).slice(0, 300);
        });
        const text = KS.scorm.encode(progress, 4096), back = KS.scorm.decode(text);
        return {length: text.length, progress, back};
    }""",
        course,
    )
    assert len(course["reflections"]) == 50
    assert sum(len(q["questions"]) for q in course["quizzes"]) == 200
    assert result["length"] <= 4096
    state, back = result["progress"], result["back"]
    for key in ("seed", "saves", "current", "visited", "quizzes"):
        assert back[key] == state[key], key
    for rid, text in state["reflections"].items():
        kept = back["reflections"].get(rid, "")
        assert text.startswith(kept) and len(kept) >= 20  # every reflection keeps its beginning
    page.close()


# ---- real numbers are written rounded ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [S12, S2004])
def test_scores_are_written_rounded(browser, lms, sample, fmt):
    """2 points of 9 is 22.22 %: Moodle stored 0.22219999999999998 as cmi.score.scaled; real(10,7) wants 0.2222."""
    course, _ = sample
    session = f"round-{fmt}"
    page, frame = launch(browser, lms, fmt, session)
    final = next(q for q in course["quizzes"] if q["graded"])
    frame.locator("body").evaluate("(b, id) => { KS.state().quizzes[id] = {best: [2, 9], answers: {}}; }", final["id"])
    frame.get_by_role("link", name="Start", exact=True).click()  # a save: the tracker writes the score
    frame.locator(f'article[data-lesson="{course["lessons"][0]["id"]}"]').wait_for()
    leave(page)
    data = lms.saved(session)
    raw = data["cmi.core.score.raw" if fmt == S12 else "cmi.score.raw"]
    assert raw == "22.22"
    if fmt == S2004:
        assert data["cmi.score.scaled"] == "0.2222"
    page.context.close()


# ---- a reflection is saved as it is typed, not at unload -----------------------------------------------------


@pytest.mark.parametrize("fmt", ["igot", S12, S2004])
def test_a_reflection_reaches_the_lms_as_it_is_typed(browser, lms, sample, fmt):
    """iGOT's player sends its exit record before the course unloads: text that reaches suspend_data only at
    unload is lost there. What is typed reaches the LMS after a pause in typing, and at once when the learner
    clicks outside the course (the LMS's own Back button), before the LMS acts on that click."""
    course, _ = sample
    session = f"typed-{fmt}"
    page, frame = launch(browser, lms, fmt, session)
    site = lms.root / "pkg" / fmt
    lesson = next(lesson["id"] for lesson in course["lessons"] if _has_reflection(site, lesson["file"]))
    frame.locator(f'#ks-toc a[data-lesson="{lesson}"]').dispatch_event("click")
    boxes = frame.locator(".ks-reflection textarea")

    def held() -> str:  # the record the LMS would keep if the learner left now
        if fmt == "igot":
            return page.evaluate("() => window.IGOT.browser['cmi.suspend_data'] || ''")
        return lms.saved(session).get("cmi.suspend_data", "")

    boxes.first.press_sequentially("मैं कल से शुरू करूँगा first", delay=20)  # then a pause: the debounce saves it
    deadline = time.monotonic() + 10
    while "first" not in held():
        assert time.monotonic() < deadline, "a reflection was not saved within 10 s of the last keystroke"
        time.sleep(0.1)
    boxes.first.press_sequentially(" and then leave", delay=20)
    page.get_by_role("button", name="Back to the LMS").click()  # no pause: focus leaves the course
    assert "leave" in held()
    page.context.close()


# ---- long reflections: every commit within budget, nothing silently lost ---------------------------------------

HINDI = "मैं अपने कार्यालय में हर नागरिक की शिकायत सात दिन के भीतर सुलझाऊँगा और उसे लिखित उत्तर दूँगा। "


@pytest.mark.parametrize("fmt", [S12, S2004, "igot"])
def test_three_long_hindi_reflections_close_within_budget_and_come_back(browser, lms, sample, fmt):
    """Three 8,000-character Hindi reflections made a 63.6 KB suspend_data in Moodle, whose close-time beacon the
    browser refused: nothing written at close arrived. suspend_data is budgeted in bytes, every commit (the one
    made by Terminate/LMSFinish through sendBeacon too) stays within COMMIT_BUDGET, the learner is told what the
    LMS keeps, the whole text comes back on this device and the progress and each beginning on any other."""
    course, keys = sample
    session = f"long-{fmt}"
    page, frame = launch(browser, lms, fmt, session)
    context = page.context
    site = lms.root / "pkg" / fmt
    visit_lessons(frame, course, upto=4)
    for n, lesson in enumerate(lesson["id"] for lesson in course["lessons"] if _has_reflection(site, lesson["file"])):
        frame.locator(f'#ks-toc a[data-lesson="{lesson}"]').dispatch_event("click")
        frame.locator(f'article[data-lesson="{lesson}"]').wait_for()
        frame.locator(".ks-reflection textarea").first.fill((f"{n + 1}. " + HINDI * 100)[:8000])
        expect(frame.locator(".ks-reflection .ks-saved").first).to_have_text("Saved")
        expect(frame.locator(".ks-reflection .ks-limit").first).to_contain_text("keeps only the first")
    take_final_quiz(frame, course, keys, right=True)
    before = frame.locator("body").evaluate("() => KS.state()")
    assert len(before["reflections"]) == 3 and all(len(text) == 8000 for text in before["reflections"].values())
    leave(page)

    if fmt == "igot":
        data = page.evaluate("window.IGOT.browser")
    else:
        data = lms.saved(session)
        assert max(lms.sizes[session]) <= COMMIT_BUDGET, lms.sizes[session]
        assert page.evaluate("window.LMS_FINISHED") == "true"  # the close-time commit (a beacon) arrived
        assert data["cmi.session_time" if fmt == S2004 else "cmi.core.session_time"] not in ("", "00:00:00")
    suspend = data["cmi.suspend_data"]
    assert len(suspend) <= (64000 if fmt == S2004 else 4096) and len(suspend.encode()) <= 12000

    # the same device: everything, the reflections whole
    page, frame = launch(browser, lms, fmt, session + "-again", saved=data, context=context)
    after = frame.locator("body").evaluate("() => KS.state()")
    for key in ("visited", "quizzes", "reflections"):
        assert after[key] == before[key], key
    context.close()

    # another device: the progress from the LMS, and each reflection's beginning, with the learner told
    page, frame = launch(browser, lms, fmt, session + "-elsewhere", saved=data)
    after = frame.locator("body").evaluate("() => KS.state()")
    assert after["visited"] == before["visited"]
    for quiz, z in before["quizzes"].items():  # suspend_data keeps which questions were drawn, not their order
        drawn = sorted(after["quizzes"][quiz]["drawn"])
        assert {**after["quizzes"][quiz], "drawn": drawn} == {**z, "drawn": sorted(z["drawn"])}
    for rid, text in before["reflections"].items():
        assert text.startswith(after["reflections"][rid]) and len(after["reflections"][rid]) >= 500, rid
    lesson = next(lesson["id"] for lesson in course["lessons"] if _has_reflection(site, lesson["file"]))
    frame.locator(f'#ks-toc a[data-lesson="{lesson}"]').dispatch_event("click")
    expect(frame.locator(".ks-reflection .ks-limit").first).to_contain_text("keeps only the first")
    page.context.close()


def test_three_long_hindi_reflections_come_back_in_the_html_package(browser, sample_site):
    """Without an LMS the browser's copy is the record: three 8,000-character Hindi reflections are kept whole."""
    course = course_data(sample_site)
    page = browser.new_context().new_page()
    page.goto((sample_site / "index.html").as_uri())
    page.locator("#ks-home h1").wait_for()
    lessons = [lesson["id"] for lesson in course["lessons"] if _has_reflection(sample_site, lesson["file"])]
    texts = []
    for n, lesson in enumerate(lessons):
        page.locator(f'#ks-toc a[data-lesson="{lesson}"]').dispatch_event("click")
        page.locator(f'article[data-lesson="{lesson}"]').wait_for()
        texts.append((f"{n + 1}. " + HINDI * 100)[:8000])
        page.locator(".ks-reflection textarea").first.fill(texts[-1])
    page.get_by_role("link", name="Next", exact=True).click()  # moving on saves what was typed
    page.reload()
    page.locator("#ks-home:not([hidden]) h1, article h1").first.wait_for()
    assert sorted(page.evaluate("() => Object.values(KS.state().reflections)")) == texts
    expect(page.locator(".ks-limit")).to_have_count(0)  # nothing cut: no LMS
    page.context.close()
