"""A learning record store for the browser tests: the real ``ralph`` LRS (its own venv, ``.lrs-venv``, made by
``./dev setup``; file-system backend) for statements, behind a small front that adds what ralph lacks and what
an LMS does at launch: the State API, the learner's agent profile (read only), the cmi5 ``fetch`` URL and the packages.

The front can be told to lose the network (connections are dropped unanswered), to reject statements or to
answer late; ralph itself can be stopped and started again on the same port and data (an LRS outage).

Like ADL's cmi5 reference player (CATAPULT), the front REFUSES (403) what a conformant AU never sends, and
records each refusal in ``Front.refusals``: a statement id it has already taken (cmi5 9.3.0.0-2: nothing twice),
any statement of a session after its ``terminated`` (9.3.0.0-5), a State write after ``terminated``
(8.1.2.0-2), and an actor, in a statement or a State/agent parameter, other than the one the LMS issued at
a cmi5 launch (8.1.3.0-3).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.conftest import ROOT

LRS_VENV = ROOT / ".lrs-venv"
USER, PASSWORD, AUTHORITY = "ks-tests", "ks-tests-secret", "mailto:lrs-tests@example.org"
CMI5 = "https://w3id.org/xapi/cmi5/context/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ralph 5.1's file-system LRS writes every batch with the "create" operation, which refuses an existing file,
# so only the first statement of a run is ever stored ("fs_lrs.jsonl already exists"). Appending is what
# an LRS file needs; the rest of ralph runs unchanged.
LAUNCH = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.data.fs import FSDataBackend
FSDataBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


class Ralph:
    """The ralph LRS as a child process on a loopback port, with credentials made by ``ralph auth``."""

    def __init__(self, home: Path):
        self.home, self.port, self.proc = home, free_port(), None
        home.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "RALPH_APP_DIR": str(home / "app"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(home),
        }
        python = LRS_VENV / "bin" / "python"
        if not python.exists():
            raise RuntimeError("ralph is not installed: run ./dev setup (it makes .lrs-venv)")
        self.python = str(python)
        subprocess.run(
            [str(LRS_VENV / "bin" / "ralph"), "auth", "-u", USER, "-p", PASSWORD, "-s", "all", "-M", AUTHORITY, "-w"],
            env=self.env,
            check=True,
            capture_output=True,
        )
        self.auth = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log = open(self.home / "ralph.log", "ab")  # noqa: SIM115 (kept open while the process runs)
        self.proc = subprocess.Popen(
            [self.python, "-c", LAUNCH, str(self.port)],
            env=self.env,
            cwd=self.home,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ralph exited: see {self.home / 'ralph.log'}")
            try:
                urllib.request.urlopen(self.url + "/__lbheartbeat__", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("ralph did not start in 60 s")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
            self.log.close()

    def statements(self) -> list[dict[str, Any]]:
        """Every statement ralph holds, in the order it stored them."""
        out: list[dict[str, Any]] = []
        url = self.url + "/xAPI/statements?" + urlencode({"limit": 500, "ascending": "true"})
        while url:
            request = urllib.request.Request(
                url, headers={"Authorization": self.auth, "X-Experience-API-Version": "1.0.3"}
            )
            with urllib.request.urlopen(request, timeout=10) as r:
                page = json.load(r)
            out.extend(page["statements"])
            more = page.get("more")
            url = (self.url + more) if more else ""
        return out


@dataclass
class Session:
    """One launch, as an LMS set it up: who, which registration and AU, and the launch data it wrote."""

    actor: dict[str, Any]
    registration: str
    activity_id: str
    token: str
    session_id: str = ""
    launch_data: dict[str, Any] = field(default_factory=dict)


class Front:
    """The HTTP server the browser talks to: packages under ``/pkg/``, the LRS under ``/xAPI/``."""

    def __init__(self, root: Path, ralph: Ralph):
        self.root, self.ralph = root, ralph
        self.state: dict[tuple[str, str, str, str], bytes] = {}
        self.profiles: dict[str, dict[str, bytes]] = {}
        """The learners' agent profiles, as an LMS keeps them: agent_key(agent) -> profileId -> document."""
        self.tokens: set[str] = set()
        self.fetch_urls: dict[str, str | None] = {}
        self.offline = False
        self.reject: Callable[[dict[str, Any]], bool] = lambda statement: False
        self.requests: list[tuple[str, str]] = []
        self.delay: Callable[[dict[str, Any]], float] = lambda statement: 0.0
        """Seconds to hold the answer to a statement the LRS has stored (a slow network)."""
        self.slow: Callable[[dict[str, Any]], float] = lambda statement: 0.0
        """Seconds a statement takes to reach ralph once the front has taken it (a slow LRS)."""
        self.late: Callable[[dict[str, Any]], float] = lambda statement: 0.0
        """Seconds a request with this statement takes to arrive (a slow uplink): it is admitted only then."""
        self.refusals: list[tuple[str, str]] = []
        """(registration, why) of every request refused as CATAPULT refuses it."""
        self.taken: set[str] = set()
        self.ended: set[str] = set()
        """Registrations whose current session has sent terminated."""
        self.actors: dict[str, dict[str, Any]] = {}
        """Registration -> the actor its cmi5 launch issued."""
        self.busy = 0
        """Requests to /xAPI/ being handled now."""
        self.lock = threading.Lock()
        front = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any):
                super().__init__(*args, directory=str(root), **kwargs)

            def log_message(self, *args: Any) -> None:
                pass

            def end_headers(self) -> None:
                self.send_header("Cache-Control", "no-store")
                super().end_headers()

            def do_GET(self) -> None:
                if not front.route(self, "GET"):
                    super().do_GET()

            def do_PUT(self) -> None:
                front.route(self, "PUT") or self.send_error(404)

            def do_POST(self) -> None:
                front.route(self, "POST") or self.send_error(404)

        self.httpd = _Quiet(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # ---- an LMS's side of a launch ------------------------------------------------------------

    def session(self, actor: dict[str, Any], activity_id: str, registration: str | None = None) -> Session:
        token = base64.b64encode(secrets.token_bytes(18)).decode()
        self.tokens.add(token)
        return Session(actor, registration or str(uuid.uuid4()), activity_id, token)

    def xapi_url(self, package: str, s: Session) -> str:
        """Rustici's launch convention for a tincan.xml package."""
        query = {
            "endpoint": self.url + "/xAPI/",
            "auth": "Basic " + s.token,
            "actor": json.dumps(s.actor),
            "registration": s.registration,
            "activity_id": s.activity_id,
        }
        return f"{self.url}/pkg/{package}/index.html?{urlencode(query)}"

    def cmi5_url(
        self,
        package: str,
        s: Session,
        *,
        mode: str = "Normal",
        mastery: float | None = None,
        move_on: str = "CompletedAndPassed",
        url: str = "index.html",
    ) -> str:
        """What a cmi5 LMS does before a launch: LMS.LaunchData in the State API, a launched statement, a
        one-time fetch URL; then the launch URL (cmi5 §8.1)."""
        s.session_id = str(uuid.uuid4())
        s.launch_data = {
            "contextTemplate": {
                "contextActivities": {"grouping": [{"objectType": "Activity", "id": s.activity_id}]},
                "extensions": {CMI5 + "extensions/sessionid": s.session_id},
            },
            "launchMode": mode,
            "moveOn": move_on,
            "returnURL": self.url + "/lms/returned.html",
        }
        if mastery is not None:
            s.launch_data["masteryScore"] = mastery
        key = (s.activity_id, agent_key(s.actor), s.registration, "LMS.LaunchData")
        self.state[key] = json.dumps(s.launch_data).encode()
        self.ralph_put(
            {
                "id": str(uuid.uuid4()),
                "actor": s.actor,
                "verb": {"id": "http://adlnet.gov/expapi/verbs/launched", "display": {"en-US": "launched"}},
                "object": {"objectType": "Activity", "id": s.activity_id},
                "context": {
                    "registration": s.registration,
                    "contextActivities": {"grouping": [{"objectType": "Activity", "id": s.activity_id}]},
                    "extensions": {
                        CMI5 + "extensions/sessionid": s.session_id,
                        CMI5 + "extensions/launchmode": mode,
                        CMI5 + "extensions/moveon": move_on,
                        **({CMI5 + "extensions/masteryscore": mastery} if mastery is not None else {}),
                    },
                },
                "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + ".000Z",
            }
        )
        self.actors[s.registration] = s.actor
        self.ended.discard(s.registration)  # a new session of the registration
        fetch = f"/fetch/{s.session_id}"
        self.fetch_urls[fetch] = s.token
        sep = "&" if "?" in url else "?"
        query = {
            "endpoint": self.url + "/xAPI/",
            "fetch": self.url + fetch,
            "actor": json.dumps(s.actor),
            "registration": s.registration,
            "activityId": s.activity_id,
        }
        return f"{self.url}/pkg/{package}/{url}{sep}{urlencode(query)}"

    def ralph_put(self, statement: dict[str, Any]) -> int:
        request = urllib.request.Request(
            self.ralph.url + "/xAPI/statements?" + urlencode({"statementId": statement["id"]}),
            data=json.dumps(statement).encode(),
            method="PUT",
            headers={"Authorization": self.ralph.auth, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            return int(r.status)

    # ---- requests ----------------------------------------------------------------------------------

    def route(self, h: SimpleHTTPRequestHandler, method: str) -> bool:
        parts = urlsplit(h.path)
        path, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0)) if method != "GET" else b""
        if path.startswith("/fetch/"):
            self.requests.append((method, path))
            token = self.fetch_urls.get(path)
            self.fetch_urls[path] = None  # one use only (cmi5 §8.2.3.1)
            reply = {"auth-token": token} if token else {"error-code": "1", "error-text": "already used"}
            _send(h, 200, json.dumps(reply).encode())
            return True
        if not path.startswith("/xAPI/"):
            return False
        with self.lock:
            self.busy += 1
        try:
            self.xapi(h, method, path, query, parts.query, body)
        finally:
            with self.lock:
                self.busy -= 1
        return True

    def refuse(self, h: SimpleHTTPRequestHandler, registration: str, why: str) -> None:
        self.refusals.append((registration, why))
        _send(h, 403, json.dumps({"error": why}).encode())

    def wrong_actor(self, registration: str, actor: Any) -> bool:
        issued = self.actors.get(registration)
        return issued is not None and actor != issued

    def xapi(
        self, h: SimpleHTTPRequestHandler, method: str, path: str, query: dict[str, str], raw: str, body: bytes
    ) -> None:
        self.requests.append((method, path))
        if self.offline:  # the network is gone: the connection drops with no answer
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return
        if (h.headers.get("Authorization") or "").removeprefix("Basic ") not in self.tokens:
            _send(h, 401, b'{"error": "unknown credentials"}')
            return
        registration = query.get("registration", "")
        if path in ("/xAPI/activities/state", "/xAPI/agents/profile") and self.wrong_actor(
            registration, json.loads(query.get("agent", "{}"))
        ):
            return self.refuse(h, registration, f"cmi5 8.1.3.0-3: agent {query.get('agent')} is not the launch actor")
        if path == "/xAPI/activities/state":
            key = (
                query.get("activityId", ""),
                agent_key(json.loads(query.get("agent", "{}"))),
                registration,
                query.get("stateId", ""),
            )
            if method == "GET":
                data = self.state.get(key)
                _send(h, 200, data) if data is not None else _send(h, 404, b"")
            elif key[3] == "LMS.LaunchData":
                _send(h, 403, b'{"error": "LMS.LaunchData is the LMS\'s"}')  # cmi5 §10: the AU must not
            elif registration in self.ended:
                self.refuse(h, registration, f"cmi5 8.1.2.0-2: State {key[3]} written after terminated")
            else:
                self.state[key] = body
                _send(h, 204, b"")
            return
        if path == "/xAPI/agents/profile":
            profiles = self.profiles.get(agent_key(json.loads(query.get("agent", "{}"))), {})
            document = profiles.get(query.get("profileId", "")) if method == "GET" else None
            _send(h, 200, document) if document is not None else _send(h, 404, b"")
            return
        if path == "/xAPI/statements":
            items = json.loads(body) if body else []
            items = items if isinstance(items, list) else [items]
            for st in items:
                if self.reject(st):
                    _send(h, 400, b'{"error": "statement refused by the test"}')
                    return
            if method != "GET" and items:
                time.sleep(max(self.late(st) for st in items))
            if method != "GET" and not self.admit(h, items):
                return
            if method != "GET" and items:
                time.sleep(max(self.slow(st) for st in items))
            code = self.forward(h, method, raw, body, self.delay(items[0]) if items else 0.0)
            if method != "GET" and not 200 <= code < 300:  # not stored: it may come again
                with self.lock:
                    self.taken.difference_update(st.get("id") for st in items)
                    for st in items:
                        if st["verb"]["id"].endswith("/terminated"):
                            self.ended.discard(st["context"]["registration"])
            return
        _send(h, 404, b"")

    def admit(self, h: SimpleHTTPRequestHandler, items: list[dict[str, Any]]) -> bool:
        """CATAPULT's refusals, checked and recorded in the order the statements arrive."""
        with self.lock:
            for st in items:
                registration = (st.get("context") or {}).get("registration", "")
                verb = st["verb"]["id"].rsplit("/", 1)[-1]
                why = ""
                if st.get("id") in self.taken:
                    why = f"cmi5 9.3.0.0-2: statement {st.get('id')} ({verb}) sent twice"
                elif registration in self.ended:
                    why = f"cmi5 9.3.0.0-5: {verb} {st.get('id')} after terminated"
                elif self.wrong_actor(registration, st.get("actor")):
                    why = f"cmi5 8.1.3.0-3: actor {json.dumps(st.get('actor'))} is not the launch actor"
                if why:
                    self.refuse(h, registration, why)
                    return False
            for st in items:
                self.taken.add(st.get("id", ""))
                if st["verb"]["id"].endswith("/terminated"):
                    self.ended.add((st.get("context") or {}).get("registration", ""))
        return True

    def forward(self, h: SimpleHTTPRequestHandler, method: str, query: str, body: bytes, delay: float = 0.0) -> int:
        request = urllib.request.Request(
            self.ralph.url + "/xAPI/statements" + (f"?{query}" if query else ""),
            data=body or None,
            method=method,
            headers={
                "Authorization": self.ralph.auth,
                "Content-Type": "application/json",
                "X-Experience-API-Version": "1.0.3",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as r:
                code, reply = r.status, r.read()
        except urllib.error.HTTPError as e:
            code, reply = e.code, e.read()
        except OSError:
            code, reply = 502, b'{"error": "the LRS is not answering"}'
        if delay:
            time.sleep(delay)  # stored, but the answer is slow to come back
        with contextlib.suppress(OSError):  # the page that asked may have gone
            _send(h, code, reply)
        return code


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # connections dropped on purpose (offline) end in broken pipes


def agent_key(agent: dict[str, Any]) -> str:
    """An agent's identity (its inverse functional identifier), whatever else its JSON carries."""
    for ifi in ("mbox", "mbox_sha1sum", "openid", "account"):
        if ifi in agent:
            return json.dumps({ifi: agent[ifi]}, sort_keys=True)
    return json.dumps(agent, sort_keys=True)


def _send(h: SimpleHTTPRequestHandler, code: int, body: bytes) -> None:
    h.send_response(code)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def validate_statements(statements: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Problems @learninglocker/xapi-validation finds, by statement id (none: an empty dict)."""
    script = Path(__file__).with_name("validate.js")
    node = shutil.which("node") or "node"
    run = subprocess.run([node, str(script)], input=json.dumps(statements), capture_output=True, text=True, cwd=ROOT)
    if run.returncode != 0:
        raise RuntimeError(run.stderr)
    return json.loads(run.stdout)
