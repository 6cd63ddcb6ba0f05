"""Load run: simulated authors editing and previewing lessons against a real multi-process studio.

    .venv/bin/python bench/studio_load.py [--authors 20] [--seconds 60] [--workers 2]

Starts ``kstudio serve --workers N`` (gunicorn) on a loopback port with a fresh data folder, makes one
author and one course per simulated author, then runs every author in its own thread for the given
time: type (a live preview of the changed text every 0.3 s), save (every third change, as autosave
does, based on the revision it last saved), and now and then reopen the editor. Bounded in time and
sends traffic to 127.0.0.1 only. Prints requests per second, p50/p95 latency per kind, and errors.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "load test password"
LESSON = "lessons/01-welcome.md"
THINK = 0.3  # seconds between keystroke bursts


class Author:
    def __init__(self, port: int, email: str, course: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.email, self.course = email, course
        self.cookie = ""
        self.token = ""
        self.times: dict[str, list[float]] = {"preview": [], "save": [], "page": []}
        self.errors: list[str] = []

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # the server closed an idle keep-alive connection before reading this request: a browser
            # opens a new connection and sends it again, and so do we
            self.conn.close()
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            if value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, data

    def sign_in(self) -> None:
        _, page = self.request("GET", "/login")
        self.token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
        form = urlencode({"email": self.email, "password": PASSWORD, "csrf_token": self.token}).encode()
        status, _ = self.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, f"sign-in failed: {status}"

    def open_editor(self) -> tuple[int, str]:
        started = time.perf_counter()
        status, page = self.request("GET", f"/o/load/c/{self.course}/edit/{LESSON}")
        self.times["page"].append(time.perf_counter() - started)
        if status != 200:
            self.errors.append(f"editor {status}")
        text = page.decode()
        base = int(re.search(r'data-base="(\d+)"', text).group(1))
        body = re.search(r'<textarea id="text"[^>]*>(.*?)</textarea>', text, re.S).group(1)
        return base, body.replace("&#34;", '"').replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace(
            "&amp;", "&"
        )

    def api(self, kind: str, path: str, payload: dict) -> dict:
        started = time.perf_counter()
        status, data = self.request(
            "POST", path, json.dumps(payload).encode(), {"Content-Type": "application/json", "X-CSRFToken": self.token}
        )
        self.times[kind].append(time.perf_counter() - started)
        if status != 200:
            self.errors.append(f"{kind} {status}: {data[:120]!r}")
            return {}
        return json.loads(data)

    def run(self, until: float) -> None:
        try:
            self._run(until)
        except Exception as exc:  # an author whose session broke is an error, not a silent stop
            self.errors.append(f"{type(exc).__name__}: {exc}")

    def _run(self, until: float) -> None:
        rng = random.Random(self.email)
        base, text = self.open_editor()
        api = f"/api/o/load/c/{self.course}"
        changes = 0
        while time.monotonic() < until:
            text += rng.choice(["Citizens first. ", "Be fair. ", "Listen well. ", "\n\n- A point.\n"])
            self.api("preview", f"{api}/preview", {"path": LESSON, "text": text})
            changes += 1
            if changes % 3 == 0:
                saved = self.api("save", f"{api}/save", {"path": LESSON, "text": text, "base": base})
                if saved:
                    base = saved["saved"]["number"]
            if changes % 25 == 0:
                base, text = self.open_editor()
            time.sleep(THINK * rng.uniform(0.5, 1.5))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(data: Path, authors: int) -> None:
    from argon2 import PasswordHasher

    from studio import accounts, create_app, library
    from studio.db import session_for

    accounts._hasher = PasswordHasher()  # the real cost, as in production
    app = create_app({"DATA_DIR": str(data)})
    with app.test_request_context():
        session = session_for(app)
        org = accounts.create_org(session, "load", "Load test institute")
        for i in range(authors):
            accounts.create_user(session, f"author{i}@load.example", PASSWORD, org, "author")
        session.commit()
        for i in range(authors):
            library.create(session, org, f"Course {i}", None, slug=f"course-{i}")
        session.close()


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--authors", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="kstudio-load-"))
    port = free_port()
    server = None
    try:
        prepare(data, args.authors)
        env = {**os.environ, "KSTUDIO_DATA_DIR": str(data)}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "studio.cli",
                "serve",
                "--data",
                str(data),
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        authors = [Author(port, f"author{i}@load.example", f"course-{i}") for i in range(args.authors)]
        for author in authors:
            author.sign_in()
        started = time.monotonic()
        until = started + args.seconds
        threads = [threading.Thread(target=a.run, args=(until,)) for a in authors]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        print(f"{args.authors} authors, {elapsed:.0f} s, studio with {args.workers} gunicorn workers on 127.0.0.1")
        total = 0
        for kind in ("preview", "save", "page"):
            values = [v for a in authors for v in a.times[kind]]
            total += len(values)
            print(f"{kind:8} {len(values):6} requests  p50 {pct(values, 50):6.1f} ms  p95 {pct(values, 95):6.1f} ms")
        errors = [e for a in authors for e in a.errors]
        print(f"all      {total:6} requests  {total / elapsed:.1f} requests/s  errors: {len(errors)}")
        for error in errors[:10]:
            print("  ", error)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
