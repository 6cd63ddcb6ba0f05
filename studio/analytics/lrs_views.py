"""The studio's LRS endpoint, ``/xapi/``: statements from the course's packages in, stored statements out.

An API with its own authentication (each course's credentials, HTTP Basic; lrs.py), so it is exempt from the
studio's CSRF tokens and sessions. Packages run on an LMS's origin, so it answers cross-origin requests (the
credentials travel in the Authorization header, never in cookies).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, jsonify, request, url_for
from werkzeug.wrappers import Response

from ..db import db, this_app
from . import lrs, records

bp = Blueprint("lrs", __name__, url_prefix="/xapi")
HEADERS = "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match"
EXPOSED = "X-Experience-API-Version, X-Experience-API-Consistent-Through, ETag, Last-Modified"


@bp.after_request
def _xapi_headers(response: Response) -> Response:
    response.headers["X-Experience-API-Version"] = lrs.VERSION
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Headers"] = HEADERS
    response.headers["Access-Control-Allow-Methods"] = "GET, PUT, POST, DELETE, OPTIONS"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    response.headers["Cache-Control"] = "no-store"
    return response


def _error(exc: lrs.LrsError) -> tuple[Response, int]:
    response = jsonify(error=exc.message)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="xAPI"'
    return response, exc.status


def _body() -> bytes:
    """The body, read no further than the limit (a larger one is refused without being read whole)."""
    if (request.content_length or 0) > lrs.MAX_BYTES:
        raise lrs.LrsError(413, f"the request is over {lrs.MAX_BYTES} bytes")
    return request.stream.read(lrs.MAX_BYTES + 1)


@bp.get("/about")
def about() -> Any:
    return jsonify(version=[lrs.VERSION])


@bp.route("/statements", methods=["GET", "PUT", "POST"])
def statements() -> Any:
    session = db()
    try:
        lrs.check_version(request.headers.get("X-Experience-API-Version"))
        credential = lrs.authenticate(session, request.headers.get("Authorization"))
        if request.method == "PUT":
            key = records.app_key(this_app())  # only for writing: a GET makes nothing, not even the key file
            lrs.put(session, credential, request.args.get("statementId"), _body(), key)
            session.commit()
            return "", 204
        if request.method == "POST":
            ids = lrs.post(session, credential, _body(), records.app_key(this_app()))
            session.commit()
            return jsonify(ids), 200
        if "statementId" in request.args:
            answer = jsonify(lrs.one(session, credential, request.args["statementId"]))
        elif "voidedStatementId" in request.args:
            raise lrs.LrsError(404, "this LRS holds no voided statements")
        else:
            answer = jsonify(lrs.page(session, credential, request.args.to_dict(), url_for("lrs.statements")))
        answer.headers["X-Experience-API-Consistent-Through"] = lrs.consistent_through()
        return answer
    except lrs.LrsError as exc:
        session.rollback()
        return _error(exc)


@bp.route("/activities/state", methods=["GET", "PUT", "POST", "DELETE"])
def state() -> Any:
    session = db()
    try:
        lrs.check_version(request.headers.get("X-Experience-API-Version"))
        credential = lrs.authenticate(session, request.headers.get("Authorization"))
        at = lrs.state_key(session, credential, request.args.to_dict(), records.app_key(this_app()))
        state_id = request.args.get("stateId")
        if request.method == "GET":
            content, content_type = lrs.state_get(session, at, state_id)
            return Response(content, 200, content_type=content_type)
        if request.method == "DELETE":
            lrs.state_delete(session, at, state_id)
        else:
            body = _body()
            lrs.state_put(session, at, state_id, body, request.content_type or "", merge=request.method == "POST")
        session.commit()
        return "", 204
    except lrs.LrsError as exc:
        session.rollback()
        return _error(exc)


@bp.route("/agents/profile", methods=["GET", "PUT", "POST", "DELETE"])
def agent_profile() -> Any:
    session = db()
    try:
        lrs.check_version(request.headers.get("X-Experience-API-Version"))
        credential = lrs.authenticate(session, request.headers.get("Authorization"))
        at = lrs.profile_key(credential, request.args.to_dict(), records.app_key(this_app()))
        profile_id = request.args.get("profileId")
        conditions = {
            "if_match": request.headers.get("If-Match"),
            "if_none_match": request.headers.get("If-None-Match"),
        }
        if request.method == "GET":
            if not profile_id:
                return jsonify(lrs.profile_ids(session, at, request.args.get("since")))
            profile = lrs.profile_get(session, at, profile_id)
            answer = Response(profile.content, 200, content_type=profile.content_type)
            answer.headers["ETag"] = profile.etag
            answer.last_modified = profile.updated.replace(tzinfo=dt.UTC)
            return answer
        if request.method == "DELETE":
            lrs.profile_delete(session, at, profile_id, **conditions)
            session.commit()
            return "", 204
        body = _body()
        tag = lrs.profile_put(
            session, at, profile_id, body, request.content_type or "", merge=request.method == "POST", **conditions
        )
        session.commit()
        return "", 204, {"ETag": tag}
    except lrs.LrsError as exc:
        session.rollback()
        return _error(exc)


@bp.get("/agents")
def agents() -> Any:
    session = db()
    try:
        lrs.check_version(request.headers.get("X-Experience-API-Version"))
        lrs.authenticate(session, request.headers.get("Authorization"))
        return jsonify(lrs.person(request.args.to_dict()))
    except lrs.LrsError as exc:
        return _error(exc)
