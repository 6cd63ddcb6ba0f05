"""Sign-in, sessions in secure cookies, rate limiting stored in the database, CSRF on forms and JSON."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from studio.accounts import accounts
from tests.studio.conftest import LESSON, PASSWORD, csrf, make_app, populate


def test_sign_in_page_has_labelled_email_and_password(person):
    page = person().get("/login").get_data(as_text=True)
    assert 'for="email"' in page and 'name="email"' in page and 'name="password"' in page
    assert 'class="skip"' in page and "<main" in page


def test_pages_need_sign_in(person):
    anonymous = person()
    response = anonymous.get("/o/inst/")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
    assert anonymous.api("/api/o/inst/c/c1/save", {"path": LESSON, "text": "x", "base": 1}).status_code == 401


def test_sign_in_sets_a_secure_session_cookie_and_sign_out_ends_it(app):
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    token = csrf(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": "AUTHOR@inst.example ", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    token = csrf(client.get("/o/inst/", base_url="https://localhost").get_data(as_text=True))
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/o/inst/"}}
    assert client.post("/logout", data={"csrf_token": token}, **https).status_code == 302
    assert client.get("/o/inst/", base_url="https://localhost").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(person):
    anonymous = person()
    response = anonymous.post("/login", {"email": "author@inst.example", "password": "nope"})
    assert response.status_code == 401 and "do not match" in response.get_data(as_text=True)
    unknown = anonymous.post("/login", {"email": "nobody@inst.example", "password": "nope"})
    assert unknown.status_code == 401 and "do not match" in unknown.get_data(as_text=True)


def test_login_rate_limit_is_shared_by_processes_through_the_database(app, tmp_path):
    first = app.test_client()
    token = csrf(first.get("/login").get_data(as_text=True))
    for _ in range(5):
        first.post("/login", data={"email": "author@inst.example", "password": "guess", "csrf_token": token})
    # a second app on the same data folder stands for another worker process
    second = make_app(tmp_path / "data").test_client()
    token = csrf(second.get("/login").get_data(as_text=True))
    response = second.post("/login", data={"email": "author@inst.example", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429 and "Too many failed sign-ins" in response.get_data(as_text=True)


def test_one_address_may_fail_more_often_than_one_email(app):
    """People of one institute share an address: others' typos must not lock everyone out."""
    client = app.test_client()
    token = csrf(client.get("/login").get_data(as_text=True))
    for i in range(6):
        client.post("/login", data={"email": f"typo{i}@inst.example", "password": "x", "csrf_token": token})
    response = client.post("/login", data={"email": "author@inst.example", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    app.config["LOGIN_ATTEMPTS_PER_ADDRESS"] = 6
    client.post("/logout", data={"csrf_token": csrf(client.get("/o/inst/").get_data(as_text=True))})
    token = csrf(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": "admin@inst.example", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429


def test_next_never_leaves_the_site(person):
    anonymous = person()
    response = anonymous.post("/login?next=//evil.example/x", {"email": "author@inst.example", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_forms_and_json_calls_without_the_csrf_token_are_refused(app, author):
    bare = app.test_client()
    assert bare.post("/login", data={"email": "author@inst.example", "password": PASSWORD}).status_code == 400
    client = author.client
    assert client.post("/o/inst/courses", data={"title": "Sneaky"}).status_code == 400
    assert client.post("/api/o/inst/c/c1/save", json={"path": LESSON, "text": "x", "base": 1}).status_code == 400
    wrong = client.post(
        "/api/o/inst/c/c1/save", json={"path": LESSON, "text": "x", "base": 1}, headers={"X-CSRFToken": "forged"}
    )
    assert wrong.status_code == 400 and "expired" in wrong.get_json()["error"]
    assert client.post("/logout").status_code == 400
    assert author.get("/o/inst/").status_code == 200  # still signed in


def test_no_state_in_process_memory_a_second_app_knows_the_session(app, tmp_path, author):
    """Sessions are signed cookies: another process with the same data folder accepts them."""
    other = make_app(tmp_path / "data").test_client()
    cookie = author.client.get_cookie("session")
    other.set_cookie("session", cookie.value)
    assert other.get("/o/inst/").status_code == 200


def test_interface_follows_the_browsers_language(app):
    """Catalogs in locales/studio/ are compiled on start; a Hindi browser gets the Hindi interface."""
    client = app.test_client()
    hindi = client.get("/login", headers={"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="hi">' in hindi and "साइन इन करें" in hindi and "पासवर्ड" in hindi
    english = client.get("/login", headers={"Accept-Language": "ta,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Sign in" in english
    assert "hi" in app.config["LANGUAGES"]


# --- sessions the server can end (like Django's database sessions) ----------------------------------


def _signed_in_elsewhere(app, cookie: str):
    """A client that replays a copied session cookie (what a thief with the cookie would do)."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def test_a_session_cookie_copied_before_sign_out_no_longer_works(app, author):
    copied = author.client.get_cookie("session").value
    assert _signed_in_elsewhere(app, copied).get("/o/inst/").status_code == 200
    assert author.post("/logout").status_code == 302
    thief = _signed_in_elsewhere(app, copied)
    page = thief.get("/o/inst/")
    assert page.status_code == 302 and "/login?next=" in page.headers["Location"]
    save = thief.post(
        "/api/o/inst/c/c1/save",
        json={"path": LESSON, "text": "x", "base": 1},
        headers={"X-CSRFToken": author.token},
    )
    assert save.status_code == 401


def test_a_new_password_ends_every_session_of_that_person_only(app, person):
    from studio.db import session_for
    from studio.models import User

    laptop, phone = person("author@inst.example"), person("author@inst.example")
    colleague = person("admin@inst.example")
    session = session_for(app)
    user = session.scalar(select(User).where(User.email == "author@inst.example"))
    accounts.set_password(session, user, "a brand new passphrase")
    session.commit()
    session.close()
    assert laptop.get("/o/inst/").status_code == 302 and phone.get("/o/inst/").status_code == 302
    assert colleague.get("/o/inst/").status_code == 200
    again = app.test_client()
    token = csrf(again.get("/login").get_data(as_text=True))
    signed_in = {"email": "author@inst.example", "password": "a brand new passphrase", "csrf_token": token}
    assert again.post("/login", data=signed_in).status_code == 302


def test_a_person_changes_their_own_password_and_stays_signed_in_here_only(app, person):
    laptop, phone = person("author@inst.example"), person("author@inst.example")
    page = laptop.get("/account/password").get_data(as_text=True)
    assert 'autocomplete="current-password"' in page and 'autocomplete="new-password"' in page
    assert 'href="/account/password"' in laptop.get("/o/inst/").get_data(as_text=True)  # in the top bar
    new = "a passphrase of my own"
    change = {"current_password": PASSWORD, "new_password": new, "confirm_password": new}
    refused = [
        ({**change, "current_password": "not it"}, 403, "current password is not right"),
        ({**change, "confirm_password": new + "!"}, 400, "not the same"),
        ({**change, "new_password": "short", "confirm_password": "short"}, 400, "at least 10 characters"),
    ]
    for form, status, message in refused:  # nothing changes, and the sessions go on
        response = laptop.post("/account/password", form)
        assert response.status_code == status and message in response.get_data(as_text=True)
    assert phone.get("/o/inst/").status_code == 200
    response = laptop.post("/account/password", change)
    assert response.status_code == 302
    assert laptop.get("/o/inst/").status_code == 200  # this browser: a new session
    assert phone.get("/o/inst/").status_code == 302  # every other one ended
    client = app.test_client()
    token = csrf(client.get("/login").get_data(as_text=True))
    old = {"email": "author@inst.example", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=old).status_code == 401
    assert client.post("/login", data={**old, "password": new}).status_code == 302


def test_guessing_the_current_password_counts_as_failed_sign_ins(app, person):
    laptop = person("author@inst.example")
    wrong = {"current_password": "guess", "new_password": "x" * 12, "confirm_password": "x" * 12}
    for _ in range(5):
        assert laptop.post("/account/password", wrong).status_code == 403
    right = {**wrong, "current_password": PASSWORD}
    assert laptop.post("/account/password", right).status_code == 429


def test_the_admin_command_sets_a_password_and_ends_the_sessions(app, author, monkeypatch, capsys):
    import io
    import os
    import sys

    from studio.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO("another long secret\n"))
    monkeypatch.delenv("KSTUDIO_DATA_DIR", raising=False)
    monkeypatch.setenv("KSTUDIO_DATABASE_URL", app.config["DATABASE_URL"])
    code = main(["admin", "set-password", "Author@inst.example", "--data", app.config["DATA_DIR"]])
    os.environ.pop("KSTUDIO_DATA_DIR", None)
    assert code == 0 and "author@inst.example" in capsys.readouterr().out
    assert author.get("/o/inst/").status_code == 302
    monkeypatch.setattr(sys, "stdin", io.StringIO("another long secret\n"))
    code = main(["admin", "set-password", "nobody@inst.example", "--data", app.config["DATA_DIR"]])
    os.environ.pop("KSTUDIO_DATA_DIR", None)
    assert code == 2 and "no one signs in as nobody@inst.example" in capsys.readouterr().err


def test_a_session_unused_for_longer_than_its_lifetime_is_over(app, author):
    from studio.db import session_for
    from studio.models import UserSession

    session = session_for(app)
    row = session.scalar(select(UserSession))
    assert row is not None and row.user_agent.startswith("Werkzeug")
    row.last_seen = row.last_seen - dt.timedelta(seconds=app.config["SESSION_IDLE_SECONDS"] + 60)
    session.commit()
    session.close()
    assert author.get("/o/inst/").status_code == 302


def test_a_sessions_use_is_written_at_most_every_touch_interval(app, author, monkeypatch):
    from studio.db import session_for
    from studio.models import UserSession

    def last_seen() -> dt.datetime:
        with session_for(app) as session:
            row = session.scalar(select(UserSession))
            assert row is not None
            return row.last_seen

    seen = last_seen()
    assert author.get("/o/inst/").status_code == 200 and last_seen() == seen  # within 5 minutes: no write
    monkeypatch.setitem(app.config, "SESSION_TOUCH_SECONDS", 0)
    assert author.get("/o/inst/").status_code == 200 and last_seen() > seen


# --- throttling that cannot lock the owner out ---------------------------------------------------------


def _sign_in_from(app, address: str, email: str, password: str) -> int:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token}).status_code


def test_wrong_passwords_from_one_address_never_lock_the_owner_out(app):
    for _ in range(8):
        _sign_in_from(app, "203.0.113.9", "author@inst.example", "guess")
    # the guesser is throttled for that account, even once they guess right ...
    assert _sign_in_from(app, "203.0.113.9", "author@inst.example", PASSWORD) == 429
    # ... while the owner, at another address, signs in
    assert _sign_in_from(app, "198.51.100.7", "author@inst.example", PASSWORD) == 302
    # and the guesser's address may still sign in to other accounts (an institute shares one)
    assert _sign_in_from(app, "203.0.113.9", "admin@inst.example", PASSWORD) == 302


def test_signing_in_clears_the_failures_of_that_account_at_that_address(app):
    for _ in range(4):
        assert _sign_in_from(app, "198.51.100.7", "author@inst.example", "typo") == 401
    assert _sign_in_from(app, "198.51.100.7", "author@inst.example", PASSWORD) == 302
    for _ in range(4):
        assert _sign_in_from(app, "198.51.100.7", "author@inst.example", "typo") == 401
    assert _sign_in_from(app, "198.51.100.7", "author@inst.example", PASSWORD) == 302


# --- Secure cookies whenever the studio knows it is served over HTTPS -----------------------------------


def _session_cookie(app, **request) -> str:
    client = app.test_client()
    token = csrf(client.get("/login", **request).get_data(as_text=True))
    login = {"email": "author@inst.example", "password": PASSWORD, "csrf_token": token}
    headers = request.pop("headers", {})
    if request.get("base_url", "").startswith("https") or headers.get("X-Forwarded-Proto") == "https":
        headers = {**headers, "Referer": "https://localhost/login"}  # Flask-WTF checks it over HTTPS
    response = client.post("/login", data=login, headers=headers, **request)
    assert response.status_code == 302
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_cookies_are_secure_when_the_public_url_is_https(tmp_path):
    app = make_app(tmp_path / "data", PUBLIC_URL="https://studio.example.gov.in/")
    populate(app)
    assert "; Secure" in _session_cookie(app)
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_cookies_are_secure_for_requests_that_arrive_over_https(app):
    assert "; Secure" not in _session_cookie(app)  # plain HTTP on a laptop: a Secure cookie would not come back
    assert "; Secure" in _session_cookie(app, base_url="https://localhost")


def test_cookies_are_secure_for_https_through_a_trusted_proxy(tmp_path):
    app = make_app(tmp_path / "data", TRUSTED_PROXIES=1)
    populate(app)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    assert "; Secure" in _session_cookie(app, headers=forwarded)


def test_secure_cookies_can_be_turned_off_explicitly(tmp_path):
    app = make_app(tmp_path / "data", PREFERRED_URL_SCHEME="https", SESSION_COOKIE_SECURE=False)
    populate(app)
    assert "; Secure" not in _session_cookie(app, base_url="https://localhost")


def test_a_request_that_changes_nothing_sends_no_cookie_back(app, author):
    """A browser sends its page's side requests (the favicon, a stylesheet, a 404) with the cookie it held
    when it sent them; if one of those answered with a cookie, arriving after the sign-in's answer, it
    would put back the cookie from before signing in and sign the person out (CI saw it once)."""
    anonymous = app.test_client()
    token = csrf(anonymous.get("/login").get_data(as_text=True))  # the sign-in page's token is in the cookie
    for client in (anonymous, author):
        for address in ("/favicon.ico", "/static/studio.css", "/no/such/page", "/catalogue/"):
            response = client.get(address)
            assert not response.headers.getlist("Set-Cookie"), (address, response.headers.getlist("Set-Cookie"))
    assert token
