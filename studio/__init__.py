"""Karmayogi Studio's web app: a thin shell over ``packager``.

``create_app`` is the only entry point: configuration comes from the mapping a test passes, else from
``instance/config.py`` and ``KSTUDIO_*`` environment variables.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Flask is imported by create_app only, so `kstudio build` does not pay for it
    from flask import Flask

DEFAULT_COURSES = Path(__file__).resolve().parent.parent / "sample_courses"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    from flask import Flask

    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(COURSES_DIR=str(DEFAULT_COURSES))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("KSTUDIO")
    else:
        app.config.from_mapping(test_config)

    from . import courses, preview

    app.register_blueprint(courses.bp)
    app.register_blueprint(preview.bp)

    @app.after_request
    def _security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response

    return app


def courses_dir(app: Flask) -> Path:
    return Path(os.fspath(app.config["COURSES_DIR"]))
