"""The studio as a small LRS for its own courses: the parts of xAPI 1.0.3's statements resource our packages use.

A course owner makes a credential (a key and a secret, :func:`create_credential`) and gives it to the LMS that
launches the course's xAPI or cmi5 package with the studio as its endpoint. Each credential belongs to one
course: a statement sent with it is about that course, and is stored by ``records.store`` like statements from
any other source. Reading (GET) answers with the stored statements, whose actors are pseudonyms.

The State API (``activities/state``) keeps the player's resume state and a cmi5 LMS's launch data, per course
activity, learner (by pseudonym) and registration. The Agent Profile API (``agents/profile``) keeps a cmi5 LMS's
``cmi5LearnerPreferences``, which the player reads at launch, per course and learner: a key is its course's
only, so one course's LMS never reads what another's wrote. ``agents`` answers the Person object, which holds
only the identifier asked about (the studio keeps no one's identifiers). What is not here: voiding (our
packages never void), the Activities resource and activity profiles, attachments.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import CourseRecord, LearningRecord, LrsAgentProfile, LrsCredential, LrsDocument, now
from . import records

VERSION = "1.0.3"
AUTHORITY_HOME = "urn:karmayogi-studio:lrs"
"""The ``authority`` of a statement the studio's LRS took: the credential's key, never a person."""
MAX_BYTES = 1024 * 1024  # LRS_MAX_BYTES: one request's body
MAX_BATCH = 500  # statements in one POST
PAGE = 100  # statements in one GET answer, unless ``limit`` asks for fewer (at most MAX_PAGE)
MAX_PAGE = 500
MAX_DOCUMENT = 256 * 1024  # one State or Agent Profile API document


class LrsError(Exception):
    """An answer other than success: the HTTP status and the reason, for the client."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class NewCredential:
    credential: LrsCredential
    secret: str  # shown to the owner once; only its hash is kept

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header value an LMS sends."""
        return "Basic " + base64.b64encode(f"{self.credential.key}:{self.secret}".encode()).decode()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_credential(
    session: Session, course: CourseRecord, user_id: int | None, label: str = "", version: str = ""
) -> NewCredential:
    credential = LrsCredential(
        course_id=course.id,
        key="ks-" + secrets.token_hex(12),
        label=label.strip()[:200],
        course_version=version.strip()[:64],
        created_by=user_id,
    )
    secret = secrets.token_urlsafe(24)
    credential.secret_hash = _digest(secret)
    session.add(credential)
    session.flush()
    return NewCredential(credential, secret)


def credentials(session: Session, course: CourseRecord) -> list[LrsCredential]:
    return list(
        session.scalars(select(LrsCredential).where(LrsCredential.course_id == course.id).order_by(LrsCredential.id))
    )


def revoke(session: Session, course: CourseRecord, credential_id: int) -> bool:
    credential = session.get(LrsCredential, credential_id)
    if credential is None or credential.course_id != course.id:
        return False
    credential.revoked = True
    return True


def authenticate(session: Session, authorization: str | None) -> LrsCredential:
    """The live credential of a Basic ``Authorization`` header, or LrsError 401."""
    if not authorization or not authorization.startswith("Basic "):
        raise LrsError(401, "send the course's LRS key and secret (HTTP Basic)")
    try:
        key, _, secret = base64.b64decode(authorization[6:].strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise LrsError(401, "the Authorization header is not HTTP Basic") from None
    credential = session.scalar(select(LrsCredential).where(LrsCredential.key == key[:64]))
    if credential is None or credential.revoked or not hmac.compare_digest(credential.secret_hash, _digest(secret)):
        raise LrsError(401, "unknown or revoked key, or a wrong secret")
    return credential


def check_version(header: str | None) -> None:
    if not header:
        raise LrsError(400, "the X-Experience-API-Version header is missing")
    if not header.startswith("1.0"):
        raise LrsError(400, f"xAPI version {header[:20]} is not supported (1.0.x is)")


def _target(session: Session, credential: LrsCredential) -> records.Target:
    course = session.get(CourseRecord, credential.course_id)
    assert course is not None  # the credential is deleted with its course
    return records.Target(course.id, records.course_iri(course), "studio-lrs", version=credential.course_version)


def _parse(body: bytes) -> Any:
    if len(body) > MAX_BYTES:
        raise LrsError(413, f"the request is over {MAX_BYTES} bytes")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise LrsError(400, f"the body is not JSON: {e}") from None


def _authority(credential: LrsCredential) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": AUTHORITY_HOME, "name": credential.key}}


def _same(row: dict[str, Any], stored: LearningRecord) -> bool:
    """Two statements with one id are the same statement when what reports read of them is the same."""
    columns = ("learner", "verb", "object_kind", "object_id", "success", "score", "response", "timestamp")
    return all(row[c] == getattr(stored, c) for c in columns)


def _rows(session: Session, credential: LrsCredential, statements: list[Any], key: bytes) -> list[dict[str, Any]]:
    """Normalised rows of a request's statements, all or none (LrsError 400 names the first bad one)."""
    target = _target(session, credential)
    rows = []
    for number, statement in enumerate(statements, 1):
        try:
            row = records.normalise(statement, target, key)
        except records.StatementError as e:
            raise LrsError(400, f"statement {number}: {e}") from None
        if row is None:
            raise LrsError(400, f"statement {number}: its object is not an activity of this course ({target.base_iri})")
        row["statement"] = {**row["statement"], "authority": _authority(credential)}
        row["statement"].setdefault("version", "1.0.0")
        rows.append(row)
    return rows


