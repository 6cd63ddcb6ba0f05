"""A real studio server (werkzeug, threaded, with the embedded job worker) for browser tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from studio.jobs import start_embedded_worker
from tests.browser.conftest import browser  # noqa: F401  # Debian's Chromium through Playwright
from tests.studio.conftest import make_app, populate


@pytest.fixture
def live(tmp_path) -> Iterator[tuple[str, Any]]:
    """(base URL, app) of a studio serving on a free loopback port."""
    app = make_app(tmp_path / "data")
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
