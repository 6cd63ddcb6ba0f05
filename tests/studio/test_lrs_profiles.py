"""The studio's LRS: the Agent Profile API (xAPI 1.0.3 Part Three §2.6, concurrency §3.1) a cmi5 LMS keeps the
learner's preferences in, the Agents resource, and the course version a statement carries (docs/analytics.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from urllib.parse import urlencode

from sqlalchemy import select

from studio.analytics import records
from studio.db import session_for
from studio.models import CourseRecord, LearningRecord, LrsAgentProfile
from tests.studio.test_analytics_records import (  # noqa: F401 (fixtures: the app context, the sample course)
    XAPI,
    _in_app,
    course_of,
    credential,
    sample,
    statement,
)

EMAIL = "mailto:meena@example.gov.in"
AGENT = json.dumps({"objectType": "Agent", "name": "Meena", "mbox": EMAIL})
PREFS = "cmi5LearnerPreferences"


def url(profile: str | None = PREFS, agent: str = AGENT, **more: str) -> str:
    return "/xapi/agents/profile?" + urlencode({"agent": agent, **({"profileId": profile} if profile else {}), **more})


def test_agent_profiles_keep_the_learners_preferences_with_etags(app, sample):  # noqa: F811
    client, made = app.test_client(), credential(app, sample)
    auth = {**XAPI, "Authorization": made.authorization}
    prefs = {"languagePreference": "hi-IN,en-IN", "audioPreference": "off"}

    assert client.get(url(), headers=auth).status_code == 404
    assert client.get(url(None), headers=auth).get_json() == []
    assert client.put(url(), json=prefs, headers=XAPI).status_code == 401
    assert client.put(url(), json=prefs, headers={"Authorization": made.authorization}).status_code == 400
    assert client.put(url(None), json=prefs, headers=auth).status_code == 400  # no profileId
    assert client.put(url(agent='{"name": "no identifier"}'), json=prefs, headers=auth).status_code == 400

    before = dt.datetime.now(dt.UTC).isoformat()
    made_it = client.put(url(), json=prefs, headers={**auth, "If-None-Match": "*"})
    assert made_it.status_code == 204
    got = client.get(url(), headers=auth)
    tag = '"' + hashlib.sha1(got.data).hexdigest() + '"'
    assert got.get_json() == prefs and got.mimetype == "application/json"
    assert got.headers["ETag"] == made_it.headers["ETag"] == tag and got.headers["Last-Modified"]
    assert "ETag" in got.headers["Access-Control-Expose-Headers"]

    # PUT over a document needs If-Match (its ETag) or If-None-Match: 409 without, 412 when it does not hold
    assert client.put(url(), json={"audioPreference": "on"}, headers=auth).status_code == 409
    assert client.put(url(), json={}, headers={**auth, "If-None-Match": "*"}).status_code == 412
    assert client.put(url(), json={}, headers={**auth, "If-Match": '"0000"'}).status_code == 412
    assert client.get(url(), headers=auth).get_json() == prefs  # none of them changed it
    changed = client.put(url(), json={**prefs, "audioPreference": "on"}, headers={**auth, "If-Match": tag})
    assert changed.status_code == 204 and changed.headers["ETag"] != tag

    # POST merges JSON objects, and only them
    assert client.post(url(), json={"audioPreference": "off"}, headers=auth).status_code == 204
    assert client.get(url(), headers=auth).get_json() == prefs
    assert client.post(url(), data=b"on", headers={**auth, "Content-Type": "text/plain"}).status_code == 400
    plain = url("notes")
    assert client.put(plain, data=b"plain words", headers={**auth, "Content-Type": "text/plain"}).status_code == 204
    assert client.get(plain, headers=auth).data == b"plain words"
    assert client.post(plain, json={"a": 1}, headers=auth).status_code == 400  # the stored one is not JSON

    # the profileIds, all or those changed since a time
    assert client.get(url(None), headers=auth).get_json() == [PREFS, "notes"]
    assert client.get(url(None, since=before), headers=auth).get_json() == [PREFS, "notes"]
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)).isoformat()
    assert client.get(url(None, since=later), headers=auth).get_json() == []
    assert client.get(url(None, since="yesterday"), headers=auth).status_code == 400

    # kept under the learner's pseudonym, for this course's keys only
    session = session_for(app)
    kept = session.scalars(select(LrsAgentProfile)).all()
    assert {k.agent for k in kept} == {records.pseudonym(records.app_key(app), json.loads(AGENT))}
    assert "meena" not in json.dumps([k.agent + k.profile_id for k in kept])
    other = credential(app, course_of(session))
    session.close()
    assert client.get(url(), headers={**XAPI, "Authorization": other.authorization}).status_code == 404
    same_person = json.dumps({"mbox": EMAIL})  # the same learner, however the agent is written
    assert client.get(url(agent=same_person), headers=auth).get_json() == prefs

    tag = client.get(url(), headers=auth).headers["ETag"]
    assert client.delete(url(), headers={**auth, "If-Match": '"0000"'}).status_code == 412
    assert client.delete(url(None), headers=auth).status_code == 400
    assert client.delete(url(), headers={**auth, "If-Match": tag}).status_code == 204
    assert client.get(url(), headers=auth).status_code == 404
    assert client.put(url(), data=b"x" * (300 * 1024), headers=auth).status_code == 413


def test_agents_answers_the_person_by_the_identifier_asked_about(app, sample):  # noqa: F811
    client, made = app.test_client(), credential(app, sample)
    auth = {**XAPI, "Authorization": made.authorization}
    answer = client.get("/xapi/agents?" + urlencode({"agent": AGENT}), headers=auth)
    assert answer.get_json() == {"objectType": "Person", "mbox": [EMAIL]}  # no name: the studio keeps none
    assert client.get("/xapi/agents?agent=%7B%7D", headers=auth).status_code == 400
    assert client.get("/xapi/agents?" + urlencode({"agent": AGENT}), headers=XAPI).status_code == 401


def test_the_version_a_statement_carries_is_the_records_version(app, sample):  # noqa: F811
    """Our packages send course.yml's version as our context extension and as context.revision; a key's version
    is the fallback for statements that carry neither."""
    client, made = app.test_client(), credential(app, sample, "0.9.0")
    auth = {**XAPI, "Authorization": made.authorization}
    session = session_for(app)
    base = records.course_iri(session.get(CourseRecord, sample.id))
    session.close()
    sent = {
        "2.0.0": statement(
            base, "au", "initialized", context={"revision": "1.5.0", "extensions": {records.VERSION_EXT: "2.0.0"}}
        ),
        "1.5.0": statement(base, "au", "initialized", context={"revision": "1.5.0"}),
        "0.9.0": statement(base, "au", "initialized"),
    }
    assert client.post("/xapi/statements", json=list(sent.values()), headers=auth).status_code == 200
    session = session_for(app)
    stored = {r.statement_id: r.course_version for r in session.scalars(select(LearningRecord))}
    session.close()
    assert {version: stored[st["id"]] for version, st in sent.items()} == {v: v for v in sent}