def _conflicts(session: Session, rows: list[dict[str, Any]]) -> None:
    """409 when a statement id is stored already with other content, or twice in one request differently."""
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        first = seen.setdefault(row["statement_id"], row)
        if first is not row and first["statement"] != row["statement"]:
            raise LrsError(409, f"statement {row['statement_id']} is twice in the request, differently")
    ids = list(seen)
    for start in range(0, len(ids), records.BATCH):
        chunk = ids[start : start + records.BATCH]
        for stored in session.scalars(select(LearningRecord).where(LearningRecord.statement_id.in_(chunk))):
            if not _same(seen[stored.statement_id], stored):
                raise LrsError(409, f"statement {stored.statement_id} is stored already, with other content")


def put(session: Session, credential: LrsCredential, statement_id: str | None, body: bytes, key: bytes) -> None:
    """PUT /statements?statementId=…: store one statement under that id (204; 409 for another one's id)."""
    try:
        sid = str(uuid.UUID(statement_id or ""))
    except ValueError:
        raise LrsError(400, "statementId is missing or not a UUID") from None
    statement = _parse(body)
    if not isinstance(statement, dict):
        raise LrsError(400, "PUT takes one statement (a JSON object)")
    if "id" in statement and str(statement["id"]).lower() != sid:
        raise LrsError(400, "the statement's id is not the statementId of the URL")
    rows = _rows(session, credential, [{**statement, "id": sid}], key)
    _conflicts(session, rows)
    records.add_rows(session, rows)


def post(session: Session, credential: LrsCredential, body: bytes, key: bytes) -> list[str]:
    """POST /statements: one statement or a list, stored all or none; their ids, in order (200)."""
    parsed = _parse(body)
    batch = parsed if isinstance(parsed, list) else [parsed]
    if not batch:
        raise LrsError(400, "no statements")
    if len(batch) > MAX_BATCH:
        raise LrsError(413, f"at most {MAX_BATCH} statements in one request")
    with_ids = [
        {**st, "id": st.get("id") or str(uuid.uuid4())} if isinstance(st, dict) else st for st in batch
    ]  # the LRS names a statement sent without an id
    rows = _rows(session, credential, with_ids, key)
    _conflicts(session, rows)
    records.add_rows(session, rows)
    return [row["statement_id"] for row in rows]


def one(session: Session, credential: LrsCredential, statement_id: str) -> dict[str, Any]:
    """GET /statements?statementId=…: the stored statement, or 404 (also for another course's)."""
    stored = session.scalar(
        select(LearningRecord).where(
            LearningRecord.statement_id == statement_id.lower(), LearningRecord.course_id == credential.course_id
        )
    )
    if stored is None:
        raise LrsError(404, "no statement with that id")
    return stored.statement


