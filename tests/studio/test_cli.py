"""``kstudio admin`` and ``kstudio serve``, run as a person would run them."""

from __future__ import annotations

import io
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

KSTUDIO = [sys.executable, "-m", "studio.cli"]


def run(*args, stdin="", data, monkeypatch, capsys):
    """``kstudio ARGS --data DATA`` in this process (its entry point, its stdin and output)."""
    from studio.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    monkeypatch.delenv("KSTUDIO_DATA_DIR", raising=False)
    code = main([*args, "--data", str(data)])
    out, err = capsys.readouterr()
    os.environ.pop("KSTUDIO_DATA_DIR", None)
    return subprocess.CompletedProcess(args, code, out, err)


def test_admin_creates_an_organisation_and_a_member_with_the_password_from_stdin(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    kw = {"data": data, "monkeypatch": monkeypatch, "capsys": capsys}
    result = run("admin", "create-org", "nipa", "--name", "National Institute", **kw)
    assert result.returncode == 0 and "created organisation nipa" in result.stdout
    result = run(
        "admin",
        "create-user",
        "Asha@Nipa.example",
        "--org",
        "nipa",
        "--role",
        "author",
        stdin="a long secret\n",
        **kw,
    )
    assert result.returncode == 0 and "asha@nipa.example is author of nipa" in result.stdout

    from studio import create_app
    from studio.accounts import accounts
    from studio.db import session_for

    app = create_app({"TESTING": True, "DATA_DIR": str(data)})
    session = session_for(app)
    assert accounts.authenticate(session, "asha@nipa.example", "a long secret") is not None
    session.close()


def test_admin_errors_are_one_clear_line(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    kw = {"data": data, "monkeypatch": monkeypatch, "capsys": capsys}
    assert run("admin", "create-org", "Bad Slug!", "--name", "x", **kw).returncode == 2
    result = run(
        "admin", "create-user", "a@b.example", "--org", "nope", "--role", "author", stdin="long enough pw\n", **kw
    )
    assert result.returncode == 2 and "no organisation 'nope'" in result.stderr and "Traceback" not in result.stderr
    run("admin", "create-org", "ok-org", "--name", "x", **kw)
    result = run("admin", "create-user", "a@b.example", "--org", "ok-org", "--role", "author", stdin="short\n", **kw)
    assert result.returncode == 2 and "at least 10 characters" in result.stderr


def _two_free_ports() -> int:
    """A port whose next port is free too (the studio's and its content origin's), both bound to be sure.
    Drawn below the kernel's ephemeral range: every other test's free_port() (bind to port 0) and every
    outgoing connection takes its port from that range, so none of them can take port + 1 from under serve."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    while True:
        port = random.randrange(10000, low - 1)
        with socket.socket() as studio, socket.socket() as content:
            try:
                studio.bind(("127.0.0.1", port))
                content.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port


def test_serve_demo_prints_credentials_that_sign_in(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    port = _two_free_ports()
    proc = subprocess.Popen(
        [*KSTUDIO, "serve", "--demo", "--data", str(data), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        lines = []
        deadline = time.time() + 60
        while time.time() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "password" in line:
                break
        match = re.search(r"sign in as (\S+) with password (\S+)", "".join(lines))
        assert match, "".join(lines)
        for _ in range(100):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/login").read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert 'name="password"' in page
        assert f"Course content on http://127.0.0.1:{port + 1}/" in "".join(lines)
        with pytest.raises(urllib.error.HTTPError) as content_host:  # the next port: the content origin
            urllib.request.urlopen(f"http://127.0.0.1:{port + 1}/login")
        assert content_host.value.code == 404 and "Set-Cookie" not in content_host.value.headers
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(10)
