"""Records in from elsewhere: an LRS the studio pulls from, and the sheets LMSs export.

**Pulling** (:func:`pull`, run as an ``lrs-pull`` job): ``GET <endpoint>statements?since=…&ascending=true``
with the source's credentials, then each ``more`` page, storing every page with its cursor in one transaction:
a pull stopped at any moment (a worker killed, the LRS down) goes on from the last page stored, and a page
read twice stores nothing twice (statement ids are unique). The next pull asks ``since`` the newest statement
seen, less an overlap (``LRS_PULL_OVERLAP_HOURS``, 72): the spec compares ``since`` with the time the LRS stored
a statement, but ralph compares it with the statement's own ``timestamp``, and a player that was offline sends
its statements late, with the time they happened. What the overlap reads again is stored once. A pull "from the
beginning" forgets the cursor and reads everything again.

**Sheets** become statements like the player's, with ids made from their contents (a sheet uploaded twice
adds nothing), so the reports read them like any others:

- Moodle's SCORM *Interactions report*, downloaded as text (tab-separated; a comma- or semicolon-separated copy
  saved by a spreadsheet is read too): one row per learner and attempt; ``Question <n>`` is the interaction id
  our SCORM player writes (the question's id), ``Response <n>`` the learner's response, ``Result <n>``
  correct/wrong/incorrect. The learner is the ``Email address`` column, else ``Username`` or ``ID number``,
  else ``Name``; the time is ``Last accessed on``.
- iGOT's completion sheet: ``userid``, ``courseid``, ``completedon``; one ``completed`` per row.

An optional organisation-unit column (``Department``, ``Organisation``, ``MDO``...) fills the records' unit.
Sheets are hostile until read: their size, rows and cells are bounded, and every problem names its line.
"""

from __future__ import annotations

import base64
import codecs
import csv
import datetime as dt
import io
import json
import logging
import re
import urllib.error
import urllib.request
import uuid
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from packager.export.xapi_core import Iris
from packager.model import Course

from ..models import CourseRecord, RecordSource, now
from . import records

log = logging.getLogger(__name__)
PAGE = 500  # statements asked for per request
TIMEOUT = 30  # seconds per request
MAX_PAGE_BYTES = 32 * 1024 * 1024  # one answer of the LRS
MAX_SHEET_BYTES = 20 * 1024 * 1024  # SHEET_MAX_BYTES: one uploaded sheet
MAX_ROWS = 200_000  # SHEET_MAX_ROWS
MAX_CELL = 10_000  # characters
OVERLAP_HOURS = 72
V = "http://adlnet.gov/expapi/verbs/"
A = "http://adlnet.gov/expapi/activities/"
IGOT_HOME = "https://igotkarmayogi.gov.in"
"""The ``account.homePage`` of iGOT's learners: the same person in an LRS's statements and in the sheet."""
ORG_UNIT_COLUMNS = ("department", "organisation", "organization", "org", "orgname", "org unit", "mdo", "institution")
NAMESPACE = uuid.UUID("6f1c3a52-8d3e-4f0a-9a55-5b1e8d0c2f11")  # statement ids of sheet rows (uuid5)


class IngestError(Exception):
    """A source or a sheet the studio cannot read, said for the owner (with the line, for a sheet)."""


# sources: an LRS per course -----------------------------------------------------------------------


def sources(session: Session, course: CourseRecord) -> list[RecordSource]:
    return list(
        session.scalars(select(RecordSource).where(RecordSource.course_id == course.id).order_by(RecordSource.id))
    )


def add_source(
    session: Session,
    course: CourseRecord,
    *,
    name: str,
    endpoint: str,
    username: str,
    password: str,
    version: str = "",
    user_id: int | None = None,
) -> RecordSource:
    """A new LRS to pull the course's statements from; IngestError says what is wrong with the form."""
    name = name.strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", name):
        raise IngestError("the name is lower-case letters, digits and hyphens (up to 63)")
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.username or parts.password:
        raise IngestError("the endpoint is the LRS's xAPI address: http(s)://host/path/, without credentials in it")
    if any(s.name == name for s in sources(session, course)):
        raise IngestError(f"the course already has a source named {name}")
    source = RecordSource(
        course_id=course.id,
        name=name,
        endpoint=endpoint.strip().rstrip("/") + "/",
        username=username.strip()[:200],
        password=password[:500],
        course_version=version.strip()[:64],
        created_by=user_id,
    )
    session.add(source)
    session.flush()
    return source


