"""Learning records: xAPI statements about one course, stored once each and normalised for SQL reports.

Every source ends here: the studio's own LRS (lrs_views.py), an LRS the studio pulls from (ingest.py), the
LMS sheets (ingest.py) and the simulated learners (generator.py). :func:`store` takes statements about one
course and writes one ``LearningRecord`` row per statement: the columns reports group and count by, and the
statement itself with its actor replaced by the learner's pseudonym.

The pseudonym is an HMAC-SHA256 of the actor's identifier (mbox, mbox_sha1sum, openid or account) under the
installation's key (:func:`installation_key`): the same learner has the same pseudonym in every source and
every course, and no one without the key can tell who it is. Nothing else of the person is kept: the stored
statement loses its ``authority``, ``context.instructor`` and the members of ``context.team``.

What a statement is about comes from its object's IRI, which our packages derive from the course's base IRI
(packager/export/xapi_core.py): ``<base>/lesson/<lesson>``, ``<base>/quiz/<quiz>``,
``<base>/question/<quiz>/<question>``, ``<base>/reflection/<id>``, ``<base>/au`` and ``<base>/module/<n>/au``.
A statement about an activity outside the course is not the course's and is left out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import CourseRecord, Job, LearningRecord, now, table_of
from . import summary, tallies

log = logging.getLogger(__name__)

SOURCES = ("studio-lrs", "moodle-csv", "igot-sheet")
"""The fixed source names; an LRS the studio pulls from is ``lrs:<its name>``."""
KINDS = ("course", "module", "lesson", "quiz", "question", "reflection", "other")
PSEUDONYM_HOME = "urn:karmayogi-studio:pseudonym"
"""The ``account.homePage`` of the pseudonymous actor that replaces the real one in a stored statement."""
VERSION_EXT = "urn:karmayogi-studio:xapi:course-version"
ORG_UNIT_EXT = "urn:karmayogi-studio:xapi:org-unit"
CONSENT_EXT = "urn:karmayogi-studio:xapi:consent"
"""Context extensions read when a statement carries them (an LMS's context template may add them)."""
BATCH = 500  # rows per INSERT
MAX_RESPONSE = 20_000  # characters of result.response kept in the column (the statement keeps it all)

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


class StatementError(ValueError):
    """A statement the records cannot take, and why (the LRS answers 400 with it)."""


@dataclass(frozen=True)
class Target:
    """Where statements go: the course (its id and base IRI), the source, and what the source says of them
    when the statements do not (the version a credential or an LRS is for; an upload's organisation unit)."""

    course_id: int
    base_iri: str
    source: str
    version: str = ""
    org_unit: str = ""


@dataclass
class Tally:
    """What :func:`store` did: statements added, already stored (same id), not the course's, refused."""

    added: int = 0
    duplicates: int = 0
    elsewhere: int = 0
    refused: list[str] = field(default_factory=list)  # "statement <n>: why", the first few

    def add(self, other: Tally) -> None:
        self.added += other.added
        self.duplicates += other.duplicates
        self.elsewhere += other.elsewhere
        self.refused.extend(other.refused[: max(0, 20 - len(self.refused))])


# the learner's pseudonym ------------------------------------------------------------------------------


def installation_key(config: Mapping[str, Any]) -> bytes:
    """The key pseudonyms are made with: ``ANALYTICS_KEY`` when configured, else one made once per data
    folder (``DATA_DIR/analytics_key``, readable by the studio only). Changing it changes every pseudonym."""
    if config.get("ANALYTICS_KEY"):
        return str(config["ANALYTICS_KEY"]).encode()
    data = Path(str(config["DATA_DIR"]))
    path = data / "analytics_key"
    if not path.exists():
        tmp = data / f".analytics_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)  # another process made it first: its key is the key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip().encode()


def app_key(app: Any) -> bytes:
    """The installation's key for *app*, read once."""
    if "studio.analytics_key" not in app.extensions:
        app.extensions["studio.analytics_key"] = installation_key(app.config)
    key: bytes = app.extensions["studio.analytics_key"]
    return key


def identifier(actor: Any) -> str:
    """The actor's inverse functional identifier as one string (xAPI 2.4.2.1), the same however it is sent."""
    if not isinstance(actor, Mapping):
        raise StatementError("the actor is not an object")
    if isinstance(actor.get("mbox"), str) and actor["mbox"].lower().startswith("mailto:"):
        return "mbox:" + actor["mbox"].strip().lower()
    if isinstance(actor.get("mbox_sha1sum"), str) and actor["mbox_sha1sum"].strip():
        return "mbox_sha1sum:" + actor["mbox_sha1sum"].strip().lower()
    if isinstance(actor.get("openid"), str) and actor["openid"].strip():
        return "openid:" + actor["openid"].strip()
    account = actor.get("account")
    if isinstance(account, Mapping) and isinstance(account.get("name"), str) and account["name"].strip():
        return f"account:{str(account.get('homePage', '')).strip()}|{account['name'].strip()}"
    raise StatementError("the actor has no mbox, mbox_sha1sum, openid or account")


def pseudonym(key: bytes, actor: Any) -> str:
    """The learner's pseudonym: 64 hex digits, the same for the same person under the same key."""
    return hmac.new(key, identifier(actor).encode(), hashlib.sha256).hexdigest()


def pseudonymous_actor(name: str) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": PSEUDONYM_HOME, "name": name}}


# one statement -> one row -----------------------------------------------------------------------------


def verb_name(iri: str) -> str:
    """``http://adlnet.gov/expapi/verbs/answered`` -> ``answered``: the last part of the verb's IRI."""
    return re.split(r"[/#:]", iri.rstrip("/"))[-1][:40].lower()


def place(base: str, iri: str) -> tuple[str, str] | None:
    """(object kind, our id) of an activity IRI under the course's *base* IRI, or None outside it.

    >>> place("urn:c", "urn:c/question/q1/two%20words")
    ('question', 'q1/two words')
    >>> place("urn:c", "urn:c/module/2/au")
    ('module', '2')
    """
    if iri in (base, base + "/au"):
        return ("course", "")
    if not iri.startswith(base + "/"):
        return None
    parts = iri[len(base) + 1 :].split("/")
    head, rest = parts[0], [unquote(p) for p in parts[1:]]
    if head == "module" and rest and rest[0].isdigit() and rest[1:] in ([], ["au"]):
        return ("module", rest[0])
    if head == "question" and len(rest) == 2:
        return ("question", "/".join(rest))
    if head in ("lesson", "quiz", "reflection") and rest:
        return (head, "/".join(rest))
    return ("other", "/".join([head, *rest]))


def timestamp(value: Any) -> dt.datetime:
    """An ISO 8601 timestamp as naive UTC (the database's convention)."""
    if not isinstance(value, str):
        raise StatementError("the timestamp is not a string")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise StatementError(f"the timestamp {value[:40]!r} is not ISO 8601") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def seconds(value: Any) -> float | None:
    """An ISO 8601 duration (``PT1H2M3.5S``, ``P1DT2H``) in seconds; None when there is none."""
    if value is None:
        return None
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match or value in ("P", "PT"):
        raise StatementError(f"the duration {str(value)[:40]!r} is not an ISO 8601 duration")
    d, h, m, s = (float(match[g] or 0) for g in "dhms")
    return d * 86400 + h * 3600 + m * 60 + s


def _score(result: Mapping[str, Any]) -> float | None:
    score = result.get("score")
    if not isinstance(score, Mapping):
        return None
    if isinstance(score.get("scaled"), int | float):
        return float(score["scaled"])
    raw, top = score.get("raw"), score.get("max")
    if isinstance(raw, int | float) and isinstance(top, int | float) and top > 0:
        return float(raw) / float(top)
    return None


def _is_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _part(parent: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """A member that should be an object: itself, or an empty one when it is absent or something else."""
    value = parent.get(name)
    return value if isinstance(value, Mapping) else {}


def _text(value: Any, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def scrubbed(statement: Mapping[str, Any], learner: str) -> dict[str, Any]:
    """The statement as stored: the actor is the pseudonym; authority, instructor and team members go."""
    out = dict(statement)  # copies of what changes only: the rest is shared with the statement given
    out["actor"] = pseudonymous_actor(learner)
    out.pop("authority", None)
    context = out.get("context")
    if isinstance(context, dict):
        context = out["context"] = dict(context)
        context.pop("instructor", None)
        team = context.pop("team", None)
        if isinstance(team, dict) and isinstance(team.get("name"), str):
            context["team"] = {"objectType": "Group", "name": team["name"]}
    return out


def normalise(statement: Any, target: Target, key: bytes, stored: dt.datetime | None = None) -> dict[str, Any] | None:
    """The row of one statement (the columns of ``LearningRecord``), or None when it is not about the course.

    Raises :class:`StatementError` for a statement that is not one (no id, actor, verb or activity object).
    """
    if not isinstance(statement, Mapping):
        raise StatementError("a statement is a JSON object")
    sid = statement.get("id")
    if not isinstance(sid, str) or not _UUID.match(sid.lower()):
        raise StatementError("the statement has no id (a UUID)")
    verb = statement.get("verb")
    if not isinstance(verb, Mapping) or not isinstance(verb.get("id"), str) or not verb["id"]:
        raise StatementError("the statement has no verb id")
    obj = statement.get("object")
    if not isinstance(obj, Mapping) or obj.get("objectType", "Activity") != "Activity" or not _is_str(obj.get("id")):
        raise StatementError("the statement's object is not an activity")
    learner = pseudonym(key, statement.get("actor"))
    where = place(target.base_iri, obj["id"])
    if where is None:
        return None
    context, result = _part(statement, "context"), _part(statement, "result")
    ext, team = _part(context, "extensions"), _part(context, "team")
    success = result.get("success")
    response = result.get("response")
    consent = ext.get(CONSENT_EXT)
    when = stored or now()
    when = when.replace(microsecond=when.microsecond // 1000 * 1000)  # as the statement's `stored` says it
    return {
        "statement_id": sid.lower(),
        "course_id": target.course_id,
        # the version the package says (our extension, else xAPI's context.revision), else the source's
        "course_version": _text(ext.get(VERSION_EXT), 64) or _text(context.get("revision"), 64) or target.version,
        "lang": _text(context.get("language"), 35),
        "learner": learner,
        "org_unit": _text(ext.get(ORG_UNIT_EXT), 200) or _text(team.get("name"), 200) or target.org_unit,
        "registration": _text(context.get("registration"), 36).lower(),
        "verb": verb_name(verb["id"]),
        "object_kind": where[0],
        "object_id": where[1][:512],
        "success": success if isinstance(success, bool) else None,
        "score": _score(result),
        "response": response[:MAX_RESPONSE] if isinstance(response, str) else None,
        "duration": seconds(result.get("duration")),
        "consent": consent if isinstance(consent, bool) else None,
        "timestamp": timestamp(statement["timestamp"]) if "timestamp" in statement else when,
        "stored": when,
        "source": target.source,
        "statement": {**scrubbed(statement, learner), "stored": when.isoformat(timespec="milliseconds") + "Z"},
    }


# many statements -> rows ------------------------------------------------------------------------------


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    """INSERT, skipping a statement id stored meanwhile by another process (the unique key decides)."""
    table = table_of(LearningRecord)  # Core, not the ORM: one executemany per batch
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(table).on_conflict_do_nothing(index_elements=["statement_id"]), rows)
    elif dialect == "sqlite":
        session.execute(sqlite.insert(table).on_conflict_do_nothing(index_elements=["statement_id"]), rows)
    else:  # pragma: no cover (the studio runs on SQLite or PostgreSQL)
        session.execute(insert(table), rows)


def summarise(session: Session, rows: Iterable[Mapping[str, Any]]) -> None:
    """Bring the reports' summary rows up to date with newly inserted *rows* (their learners', summary.py)."""
    learners: dict[int, set[str]] = {}
    for row in rows:
        learners.setdefault(row["course_id"], set()).add(row["learner"])
    for course_id, some in sorted(learners.items()):
        if summary.refresh(session.connection(), course_id, some) is None:  # the course's first records
            adopt_competencies(session, course_id)


def adopt_competencies(session: Session, course_id: int) -> bool:
    """Count the course's competency tally by the competencies its questions test now (tallies.py); False,
    counting nothing, when the course's files cannot be read (the report then counts from the summary rows)."""
    from packager import CourseError

    course = session.get(CourseRecord, course_id)
    if course is None:
        return False
    try:
        recount_competencies(session, course)
    except (CourseError, OSError) as e:
        log.warning("course %s: its competencies are not counted yet: %s", course.slug, e)
        return False
    return True


def recount_competencies(session: Session, course: CourseRecord) -> list[tuple[str, str]]:
    """Count the course's competency tally again by its files as they are now, and return the (question,
    competency) pairs it was counted by; raises what loading the files does."""
    from ..authoring import library
    from .outline import outline

    tests = outline(library.load(course)).tests
    tallies.adopt_map(session.connection(), course.id, tests)
    return tests


RECOUNT = "analytics-recount"


def recount_under_way(session: Session, course: CourseRecord) -> Job | None:
    """The course's recount job that is queued or running, if any."""
    return session.scalars(
        select(Job).where(Job.course_id == course.id, Job.kind == RECOUNT, Job.status.in_(("queued", "running")))
    ).first()


def run_recount(app: Any, session: Session, job_id: int, folder: Path, params: dict[str, Any]) -> dict[str, Any]:
    """The ``analytics-recount`` job: the course's competency tally counted again by the competencies its
    questions test now (a course that does not load fails the job with its problems)."""
    course = session.get(CourseRecord, int(params["course"]))
    if course is None:
        raise ValueError("the course was removed before its recount ran")
    tests = recount_competencies(session, course)
    session.commit()
    return {"message": f"counted by {len({c for _, c in tests})} competencies", "tests": len(tests)}


def add_rows(session: Session, rows: list[dict[str, Any]]) -> tuple[int, int]:
    """Insert normalised rows not stored yet and update the summary rows; (added, duplicates). The caller
    commits. Every way in of statements ends here, so the summaries the reports read stay right."""
    added = duplicates = 0
    for start in range(0, len(rows), BATCH):
        batch: dict[str, dict[str, Any]] = {}
        for row in rows[start : start + BATCH]:
            if row["statement_id"] in batch:
                duplicates += 1
            else:
                batch[row["statement_id"]] = row
        have = set(
            session.scalars(select(LearningRecord.statement_id).where(LearningRecord.statement_id.in_(list(batch))))
        )
        fresh = [row for sid, row in batch.items() if sid not in have]
        if fresh:
            _insert(session, fresh)
            summarise(session, fresh)
        added += len(fresh)
        duplicates += len(have)
    return added, duplicates


def store(session: Session, target: Target, statements: Iterable[Any], key: bytes, *, strict: bool = False) -> Tally:
    """Store *statements* about ``target``'s course; one that is stored already (same id) is left as it is.

    Statements about another course's activities are counted in ``elsewhere``. A malformed one is counted in
    ``refused``, or with ``strict`` raises :class:`StatementError` naming it, before anything is written (the
    LRS takes a batch whole or not at all). Streams: rows are written ``BATCH`` at a time. The caller commits.
    """
    tally = Tally()
    rows: list[dict[str, Any]] = []
    stored = now()
    for number, statement in enumerate(statements, 1):
        try:
            row = normalise(statement, target, key, stored)
        except StatementError as e:
            if strict:
                raise StatementError(f"statement {number}: {e}") from None
            if len(tally.refused) < 20:
                tally.refused.append(f"statement {number}: {e}")
            continue
        if row is None:
            tally.elsewhere += 1
            continue
        rows.append(row)
        if len(rows) >= BATCH and not strict:
            added, duplicates = add_rows(session, rows)
            tally.added, tally.duplicates, rows = tally.added + added, tally.duplicates + duplicates, []
    added, duplicates = add_rows(session, rows)
    tally.added += added
    tally.duplicates += duplicates
    return tally


_IRIS: dict[str, tuple[int, str]] = {}  # course.yml -> (its mtime_ns, base IRI): the course is loaded once per change


def course_iri(course: CourseRecord) -> str:
    """The base IRI of the course's activities, as its packages send them (course.yml's ``activity_iri``, or
    the one made from the provider's and course's ids). Needs the app (it reads the course folder)."""
    from packager.export.xapi_core import Iris

    from ..authoring import library, storage

    yml = storage.course_dir(course) / "course.yml"
    stamp = yml.stat().st_mtime_ns
    known = _IRIS.get(str(yml))
    if known is None or known[0] != stamp:
        known = _IRIS[str(yml)] = (stamp, Iris.of(library.load(course)).base)
    return known[1]


def counts(session: Session, course_id: int) -> dict[str, int]:
    """The course's records per source (``studio-lrs``, ``lrs:<name>``, ...)."""
    from sqlalchemy import func

    query = (
        select(LearningRecord.source, func.count())
        .where(LearningRecord.course_id == course_id)
        .group_by(LearningRecord.source)
        .order_by(LearningRecord.source)
    )
    return {source: int(n) for source, n in session.execute(query)}