def _cursor(filters: Mapping[str, str], after: tuple[str, int]) -> str:
    return base64.urlsafe_b64encode(json.dumps({**filters, "after": list(after)}).encode()).decode()


def _uncursor(token: str) -> tuple[dict[str, str], tuple[dt.datetime, int]]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        stored, row_id = data.pop("after")
        return {k: str(v) for k, v in data.items()}, (dt.datetime.fromisoformat(stored), int(row_id))
    except (ValueError, TypeError, KeyError, json.JSONDecodeError, binascii.Error):
        raise LrsError(400, "the more cursor is not one this LRS gave") from None


FILTERS = ("since", "until", "verb", "activity", "registration", "limit", "ascending")


def page(session: Session, credential: LrsCredential, args: Mapping[str, str], more_url: str) -> dict[str, Any]:
    """GET /statements: the course's statements, newest stored first (``ascending=true``: oldest first), at most
    ``limit``, with ``more`` (the URL of the next page) when there are more. ``since``/``until`` compare the
    time the LRS stored them, as the spec says; ``verb`` and ``activity`` (the object) are exact IRIs."""
    after: tuple[dt.datetime, int] | None = None
    if "more" in args:
        filters, after = _uncursor(args["more"])
    else:
        filters = {k: args[k] for k in FILTERS if args.get(k)}
        unknown = set(args) - set(FILTERS) - {"format", "attachments", "related_activities", "related_agents"}
        if unknown:
            raise LrsError(400, f"this LRS does not filter by {', '.join(sorted(unknown))}")
    try:
        limit = min(int(filters.get("limit", 0)) or PAGE, MAX_PAGE)
    except ValueError:
        raise LrsError(400, "limit is not a number") from None
    ascending = filters.get("ascending", "false").lower() == "true"
    query = select(LearningRecord).where(LearningRecord.course_id == credential.course_id)
    if "since" in filters:
        query = query.where(LearningRecord.stored > _when("since", filters["since"]))
    if "until" in filters:
        query = query.where(LearningRecord.stored <= _when("until", filters["until"]))
    if "verb" in filters:
        query = query.where(LearningRecord.verb == records.verb_name(filters["verb"]))
    if "registration" in filters:
        query = query.where(LearningRecord.registration == filters["registration"].lower())
    if "activity" in filters:
        where = records.place(_target(session, credential).base_iri, filters["activity"])
        if where is None:
            return {"statements": [], "more": ""}
        query = query.where(LearningRecord.object_kind == where[0], LearningRecord.object_id == where[1])
    order = (LearningRecord.stored, LearningRecord.id)
    if after is not None:
        key = LearningRecord.stored, LearningRecord.id
        if ascending:
            query = query.where((key[0] > after[0]) | ((key[0] == after[0]) & (key[1] > after[1])))
        else:
            query = query.where((key[0] < after[0]) | ((key[0] == after[0]) & (key[1] < after[1])))
    query = query.order_by(*(order if ascending else (o.desc() for o in order))).limit(limit + 1)
    found = list(session.scalars(query))
    statements = [r.statement for r in found[:limit]]
    more = ""
    if len(found) > limit:
        last = found[limit - 1]
        more = more_url + "?more=" + _cursor(filters, (last.stored.isoformat(), last.id))
    return {"statements": statements, "more": more}


def _when(name: str, value: str) -> dt.datetime:
    try:
        return records.timestamp(value)
    except records.StatementError:
        raise LrsError(400, f"{name} is not an ISO 8601 timestamp") from None


def consistent_through() -> str:
    """The X-Experience-API-Consistent-Through header: every statement stored before now is visible now."""
    return now().isoformat(timespec="milliseconds") + "Z"


# the State API ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateKey:
    course_id: int
    activity_id: str
    agent: str  # pseudonym
    registration: str


def state_key(session: Session, credential: LrsCredential, args: Mapping[str, str], key: bytes) -> StateKey:
    """Where a State API request points: an activity of the credential's course, the learner, the registration."""
    activity = args.get("activityId", "")
    if not activity:
        raise LrsError(400, "activityId is missing")
    if records.place(_target(session, credential).base_iri, activity) is None:
        raise LrsError(400, "activityId is not an activity of this course")
    learner = records.pseudonym(key, _agent(args))
    registration = args.get("registration", "")
    if registration:
        try:
            registration = str(uuid.UUID(registration))
        except ValueError:
            raise LrsError(400, "registration is not a UUID") from None
    return StateKey(credential.course_id, activity[:500], learner, registration)


