"""Error pages a person can act on (HTML) or JSON for the API; never a traceback."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in."),
    403: _l("Your role in this organisation does not allow this."),
    404: _l("There is nothing here, or it belongs to an organisation you are not a member of."),
    405: _l("That action is not possible here."),
    409: _l("Someone saved a newer version first."),
    413: _l("The file is too large."),
    429: _l("Too many attempts; wait a little and try again."),
}


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> ResponseReturnValue:
        return _respond(400, _("The form had expired or came from another site. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> ResponseReturnValue:
        code = exc.code or 500
        return _respond(code, str(MESSAGES.get(code, exc.description or _("Something went wrong."))))


def _respond(code: int, message: str) -> ResponseReturnValue:
    if request.path.startswith("/api/") or request.is_json:
        return jsonify(error=message), code
    return render_template("error.html", code=code, message=message), code
