"""The studio's settings: defaults, then ``instance/config.py``, then ``KSTUDIO_*`` environment variables.

Everything a running studio needs lives under ``DATA_DIR`` (the SQLite database, the embedded job
queue, the course folders, built packages) or in the database named by ``DATABASE_URL``, so any number
of processes sharing both serve one studio.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "DATA_DIR": "studio-data",
    "DATABASE_URL": None,  # None: sqlite:///DATA_DIR/studio.db
    "QUEUE_URL": None,  # None: the embedded queue in DATA_DIR/jobs.db; or redis://host:port/db
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # None: Secure when the studio knows it is served over HTTPS (PUBLIC_URL or PREFERRED_URL_SCHEME
    # https), else for each request that came over HTTPS; True or False overrides (KSTUDIO_..._SECURE=false)
    "SESSION_COOKIE_SECURE": None,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session: a long editing day is not cut off
    "SESSION_IDLE_SECONDS": 14 * 24 * 3600,  # a session unused this long is over (Django's two weeks)
    # a session's last use is written at most this often: not a database write for every request of a
    # busy editor (and the one write a GET may make)
    "SESSION_TOUCH_SECONDS": 300,
    "LOGIN_ATTEMPTS": 5,  # failed sign-ins allowed per e-mail address from one client address ...
    "LOGIN_ATTEMPTS_PER_ADDRESS": 50,  # ... and per client address (an institute's people share one) ...
    "LOGIN_WINDOW_SECONDS": 900,  # ... within this many seconds
    "TRUSTED_PROXIES": 0,  # reverse proxies in front of the studio whose X-Forwarded-For is believed
    "MAX_UPLOAD_BYTES": 50 * 1024 * 1024,  # one uploaded zip or media file
    "IMPORT_MAX_FILES": 2000,
    "IMPORT_MAX_BYTES": 200 * 1024 * 1024,  # all files of an imported course, uncompressed
    "IMPORT_MAX_RATIO": 200,  # uncompressed : compressed, per member: more is a zip bomb
    "CONTENT_ORIGIN": None,  # course content's own origin, e.g. https://studio-usercontent.example (docs/security.md)
    "CONTENT_TOKEN_SECONDS": 10 * 3600,  # a content URL works this long (a working day); access is checked on each use
    "ANALYTICS_MIN_GROUP": 5,  # learning analytics: a group of fewer learners is shown as "fewer than N"
    "BABEL_DEFAULT_LOCALE": "en",
    "LANGUAGES": None,  # interface languages offered (None: English and every locales/studio/<lang>.po)
}


def load(app: Any, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config``; a test's mapping replaces the instance file and the environment."""
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("KSTUDIO")
    else:
        app.config.from_mapping(test_config)
    data = Path(os.fspath(app.config["DATA_DIR"])).resolve()
    data.mkdir(parents=True, exist_ok=True)
    app.config["DATA_DIR"] = str(data)
    app.config.setdefault("COURSES_ROOT", str(data / "courses"))
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{data / 'studio.db'}"
    _secure_cookies(app.config)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_BYTES"] + 1024 * 1024
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _shared_secret(data)


def _secure_cookies(cfg: Any) -> None:
    """Cookies are Secure by default whenever the configuration says the studio is reached over HTTPS."""
    https = str(cfg.get("PUBLIC_URL") or "").lower().startswith("https://")
    if cfg["SESSION_COOKIE_SECURE"] is None and (https or cfg.get("PREFERRED_URL_SCHEME") == "https"):
        cfg["SESSION_COOKIE_SECURE"] = True
    cfg.setdefault("REMEMBER_COOKIE_SECURE", bool(cfg["SESSION_COOKIE_SECURE"]))


def _shared_secret(data: Path) -> str:
    """One signing key per data folder, made once: every process sharing the folder signs alike."""
    path = data / "secret_key"
    if not path.exists():
        tmp = data / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)  # fails if another process won the race: then its key is the key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text("ascii").strip()
