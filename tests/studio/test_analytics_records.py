"""Learning records in: storing statements (idempotent ids, pseudonymous learners), the studio as a small LRS,
pulling from an LRS (the real ralph), the LMS sheets, and the simulated learners (docs/analytics.md)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from studio.analytics import records
from studio.db import session_for
from studio.models import CourseRecord, LearningRecord, Organisation

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
    from studio.authoring import library
    from tests.conftest import SAMPLE

    session = session_for(app)
    inst = session.scalars(select(Organisation).where(Organisation.slug == "inst")).one()
    course = library.adopt(session, inst, SAMPLE)
    session.commit()
    session.close()
    return course


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
