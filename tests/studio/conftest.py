"""A studio on a temporary data folder: one organisation with a course and a member of each role,
and a second organisation to prove that members of one never reach the other."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from studio import accounts, catalogue, create_app
from studio.db import session_for
from studio.models import ROLES

PASSWORD = "correct horse battery"
LESSON = "lessons/01-welcome.md"


def database_url(tmp: Path) -> str | None:
    """KSTUDIO_TEST_DATABASE_URL runs the suite on another database (tests/studio/test_postgres.py sets it)."""
    return os.environ.get("KSTUDIO_TEST_DATABASE_URL")


def make_app(data: Path, **config: Any) -> Any:
    settings: dict[str, Any] = {"TESTING": True, "DATA_DIR": str(data), "SECRET_KEY": "test"}
    if url := database_url(data):
        settings["DATABASE_URL"] = url
    settings.update(config)
    return create_app(settings)


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2, at its smallest cost: the default's 175 ms a hash would make the suite slow."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Any]:
    app = make_app(tmp_path / "data")
    populate(app)
    yield app
    _drop_all(app)


def populate(app: Any) -> None:
    """Organisations 'inst' (a member of each role, course c1) and 'other' (an admin, its own c1)."""
    with app.test_request_context():
        session = session_for(app)
        inst = accounts.create_org(session, "inst", "Training Institute")
        other = accounts.create_org(session, "other", "Partner")
        for role in ROLES:
            accounts.create_user(session, f"{role}@inst.example", PASSWORD, inst, role)
        accounts.create_user(session, "admin@other.example", PASSWORD, other, "admin")
        session.commit()
        catalogue.create(session, inst, "First course", None, slug="c1")
        catalogue.create(session, other, "Their course", None, slug="c1")
        session.close()


def _drop_all(app: Any) -> None:
    """On a shared database server, leave it empty for the next test."""
    if database_url(Path()) is None:
        return
    from sqlalchemy import text

    from studio.models import Base

    engine = app.extensions["studio.engine"]
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


def csrf(page: str) -> str:
    match = re.search(r'name="csrf[-_]token" (?:value|content)="([^"]+)"', page)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Person:
    """A browser-like client signed in as one person, knowing its CSRF token."""

    def __init__(self, app: Any, email: str | None):
        self.client = app.test_client()
        self.token = csrf(self.client.get("/login").get_data(as_text=True))
        if email:
            response = self.client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": self.token})
            assert response.status_code == 302, f"could not sign in as {email}"

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, **kw)

    def api(self, url: str, body: dict[str, Any]) -> Any:
        return self.client.post(url, json=body, headers={"X-CSRFToken": self.token})


@pytest.fixture
def person(app: Any) -> Any:
    return lambda email=None: Person(app, email)


@pytest.fixture
def author(person: Any) -> Person:
    return person("author@inst.example")