def _agent(args: Mapping[str, str]) -> dict[str, Any]:
    """The ``agent`` parameter: an Agent's JSON with an identifier (LrsError 400 otherwise)."""
    try:
        agent = json.loads(args.get("agent", ""))
        records.identifier(agent)
    except (json.JSONDecodeError, records.StatementError) as e:
        raise LrsError(400, f"agent is not an agent (JSON with mbox, openid or account): {e}") from None
    return dict(agent)


def _documents(at: StateKey) -> Any:
    return select(LrsDocument).where(
        LrsDocument.course_id == at.course_id,
        LrsDocument.activity_id == at.activity_id,
        LrsDocument.agent == at.agent,
        LrsDocument.registration == at.registration,
    )


def state_get(session: Session, at: StateKey, state_id: str | None) -> tuple[bytes, str]:
    """(content, content type) of one document, or the JSON list of the stateIds there are (none given)."""
    if not state_id:
        ids = [d.state_id for d in session.scalars(_documents(at).order_by(LrsDocument.state_id))]
        return json.dumps(ids).encode(), "application/json"
    document = session.scalar(_documents(at).where(LrsDocument.state_id == state_id))
    if document is None:
        raise LrsError(404, "no such state document")
    return document.content, document.content_type


def state_put(
    session: Session, at: StateKey, state_id: str | None, body: bytes, content_type: str, merge: bool
) -> None:
    """PUT replaces the document; POST merges a JSON object into the JSON object there (xAPI 2.2 §6.4)."""
    if not state_id:
        raise LrsError(400, "stateId is missing")
    if len(body) > MAX_DOCUMENT:
        raise LrsError(413, f"a state document is at most {MAX_DOCUMENT} bytes")
    document = session.scalar(_documents(at).where(LrsDocument.state_id == state_id[:200]))
    if merge and document is not None:
        try:
            old, new = json.loads(document.content), json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise LrsError(400, "POST merges JSON objects only: the document or the body is not JSON") from None
        if not isinstance(old, dict) or not isinstance(new, dict):
            raise LrsError(400, "POST merges JSON objects only")
        body, content_type = json.dumps({**old, **new}).encode(), "application/json"
    if document is None:
        document = LrsDocument(
            course_id=at.course_id,
            activity_id=at.activity_id,
            agent=at.agent,
            registration=at.registration,
            state_id=state_id[:200],
        )
        session.add(document)
    document.content, document.content_type, document.updated = body, content_type[:100] or "application/json", now()


def state_delete(session: Session, at: StateKey, state_id: str | None) -> None:
    query = _documents(at)
    if state_id:
        query = query.where(LrsDocument.state_id == state_id)
    for document in session.scalars(query):
        session.delete(document)


# the Agent Profile API (xAPI 1.0.3 Part Three §2.6; concurrency §3.1) and the Agents resource ----------------------


@dataclass(frozen=True)
class ProfileKey:
    course_id: int
    agent: str  # pseudonym


@dataclass(frozen=True)
class Profile:
    content: bytes
    content_type: str
    etag: str
    updated: dt.datetime


def profile_key(credential: LrsCredential, args: Mapping[str, str], key: bytes) -> ProfileKey:
    return ProfileKey(credential.course_id, records.pseudonym(key, _agent(args)))


def etag(content: bytes) -> str:
    """The document's ETag: its SHA-1 in hex, quoted (as xAPI's examples and ADL's LRS make it)."""
    return '"' + hashlib.sha1(content).hexdigest() + '"'  # a version tag, not a secret


def _tags(header: str) -> set[str]:
    """The entity tags of an If-Match or If-None-Match header, without quotes or the weak prefix."""
    return {t.strip().removeprefix("W/").strip('"') for t in header.split(",") if t.strip()}


