"""Course content on its own origin, so that no file a course supplies ever runs with the studio's authority.

Every place the studio shows course content (learner player, review player, translator's preview,
live editor preview, LMS preview, media, attachments) points at ``CONTENT_ORIGIN``, a different origin
from the studio's (another host name in production, the next port for ``kstudio serve``). Requests are
dispatched by their Host header: the content host reaches only the small app made by
:func:`make_app` - no session, no sign-in, no forms, no studio routes, and the Cookie header is
dropped before it gets there. The studio's own host serves no course content: its old player
addresses redirect through a freshly signed URL.

Content URLs are capability URLs, like GitHub's raw-content tokens: ``/t/<token>/<path>``, the token
signed with the studio's SECRET_KEY (its own salt) over what it grants (person, kind, organisation,
course or submission, language, LMS runtime) and valid for ``CONTENT_TOKEN_SECONDS``. Each use checks
again that the person still exists and their role still allows the kind's action (``policy.ACTIONS``),
so removing a member cuts their access at once. The token is a path prefix, so the player's relative
URLs keep working.

Every content response carries a sandboxing CSP: pages (players, the live preview, the LMS wrapper)
are sandboxed with scripts allowed (the origin holds no authority, so ``allow-same-origin`` only lets
the player reach its own files) and framed only by the studio; everything else is ``sandbox;
default-src 'none'``, ``nosniff``, and anything that is not media the player shows is an attachment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, redirect, render_template, request, send_file
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from ..accounts import accounts
from ..accounts.policy import allowed
from ..db import db
from ..models import CourseRecord

SALT = "kstudio.content-url"
DEFAULT_ORIGIN = "http://127.0.0.1:5001"  # kstudio serve's default: the studio on 5000, its content on 5001
ACTION = {  # kind of content -> the action of policy.ACTIONS the person must still hold
    "course": "course.view",
    "lms": "course.view",
    "translate": "translation.view",
    "review": "catalogue.queue",
}
PAGE_SANDBOX = (
    "sandbox allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox allow-downloads"
)
FILE_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'"
)
STATIC = Path(__file__).resolve().parents[1] / "static"  # studio/static


def origin(app: Flask | None = None) -> str:
    """The content origin, ``scheme://host[:port]`` without a trailing slash."""
    return str((app or current_app).config.get("CONTENT_ORIGIN") or DEFAULT_ORIGIN).rstrip("/")


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=SALT)


def url(kind: str, path: str = "", **grant: Any) -> str:
    """A content URL for the signed-in person (a studio request): ``kind`` of ACTION, in ``g.org``."""
    from flask_login import current_user

    if kind not in ACTION:
        raise ValueError(f"unknown content kind {kind!r}")
    claims = {"u": current_user.id, "x": g.get("user_session_id"), "k": kind, "o": g.org.id, **grant}
    claims["s"] = request.host_url.rstrip("/")
    token = _serializer(current_app).dumps(claims)
    return f"{origin()}/t/{token}/{path}"


def redirect_to(kind: str, path: str = "", anchor: str = "", **grant: Any) -> BaseResponse:
    """The studio's old player addresses: a redirect through a freshly signed content URL."""
    response = redirect(url(kind, path, **grant) + (f"#{anchor}" if anchor else ""))
    response.headers["Cache-Control"] = "no-store"  # a capability: never kept by a cache
    return response


# Dispatch by Host ---------------------------------------------------------------------------------


