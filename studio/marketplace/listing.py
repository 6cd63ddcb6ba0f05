"""The published catalogue: what it lists, searched and faceted, each version's packages, and the files
the public pages serve, read from the snapshot store (the pages and the JSON API are ``listing_views.py``).

A course is listed while one of its submissions is Live; its page lists every Live version, and each
version's packages per format and language. A stored file that no longer matches its manifest is
refused (:class:`Unavailable`), never served.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from packager import Course, load_course
from packager.marketplace import Listing, PackageEntry, SnapshotError, igot_metadata, partner_sheet
from packager.media import images
from packager.svg import UnsafeSvg

from ..jobs.queue import FORMAT_NAMES
from ..models import Submission
from . import submissions

log = logging.getLogger(__name__)
FILTERS = ("q", "area", "theme", "lang", "provider", "level", "max_minutes")


class Unavailable(LookupError):
    """Not listed, or its stored file is missing or damaged: the public pages answer "not found"."""


def live(session: Session) -> list[tuple[Submission, dict[str, Any]]]:
    """Every Live submission with its listing metadata, newest first."""
    subs = session.scalars(select(Submission).where(Submission.state == "live").order_by(Submission.updated_at.desc()))
    return [(s, s.meta) for s in subs]


def courses(session: Session) -> list[dict[str, Any]]:
    """One entry per course (provider id, course id): its newest Live version, and all Live versions."""
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for sub, meta in live(session):
        key = (meta["provider"]["id"], meta["course_id"])
        if key not in entries:
            entries[key] = {**meta, "submission": sub.id, "versions": []}
        entries[key]["versions"].append({"version": meta["version"], "submission": sub.id, "digest": sub.digest})
    return list(entries.values())


def matches(entry: dict[str, Any], args: Mapping[str, str]) -> bool:
    q = (args.get("q") or "").strip().lower()
    if q and q not in " ".join([entry["title"], entry["summary"], *entry.get("keywords", [])]).lower():
        return False
    comps = entry.get("competencies", [])
    if args.get("area") and all(c["area"] != args["area"] for c in comps):
        return False
    if args.get("theme") and all(c["theme"] != args["theme"] for c in comps):
        return False
    if args.get("lang") and args["lang"] not in entry.get("languages", []):
        return False
    if args.get("provider") and args["provider"] != entry["provider"]["id"]:
        return False
    if args.get("level") and args["level"] != entry.get("level"):
        return False
    limit = args.get("max_minutes", "")
    return not (limit.isdigit() and entry.get("minutes", 0) > int(limit))


def search(session: Session, args: Mapping[str, str]) -> list[dict[str, Any]]:
    """The listed courses matching the filters *args* (:data:`FILTERS`), by title."""
    return sorted((e for e in courses(session) if matches(e, args)), key=lambda e: e["title"].lower())


def facets(entries: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {
        "area": sorted({c["area"] for e in entries for c in e["competencies"]}),
        "theme": sorted({c["theme"] for e in entries for c in e["competencies"]}),
        "lang": sorted({lang for e in entries for lang in e["languages"]}),
        "provider": sorted({(e["provider"]["id"], e["provider"]["name"]) for e in entries}),
        "level": sorted({e["level"] for e in entries if e["level"]}),
    }


def find(session: Session, provider: str, course_id: str) -> dict[str, Any]:
    """The listed course *course_id* of *provider*; :class:`Unavailable` when it is not listed."""
    found = next((e for e in courses(session) if e["provider"]["id"] == provider and e["course_id"] == course_id), None)
    if found is None:
        raise Unavailable(f"{provider}/{course_id} is not listed")
    return found


def packages(app: Flask, session: Session, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Every package of every Live version of *entry*, with its checksum (``sub``: its submission)."""
    out = []
    for version in entry["versions"]:
        sub = session.get(Submission, version["submission"])
        assert sub is not None
        try:
            snap = submissions.open_verified(app, sub, files=False)
        except SnapshotError:
            continue  # a damaged snapshot is not offered (the error is logged)
        for p in snap.packages:
            out.append(
                {
                    "version": version["version"],
                    "format": p.format,
                    "format_name": FORMAT_NAMES.get(p.format, p.format),
                    "lang": p.lang,
                    "name": p.path,
                    "bytes": p.size,
                    "sha256": p.sha256,
                    "sub": sub.id,
                }
            )
    return out


def package_file(app: Flask, session: Session, entry: dict[str, Any], sub: int, name: str) -> tuple[Path, PackageEntry]:
    """The stored file of package *name* of the Live version *sub*, re-hashed: the bytes about to be sent
    are the frozen ones."""
    if sub not in {v["submission"] for v in entry["versions"]}:
        raise Unavailable(f"submission {sub} is not a listed version")
    item = session.get(Submission, sub)
    assert item is not None
    try:
        snap = submissions.open_verified(app, item, files=False)
        package = next(p for p in snap.packages if p.path == name)
    except (SnapshotError, StopIteration):
        raise Unavailable(f"{name} is not a package of submission {sub}") from None
    if problem := snap.verify_entry(package):
        log.error("not serving %s of submission %s: %s", name, sub, problem)
        raise Unavailable(problem)
    return snap.object_path(package), package


def thumbnail(app: Flask, session: Session, entry: dict[str, Any]) -> tuple[Path, str, bytes | None]:
    """The course's thumbnail from the snapshot: (its stored file, its media type, the bytes to send
    instead when it is an SVG, sanitised). Typed by content: a public image that runs nothing."""
    item = session.get(Submission, entry["submission"])
    assert item is not None
    try:
        snap = submissions.open_verified(app, item, files=False)
        thumb = next(e for e in snap.source if e.path == entry["thumbnail"])
    except (SnapshotError, StopIteration):
        raise Unavailable("no thumbnail") from None
    if snap.verify_entry(thumb):
        raise Unavailable(f"{thumb.path} is damaged")
    path = snap.object_path(thumb)
    try:
        media_type, data = images.servable(path, entry["thumbnail"])
    except (images.NotServable, UnsafeSvg) as exc:
        log.warning("not serving the thumbnail of submission %s: %s %s", item.id, thumb.path, exc)
        raise Unavailable(str(exc)) from None
    return path, media_type, data


def model(app: Flask, session: Session, entry: dict[str, Any]) -> Course:
    """The newest Live version's course, loaded from its snapshot."""
    item = session.get(Submission, entry["submission"])
    assert item is not None
    try:
        return load_course(submissions.source_folder(app, item))
    except SnapshotError as exc:
        raise Unavailable(str(exc)) from None


def igot(app: Flask, session: Session, entry: dict[str, Any], lang: str, icon: str | None) -> dict[str, Any]:
    """The iGOT metadata of the newest Live version in *lang* (a language it is listed in)."""
    if lang not in entry["languages"]:
        raise Unavailable(f"not listed in {lang}")
    return igot_metadata(model(app, session, entry), lang, icon)


def sheet(app: Flask, session: Session, links: Callable[[dict[str, Any]], tuple[str, str]]) -> str:
    """The iGOT content partner catalogue sheet of every listed course; *links* gives an entry's page
    address and thumbnail address (empty without a thumbnail)."""
    return partner_sheet([Listing(model(app, session, entry), *links(entry)) for entry in courses(session)])
