"""A real studio server (werkzeug, threaded, with the embedded job worker) for browser tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from werkzeug.serving import make_server

from studio import accounts
from studio.jobs import start_embedded_worker
from tests.studio.conftest import make_app, populate


@contextmanager
def live_studio(tmp: Path) -> Iterator[tuple[str, Any]]:
    """(base URL, app) of a studio on a free loopback port, populated like the ``app`` fixture."""
    hasher = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # real argon2, cheap
    app = make_app(tmp / "data")
    populate(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    consumer = start_embedded_worker(app)
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        consumer.stop(graceful=True)
        server.shutdown()
        app.extensions["studio.engine"].dispose()
        accounts._hasher = hasher
