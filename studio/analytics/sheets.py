"""Records in from the sheets LMSs export, uploaded by the course's owner.

A sheet becomes statements like the player's, with ids made from their contents (a sheet uploaded twice adds
nothing), so the reports read them like any others:

- Moodle's SCORM *Interactions report*, downloaded as text (tab-separated; a comma- or semicolon-separated copy
  saved by a spreadsheet is read too): one row per learner and attempt; ``Question <n>`` is the interaction id
  our SCORM player writes (the question's id), ``Response <n>`` the learner's response, ``Result <n>``
  correct/wrong/incorrect. The learner is the ``Email address`` column, else ``Username`` or ``ID number``,
  else ``Name``; the time is ``Last accessed on``.
- iGOT's completion sheet: ``userid``, ``courseid``, ``completedon``; one ``completed`` per row.

An optional organisation-unit column (``Department``, ``Organisation``, ``MDO``...) fills the records' unit.
Sheets are hostile until read: their size, rows and cells are bounded, every problem names its line, and a
sheet is stored whole or not at all.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import uuid
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from packager.export.xapi_core import Iris
from packager.model import Course

from ..models import CourseRecord, now
from . import records
from .ingest import IngestError

MAX_SHEET_BYTES = 20 * 1024 * 1024  # one uploaded sheet
MAX_ROWS = 200_000
MAX_CELL = 10_000  # characters
V = "http://adlnet.gov/expapi/verbs/"
A = "http://adlnet.gov/expapi/activities/"
IGOT_HOME = "https://igotkarmayogi.gov.in"
"""The ``account.homePage`` of iGOT's learners: the same person in an LRS's statements and in the sheet."""
ORG_UNIT_COLUMNS = ("department", "organisation", "organization", "org", "orgname", "org unit", "mdo", "institution")
NAMESPACE = uuid.UUID("6f1c3a52-8d3e-4f0a-9a55-5b1e8d0c2f11")  # statement ids of sheet rows (uuid5)


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
