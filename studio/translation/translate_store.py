"""The translator's workspace over the database and the course folder (its pages: ``views.py``).

Catalogs are read and written with ``packager.i18n`` and saved as revisions of
``translations/<lang>.po`` (``studio.revisions``: atomic, conflict-checked, in the course's history).
The translation memory of an organisation is the ``tm_unit`` table; each app keeps a
``packager.i18n.memory.Memory`` index per (organisation, language), brought up to date from the table
before each lookup, so several workers see each other's saves (``caches.py``).

Reading writes nothing (a GET never writes): :func:`open_catalog` without a person merges the catalog
with the source in memory only. The writes (:func:`save_segment`, :func:`review_segment`, an upload)
open it as a person, which first saves that merge, recording a catalog changed outside the studio as
its own revision before it, and brings the memory's rows in line with it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polib
from flask import Flask
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from packager import load_course
from packager.i18n import catalog, glossary, memory, sourcediff, sync, xliff
from packager.i18n.apply import catalog_file
from packager.i18n.course import project, segments
from packager.i18n.qa import check_entry
from packager.i18n.segments import KINDS, Segment
from packager.model import Course as CourseModel

from ..authoring import library, revisions
from ..authoring.storage import course_dir, course_file
from ..models import CourseRecord, GlossaryTerm, MemberLanguage, Organisation, SegmentComment, TmUnit, now
from . import caches as room_caches
from .caches import of_app


def init_app(app: Flask) -> None:
    """The room's caches for *app*, and the memory's indexing of a course's catalogs as the course enters
    the studio."""
    room_caches.init_app(app)  # the content origin's app shares the studio's extensions, these too
    app.extensions.setdefault(library.COURSE_ADDED, []).append(index_course)


class UnknownLanguage(LookupError):
    pass


class SegmentChanged(Exception):
    """The segment's translation changed since the translator loaded it: *theirs* is the newer text."""

    def __init__(self, theirs: str):
        super().__init__("changed meanwhile")
        self.theirs = theirs


def course_segments(model: CourseModel) -> list[Segment]:
    """The course's segments, kept while course.yml and its lessons are unchanged, by mtime and size as any
    process sees them (parsing them all is what makes the inline QA and memory calls slow otherwise)."""
    kept = of_app().segments
    stamp = []
    for name in ["course.yml", *(lesson.path for lesson in model.lessons)]:
        try:
            st = (model.root / name).stat()
            stamp.append((name, st.st_mtime_ns, st.st_size))
        except OSError:
            stamp.append((name, 0, -1))
    key = str(model.root)
    cached = kept.get(key)
    if cached is None or cached[0] != tuple(stamp):
        if len(kept) > 64:
            kept.clear()
        cached = kept[key] = (tuple(stamp), segments(model))
    return cached[1]


def check_lang(model: CourseModel, lang: str) -> str:
    if lang not in model.translations:
        raise UnknownLanguage(lang)
    return catalog_file(lang)


# Catalogs ------------------------------------------------------------------------------------


@dataclass
class Opened:
    po: polib.POFile
    revision: revisions.Revision  # what the catalog file holds; not recorded yet if changed outside
    segments: list[Segment] = field(default_factory=list)

    def save(self, session: Session, course: CourseRecord, path: str, user_id: int, note: str) -> revisions.Revision:
        """Save ``po`` over ``revision``: refused if the file no longer holds the text read."""
        base, seen = self.revision.number, self.revision.content_hash
        return revisions.save(session, course, path, str(self.po), base, user_id, note, seen=seen)


def open_catalog(
    session: Session, course: CourseRecord, model: CourseModel, lang: str, user_id: int | None = None
) -> Opened:
    """*lang*'s catalog, merged with the current source. Read-only without *user_id*; with it (a write
    follows) the merge is saved as a revision when it changed the file, and the memory indexes it."""
    path = check_lang(model, lang)
    found = course_segments(model)
    file = course_file(course, path)
    for _attempt in range(5):  # a save racing this one: read again
        rev = revisions.peek(session, course, path)
        old = catalog.read(file) if file.is_file() else catalog.new(lang, project(model))
        po, _report = catalog.merge(old, found, lang, project(model))
        opened = Opened(po, rev, found)
        if user_id is not None and str(po) != rev.content:
            try:
                opened.revision = opened.save(
                    session, course, path, user_id, "catalog brought up to date with the source"
                )
            except revisions.Conflict:
                continue
        break
    if user_id is not None:
        index_catalog(session, course, lang, po)
    return opened


