"""A GET (or HEAD) never writes: no row inserted, changed or deleted, no file under the data folder (the
course folders, the builds, the job queue, the locks) created, changed or removed.

The walk: every GET route of the studio, as a member of each role (author, translator, reviewer...) of an
organisation that runs the catalogue too, on the sample course with a build, a question and a submission in review;
then every link and frame those pages show, the content origin's players included. Before it, a lesson
and the Hindi catalog are changed on disk, as a text editor or ``git pull`` would: what the GETs of the
editor and the translator's workspace used to record.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import polib
import pytest
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import event, select

from studio.db import session_for
from studio.jobs.queue import builds_dir
from studio.models import ROLES, Job, Organisation, SegmentComment, Submission
from studio.preview import content
from tests.studio.conftest import CONTENT
from tests.studio.test_translate import SAMPLE

COURSE = "karmayogi-prarambh"
LESSON = "lessons/01-getting-started/02-roles-and-competencies.md"
VALUES = {
    "org": "inst",
    "course": COURSE,
    "path": LESSON,
    "lesson_id": LESSON.removesuffix(".md"),
    "lang": "hi",
    "fmt": "po",
    "filename": "studio.css",
    "job_id": "1",
    "name": "p.zip",
    "sub": "1",
    "provider": "inst",
    "course_id": COURSE,
}
SPECIAL = {
    "preview.file": {"path": "course.js"},
    "translate.player_files": {"path": "course.js"},
    "review.player": {"lang": "en"},
    "review.player_asset": {"lang": "en", "path": "course.js"},
    "translate.download": {"fmt": "xlf"},  # .po: by the link on the workspace page
    "courses.import_job": {"job_id": "2"},  # the finished import of studio_state
    "courses.import_status": {"job_id": "2"},
}
QUERY = {"editor.diff": "?a=1&b=2", "translate.memory": "?id={segment}", "translate.comments": "?id={segment}"}
QUERY["api.blocks"] = f"?path={LESSON}"  # the block editor's lesson: the one changed on disk below
NOT_PUBLISHED = {  # the public catalogue shows published courses only: a fresh studio has none (404 is the answer)
    "catalog.course",
    "catalog.metadata",
    "catalog.thumbnail",
    "catalog.download",
    "catalog_api.api_course",
}
OWN_CREDENTIALS = {
    "lrs.statements",
    "lrs.state",
    "lrs.agent_profile",
    "lrs.agents",
}  # the studio's LRS answers its courses' keys only (test_analytics_records)
# What a GET may still leave behind, each with its reason:
CACHES = ("catalogue/work/",)  # a frozen submission unpacked once for its player, in a folder named by its
# digest: every process writes the same bytes (marketplace/submissions.py)
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "MERGE", "TRUNCATE")


@pytest.fixture
def studio_state(app: Any) -> dict[str, str]:
    """The sample course adopted by 'inst' (which runs the catalogue too), a finished build, an open
    question, a submission in review; then a lesson and the Hindi catalog changed on disk."""
    from packager import load_course
    from packager.marketplace import freeze
    from studio.authoring import library
    from studio.marketplace.submissions import store

    session = session_for(app)
    with app.test_request_context():
        inst = session.scalar(select(Organisation).where(Organisation.slug == "inst"))
        inst.is_catalogue = True
        course = library.adopt(session, inst, SAMPLE)
        job = Job(course_id=course.id, kind="build", status="done", result={"files": [{"name": "p.zip", "bytes": 2}]})
        session.add(job)
        session.commit()
        assert job.id == 1
        result = {"course": COURSE, "title": "Karmayogi Prarambh", "report": "import-report.md", "counts": {}}
        imported = Job(kind="import", status="done", params={"org": inst.id, "filename": "a.docx"}, result=result)
        session.add(imported)
        session.commit()
        assert imported.id == 2
        builds_dir(app, 1).mkdir(parents=True)
        (builds_dir(app, 1) / "p.zip").write_bytes(b"PK")
        folder = Path(app.config["COURSES_ROOT"]) / "inst" / COURSE
        po = polib.pofile(str(folder / "translations/hi.po"))
        entry = next(e for e in po if e.msgstr and not e.obsolete)
        session.add(SegmentComment(course_id=course.id, lang="hi", segment_id=entry.msgctxt, body="Which word?"))
        snap = freeze(load_course(folder), store(app))
        sub = Submission(
            course_id=course.id,
            catalogue_id=inst.id,
            state="in_review",
            langs=["en"],
            snapshot=snap.folder.relative_to(store(app)).as_posix(),
            digest=snap.digest,
        )
        session.add(sub)
        session.commit()
        assert sub.id == 1
    session.close()
    entry.msgstr = "डिस्क पर बदला"  # changed outside the studio: the catalog ...
    po.save()
    lesson = folder / LESSON
    lesson.write_text(lesson.read_text("utf-8") + "\nA paragraph added in a text editor.\n", "utf-8")  # ... a lesson
    return {"segment": entry.msgctxt}


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    # SQLite's "-shm" file is the WAL's shared-memory index, which readers update too (their read marks):
    # not data; a write shows in the statements recorded and in the "-wal" file
    return {
        str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in root.rglob("*")
        if p.is_file() and not p.name.endswith("-shm")
    }


def links(page: str, base: str) -> list[str]:
    """The GET addresses a page shows: links, frames, images, scripts, stylesheets (forms post)."""
    found = re.findall(r'(?:href|src)="([^"#]+)', page)
    return [urljoin(base, address.replace("&amp;", "&")) for address in found]


def _content_key(app: Any, address: str) -> tuple[Any, ...] | None:
    """What a content-origin address serves, whoever asks: its grant without the person (who, which session,
    which studio) and the path. None for another address."""
    parts = urlsplit(address)
    if parts.netloc != urlsplit(CONTENT).netloc or not parts.path.startswith("/t/"):
        return None
    token, _, path = parts.path[3:].partition("/")
    try:
        claims = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=content.SALT).loads(token)
    except BadSignature:
        return None
    return (tuple(sorted((k, str(v)) for k, v in claims.items() if k not in ("u", "x", "s"))), path, parts.query)


def walk(
    who: Any, start: list[str], answered: dict[str, set[int]], app: Any, asking: list[str], served: set[Any]
) -> None:
    """GET and HEAD each address of *start* and every studio or content address reached from them
    (*asking* holds the address being asked, to name it beside a write). A content file another person's
    walk already asked for (*served*, the same grant and path) is not asked again: the content origin
    serves it alike to everyone its grant admits, and asking each file once per role doubled the walk."""
    queue, seen = deque(start), set(start)
    while queue:
        address = queue.popleft()
        key = _content_key(app, address)
        if key is not None:
            if key in served:
                continue
            served.add(key)
        asking[:] = [address]
        response = who.client.get(address)
        head = who.client.head(address)
        answered.setdefault(_endpoint(app, address), set()).update({response.status_code, head.status_code})
        follow = [urljoin(_absolute(address), response.headers["Location"])] if "Location" in response.headers else []
        if response.mimetype == "text/html":
            follow += links(response.get_data(as_text=True), _absolute(address))
        for found in follow:
            if urlsplit(found).netloc in ("localhost", urlsplit(CONTENT).netloc) and found not in seen:
                seen.add(found)
                queue.append(found)
        assert len(seen) < 3000, "the walk does not end"


def _absolute(address: str) -> str:
    return address if urlsplit(address).netloc else "http://localhost" + address


def _endpoint(app: Any, address: str) -> str:
    parts = urlsplit(address)
    if parts.netloc == urlsplit(CONTENT).netloc:
        return "content"
    try:
        return app.url_map.bind("localhost").match(parts.path, method="GET")[0]
    except Exception:  # an address no route answers: the walk still asked it
        return "(none)"


def test_no_get_or_head_writes_a_row_or_a_file(app, studio_state, person, monkeypatch):
    # A signed-in request notes its session's use at most every SESSION_TOUCH_SECONDS (5 minutes; in a
    # transaction of its own, so that unused sessions end): the one write by design. On a loaded machine
    # this walk outlasts 5 minutes, so the test puts it out of reach rather than meet it by chance.
    monkeypatch.setitem(app.config, "SESSION_TOUCH_SECONDS", 24 * 3600)
    people = [person(f"{role}@inst.example") for role in ROLES]
    data = Path(app.config["DATA_DIR"])
    before = snapshot(data)
    writes: list[tuple[str, str]] = []
    asking = [""]

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().split(None, 1)[0].upper() in WRITES:
            writes.append((asking[0], statement.split("\n", 1)[0][:120]))

    engine = app.extensions["studio.engine"]
    event.listen(engine, "before_cursor_execute", record)
    answered: dict[str, set[int]] = {}
    try:
        start = [route(rule, studio_state) for rule in app.url_map.iter_rules() if "GET" in rule.methods]
        served: set[Any] = set()
        for who in people:
            walk(who, [*start, f"/o/inst/c/{COURSE}/history/translations/hi.po"], answered, app, asking, served)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert writes == []
    after = snapshot(data)
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    assert {name for name in changed if not name.startswith(CACHES)} == set()
    # the walk reached every route, and each one that can answer did, to someone (a page or a redirect)
    missing = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods} - set(answered)
    assert missing == set()
    silent = {e for e, codes in answered.items() if min(codes) >= 400} - NOT_PUBLISHED - OWN_CREDENTIALS - {"(none)"}
    assert silent == set(), {e: answered[e] for e in silent}
    assert "content" in answered and 200 in answered["content"]


def route(rule: Any, state: dict[str, str]) -> str:
    values = {**VALUES, **SPECIAL.get(rule.endpoint, {})}
    path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values[m[1]], rule.rule)
    return path + QUERY.get(rule.endpoint, "").format(**state)
