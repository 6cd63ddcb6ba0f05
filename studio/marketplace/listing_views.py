"""The published catalogue's public pages (no sign-in), a JSON API of the same, and the iGOT exports
(``listing.py`` decides what is listed and which stored file is served).

Downloads come from the snapshot store, hashed on the way (the checksum is the ETag and the ``Digest``
header).
"""

from __future__ import annotations

import base64
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, send_file, url_for
from werkzeug.wrappers import Response as BaseResponse

from packager.svg import HEADERS as SVG_HEADERS

from ..db import db
from . import listing

bp = Blueprint("catalog", __name__, url_prefix="/catalogue")
api = Blueprint("catalog_api", __name__, url_prefix="/api/catalogue")


def _entry(provider: str, course_id: str) -> dict[str, Any]:
    try:
        return listing.find(db(), provider, course_id)
    except listing.Unavailable:
        abort(404)


def _packages(provider: str, course_id: str, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Every package of every Live version, with its download address and checksum."""
    out = []
    for package in listing.packages(current_app, db(), entry):
        sub = package.pop("sub")
        where = {"provider": provider, "course_id": course_id, "sub": sub, "name": package["name"]}
        out.append({**package, "url": url_for("catalog.download", **where, _external=True)})
    return out


def _links(entry: dict[str, Any]) -> tuple[str, str]:
    """(the course's page, its thumbnail's address or ""), as the partner sheet lists them."""
    provider, course_id = entry["provider"]["id"], entry["course_id"]
    page = url_for("catalog.course", provider=provider, course_id=course_id, _external=True)
    icon = url_for("catalog.thumbnail", provider=provider, course_id=course_id, _external=True)
    return page, icon if entry["thumbnail"] else ""


def _public(entry: dict[str, Any], provider: str, course_id: str, with_packages: bool = False) -> dict[str, Any]:
    keys = ("course_id", "version", "title", "summary", "provider", "competencies", "languages", "level")
    data = {k: entry[k] for k in keys}
    data |= {"learning_minutes": entry["minutes"], "license": entry["license"], "audience": entry["audience"]}
    data["url"] = url_for("catalog.course", provider=provider, course_id=course_id, _external=True)
    data["versions"] = [v["version"] for v in entry["versions"]]
    if with_packages:
        data["packages"] = _packages(provider, course_id, entry)
    return data


# --- pages ------------------------------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    session = db()
    found = listing.search(session, request.args)
    facets = listing.facets(listing.courses(session))
    return render_template("catalogue.html", entries=found, facets=facets, args=request.args)


@bp.get("/<provider>/<course_id>/")
def course(provider: str, course_id: str) -> str:
    entry = _entry(provider, course_id)
    return render_template("catalogue_course.html", entry=entry, packages=_packages(provider, course_id, entry))


@bp.get("/<provider>/<course_id>/v/<int:sub>/<name>")
def download(provider: str, course_id: str, sub: int, name: str) -> BaseResponse:
    try:
        path, package = listing.package_file(current_app, db(), _entry(provider, course_id), sub, name)
    except listing.Unavailable:
        abort(404)
    response = send_file(path, as_attachment=True, download_name=name, etag=package.sha256)
    response.headers["Digest"] = "sha-256=" + base64.b64encode(bytes.fromhex(package.sha256)).decode()
    response.headers["Cache-Control"] = "public, max-age=86400, immutable"  # a version's bytes never change
    return response


@bp.get("/<provider>/<course_id>/thumbnail")
def thumbnail(provider: str, course_id: str) -> BaseResponse:
    entry = _entry(provider, course_id)
    try:
        path, media_type, data = listing.thumbnail(current_app, db(), entry)
    except listing.Unavailable:
        abort(404)
    if data is not None:  # an SVG, sanitised: it runs nothing, even opened on its own
        return Response(data, headers=SVG_HEADERS)
    response = send_file(path, mimetype=media_type, download_name=entry["thumbnail"].rsplit("/", 1)[-1])
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SVG_HEADERS["Content-Security-Policy"]
    return response


@bp.get("/<provider>/<course_id>/igot-metadata.json")
def metadata(provider: str, course_id: str) -> Response:
    entry = _entry(provider, course_id)
    icon = _links(entry)[1] or None
    try:
        data = listing.igot(current_app, db(), entry, request.args.get("lang") or entry["languages"][0], icon)
    except listing.Unavailable:
        abort(404)
    response = jsonify(data)
    response.headers["Content-Disposition"] = "attachment; filename=igot-metadata.json"
    return response


@bp.get("/sheet.csv")
def sheet() -> Response:
    """The iGOT content partner catalogue sheet of every listed course."""
    try:
        text = listing.sheet(current_app, db(), _links)
    except listing.Unavailable:
        abort(404)
    response = Response(text, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = "attachment; filename=content-partner-sheet.csv"
    return response


# --- JSON API -----------------------------------------------------------------------------------------


@api.get("/courses")
def api_courses() -> Response:
    found = listing.search(db(), request.args)
    return jsonify({"courses": [_public(e, e["provider"]["id"], e["course_id"]) for e in found]})


@api.get("/courses/<provider>/<course_id>")
def api_course(provider: str, course_id: str) -> Response:
    return jsonify(_public(_entry(provider, course_id), provider, course_id, with_packages=True))