def upload_base(
    session: Session, course: CourseRecord, model: CourseModel, lang: str, number: int | None
) -> polib.POFile | None:
    """Revision *number* of the catalog as an export of it showed it: merged with the course's source
    (an export merges in memory and saves nothing), the base an upload's changes are compared with."""
    rev = revisions.get(session, course, check_lang(model, lang), number) if number else None
    if rev is None or not rev.content:
        return None
    po, _report = catalog.merge(polib.pofile(rev.content), course_segments(model), lang, project(model))
    return po


def save_segment(
    session: Session,
    course: CourseRecord,
    model: CourseModel,
    lang: str,
    segment_id: str,
    text: str,
    fuzzy: bool,
    expected: str,
    user_id: int,
) -> tuple[polib.POEntry, revisions.Revision]:
    """Write one segment's translation; :class:`SegmentChanged` if someone else changed it since *expected*."""
    for _attempt in range(3):  # another segment saved meanwhile is no conflict: merge by segment, retry
        opened = open_catalog(session, course, model, lang, user_id)
        entry = catalog.active(opened.po).get(segment_id)
        if entry is None:
            raise KeyError(segment_id)
        if entry.msgstr != expected and entry.msgstr != text:
            raise SegmentChanged(entry.msgstr)
        if not sync.set_translation(entry, text, fuzzy=fuzzy):
            return entry, opened.revision
        note = f"{lang}: {'fuzzy' if fuzzy else 'translated'} {segment_id}"
        try:
            rev = opened.save(session, course, catalog_file(lang), user_id, note)
        except revisions.Conflict:
            continue
        remember(session, course, lang, entry, user_id)
        return entry, rev
    raise SegmentChanged(expected)


def review_segment(
    session: Session, course: CourseRecord, model: CourseModel, lang: str, segment_id: str, user_id: int
) -> revisions.Revision:
    """Mark a finished segment reviewed; the reviewer must not be the one who last changed it."""
    opened = open_catalog(session, course, model, lang, user_id)
    entry = catalog.active(opened.po).get(segment_id)
    if entry is None:
        raise KeyError(segment_id)
    unit = _unit(session, course, lang, segment_id)
    if unit is not None and unit.user_id == user_id:
        raise PermissionError("a second person reviews a translation: you made this one")
    sync.set_reviewed(entry)  # ValueError for an unfinished one
    rev = opened.save(session, course, catalog_file(lang), user_id, f"{lang}: reviewed {segment_id}")
    remember(session, course, lang, entry, None, reviewed_by=user_id)
    return rev


def save_catalog(
    session: Session, course: CourseRecord, lang: str, opened: Opened, user_id: int, note: str
) -> revisions.Revision:
    rev = opened.save(session, course, catalog_file(lang), user_id, note)
    index_catalog(session, course, lang, opened.po)
    return rev


class UploadUnreadable(ValueError):
    """An uploaded .po or .xlf file that cannot be read; the message names it as it was uploaded."""


def merge_upload(
    session: Session, course: CourseRecord, model: CourseModel, lang: str, name: str, data: bytes, user_id: int
) -> tuple[sync.MergeReport, revisions.Revision]:
    """Merge the uploaded file *name* (its bytes *data*) into the catalog of *lang* where that loses
    nothing, saving a revision and remembering the segments it changed; the report and the revision the
    catalog is at. Raises :class:`UploadUnreadable`, and :class:`revisions.Conflict` if the catalog
    changed while merging."""
    with tempfile.TemporaryDirectory() as tmp:
        upload_path = Path(tmp) / ("upload.po" if name.lower().endswith(".po") else "upload.xlf")
        upload_path.write_bytes(data)
        try:
            units, base_number = sync.read_upload(upload_path, name)
        except (catalog.CatalogError, xliff.XliffError) as exc:
            raise UploadUnreadable(str(exc).replace(str(upload_path), name)) from exc
    opened = open_catalog(session, course, model, lang, user_id)
    base = upload_base(session, course, model, lang, base_number)
    report = sync.merge_upload(opened.po, base, units)
    if not report.updated:
        return report, opened.revision
    rev = save_catalog(session, course, lang, opened, user_id, f"{lang}: merged {name}")
    entries = catalog.active(opened.po)
    for segment_id in report.updated:
        remember(session, course, lang, entries[segment_id], user_id)
    return report, rev


