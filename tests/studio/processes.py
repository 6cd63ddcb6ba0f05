"""A studio served by a real ``kstudio serve`` process (werkzeug, or gunicorn with ``workers`` > 1) on
the test's data folder and database, and a person signed in to it over HTTP."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.studio.conftest import PASSWORD
from tests.studio.servers import free_port


def studio_env(app: Any, tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a studio or worker process sharing *app*'s data folder and database."""
    env = {**os.environ, "KSTUDIO_SECRET_KEY": "test", "XDG_CACHE_HOME": str(tmp / "cache"), **extra}
    env["KSTUDIO_DATABASE_URL"] = app.config["DATABASE_URL"]
    return env


@contextmanager
def served(app: Any, tmp: Path, workers: int = 1, **env: str) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """(port, process) of ``kstudio serve`` on *app*'s data; killed (the whole group) at the end."""
    port = free_port()
    argv = [sys.executable, "-m", "studio.cli", "serve", "--data", app.config["DATA_DIR"], "--port", str(port)]
    # a content origin told apart by Host: without one, serve also binds port + 1, which another test may hold
    env.setdefault("KSTUDIO_CONTENT_ORIGIN", "http://content.test")
    proc = subprocess.Popen(
        [*argv, "--workers", str(workers)],
        env=studio_env(app, tmp, **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its gunicorn workers and job worker go with it
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/login")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                pass
            assert proc.poll() is None, f"kstudio serve exited with {proc.returncode}"
            assert time.monotonic() < deadline, "kstudio serve did not answer within 60 s"
            time.sleep(0.1)
        yield port, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)


class HttpPerson:
    """One signed-in browser over HTTP: its session cookie and CSRF token."""

    def __init__(self, port: int, email: str, timeout: float = 60):
        self.port, self.timeout, self.cookie = port, timeout, ""
        _, page = self.request("GET", "/login")
        self.token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()  # type: ignore[union-attr]
        form = urlencode({"email": email, "password": PASSWORD, "csrf_token": self.token}).encode()
        status, _ = self.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, f"could not sign in as {email}"

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers={**(headers or {}), "Cookie": self.cookie})
            response = conn.getresponse()
            data = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                if value.startswith("session="):
                    self.cookie = value.split(";", 1)[0]
            return response.status, data
        finally:
            conn.close()

    def api(self, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.token}
        status, data = self.request("POST", path, json.dumps(payload).encode(), headers)
        return status, json.loads(data)
