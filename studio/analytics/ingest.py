"""Records in from an LRS the studio pulls from (the sheets LMSs export are sheets.py).

**Pulling** (:func:`pull`, run as an ``lrs-pull`` job): ``GET <endpoint>statements?since=…&ascending=true``
with the source's credentials, then each ``more`` page, storing every page with its cursor in one transaction:
a pull stopped at any moment (a worker killed, the LRS down) goes on from the last page stored, and a page
read twice stores nothing twice (statement ids are unique). The next pull asks ``since`` the newest statement
seen, less an overlap (``LRS_PULL_OVERLAP_HOURS``, 72): the spec compares ``since`` with the time the LRS stored
a statement, but ralph compares it with the statement's own ``timestamp``, and a player that was offline sends
its statements late, with the time they happened. What the overlap reads again is stored once. A pull "from the
beginning" forgets the cursor and reads everything again. A ``more`` page on another server is not followed:
the credentials go to the LRS only.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import CourseRecord, RecordSource, now
from . import records

log = logging.getLogger(__name__)
PAGE = 500  # statements asked for per request
TIMEOUT = 30  # seconds per request
MAX_PAGE_BYTES = 32 * 1024 * 1024  # one answer of the LRS
OVERLAP_HOURS = 72


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
            if url and urlsplit(url)[:2] != urlsplit(source.endpoint)[:2]:  # the credentials go to the LRS only
                raise IngestError(f"the LRS's next page is on another server ({urlsplit(url).netloc}): not followed")
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