def index_course(session: Session, course: CourseRecord) -> None:
    """Index the catalogs of a course entering the studio into the memory (a broken one waits for a save
    that mends it; the import is not refused for it)."""
    model = load_course(course_dir(course))
    for lang in model.translations:
        if course_file(course, catalog_file(lang)).is_file():
            try:
                index_catalog(session, course, lang, open_catalog(session, course, model, lang).po)
            except catalog.CatalogError:
                continue


# Translation memory --------------------------------------------------------------------------


def _unit(session: Session, course: CourseRecord, lang: str, segment_id: str) -> TmUnit | None:
    return session.scalar(
        select(TmUnit).where(TmUnit.course_id == course.id, TmUnit.lang == lang, TmUnit.segment_id == segment_id)
    )


def remember(
    session: Session,
    course: CourseRecord,
    lang: str,
    entry: polib.POEntry,
    user_id: int | None,
    reviewed_by: int | None = None,
) -> None:
    unit = _unit(session, course, lang, entry.msgctxt)
    state = sync.state(entry, entry.msgid)
    if unit is None:
        unit = TmUnit(organisation_id=course.organisation_id, course_id=course.id, lang=lang, segment_id=entry.msgctxt)
        session.add(unit)
    elif unit.translation != entry.msgstr:
        unit.reviewed_by = None
    unit.source, unit.translation, unit.state, unit.updated_at = entry.msgid, entry.msgstr, state, now()
    if user_id is not None:
        unit.user_id = user_id
    if reviewed_by is not None:
        unit.reviewed_by = reviewed_by
    session.commit()


def index_catalog(session: Session, course: CourseRecord, lang: str, po: polib.POFile) -> None:
    """Bring the memory's rows of this course and language in line with its catalog (made outside too)."""
    rows = {
        u.segment_id: u
        for u in session.scalars(select(TmUnit).where(TmUnit.course_id == course.id, TmUnit.lang == lang))
    }
    entries = catalog.active(po)
    changed = False
    for ctxt, entry in entries.items():
        unit = rows.get(ctxt)
        state = sync.state(entry, entry.msgid)
        if unit is not None and (unit.source, unit.translation, unit.state) == (entry.msgid, entry.msgstr, state):
            continue
        if unit is None:
            if not entry.msgstr:
                continue
            unit = TmUnit(organisation_id=course.organisation_id, course_id=course.id, lang=lang, segment_id=ctxt)
            session.add(unit)
        unit.source, unit.translation, unit.state, unit.updated_at = entry.msgid, entry.msgstr, state, now()
        changed = True
    gone = [ctxt for ctxt in rows if ctxt not in entries]
    if gone:
        session.execute(
            delete(TmUnit).where(TmUnit.course_id == course.id, TmUnit.lang == lang, TmUnit.segment_id.in_(gone))
        )
        _forget(course.organisation_id, lang, [f"{course.id}|{ctxt}" for ctxt in gone])
        changed = True
    if changed:
        session.commit()


def _forget(org_id: int, lang: str, keys: list[str]) -> None:
    caches = of_app()
    with caches.memory_lock:
        cached = caches.memories.get((org_id, lang))
        if cached:
            for key in keys:
                cached[0].remove(key)
                cached[2].discard(key)