def _netloc(address: str) -> str:
    """``host:port`` of an origin or a Host header, lower-case, the scheme's default port dropped."""
    parts = urlsplit(address if "//" in address else f"//{address}")
    host = (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    port = parts.port
    return host if port in (None, 80, 443) else f"{host}:{port}"


class HostDispatcher:
    """WSGI: requests for the content host go to the content app (with no cookies), all others to the studio."""

    def __init__(self, studio: Any, content: Flask):
        self.studio, self.content = studio, content

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        if _netloc(host) == _netloc(origin(self.content)):
            environ.pop("HTTP_COOKIE", None)  # cookies are not port-isolated: the studio's never reach here
            return self.content.wsgi_app(environ, start_response)
        return self.studio(environ, start_response)


# The content app ----------------------------------------------------------------------------------


# Another room's content: (the grant's claims, the file's path, "" for the player's page) -> the response
Serve = Callable[[dict[str, Any], str], BaseResponse]


def register_kind(studio: Flask, kind: str, serve: Serve) -> None:
    """Let the content origin serve *kind* (one of ``ACTION``'s): each room registers its own content,
    so this one imports none of them."""
    assert kind in ACTION, f"content kind {kind!r} needs its action in ACTION"
    studio.extensions.setdefault("studio.content_kinds", {})[kind] = serve


def make_app(studio: Flask) -> Flask:
    """The app the content host reaches: the players' files by capability URL, and nothing else."""
    from flask_babel import Babel, get_locale

    app = Flask("studio", static_folder=None)
    app.config = studio.config  # type: ignore[assignment]  # one configuration, read at request time
    for key in [key for key in studio.extensions if key.startswith("studio.")]:  # its engine, queue, rooms' caches
        app.extensions[key] = studio.extensions[key]
    Babel(app, locale_selector=lambda: request.accept_languages.best_match(app.config["LANGUAGES"]) or "en")
    app.jinja_env.globals["get_locale"] = get_locale

    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.close()

    app.add_url_rule("/t/<token>/", "index", _index)
    app.add_url_rule("/t/<token>/<path:path>", "file", _file)
    app.add_url_rule("/static/<name>", "static", _static)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:  # a short message, never the studio's pages
        own = exc.code in (403, 404) and exc.description and exc.description != type(exc).description
        text = exc.description if own else exc.name
        return Response(f"{exc.code} {text}\n", exc.code, mimetype="text/plain")

    app.after_request(_headers)
    return app


def _headers(response: Response) -> Response:
    """The sandbox on every content response; pages keep their own CSP beneath it."""
    page = response.headers.get("Content-Security-Policy")
    if page and response.mimetype == "text/html":
        ancestors = " ".join(dict.fromkeys([g.get("studio_origin", ""), "'self'"])).strip()
        response.headers["Content-Security-Policy"] = f"{PAGE_SANDBOX}; {page}; frame-ancestors {ancestors}"
    else:
        response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the path: never send it onwards
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin-allow-popups"
    response.headers.pop("X-Frame-Options", None)
    return response


def _grant(token: str) -> dict[str, Any]:
    """The token's claims, after checking the person still holds the permission; sets g.org, g.course, g.role."""
    try:
        claims = _serializer(current_app).loads(token, max_age=int(current_app.config["CONTENT_TOKEN_SECONDS"]))
    except SignatureExpired:
        abort(403, "This link has expired: open the preview again from the studio.")
    except BadSignature:
        abort(404, "There is nothing here.")
    if not isinstance(claims, dict) or claims.get("k") not in ACTION:
        abort(404, "There is nothing here.")
    session = db()
    holder = accounts.holder(session, claims.get("u"), claims.get("o"), claims.get("x"))
    if holder is None:  # signed out since: the link ends too
        abort(403, "You have signed out of the studio: sign in and open the preview again.")
    user, org, role = holder
    if org is None or not allowed(role, ACTION[claims["k"]]):
        abort(403, "You may no longer see this: open the preview again from the studio.")
    g.org, g.role, g.user_id = org, role, user.id
    g.studio_origin = str(claims.get("s", ""))
    if "c" in claims:
        course = session.get(CourseRecord, claims["c"])
        if course is None or course.organisation_id != org.id:
            abort(404, "This course is no longer in the studio.")
        g.course = course
    return claims


def _index(token: str) -> BaseResponse:
    return _file(token, "")


def _file(token: str, path: str) -> BaseResponse:
    from ..authoring.live import player_for
    from ..authoring.storage import course_dir
    from .preview import player_file, player_index
    from .views import lms_content

    claims = _grant(token)
    kind = claims["k"]
    if kind == "course":
        if path == "live":  # the editor's live preview: an empty lesson page the editor posts lessons into
            response = Response(render_template("live.html", studio_origin=g.studio_origin), mimetype="text/html")
            response.headers["Content-Security-Policy"] = player_for(course_dir(g.course)).csp
            return response
        player = player_for(course_dir(g.course))
        return player_index(player) if not path else player_file(player, path)
    serve: Serve | None = current_app.extensions["studio.content_kinds"].get(kind)
    if serve is not None:  # another room's content (translate, review)
        return serve(claims, path)
    return lms_content(claims["a"], claims["l"], path)


def _static(name: str) -> BaseResponse:
    """The studio's own scripts the content pages run (the live preview's, the LMS side of the LMS preview)."""
    from .lms import RUNTIME

    files = {"live.js": STATIC / "live.js", "lms.js": STATIC / "lms.js", "scorm-again.js": RUNTIME}
    files["studio.css"] = STATIC / "studio.css"
    if name not in files or not files[name].is_file():
        abort(404, "There is nothing here.")
    return send_file(files[name], mimetype="text/css" if name.endswith(".css") else "text/javascript")
