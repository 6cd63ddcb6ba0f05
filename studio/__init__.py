"""Karmayogi Studio's web app: a thin shell over ``packager``.

``create_app`` is the only entry point. Configuration comes from the mapping a test passes, else from
``instance/config.py`` and ``KSTUDIO_*`` environment variables (see ``config.py``). The database schema
is brought up to date by Alembic when the app is created.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Flask is imported by create_app only, so `kstudio build` does not pay for it
    from flask import Flask, Response

DEFAULT_COURSES = Path(__file__).resolve().parent.parent / "sample_courses"
LOCALES = Path(__file__).resolve().parent.parent / "locales" / "studio"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    from flask import Flask, g, request
    from flask_babel import Babel, get_locale
    from flask_login import LoginManager
    from flask_wtf.csrf import CSRFProtect

    from . import config, db, locales, security
    from .accounts import policy
    from .accounts import views as accounts
    from .analytics import ingest, ingest_views, lrs_views, records
    from .analytics import views as analytics
    from .analytics.records import app_key
    from .authoring import api_views, courses_views, editor_views, importing, media_files, media_views, outline_views
    from .jobs import queue as jobs
    from .jobs import views as jobviews
    from .marketplace import listing_views, notify_views, review_views, submissions, submissions_views
    from .preview import content
    from .preview import views as preview
    from .translation import translate_store
    from .translation import views as translation

    app = Flask(__name__, instance_relative_config=True)
    config.load(app, test_config)
    if proxies := int(app.config["TRUSTED_PROXIES"]):  # the client's address as the proxies saw it
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]  # Flask's way
    db.init_app(app)
    app_key(app)  # the pseudonyms' key, made now if new: no request (a GET of the LRS) ever writes it

    login = LoginManager(app)
    login.login_view = "auth.login"
    # None: a session is a database row (accounts/views.py), ended on the server; Flask-Login's "basic"
    # mode would also write the cookie back from any request (a favicon's 404) sent with the cookie from
    # before signing in, and that answer, arriving last, signed the person out again
    login.session_protection = None

    login.user_loader(accounts.load_user)  # only while the session's row exists (accounts/views.py)

    csrf = CSRFProtect(app)  # every POST, form or JSON (X-CSRFToken header), carries the session's token ...
    csrf.exempt(lrs_views.bp)  # ... but the LRS endpoint: an API with its own credentials, no cookies
    compiled = Path(app.config["DATA_DIR"]) / "locale"
    available = ["en", *locales.compile_catalogs(LOCALES, compiled)]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    app.config["LANGUAGES"] = [lang for lang in app.config["LANGUAGES"] or available if lang in available]
    Babel(app, locale_selector=lambda: request.accept_languages.best_match(app.config["LANGUAGES"]) or "en")
    app.jinja_env.globals["get_locale"] = get_locale  # <html lang> follows the interface language

    jobs.make_queue(app)
    jobs.register_kind(app, "media", media_files.transcode)
    jobs.register_kind(app, "submission", submissions.run_job)  # the catalogue's submit job: build, gate, freeze
    jobs.register_kind(app, importing.KIND, importing.run_job)  # kstudio import: a file becomes a new course
    jobs.register_kind(app, "lrs-pull", ingest.run_pull)  # learning records pulled from an LRS
    jobs.register_kind(app, records.RECOUNT, records.run_recount)  # competency evidence counted again
    translate_store.init_app(app)  # the translation room's caches (per app) and its memory's indexing
    content.register_kind(app, "translate", translation.serve_content)
    content.register_kind(app, "review", review_views.serve_content)
    for blueprint in (
        accounts.auth,
        accounts.orgs,
        courses_views.bp,
        media_views.bp,
        editor_views.bp,
        outline_views.bp,
        preview.preview,
        api_views.bp,
        jobviews.bp,
        jobviews.api,
        preview.lms_page,
        translation.bp,
    ):
        app.register_blueprint(blueprint)
    for blueprint in (listing_views.bp, listing_views.api, review_views.bp, submissions_views.bp, notify_views.bp):
        app.register_blueprint(blueprint)  # the marketplace
    app.register_blueprint(lrs_views.bp)  # learning analytics: the studio's own LRS ...
    app.register_blueprint(ingest_views.bp)  # ... the owner's page of record sources ...
    app.register_blueprint(analytics.bp)  # ... and the reports over the records
    app.jinja_env.globals["can"] = policy.can
    app.jinja_env.globals["g"] = g
    app.jinja_env.globals["content_url"] = content.url  # frames of course content, on the content origin

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'; "
            f"frame-src {content.origin(app)}; child-src {content.origin(app)}",  # course content: its own origin
        )
        return response

    security.init_app(app)  # HSTS over HTTPS, Permissions-Policy, Secure cookies (security.py)

    from .errors import register

    register(app)
    # the content origin's requests (told apart by Host) reach only the content app, outside the studio's
    app.wsgi_app = content.HostDispatcher(app.wsgi_app, content.make_app(app))  # type: ignore[method-assign]  # WSGI middleware
    return app