def memory_for(session: Session, org_id: int, lang: str) -> memory.Memory:
    """The organisation's memory for *lang*, with every row changed since it was last read added; read
    afresh when the table holds other rows than it has seen (another process deleted some)."""
    caches = of_app()
    with caches.memory_lock:
        tm, seen, keys = caches.memories.get((org_id, lang), (memory.Memory(), dt.datetime.min, set()))
        tm, seen = _read_units(session, org_id, lang, tm, seen, keys)
        rows = session.scalar(select(func.count()).where(TmUnit.organisation_id == org_id, TmUnit.lang == lang))
        if rows != len(keys):
            keys = set()
            tm, seen = _read_units(session, org_id, lang, memory.Memory(), dt.datetime.min, keys)
        caches.memories[(org_id, lang)] = (tm, seen, keys)
        return tm


def _read_units(
    session: Session, org_id: int, lang: str, tm: memory.Memory, seen: dt.datetime, keys: set[str]
) -> tuple[memory.Memory, dt.datetime]:
    """Add to *tm* the rows changed since *seen* (their keys to *keys*); the newest change read."""
    query = (
        select(
            TmUnit.course_id,
            TmUnit.segment_id,
            TmUnit.source,
            TmUnit.translation,
            TmUnit.state,
            TmUnit.updated_at,
            CourseRecord.title,
        )
        .join(CourseRecord, CourseRecord.id == TmUnit.course_id)
        .where(TmUnit.organisation_id == org_id, TmUnit.lang == lang, TmUnit.updated_at >= seen)
    )
    newest = seen
    for course_id, ctxt, source, text, state, updated, title in session.execute(query):
        usable = state in ("translated", "reviewed")
        key = f"{course_id}|{ctxt}"
        tm.add(memory.Unit(key, source, text if usable else "", title, state))
        keys.add(key)
        newest = max(newest, updated)
    return tm, newest


def matches(
    session: Session, course: CourseRecord, lang: str, segment: Segment, limit: int = 5
) -> list[dict[str, Any]]:
    tm = memory_for(session, course.organisation_id, lang)
    return [
        {
            "source": m.unit.source,
            "translation": m.unit.translation,
            "score": m.score,
            "course": m.unit.course,
            "state": m.unit.state,
        }
        for m in tm.lookup(segment.source, limit=limit, exclude=f"{course.id}|{segment.id}")
    ]


# Glossary, QA, the segment list ----------------------------------------------------------------


def glossary_rows(session: Session, org_id: int, lang: str) -> list[GlossaryTerm]:
    return list(
        session.scalars(
            select(GlossaryTerm)
            .where(GlossaryTerm.organisation_id == org_id, GlossaryTerm.lang == lang)
            .order_by(GlossaryTerm.term)
        )
    )


def terms(session: Session, org_id: int, lang: str) -> list[glossary.Term]:
    return [glossary.Term(r.term, r.translation, r.note, r.dnt) for r in glossary_rows(session, org_id, lang)]


def set_term(session: Session, org_id: int, lang: str, text: str, translation: str, note: str, dnt: bool) -> None:
    """Add the term *text*, or change it: the same term again replaces it."""
    row = session.scalar(
        select(GlossaryTerm).where(
            GlossaryTerm.organisation_id == org_id, GlossaryTerm.lang == lang, GlossaryTerm.term == text
        )
    ) or GlossaryTerm(organisation_id=org_id, lang=lang, term=text)
    row.translation, row.note, row.dnt = translation, note, dnt
    session.add(row)
    session.commit()


def delete_term(session: Session, org_id: int, term_id: int) -> None:
    """Delete the term *term_id* if it is one of the organisation's."""
    term = session.get(GlossaryTerm, term_id)
    if term is not None and term.organisation_id == org_id:
        session.delete(term)
        session.commit()


def qa(source: str, text: str, segment_id: str, found_terms: list[glossary.Term]) -> list[dict[str, str]]:
    """The localisation QA of one translation, plus the glossary's checks, as the editor shows them inline."""
    if not text.strip():
        return []
    problems = [{"severity": p.severity, "message": p.message} for p in check_entry(source, text, segment_id, "", None)]
    problems += [{"severity": "warning", "message": m} for m in glossary.check(found_terms, source, text)]
    return problems


