"""A real studio server (werkzeug, threaded, with the embedded job worker, its content origin on a
second port) for browser tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from werkzeug.serving import make_server

from studio.accounts import accounts
from studio.jobs.queue import start_embedded_worker
from tests.studio.conftest import make_app, populate


@contextmanager
def live_studio(tmp: Path) -> Iterator[tuple[str, Any]]:
    """(base URL, app) of a studio on a free loopback port, populated like the ``app`` fixture."""
    hasher = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # real argon2, cheap
    app = make_app(tmp / "data")
    populate(app)
    # the studio and its content origin: one app on two ports, as `kstudio serve` runs them
    servers = [make_server("127.0.0.1", 0, app, threaded=True) for _ in range(2)]
    app.config["CONTENT_ORIGIN"] = f"http://127.0.0.1:{servers[1].server_port}"
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    consumer = start_embedded_worker(app)
    try:
        yield f"http://127.0.0.1:{servers[0].server_port}", app
    finally:
        consumer.stop(graceful=True)
        for server in servers:
            server.shutdown()
        app.extensions["studio.engine"].dispose()
        accounts._hasher = hasher
