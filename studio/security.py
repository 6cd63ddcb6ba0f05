"""The response-header and cookie policy that does not depend on the page: HSTS when the request came
over HTTPS, a Permissions-Policy turning off the browser features no studio page uses, and session
cookies marked ``Secure`` whenever the studio knows it is served over HTTPS.

The Content-Security-Policy stays beside the other per-page headers in ``create_app``. The ``Server``
header is the web server's and names no version: gunicorn (``kstudio serve --workers N``) sends just
"gunicorn", and the single-process server uses :class:`QuietRequestHandler`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Response

from .preview import content

# a year, and every subdomain: what browsers' HSTS preload lists ask of a site
HSTS = "max-age=31536000; includeSubDomains"
# () turns a feature off for the page and every frame in it. Full screen stays on for the studio's own
# origin and the content origin: the player's video in the previews (frames say allow="fullscreen").
FEATURES_OFF = (
    "accelerometer",
    "bluetooth",
    "browsing-topics",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "interest-cohort",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "serial",
    "usb",
)


def init_app(app: Flask) -> None:
    app.session_interface = _SessionCookies()
    policy = permissions_policy(content.origin(app))  # the players there may go fullscreen

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Permissions-Policy", policy)
        if request.is_secure:  # after ProxyFix: the scheme the trusted proxy saw. Never over plain HTTP,
            response.headers.setdefault("Strict-Transport-Security", HSTS)  # where anyone could send it
        return response


def permissions_policy(content_origin: Any = None) -> str:
    fullscreen = "self"
    if isinstance(content_origin, str) and content_origin.startswith(("https://", "http://")):
        fullscreen += f' "{content_origin.rstrip("/")}"'
    return ", ".join([*(f"{feature}=()" for feature in FEATURES_OFF), f"fullscreen=({fullscreen})"])


class _SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions; ``SESSION_COOKIE_SECURE = None`` (the default, made True by
    ``config.load`` when the public address is HTTPS) means: Secure for every request that came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        setting = app.config["SESSION_COOKIE_SECURE"]
        if setting is None:
            return has_request_context() and request.is_secure
        return bool(setting)


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler without ``Server: Werkzeug/3.x Python/3.x``: a version number tells a
    scanner which known flaws to try."""

    def version_string(self) -> str:
        return "kstudio"
