"""The published catalogue: public pages (no sign-in), a JSON API of the same, and the iGOT exports.

A course is listed while one of its submissions is Live; its page lists every Live version, and each
version's packages per format and language. Downloads come from the snapshot store, hashed on the way
(the checksum is the ETag and the ``Digest`` header); a stored file that no longer matches its manifest
is refused, never served.
"""

from __future__ import annotations

import base64
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, send_file, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from packager import load_course
from packager.marketplace import Listing, SnapshotError, igot_metadata, partner_sheet
from packager.media import images
from packager.svg import HEADERS as SVG_HEADERS
from packager.svg import UnsafeSvg

from ..db import db
from ..jobs.queue import FORMAT_NAMES
from ..models import Submission
from . import submissions

bp = Blueprint("catalog", __name__, url_prefix="/catalogue")
api = Blueprint("catalog_api", __name__, url_prefix="/api/catalogue")
FILTERS = ("q", "area", "theme", "lang", "provider", "level", "max_minutes")


def live() -> list[tuple[Submission, dict[str, Any]]]:
    """Every Live submission with its listing metadata, newest first."""
    subs = db().scalars(select(Submission).where(Submission.state == "live").order_by(Submission.updated_at.desc()))
    return [(s, s.meta) for s in subs]


def courses() -> list[dict[str, Any]]:
    """One entry per course (provider id, course id): its newest Live version, and all Live versions."""
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for sub, meta in live():
        key = (meta["provider"]["id"], meta["course_id"])
        if key not in entries:
            entries[key] = {**meta, "submission": sub.id, "versions": []}
        entries[key]["versions"].append({"version": meta["version"], "submission": sub.id, "digest": sub.digest})
    return list(entries.values())


def matches(entry: dict[str, Any], args: Any) -> bool:
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


def search(args: Any) -> list[dict[str, Any]]:
    return sorted((e for e in courses() if matches(e, args)), key=lambda e: e["title"].lower())