def remove_source(session: Session, course: CourseRecord, source_id: int) -> bool:
    """Forget a source and its credentials (the records pulled from it stay)."""
    source = session.get(RecordSource, source_id)
    if source is None or source.course_id != course.id:
        return False
    session.delete(source)
    return True


# pulling ------------------------------------------------------------------------------------------

Fetch = Callable[[str, dict[str, str]], bytes]


def _fetch(url: str, headers: dict[str, str]) -> bytes:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # http(s) only: add_source
            body: bytes = answer.read(MAX_PAGE_BYTES + 1)
    except urllib.error.HTTPError as e:
        if e.code in (401, 403):
            raise IngestError(f"the LRS refused the credentials (HTTP {e.code})") from None
        raise IngestError(f"the LRS answered HTTP {e.code} to {urlsplit(url).path}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        raise IngestError(f"the LRS cannot be reached: {getattr(e, 'reason', e)}") from None
    if len(body) > MAX_PAGE_BYTES:
        raise IngestError(f"the LRS answered with over {MAX_PAGE_BYTES} bytes in one page")
    return body


def _first_page(source: RecordSource, overlap: dt.timedelta) -> str:
    query: dict[str, Any] = {"limit": PAGE, "ascending": "true"}
    if source.since:
        since = records.timestamp(source.since) - overlap
        query["since"] = since.isoformat(timespec="milliseconds") + "Z"
    return source.endpoint + "statements?" + urlencode(query)


def _stored(statement: Any) -> str:
    """When the LRS stored it (else when it happened), as a sortable UTC text; "" when it says neither."""
    for name in ("stored", "timestamp"):
        value = statement.get(name) if isinstance(statement, dict) else None
        if isinstance(value, str):
            try:
                return records.timestamp(value).isoformat(timespec="milliseconds") + "Z"
            except records.StatementError:
                continue
    return ""


@dataclass
class Pulled:
    pages: int = 0
    statements: int = 0
    tally: records.Tally | None = None


def pull(
    session: Session,
    source: RecordSource,
    base_iri: str,
    key: bytes,
    *,
    fetch: Fetch = _fetch,
    progress: Callable[[float, str], None] = lambda share, message: None,
    max_pages: int | None = None,
    overlap: dt.timedelta = dt.timedelta(hours=OVERLAP_HOURS),
) -> Pulled:
    """Pull the source's new statements into the records, page after page, committing each page with the
    cursor (``source.more`` mid-pull, ``source.since`` once done). Raises IngestError, leaving the cursor at
    the last page stored, so the next pull goes on from there."""
    headers = {"X-Experience-API-Version": "1.0.3", "Accept": "application/json"}
    if source.username or source.password:
        token = base64.b64encode(f"{source.username}:{source.password}".encode()).decode()
        headers["Authorization"] = "Basic " + token
    target = records.Target(source.course_id, base_iri, f"lrs:{source.name}", version=source.course_version)
    start = records.timestamp(source.since) if source.since else None
    url = source.more or _first_page(source, overlap)
    done = Pulled(tally=records.Tally())
    assert done.tally is not None
    try:
        while url:
            try:
                page = json.loads(fetch(url, headers))
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise IngestError("the LRS's answer is not JSON") from None
            if not isinstance(page, dict) or not isinstance(page.get("statements"), list):
                raise IngestError("the LRS's answer has no statements list (is the endpoint its xAPI address?)")
            statements = page["statements"]
            done.tally.add(records.store(session, target, statements, key))
            newest = max((_stored(st) for st in statements), default="")
            if newest and (not source.since or records.timestamp(newest) > records.timestamp(source.since)):
                source.since = newest[:64]
            more = page.get("more") or ""
            url = urljoin(source.endpoint, more) if isinstance(more, str) and more and statements else ""
            source.more = url[:2000]
            source.error, source.pulled_at = "", now()
            session.commit()  # the page and where the pull stands, together
            done.pages += 1
            done.statements += len(statements)
            if newest and start is not None:
                span = (now() - start).total_seconds() or 1
                share = (records.timestamp(newest) - start).total_seconds() / span
            else:
                share = done.pages / (done.pages + 10)
            progress(share, f"{done.statements} statements read, {done.tally.added} new")
            if max_pages is not None and done.pages >= max_pages:
                break
    except IngestError as e:
        session.rollback()
        source.error = str(e)
        session.commit()
        raise
    return done


def run_pull(app: Any, session: Session, job_id: int, folder: Path, params: dict[str, Any]) -> dict[str, Any]:
    """The ``lrs-pull`` job: pull one source (``params["source"]``) and say what came in."""
    from ..jobs import queue

    source = session.get(RecordSource, int(params.get("source", 0)))
    if source is None:
        raise IngestError("the source was removed before its pull ran")
    course = session.get(CourseRecord, source.course_id)
    assert course is not None
    if params.get("full"):  # from the beginning: what was pulled before is stored once all the same
        source.since, source.more = "", ""
        session.commit()
    progress = queue.progress(app, job_id)
    progress.set(0, f"pulling from {source.name}", force=True)
    with app.app_context():
        base = records.course_iri(course)
    overlap = dt.timedelta(hours=float(app.config.get("LRS_PULL_OVERLAP_HOURS", OVERLAP_HOURS)))
    done = pull(
        session,
        source,
        base,
        records.app_key(app),
        progress=lambda share, msg: progress.set(share, msg),
        overlap=overlap,
    )
    tally = done.tally or records.Tally()
    return {
        "source": source.name,
        "pages": done.pages,
        "statements": done.statements,
        "added": tally.added,
        "duplicates": tally.duplicates,
        "elsewhere": tally.elsewhere,
        "refused": tally.refused,
    }


# sheets -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]  # header (lower case, trimmed) -> cell


def _text(data: bytes) -> str:
    """The sheet's text: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252 (Excel's)."""
    if len(data) > MAX_SHEET_BYTES:
        raise IngestError(f"the sheet is over {MAX_SHEET_BYTES // (1024 * 1024)} MB")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def rows(data: bytes) -> tuple[list[str], Iterator[Row]]:
    """The header and the rows of a CSV or tab-separated sheet; IngestError with the line for what is broken."""
    text = _text(data)
    if "\0" in text:
        raise IngestError("the sheet has NUL characters: it is not a text sheet (save it as CSV)")
    first = text.split("\n", 1)[0]
    delimiter = max("\t,;", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise IngestError("the sheet is empty") from None
    except csv.Error as e:
        raise IngestError(f"line 1: {e}") from None
    if not any(header):
        raise IngestError("line 1: the sheet has no header row")

    def walk() -> Iterator[Row]:
        count = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                raise IngestError(f"line {reader.line_num}: {e}") from None
            if not any(c.strip() for c in cells):
                continue
            count += 1
            if count > MAX_ROWS:
                raise IngestError(f"the sheet has over {MAX_ROWS} rows: split it")
            if any(len(c) > MAX_CELL for c in cells):
                raise IngestError(f"line {reader.line_num}: a cell is over {MAX_CELL} characters")
            yield Row(reader.line_num, {h: c.strip() for h, c in zip(header, cells, strict=False) if h})

    return header, walk()


_DATE_FORMATS = (
    "%A, %d %B %Y, %I:%M %p",  # Moodle's userdate: Monday, 2 November 2026, 10:15 AM
    "%d %B %Y, %I:%M %p",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d-%b-%Y",
)


def when(value: str, zone: dt.tzinfo, line: int, column: str) -> dt.datetime:
    """A sheet's date or time (ISO 8601, Moodle's long form, day first), in *zone* unless it says its own."""
    value = value.strip()
    moment = None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        if value.isdigit() and len(value) in (10, 13):  # epoch seconds or milliseconds
            moment = dt.datetime.fromtimestamp(int(value) / (1000 if len(value) == 13 else 1), dt.UTC)
        for fmt in _DATE_FORMATS:
            if moment is not None:
                break
            try:
                moment = dt.datetime.strptime(value, fmt)
            except ValueError:
                continue
    if moment is None:
        raise IngestError(f"line {line}: {column} {value[:40]!r} is not a date the studio reads (give ISO 8601)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _org_unit(row: Row) -> str:
    return next((row.cells[c] for c in ORG_UNIT_COLUMNS if row.cells.get(c)), "")


def _sheet_statement(seed: str, actor: dict[str, Any], verb: str, obj: dict[str, Any], at: dt.datetime,
                     lang: str, org_unit: str, result: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    context: dict[str, Any] = {"language": lang} if lang else {}
    if org_unit:
        context["extensions"] = {records.ORG_UNIT_EXT: org_unit}
    statement = {
        "id": str(uuid.uuid5(NAMESPACE, seed)),
        "timestamp": _stamp(at),
        "actor": actor,
        "verb": {"id": V + verb, "display": {"en-US": verb}},
        "object": obj,
        "context": context,
    }
    if result is not None:
        statement["result"] = result
    return statement


def _questions(course: Course) -> dict[str, list[str]]:
    """Question id -> the quizzes that have a question with it (SCORM interactions name the question only)."""
    found: dict[str, list[str]] = {}
    for quiz in course.quizzes:
        for q in quiz.questions:
            found.setdefault(q.id, []).append(quiz.id)
    return found


RESULTS = {"correct": True, "wrong": False, "incorrect": False}
STATUS_VERBS = {"completed": "completed", "passed": "passed", "failed": "failed"}


def moodle_statements(
    data: bytes, course: Course, *, site: str, zone: str = "Asia/Kolkata"
) -> Iterator[dict[str, Any]]:
    """Statements of Moodle's SCORM interactions report: one ``answered`` per interaction with a response, one
    ``completed``/``passed``/``failed`` per attempt whose status says so. IngestError for a sheet that is not
    one, or a row the studio cannot read (with its line)."""
    header, body = rows(data)
    tz = _zone(zone)
    numbers = sorted({int(m[1]) for h in header if (m := re.fullmatch(r"question (\d+)", h))})
    if not numbers:
        raise IngestError(
            "line 1: no 'Question <n>' columns: download the Interactions report with 'Question summary' shown"
        )
    if not any(h.startswith("response ") for h in header):
        raise IngestError("line 1: no 'Response <n>' columns: download the Interactions report with responses shown")
    who = next((c for c in ("email address", "username", "id number", "name") if c in header), None)
    if who is None:
        raise IngestError("line 1: no column names the learner (Email address, Username, ID number or Name)")
    time_column = next((c for c in ("last accessed on", "started on", "last", "started") if c in header), None)
    iris, known, lang = Iris.of(course), _questions(course), course.language
    site = site.strip() or "moodle"
    base = iris.base

    def generate() -> Iterator[dict[str, Any]]:
        for row in body:
            person = row.cells.get(who, "")
            if not person or person == "-":
                continue
            actor: dict[str, Any] = (
                {"objectType": "Agent", "mbox": "mailto:" + person.lower()}
                if who == "email address"
                else {"objectType": "Agent", "account": {"homePage": site, "name": person}}
            )
            attempt = row.cells.get("attempt", "1")
            if attempt in ("", "-"):
                continue  # a learner without an attempt
            stamp = row.cells.get(time_column or "", "")
            at = (
                when(stamp, tz, row.line, time_column or "") if stamp and stamp != "-" else now().replace(tzinfo=dt.UTC)
            )
            unit = _org_unit(row)
            seed = f"moodle|{site}|{base}|{person.lower()}|{attempt}"
            for n in numbers:
                qid = row.cells.get(f"question {n}", "")
                response = row.cells.get(f"response {n}", "")
                if not qid:
                    continue
                quizzes = known.get(qid)
                if not quizzes:
                    raise IngestError(
                        f"line {row.line}: Question {n} is {qid[:60]!r}, which is no question of this course"
                    )
                if len(quizzes) > 1:
                    raise IngestError(
                        f"line {row.line}: question id {qid!r} is in quizzes {', '.join(quizzes)}: ambiguous"
                    )
                result: dict[str, Any] = {"response": response}
                verdict = RESULTS.get(row.cells.get(f"result {n}", "").lower())
                if verdict is not None:
                    result["success"] = verdict
                obj = {"objectType": "Activity", "id": f"{base}/question/{_enc(quizzes[0])}/{_enc(qid)}",
                       "definition": {"type": A + "cmi.interaction"}}  # fmt: skip
                yield _sheet_statement(f"{seed}|{n}|{qid}", actor, "answered", obj, at, lang, unit, result)
            statuses = [
                row.cells[h].lower() for h in header if h not in _KNOWN_MOODLE and not _numbered(h) and h in row.cells
            ]
            verb = next((STATUS_VERBS[s] for s in statuses if s in STATUS_VERBS), None)
            if verb:
                obj = {"objectType": "Activity", "id": base, "definition": {"type": A + "course"}}
                outcome = {"completion": True} if verb == "completed" else {"success": verb == "passed"}
                yield _sheet_statement(f"{seed}|{verb}", actor, verb, obj, at, lang, unit, outcome)

    return generate()


_KNOWN_MOODLE = {"name", "email address", "username", "id number", "attempt", "started on", "last accessed on", "score"}


def _numbered(header: str) -> bool:
    return re.fullmatch(r"(question|response|right answer|result) \d+", header) is not None


def igot_statements(
    data: bytes, course: Course, *, igot_course: str = "", zone: str = "Asia/Kolkata"
) -> Iterator[dict[str, Any]]:
    """``completed`` statements of iGOT's completion sheet (``userid``, ``courseid``, ``completedon``). Rows of
    another iGOT course than *igot_course* are left out; without it, the sheet must be of one course."""
    header, body = rows(data)
    missing = [c for c in ("userid", "courseid", "completedon") if c not in header]
    if missing:
        raise IngestError(
            "line 1: the iGOT completion sheet needs the columns userid, courseid, completedon"
            f" (missing: {', '.join(missing)})"
        )
    tz = _zone(zone)
    base, lang = Iris.of(course).base, course.language
    wanted = igot_course.strip()

    def generate() -> Iterator[dict[str, Any]]:
        nonlocal wanted
        for row in body:
            user, cid, done = (
                row.cells.get("userid", ""),
                row.cells.get("courseid", ""),
                row.cells.get("completedon", ""),
            )
            if not user:
                raise IngestError(f"line {row.line}: userid is empty")
            if not wanted:
                wanted = cid
            if cid != wanted:
                if igot_course.strip():
                    continue
                raise IngestError(
                    f"line {row.line}: the sheet has courses {wanted!r} and {cid!r}:"
                    " give the iGOT course id of this course"
                )
            if not done:
                continue  # enrolled, not completed
            at = when(done, tz, row.line, "completedon")
            actor = {"objectType": "Agent", "account": {"homePage": IGOT_HOME, "name": user}}
            obj = {"objectType": "Activity", "id": base, "definition": {"type": A + "course"}}
            yield _sheet_statement(f"igot|{base}|{cid}|{user}|{_stamp(at)}", actor, "completed", obj, at, lang,
                                   _org_unit(row), {"completion": True})  # fmt: skip

    return generate()


def _zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise IngestError(f"unknown time zone {name!r} (give one like Asia/Kolkata)") from None


def _enc(part: str) -> str:
    from urllib.parse import quote

    return quote(part, safe="-_.!~*'()")


def store_sheet(
    session: Session, course: CourseRecord, base_iri: str, statements: Iterator[dict[str, Any]], key: bytes,
    *, source: str, version: str = "",
) -> records.Tally:  # fmt: skip
    """Store a sheet's statements all or none: a row the studio cannot read stops the upload before any is kept."""
    target = records.Target(course.id, base_iri, source, version=version.strip()[:64])
    try:
        tally = records.store(session, target, statements, key)
    except IngestError:
        session.rollback()
        raise
    session.commit()
    return tally


SHEETS = {"moodle": "moodle-csv", "igot": "igot-sheet"}


def upload_sheet(
    session: Session,
    course: CourseRecord,
    kind: str,
    data: bytes,
    key: bytes,
    *,
    site: str = "",
    igot_course: str = "",
    version: str = "",
    zone: str = "Asia/Kolkata",
) -> records.Tally:
    """Read an uploaded sheet of *kind* (``moodle`` or ``igot``) into the course's records, all rows or none."""
    from ..authoring import library

    if kind not in SHEETS:
        raise IngestError("choose which sheet it is: Moodle's interactions report or iGOT's completion sheet")
    if len(data) > MAX_SHEET_BYTES:
        raise IngestError(f"the sheet is over {MAX_SHEET_BYTES // (1024 * 1024)} MB")
    model = library.load(course)
    base = Iris.of(model).base
    if kind == "moodle":
        statements = moodle_statements(data, model, site=site, zone=zone)
    else:
        statements = igot_statements(data, model, igot_course=igot_course, zone=zone)
    return store_sheet(session, course, base, statements, key, source=SHEETS[kind], version=version)
