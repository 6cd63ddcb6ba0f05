"""The studio as the LRS of its own course, in headless Chromium: the owner makes a key on the records page (axe
at 320 px), and the sample course's real xAPI package, served from another origin as an LMS would, sends a
learner's statements and resume state to the studio, which stores them under a pseudonym."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from packager import export, load_course
from packager.export.xapi_core import Iris
from studio.authoring import library
from studio.db import session_for
from studio.models import LearningRecord, LrsDocument, Organisation
from tests.browser.conftest import axe_failures, course_data, sign_in
from tests.browser.test_scorm import visit_lessons
from tests.conftest import SAMPLE
from tests.studio.live import live_studio

pytestmark = pytest.mark.browser


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def wait_for(app, probe, timeout: float = 20):
    """What *probe* (given a session) finds, once it finds something; fails at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        session = session_for(app)
        try:
            found = probe(session)
        finally:
            session.close()
        if found:
            return found
        assert time.monotonic() < deadline, "the studio's LRS did not get it in time"
        time.sleep(0.1)


def test_the_xapi_package_reports_to_the_studio_lrs(browser, tmp_path):
    course = load_course(SAMPLE, use_cache=False)
    with zipfile.ZipFile(export(course, "xapi", tmp_path / "zip")) as z:
        z.extractall(tmp_path / "pkg")
    lms = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(tmp_path / "pkg")))
    threading.Thread(target=lms.serve_forever, daemon=True).start()
    with live_studio(tmp_path) as (base, app):
        with app.app_context():
            session = session_for(app)
            inst = session.scalars(select(Organisation).where(Organisation.slug == "inst")).one()
            slug = library.adopt(session, inst, SAMPLE).slug
            session.commit()
            session.close()

        # the owner makes a key on the records page, which passes axe on a phone's width
        owner = browser.new_context(viewport={"width": 320, "height": 800}, bypass_csp=True)
        page = sign_in(owner, base, "admin@inst.example")
        page.goto(f"{base}/o/inst/c/{slug}/records")
        page.get_by_label("Label (which LMS uses it)").fill("Moodle of the institute")
        page.get_by_role("button", name="Make a key").click()
        shown = page.locator(".flash.info", has_text="New key").inner_text()
        key, secret = re.search(
            r"New key: (\S+)\s+Secret \(shown only now: copy it to the LMS\): (\S+)", shown
        ).groups()
        assert axe_failures(page, "records @320") == []
        owner.close()

        # a learner launched by the LMS: the package on the LMS's origin, the studio as its LRS
        registration = str(uuid.uuid4())
        query = {
            "endpoint": base + "/xapi/",
            "auth": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode(),
            "actor": json.dumps({"objectType": "Agent", "name": "Meena", "mbox": "mailto:meena@example.gov.in"}),
            "registration": registration,
            "activity_id": Iris.of(course).base,
        }
        learner = browser.new_context()
        player = learner.new_page()
        player.goto(f"http://127.0.0.1:{lms.server_address[1]}/index.html?{urlencode(query)}")
        player.locator("#ks-home:not([hidden]) h1, article h1").first.wait_for()
        data = course_data(tmp_path / "pkg")
        visit_lessons(player, data, upto=2)
        documents = wait_for(app, lambda s: s.scalars(select(LrsDocument)).all())  # the resume state is saved
        player.goto("about:blank")  # the learner leaves: terminated goes out with what is queued
        of_this = select(LearningRecord).where(LearningRecord.registration == registration)
        rows = wait_for(app, lambda s: (r := s.scalars(of_this).all()) and any(x.verb == "terminated" for x in r) and r)
        learner.close()
    lms.shutdown()
    verbs = [r.verb for r in sorted(rows, key=lambda r: r.timestamp)]
    assert verbs[0] == "initialized" and verbs[-1] == "terminated" and verbs.count("experienced") >= 2, verbs
    assert {r.source for r in rows} == {"studio-lrs"} and len({r.learner for r in rows}) == 1
    assert "meena" not in json.dumps([r.statement for r in rows]).lower()
    assert [d.state_id for d in documents] == ["karmayogi-studio.progress"]  # the resume state, kept