def facets(entries: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {
        "area": sorted({c["area"] for e in entries for c in e["competencies"]}),
        "theme": sorted({c["theme"] for e in entries for c in e["competencies"]}),
        "lang": sorted({lang for e in entries for lang in e["languages"]}),
        "provider": sorted({(e["provider"]["id"], e["provider"]["name"]) for e in entries}),
        "level": sorted({e["level"] for e in entries if e["level"]}),
    }


def entry_for(provider: str, course_id: str) -> dict[str, Any]:
    found = next((e for e in courses() if e["provider"]["id"] == provider and e["course_id"] == course_id), None)
    if found is None:
        abort(404)
    return found


def packages(provider: str, course_id: str, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Every package of every Live version, with its download address and checksum."""
    out = []
    for version in entry["versions"]:
        sub = db().get(Submission, version["submission"])
        assert sub is not None
        try:
            snap = submissions.open_verified(current_app, sub, files=False)
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
                    "url": url_for(
                        "catalog.download",
                        provider=provider,
                        course_id=course_id,
                        sub=sub.id,
                        name=p.path,
                        _external=True,
                    ),
                }
            )
    return out


def public(entry: dict[str, Any], provider: str, course_id: str, with_packages: bool = False) -> dict[str, Any]:
    keys = ("course_id", "version", "title", "summary", "provider", "competencies", "languages", "level")
    data = {k: entry[k] for k in keys}
    data |= {"learning_minutes": entry["minutes"], "license": entry["license"], "audience": entry["audience"]}
    data["url"] = url_for("catalog.course", provider=provider, course_id=course_id, _external=True)
    data["versions"] = [v["version"] for v in entry["versions"]]
    if with_packages:
        data["packages"] = packages(provider, course_id, entry)
    return data


# --- pages ------------------------------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    found = search(request.args)
    return render_template("catalogue.html", entries=found, facets=facets(courses()), args=request.args)


@bp.get("/<provider>/<course_id>/")
def course(provider: str, course_id: str) -> str:
    entry = entry_for(provider, course_id)
    return render_template("catalogue_course.html", entry=entry, packages=packages(provider, course_id, entry))


@bp.get("/<provider>/<course_id>/v/<int:sub>/<name>")
def download(provider: str, course_id: str, sub: int, name: str) -> BaseResponse:
    entry = entry_for(provider, course_id)
    if sub not in {v["submission"] for v in entry["versions"]}:
        abort(404)
    item = db().get(Submission, sub)
    assert item is not None
    try:
        snap = submissions.open_verified(current_app, item, files=False)
        package = next(p for p in snap.packages if p.path == name)
    except (SnapshotError, StopIteration):
        abort(404)
    if problem := snap.verify_entry(package):  # the bytes about to be sent are the frozen ones
        current_app.logger.error("not serving %s of submission %s: %s", name, sub, problem)
        abort(404)
    response = send_file(snap.object_path(package), as_attachment=True, download_name=name, etag=package.sha256)
    response.headers["Digest"] = "sha-256=" + base64.b64encode(bytes.fromhex(package.sha256)).decode()
    response.headers["Cache-Control"] = "public, max-age=86400, immutable"  # a version's bytes never change
    return response


@bp.get("/<provider>/<course_id>/thumbnail")
def thumbnail(provider: str, course_id: str) -> BaseResponse:
    entry = entry_for(provider, course_id)
    item = db().get(Submission, entry["submission"])
    assert item is not None
    try:
        snap = submissions.open_verified(current_app, item, files=False)
        thumb = next(e for e in snap.source if e.path == entry["thumbnail"])
    except (SnapshotError, StopIteration):
        abort(404)
    if snap.verify_entry(thumb):
        abort(404)
    path = snap.object_path(thumb)
    try:  # typed by content, an SVG sanitised: a public image that runs nothing, even opened on its own
        media_type, data = images.servable(path, entry["thumbnail"])
    except (images.NotServable, UnsafeSvg) as exc:
        current_app.logger.warning("not serving the thumbnail of submission %s: %s %s", item.id, thumb.path, exc)
        abort(404)
    if data is not None:
        return Response(data, headers=SVG_HEADERS)
    response = send_file(path, mimetype=media_type, download_name=entry["thumbnail"].rsplit("/", 1)[-1])
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SVG_HEADERS["Content-Security-Policy"]
    return response


@bp.get("/<provider>/<course_id>/igot-metadata.json")
def metadata(provider: str, course_id: str) -> Response:
    entry = entry_for(provider, course_id)
    lang = request.args.get("lang") or entry["languages"][0]
    if lang not in entry["languages"]:
        abort(404)
    item = db().get(Submission, entry["submission"])
    assert item is not None
    model = _model(item)
    icon = (
        url_for("catalog.thumbnail", provider=provider, course_id=course_id, _external=True)
        if entry["thumbnail"]
        else None
    )
    response = jsonify(igot_metadata(model, lang, icon))
    response.headers["Content-Disposition"] = "attachment; filename=igot-metadata.json"
    return response


@bp.get("/sheet.csv")
def sheet() -> Response:
    """The iGOT content partner catalogue sheet of every listed course."""
    listings = []
    for entry in courses():
        item = db().get(Submission, entry["submission"])
        assert item is not None
        provider, course_id = entry["provider"]["id"], entry["course_id"]
        icon = url_for("catalog.thumbnail", provider=provider, course_id=course_id, _external=True)
        url = url_for("catalog.course", provider=provider, course_id=course_id, _external=True)
        listings.append(Listing(_model(item), url, icon if entry["thumbnail"] else ""))
    response = Response(partner_sheet(listings), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = "attachment; filename=content-partner-sheet.csv"
    return response


def _model(item: Submission) -> Any:
    try:
        return load_course(submissions.source_folder(current_app, item))
    except SnapshotError:
        abort(404)


# --- JSON API -----------------------------------------------------------------------------------------


@api.get("/courses")
def api_courses() -> Response:
    found = search(request.args)
    return jsonify({"courses": [public(e, e["provider"]["id"], e["course_id"]) for e in found]})


@api.get("/courses/<provider>/<course_id>")
def api_course(provider: str, course_id: str) -> Response:
    return jsonify(public(entry_for(provider, course_id), provider, course_id, with_packages=True))
