"""Learning records in: storing statements (idempotent ids, pseudonymous learners), the studio as a small LRS,
pulling from an LRS (the real ralph), the LMS sheets, and the simulated learners (docs/analytics.md)."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from studio.analytics import records
from studio.db import session_for
from studio.models import CourseRecord, LearningRecord, Organisation
from tests.studio.conftest import adopt_sample

KEY = b"installation key of the tests"
EMAIL = "learner.one@example.gov.in"


@pytest.fixture(autouse=True)
def _in_app(app: Any) -> Any:
    with app.app_context():
        yield


def course_of(session: Any, org: str = "inst", slug: str = "c1") -> CourseRecord:
    return session.scalars(
        select(CourseRecord).join(Organisation).where(Organisation.slug == org, CourseRecord.slug == slug)
    ).one()


def statement(base: str, path: str, verb: str = "answered", **more: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "timestamp": "2026-11-02T10:15:30.250+05:30",
        "actor": {"objectType": "Agent", "name": "Learner One", "mbox": "mailto:" + EMAIL},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/" + verb, "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": f"{base}/{path}" if path else base},
        "context": {"language": "hi", "registration": str(uuid.uuid4())},
        **more,
    }


def test_statements_are_stored_once_normalised_and_pseudonymous(app):
    session = session_for(app)
    course = course_of(session)
    base = records.course_iri(course)
    target = records.Target(course.id, base, "studio-lrs", version="1.2.0")
    answer = statement(
        base,
        "question/quiz-1/q%202",
        result={"success": True, "response": "b", "duration": "PT1M2.5S", "score": {"raw": 1, "max": 2}},
        authority={"objectType": "Agent", "mbox": "mailto:lms-admin@example.org"},
    )
    answer["context"]["instructor"] = {"mbox": "mailto:teacher@example.org"}
    answer["context"]["team"] = {"objectType": "Group", "name": "Revenue dept", "member": [{"mbox": "mailto:" + EMAIL}]}
    lesson = statement(base, "lesson/01-welcome", "experienced")
    other = statement("urn:somebody-else:course", "lesson/x", "experienced")
    tally = records.store(session, target, [answer, lesson, other, {"id": "nope"}], KEY)
    session.commit()
    assert (tally.added, tally.duplicates, tally.elsewhere) == (2, 0, 1)
    assert tally.refused == ["statement 4: the statement has no id (a UUID)"]

    again = records.store(session, target, [answer, answer, lesson], KEY)  # the same ids: nothing new
    session.commit()
    assert (again.added, again.duplicates) == (0, 3)

    rows = {r.object_kind: r for r in session.scalars(select(LearningRecord))}
    assert set(rows) == {"question", "lesson"}
    q = rows["question"]
    assert (q.object_id, q.verb, q.success, q.score) == ("quiz-1/q 2", "answered", True, 0.5)
    assert (q.response, q.duration) == ("b", 62.5)
    assert (q.course_version, q.lang, q.org_unit, q.source) == ("1.2.0", "hi", "Revenue dept", "studio-lrs")
    assert q.timestamp.isoformat() == "2026-11-02T04:45:30.250000"  # naive UTC
    assert q.learner == rows["lesson"].learner == records.pseudonym(KEY, {"mbox": "MAILTO:" + EMAIL.upper()})
    assert q.statement["actor"] == records.pseudonymous_actor(q.learner)
    # nothing of the person anywhere: columns or stored statements
    for row in rows.values():
        text = json.dumps({c.name: str(getattr(row, c.name)) for c in LearningRecord.__table__.columns})
        assert "example" not in text.lower() and "learner one" not in text.lower() and "teacher" not in text
    session.close()


def test_a_statement_without_an_identified_actor_is_refused(app):
    session = session_for(app)
    course = course_of(session)
    target = records.Target(course.id, records.course_iri(course), "studio-lrs")
    bad = statement(target.base_iri, "lesson/01-welcome", actor={"name": "Only a name"})
    with pytest.raises(records.StatementError, match="statement 1: the actor has no mbox"):
        records.store(session, target, [bad], KEY, strict=True)
    session.close()


# the studio as a small LRS ----------------------------------------------------------------------------

XAPI = {"X-Experience-API-Version": "1.0.3"}


@pytest.fixture
def sample(app: Any) -> CourseRecord:
    """The sample course, adopted by 'inst' (its questions, lessons and reflections are the generator's)."""
    return adopt_sample(app)


def cohort(learners: int, seed: int = 7, **options: Any) -> Any:
    from packager import load_course
    from studio.analytics.generator import Cohort
    from tests.conftest import SAMPLE

    return Cohort(load_course(SAMPLE), learners, seed=seed, **options)


def credential(app: Any, course: CourseRecord, version: str = "") -> Any:
    from studio.analytics import lrs

    session = session_for(app)
    made = lrs.create_credential(session, session.get(CourseRecord, course.id), None, "LMS", version)
    session.commit()
    session.close()
    return made


def test_the_lrs_endpoint_takes_our_packages_statements_and_pages_them(app, sample):
    from tests.lrs import validate_statements

    client, made = app.test_client(), credential(app, sample, "1.0.0")
    auth = {**XAPI, "Authorization": made.authorization}
    statements = list(cohort(3).statements())
    first, rest = statements[0], statements[1:]

    assert client.get("/xapi/about").get_json() == {"version": ["1.0.3"]}
    assert client.post("/xapi/statements", json=rest).status_code == 400  # no version header
    refused = client.post("/xapi/statements", json=rest, headers=XAPI)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Basic")
    wrong = {**XAPI, "Authorization": made.authorization[:-4] + "AAA="}
    assert client.post("/xapi/statements", json=rest, headers=wrong).status_code == 401

    url = "/xapi/statements?statementId=" + first["id"]
    assert client.put(url, json=first, headers=auth).status_code == 204
    assert client.put(url, json=first, headers=auth).status_code == 204  # the same again: nothing new
    changed = {**first, "verb": {"id": "http://adlnet.gov/expapi/verbs/terminated"}}
    assert client.put(url, json=changed, headers=auth).status_code == 409
    posted = client.post("/xapi/statements", json=rest, headers=auth)
    assert posted.status_code == 200 and posted.get_json() == [st["id"] for st in rest]
    assert posted.headers["X-Experience-API-Version"] == "1.0.3"

    got = client.get(url, headers=auth).get_json()
    assert got["id"] == first["id"] and got["actor"]["account"]["homePage"] == records.PSEUDONYM_HOME
    assert got["authority"]["account"]["name"] == made.credential.key and "learner-0" not in json.dumps(got)

    pages, address = [], "/xapi/statements?limit=40&ascending=true"
    while address:
        answer = client.get(address, headers=auth)
        assert answer.status_code == 200 and answer.headers["X-Experience-API-Consistent-Through"]
        pages.append(answer.get_json()["statements"])
        address = answer.get_json()["more"]
    assert [len(p) for p in pages][:-1] == [40] * (len(pages) - 1) and len(pages) > 1
    assert [st["id"] for p in pages for st in p] == [first["id"]] + [st["id"] for st in rest]
    assert validate_statements([st for p in pages for st in p]) == {}

    newest = client.get("/xapi/statements?limit=1", headers=auth).get_json()["statements"]
    assert newest[0]["id"] == rest[-1]["id"]
    stored = got["stored"]
    later = client.get("/xapi/statements?since=" + stored, headers=auth).get_json()["statements"]
    assert {st["id"] for st in later} == {st["id"] for st in rest}  # stored after the first one
    answered = client.get("/xapi/statements?verb=http://adlnet.gov/expapi/verbs/answered", headers=auth)
    assert {st["verb"]["id"] for st in answered.get_json()["statements"]} == {"http://adlnet.gov/expapi/verbs/answered"}


def test_the_lrs_keeps_the_players_state_per_learner_and_registration(app, sample):
    from urllib.parse import urlencode

    from studio.models import LrsDocument

    client, made = app.test_client(), credential(app, sample)
    auth = {**XAPI, "Authorization": made.authorization}
    session = session_for(app)
    base = records.course_iri(session.get(CourseRecord, sample.id))
    session.close()
    agent = json.dumps({"objectType": "Agent", "mbox": "mailto:" + EMAIL})
    where = {"activityId": base + "/au", "agent": agent, "registration": str(uuid.uuid4())}
    url = "/xapi/activities/state?" + urlencode({**where, "stateId": "karmayogi-studio.progress"})
    assert client.get(url, headers=auth).status_code == 404
    assert client.put(url, json={"v": 1, "s": {"l": ["a"]}}, headers=auth).status_code == 204
    assert client.post(url, json={"d": {"completed": 1}}, headers=auth).status_code == 204  # merged
    assert client.get(url, headers=auth).get_json() == {"v": 1, "s": {"l": ["a"]}, "d": {"completed": 1}}
    other = "/xapi/activities/state?" + urlencode(
        {**where, "stateId": "karmayogi-studio.progress", "registration": str(uuid.uuid4())}
    )
    assert client.get(other, headers=auth).status_code == 404  # another attempt's state is its own
    listing = client.get("/xapi/activities/state?" + urlencode(where), headers=auth)
    assert listing.get_json() == ["karmayogi-studio.progress"]
    session = session_for(app)
    assert [d.agent for d in session.scalars(select(LrsDocument))] == [
        records.pseudonym(records.app_key(app), json.loads(agent))
    ]
    session.close()
    assert client.delete(url, headers=auth).status_code == 204
    assert client.get(url, headers=auth).status_code == 404
    elsewhere = "/xapi/activities/state?" + urlencode({**where, "activityId": "https://x.example/a", "stateId": "s"})
    assert client.put(elsewhere, json={}, headers=auth).status_code == 400
    assert client.put(url, data=b"x" * (300 * 1024), headers=auth).status_code == 413


def test_the_lrs_endpoint_refuses_clearly(app, sample):
    from studio.analytics import lrs

    client, made = app.test_client(), credential(app, sample)
    auth = {**XAPI, "Authorization": made.authorization}
    one = next(cohort(1).statements())
    cases = [
        (b"{not json", 400, "not JSON"),
        (json.dumps({**one, "object": {"id": "https://elsewhere.example/x"}}).encode(), 400, "not an activity of"),
        (json.dumps([one] * (lrs.MAX_BATCH + 1)).encode(), 413, "at most"),
        (b" " * (lrs.MAX_BYTES + 10), 413, "bytes"),
        (json.dumps([one, {**one, "result": {"success": False}}]).encode(), 409, "twice"),
    ]
    for body, status, why in cases:
        answer = client.post("/xapi/statements", data=body, headers={**auth, "Content-Type": "application/json"})
        assert (answer.status_code, why in answer.get_json()["error"]) == (status, True), answer.get_json()
    assert client.get("/xapi/statements?since=yesterday", headers=auth).status_code == 400
    assert client.get("/xapi/statements?agent=x", headers=auth).status_code == 400
    # a credential is its course's only: another course's statement ids are not found with it
    session = session_for(app)
    c1 = course_of(session)
    session.close()
    other = credential(app, c1)
    assert client.post("/xapi/statements", json=one, headers=auth).status_code == 200
    theirs = {**XAPI, "Authorization": other.authorization}
    assert client.get("/xapi/statements?statementId=" + one["id"], headers=theirs).status_code == 404
    session = session_for(app)
    lrs.revoke(session, session.get(CourseRecord, sample.id), made.credential.id)
    session.commit()
    session.close()
    assert client.get("/xapi/statements", headers=auth).status_code == 401


# pulling from an LRS: the real ralph -------------------------------------------------------------------


@pytest.fixture(scope="module")
def ralph(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.lrs import Ralph

    server = Ralph(tmp_path_factory.mktemp("ralph"))
    server.start()
    yield server
    server.stop()


def send_to(ralph: Any, statements: list[dict[str, Any]]) -> None:
    import urllib.request

    for start in range(0, len(statements), 200):
        body = json.dumps(statements[start : start + 200]).encode()
        headers = {**XAPI, "Authorization": ralph.auth, "Content-Type": "application/json"}
        request = urllib.request.Request(ralph.url + "/xAPI/statements", data=body, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200


def pull_job(app: Any, course: CourseRecord, source_id: int) -> dict[str, Any]:
    """Run the ``lrs-pull`` job as a worker does (its row takes the progress and the result)."""
    from studio.jobs import queue
    from studio.models import Job

    session = session_for(app)
    job = Job(course_id=course.id, kind="lrs-pull", params={"source": source_id})
    session.add(job)
    session.commit()
    queue.execute(app, job.id)
    session.expire_all()
    job = session.get(Job, job.id)
    assert job.status == "done", job.message
    result = job.result
    session.close()
    return result


def test_pulling_from_ralph_pages_resumes_and_goes_on_since(app, sample, ralph, monkeypatch, backend):
    from packager import load_course
    from studio.analytics import ingest
    from studio.analytics.generator import Cohort
    from studio.models import RecordSource
    from tests.lrs import PASSWORD, USER

    # one ralph for both runs (it is slow to start): each run's course has its own IRI
    folder = Path(app.config["COURSES_ROOT"]) / "inst" / sample.slug
    yml = folder / "course.yml"
    yml.write_text(yml.read_text().replace("/karmayogi-prarambh\n", f"/karmayogi-prarambh-{backend}\n"))
    model = load_course(folder, use_cache=False)
    monkeypatch.setattr(ingest, "PAGE", 25)
    seed = 11 if backend == "sqlite" else 21  # ralph takes a statement id once
    ours = list(Cohort(model, 3, seed=seed).statements())
    foreign = statement("urn:another:course", "lesson/x", "experienced")
    send_to(ralph, [*ours, foreign])
    session = session_for(app)
    course = session.get(CourseRecord, sample.id)
    source = ingest.add_source(
        session, course, name="ralph", endpoint=ralph.url + "/xAPI", username=USER, password=PASSWORD, version="1.0.0"
    )
    session.commit()
    base, key = records.course_iri(course), records.app_key(app)

    # a pull stopped after two pages (a worker killed) keeps its place ...
    stopped = ingest.pull(session, source, base, key, max_pages=2)
    assert (stopped.pages, stopped.statements) == (2, 50) and source.more.startswith(ralph.url + "/xAPI/statements?")
    session.close()
    # ... and the job goes on from there: nothing twice, the other course's statement left out
    result = pull_job(app, sample, source.id)
    assert result["elsewhere"] >= 1 and result["duplicates"] == 0
    session = session_for(app)
    source = session.get(RecordSource, source.id)
    assert source.more == "" and source.since and source.error == ""
    rows = session.scalars(select(LearningRecord).where(LearningRecord.course_id == sample.id)).all()
    assert sorted(r.statement_id for r in rows) == sorted(st["id"] for st in ours)
    assert {r.source for r in rows} == {"lrs:ralph"} and {r.course_version for r in rows} == {"1.0.0"}
    session.close()

    # later: only what came since (and the overlap again, which adds nothing)
    import datetime as dt

    newer = list(Cohort(model, 1, seed=seed + 1, start=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).statements())
    send_to(ralph, newer)
    result = pull_job(app, sample, source.id)
    assert result["added"] == len(newer) and result["statements"] < len(ours)

    # wrong credentials: the job fails saying so, and the source shows it
    session = session_for(app)
    source = session.get(RecordSource, source.id)
    source.password = "wrong"
    session.commit()
    with pytest.raises(ingest.IngestError, match="refused the credentials"):
        ingest.pull(session, source, base, key)
    assert "refused" in session.get(RecordSource, source.id).error
    session.close()


def test_a_pull_follows_no_page_off_the_lrs_and_says_what_is_wrong(app, sample):
    from studio.analytics import ingest

    session = session_for(app)
    course = session.get(CourseRecord, sample.id)
    source = ingest.add_source(
        session, course, name="lrs", endpoint="https://lrs.example/xAPI/", username="k", password="s"
    )
    session.commit()
    base, key = records.course_iri(course), b"k"
    one = next(cohort(1).statements())
    answers = {
        b"<html>login</html>": "not JSON",
        b'{"data": []}': "no statements list",
        json.dumps({"statements": [one], "more": "https://elsewhere.example/steal"}).encode(): "another server",
    }
    for body, why in answers.items():
        asked: list[tuple[str, str]] = []

        def fetch(url: str, headers: dict[str, str], body: bytes = body, asked: list = asked) -> bytes:
            asked.append((url, headers["Authorization"]))
            return body

        with pytest.raises(ingest.IngestError, match=why):
            ingest.pull(session, source, base, key, fetch=fetch)
        assert [url for url, _ in asked] == ["https://lrs.example/xAPI/statements?limit=500&ascending=true"]
        assert why in source.error
    session.close()


# sheets -----------------------------------------------------------------------------------------------

MOODLE = (
    "Name\tEmail address\tAttempt\tStarted on\tLast accessed on\tScore\tPrarambh\t"
    "Question 0\tResponse 0\tRight answer 0\tResult 0\tQuestion 1\tResponse 1\tRight answer 1\tResult 1\n"
    "Asha Rao\tasha.rao@example.gov.in\t1\tMonday, 2 November 2026, 10:15 AM\tMonday, 2 November 2026, 11:05 AM\t"
    "4\tPassed\tfa-gift\to2\to2\tcorrect\tneutral-post\to1\to2\twrong\n"
    "Vikram Singh\tvikram@example.gov.in\t-\t-\t-\t-\tNot attempted\t\t\t\t\t\t\t\t\n"
)
IGOT = "userid,courseid,completedon,department\nu-1,do_113,2026-11-03,Revenue\nu-2,do_113,03/11/2026,Revenue\n"


def test_moodle_interactions_and_igot_completion_sheets(app, sample):
    from studio.analytics import ingest, sheets

    session = session_for(app)
    course = session.get(CourseRecord, sample.id)
    key = records.app_key(app)
    tally = sheets.upload_sheet(session, course, "moodle", MOODLE.encode("utf-8-sig"), key, site="https://lms.example")
    assert (tally.added, tally.duplicates) == (3, 0)  # two answers and the attempt's "passed"
    again = sheets.upload_sheet(session, course, "moodle", MOODLE.encode(), key, site="https://lms.example")
    assert (again.added, again.duplicates) == (0, 3)  # the same sheet again adds nothing
    rows = {r.object_id or r.verb: r for r in session.scalars(select(LearningRecord))}
    assert (rows["final/fa-gift"].success, rows["final/fa-gift"].response) == (True, "o2")
    assert rows["check-conduct/neutral-post"].success is False and rows["passed"].object_kind == "course"
    assert rows["passed"].timestamp.isoformat() == "2026-11-02T05:35:00"  # 11:05 in Asia/Kolkata

    igot = sheets.upload_sheet(session, course, "igot", IGOT.encode("utf-16"), key)
    assert igot.added == 2
    done = session.scalars(select(LearningRecord).where(LearningRecord.source == "igot-sheet")).all()
    assert {(r.verb, r.org_unit, r.timestamp.date().isoformat()) for r in done} == {
        ("completed", "Revenue", "2026-11-02")
    }

    problems = {
        ("moodle", MOODLE.replace("fa-gift", "no-such-question")): "line 2: Question 0 is 'no-such-question'",
        ("moodle", "Name,Score\nA,1\n"): "no 'Question <n>' columns",
        ("moodle", MOODLE.replace("Monday, 2 November 2026, 11:05 AM", "soon")): "line 2: last accessed on 'soon'",
        ("igot", "userid,courseid\nu,c\n"): "missing: completedon",
        ("igot", IGOT + "u-3,do_999,2026-11-04,Revenue\n"): "line 4: the sheet has courses 'do_113' and 'do_999'",
        ("igot", "userid,courseid,completedon\n\0\0\n"): "NUL",
        ("zip", IGOT): "choose which sheet",
    }
    for (kind, text), why in problems.items():
        with pytest.raises(ingest.IngestError, match=re.escape(why)):
            sheets.upload_sheet(session, course, kind, text.encode(), key)
    # the same sheet of several iGOT courses, told which one is this course's
    assert sheets.upload_sheet(session, course, "igot", (IGOT + "u-3,do_999,2026-11-04,X\n").encode(), key,
                               igot_course="do_113").duplicates == 2  # fmt: skip
    # nothing of the people anywhere
    for row in session.scalars(select(LearningRecord)):
        text = json.dumps([str(getattr(row, c.name)) for c in LearningRecord.__table__.columns])
        assert "example.gov.in" not in text and "lms.example" not in text and "Asha" not in text and "u-1" not in text
    session.close()


def test_a_sheet_over_the_limits_is_refused_whole(app, sample, monkeypatch):
    from studio.analytics import ingest, sheets

    monkeypatch.setattr(sheets, "MAX_ROWS", 2)
    session = session_for(app)
    course = session.get(CourseRecord, sample.id)
    with pytest.raises(ingest.IngestError, match="over 2 rows"):
        sheets.upload_sheet(session, course, "igot", (IGOT + "u-3,do_113,2026-11-04,X\n").encode(), b"k")
    assert session.scalars(select(LearningRecord)).all() == []  # all rows or none
    monkeypatch.setattr(sheets, "MAX_SHEET_BYTES", 10)
    with pytest.raises(ingest.IngestError, match="over 0 MB"):
        sheets.upload_sheet(session, course, "igot", IGOT.encode(), b"k")
    session.close()


def test_the_owner_uploads_makes_keys_and_adds_sources_on_the_records_page(app, sample, person):
    admin = person("admin@inst.example")
    page = f"/o/inst/c/{sample.slug}/records"
    assert admin.get(page).status_code == 200
    made = admin.post(page + "/credentials", {"label": "iGOT staging", "version": "1.0.0"})
    secret = re.search(
        r"Secret \(shown only now: copy it to the LMS\): <code>([^<]+)</code>", made.get_data(as_text=True)
    )
    assert made.status_code == 200 and secret
    from io import BytesIO

    upload = admin.post(page + "/sheets", {"kind": "igot", "sheet": (BytesIO(IGOT.encode()), "igot.csv")},
                        content_type="multipart/form-data", follow_redirects=True)  # fmt: skip
    assert "igot.csv: 2 records added, 0 already there." in upload.get_data(as_text=True)
    bad = admin.post(page + "/sheets", {"kind": "igot", "sheet": (BytesIO(b"userid\nx\n"), "bad.csv")},
                     content_type="multipart/form-data")  # fmt: skip
    assert bad.status_code == 400 and "bad.csv: line 1: the iGOT completion sheet needs" in bad.get_data(as_text=True)
    wrong = admin.post(page + "/sources", {"name": "Bad Name", "endpoint": "ftp://x"})
    assert wrong.status_code == 400 and "lower-case letters" in wrong.get_data(as_text=True)
    added = admin.post(page + "/sources", {"name": "state-lrs", "endpoint": "https://lrs.example/xAPI/"})
    assert added.status_code == 302
    listing = admin.get(page).get_data(as_text=True)
    assert "state-lrs" in listing and "igot-sheet" in listing and secret[1] not in listing