def _precondition(document: LrsAgentProfile | None, if_match: str | None, if_none_match: str | None) -> None:
    """412 when If-Match names another version (or there is none) or If-None-Match names this one (or ``*``)."""
    current = etag(document.content).strip('"') if document is not None else None
    if if_match is not None:
        tags = _tags(if_match)
        if current is None or not (tags & {"*", current}):
            raise LrsError(412, "the profile has changed since you read it (If-Match): read it again")
    if if_none_match is not None and current is not None and _tags(if_none_match) & {"*", current}:
        raise LrsError(412, "the profile exists already (If-None-Match)")


def _profile_id(profile_id: str | None) -> str:
    if not profile_id:
        raise LrsError(400, "profileId is missing")
    if len(profile_id) > 200:
        raise LrsError(400, "profileId is over 200 characters")
    return profile_id


def _profiles(at: ProfileKey) -> Any:
    return select(LrsAgentProfile).where(LrsAgentProfile.course_id == at.course_id, LrsAgentProfile.agent == at.agent)


def profile_get(session: Session, at: ProfileKey, profile_id: str) -> Profile:
    document = session.scalar(_profiles(at).where(LrsAgentProfile.profile_id == profile_id))
    if document is None:
        raise LrsError(404, "no such profile document")
    return Profile(document.content, document.content_type, etag(document.content), document.updated)


def profile_ids(session: Session, at: ProfileKey, since: str | None) -> list[str]:
    """The learner's profileIds, those changed after *since* when it is given."""
    query = _profiles(at).order_by(LrsAgentProfile.profile_id)
    if since:
        query = query.where(LrsAgentProfile.updated > _when("since", since))
    return [d.profile_id for d in session.scalars(query)]


def _json_object(body: bytes, content_type: str, what: str) -> dict[str, Any]:
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise LrsError(400, f"POST merges JSON: {what} is not application/json")
    try:
        value = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        value = None
    if not isinstance(value, dict):
        raise LrsError(400, f"POST merges JSON objects: {what} is not one")
    return value


def profile_put(
    session: Session,
    at: ProfileKey,
    profile_id: str | None,
    body: bytes,
    content_type: str,
    *,
    merge: bool,
    if_match: str | None = None,
    if_none_match: str | None = None,
) -> str:
    """PUT replaces the document, and over an existing one needs If-Match or If-None-Match (409 without:
    §3.1); POST merges a JSON object into the JSON object there, or stores it. The new ETag."""
    name = _profile_id(profile_id)
    if len(body) > MAX_DOCUMENT:
        raise LrsError(413, f"a profile document is at most {MAX_DOCUMENT} bytes")
    document = session.scalar(_profiles(at).where(LrsAgentProfile.profile_id == name))
    _precondition(document, if_match, if_none_match)
    if merge:
        new = _json_object(body, content_type, "the body")
        if document is not None:
            old = _json_object(document.content, document.content_type, "the stored document")
            new = {**old, **new}
        body, content_type = json.dumps(new, ensure_ascii=False).encode(), "application/json"
    elif document is not None and if_match is None and if_none_match is None:
        raise LrsError(409, "the profile exists: GET it and PUT again with If-Match set to its ETag")
    if document is None:
        document = LrsAgentProfile(course_id=at.course_id, agent=at.agent, profile_id=name)
        session.add(document)
    document.content, document.content_type, document.updated = body, content_type[:100] or "application/json", now()
    return etag(body)


def profile_delete(
    session: Session,
    at: ProfileKey,
    profile_id: str | None,
    if_match: str | None = None,
    if_none_match: str | None = None,
) -> None:
    document = session.scalar(_profiles(at).where(LrsAgentProfile.profile_id == _profile_id(profile_id)))
    _precondition(document, if_match, if_none_match)
    if document is not None:
        session.delete(document)


def person(args: Mapping[str, str]) -> dict[str, Any]:
    """GET agents: the Person object of an agent. The studio keeps no one's names or identifiers (learners are
    pseudonyms), so it knows the agent by the identifier asked about only."""
    agent = _agent(args)
    out: dict[str, Any] = {"objectType": "Person"}
    for ifi in ("mbox", "mbox_sha1sum", "openid", "account"):
        if agent.get(ifi):
            out[ifi] = [agent[ifi]]
    return out
