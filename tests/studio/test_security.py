"""The response-header policy (studio/security.py): HSTS over HTTPS only, a Permissions-Policy that
turns off what the studio never uses, and no server software version, checked on a really served studio."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.studio.conftest import make_app
from tests.studio.servers import free_port

KSTUDIO = [sys.executable, "-m", "studio.cli"]


def test_hsts_is_sent_over_https_and_never_over_plain_http(app):
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/login").headers
    https = client.get("/login", base_url="https://localhost")
    assert https.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_hsts_follows_the_scheme_the_trusted_proxy_saw(tmp_path):
    behind = make_app(tmp_path / "behind", TRUSTED_PROXIES=1).test_client()
    assert "Strict-Transport-Security" in behind.get("/login", headers={"X-Forwarded-Proto": "https"}).headers
    # without a trusted proxy anyone could claim HTTPS: the header is believed only from the proxy
    direct = make_app(tmp_path / "direct").test_client()
    assert "Strict-Transport-Security" not in direct.get("/login", headers={"X-Forwarded-Proto": "https"}).headers


def test_permissions_policy_turns_off_what_the_studio_does_not_use(app):
    headers = app.test_client().get("/login").headers
    policy = dict(item.strip().split("=", 1) for item in headers["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort"):
        assert policy[feature] == "()", feature
    # the player's video goes full screen in the previews, which the content origin serves
    assert policy["fullscreen"] == f'(self "{app.config["CONTENT_ORIGIN"]}")'
    assert "Content-Security-Policy" in headers and headers["X-Content-Type-Options"] == "nosniff"


def _serve(tmp_path, *extra: str):
    data, port = tmp_path / "data", free_port()
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("KSTUDIO_DATA_DIR", None)
    proc = subprocess.Popen(
        [*KSTUDIO, "serve", "--data", str(data), "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    return proc, f"http://127.0.0.1:{port}"


def _headers_of(url: str, proc: subprocess.Popen) -> dict[str, str]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"kstudio serve exited with {proc.returncode}"
        try:
            with urllib.request.urlopen(url + "/login", timeout=10) as response:
                return {k.lower(): v for k, v in response.headers.items()}
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within 60 s")


@pytest.mark.parametrize("workers", ["1", "2"], ids=["single-process", "gunicorn"])
def test_the_served_studio_names_no_server_version(tmp_path, workers):
    proc, url = _serve(tmp_path, "--workers", workers)
    try:
        headers = _headers_of(url, proc)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # gunicorn's workers and the job worker with it
        proc.wait(30)
    server = headers.get("server", "")
    assert not re.search(r"\d", server) and "python" not in server.lower() and "werkzeug" not in server.lower()
    assert "camera=()" in headers["permissions-policy"]