def segment_rows(
    opened: Opened, found_terms: list[glossary.Term], open_comments: dict[str, int]
) -> list[dict[str, Any]]:
    entries = catalog.active(opened.po)
    rows = []
    for n, segment in enumerate(opened.segments):
        entry = entries.get(segment.id)
        state = sync.state(entry, segment.source)
        previous = entry.previous_msgid if entry is not None and entry.fuzzy and entry.previous_msgid else ""
        rows.append(
            {
                "n": n + 1,
                "id": segment.id,
                "kind": segment.kind,
                "kind_text": KINDS.get(segment.kind, segment.kind),
                "file": segment.file,
                "line": segment.line,
                "lesson": segment.id.split("|", 1)[0],
                "source": segment.source,
                "translation": entry.msgstr if entry is not None else "",
                "state": state,
                "previous": previous,
                "diff": sourcediff.spans(previous, segment.source) if previous else [],
                "targets": segment.targets,
                "terms": [
                    {
                        "start": h.start,
                        "end": h.end,
                        "term": h.term.term,
                        "translation": h.term.translation,
                        "dnt": h.term.dnt,
                        "note": h.term.note,
                    }
                    for h in glossary.find(found_terms, segment.source)
                ],
                "comments": open_comments.get(segment.id, 0),
            }
        )
    return rows


def progress(model: CourseModel, po: polib.POFile | None, found: list[Segment]) -> dict[str, int]:
    entries = catalog.active(po) if po is not None else {}
    counts = {"translated": 0, "reviewed": 0, "fuzzy": 0, "missing": 0}
    for segment in found:
        counts[sync.state(entries.get(segment.id), segment.source)] += 1
    counts["total"] = len(found)
    return counts


def courses_progress(
    session: Session, org: Organisation, mine: list[str]
) -> list[tuple[CourseRecord, CourseModel, dict[str, dict[str, int]]]]:
    """The organisation's courses with a translation in *mine* (every translation if empty), each with
    the progress of each of those languages; a catalog that cannot be read counts as empty."""
    rows = []
    for course in library.org_courses(session, org):
        model = library.load(course)
        langs = [lang for lang in model.translations if not mine or lang in mine]
        if not langs:
            continue
        found = course_segments(model)
        progresses = {}
        for lang in langs:
            file = model.root / f"translations/{lang}.po"
            try:
                po = catalog.read(file) if file.is_file() else None
            except catalog.CatalogError:
                po = None
            progresses[lang] = progress(model, po, found)
        rows.append((course, model, progresses))
    return rows


def member_languages(session: Session, org_id: int, user_id: int) -> list[str]:
    return list(
        session.scalars(
            select(MemberLanguage.lang)
            .where(MemberLanguage.organisation_id == org_id, MemberLanguage.user_id == user_id)
            .order_by(MemberLanguage.lang)
        )
    )


def set_member_languages(session: Session, org_id: int, user_id: int, langs: list[str]) -> None:
    session.execute(
        delete(MemberLanguage).where(MemberLanguage.organisation_id == org_id, MemberLanguage.user_id == user_id)
    )
    for lang in dict.fromkeys(langs):
        session.add(MemberLanguage(organisation_id=org_id, user_id=user_id, lang=lang))
    session.commit()


def open_comments(session: Session, course: CourseRecord, lang: str | None = None) -> list[SegmentComment]:
    query = select(SegmentComment).where(SegmentComment.course_id == course.id, SegmentComment.resolved.is_(False))
    if lang:
        query = query.where(SegmentComment.lang == lang)
    return list(session.scalars(query.order_by(SegmentComment.created_at)))


def add_comment(session: Session, course: CourseRecord, lang: str, segment_id: str, user_id: int, body: str) -> None:
    session.add(SegmentComment(course_id=course.id, lang=lang, segment_id=segment_id, user_id=user_id, body=body))
    session.commit()


def resolve_comment(session: Session, course: CourseRecord, comment_id: int) -> bool:
    """Mark the question *comment_id* answered; False if it is not one of *course*'s."""
    comment = session.get(SegmentComment, comment_id)
    if comment is None or comment.course_id != course.id:
        return False
    comment.resolved = True
    session.commit()
    return True
