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
