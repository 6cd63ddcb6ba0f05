"""Serving the studio with several gunicorn worker processes (``kstudio serve --workers N``)."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
    def __init__(self, app: Any, options: dict[str, Any]):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application


def _post_fork(server: Any, worker: Any) -> None:
    # the app (and its migrated database) was made before forking: each worker opens its own connections
    worker.app.application.extensions["studio.engine"].dispose(close=False)


def run_gunicorn(app: Any, binds: list[tuple[str, int]], workers: int) -> None:
    """Serve *app* on every address of *binds* (the studio's, and its content origin's on the next port)."""
    options = {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}" for host, port in binds],
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 120,
        "keepalive": 10,  # an editor sends a request every few seconds: keep its connection
        "accesslog": None,
        "post_fork": _post_fork,
    }
    _Gunicorn(app, options).run()
