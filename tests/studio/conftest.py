"""A studio on a temporary data folder: one organisation with a course and a member of each role,
and a second organisation to prove that members of one never reach the other."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from studio import create_app
from studio.accounts import accounts
from studio.authoring import library
from studio.db import session_for
from studio.models import ROLES
from tests.studio.servers import free_port, postgres_server

PASSWORD = "correct horse battery"


def create_market(app: Any) -> None:
    """'market' runs the catalogue: a reviewer, a publisher and an admin."""
    session = session_for(app)
    org = accounts.create_org(session, "market", "Karmayogi Marketplace")
    org.is_catalogue = True
    for role in ("reviewer", "publisher", "admin"):
        accounts.create_user(session, f"{role}@market.example", PASSWORD, org, role)
    session.commit()
    session.close()


LESSON = "lessons/01-welcome.md"
CONTENT = "http://content.test"


BACKENDS = ["sqlite", "postgresql"]
_database: dict[str, str | None] = {"url": None}  # the backend of the running test (tests run one at a time)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for this test process, started on first use."""
    with postgres_server() as url:
        yield url


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests on the studio's database run on SQLite and again on PostgreSQL (browser tests: SQLite)."""
    direct = set(inspect.signature(metafunc.function).parameters)
    if ({"app", "studio"} & set(metafunc.fixturenames) or "backend" in direct) and "live" not in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture(autouse=True)
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    name = getattr(request, "param", "sqlite")
    _database["url"] = request.getfixturevalue("postgres_url") if name == "postgresql" else None
    yield name
    _database["url"] = None


def make_app(data: Path, **config: Any) -> Any:
    settings: dict[str, Any] = {"TESTING": True, "DATA_DIR": str(data), "SECRET_KEY": "test"}
    settings["CONTENT_ORIGIN"] = CONTENT  # course content's own origin: ask it with base_url=CONTENT
    if _database["url"]:
        settings["DATABASE_URL"] = _database["url"]
    settings.update(config)
    app = create_app(settings)
    _apps.append(app)  # disposed (and, on PostgreSQL, emptied) after the test
    return app


_apps: list[Any] = []


@pytest.fixture(autouse=True)
def _empty_database_after_each_test(backend: str) -> Iterator[None]:
    """On the shared PostgreSQL database, drop what a test made (SQLite files are per test already)."""
    yield
    apps, _apps[:] = list(_apps), []
    for app in apps:
        app.extensions["studio.engine"].dispose()
    # the apps made since the last clean-up may include other tests' (a browser test's live studio, made
    # outside tests/studio where this fixture runs, on SQLite): the database emptied is this test's own
    engines = [app.extensions["studio.engine"] for app in apps]
    postgres = [engine for engine in engines if engine.dialect.name == "postgresql"]
    if _database["url"] and postgres:
        from sqlalchemy import text

        from studio.models import Base

        with postgres[0].begin() as conn:
            # a session the failed test still holds (its traceback keeps it open) would make the drop wait
            # for its locks for ever; each test process has a server of its own, so any other connection
            # to it is a leftover of this test
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        postgres[0].dispose()


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2, at its smallest cost: the default's 175 ms a hash would make the suite slow."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def smtp_sink() -> Iterator[tuple[int, list[Any]]]:
    """A real SMTP server on loopback (aiosmtpd): its port, and the messages it received as parsed e-mails."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[Any] = []

    class Sink(Message):
        def handle_message(self, message):
            received.append(message)

    port = free_port()  # aiosmtpd's readiness check cannot use port 0
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


@pytest.fixture
def app(tmp_path: Path) -> Any:
    app = make_app(tmp_path / "data")
    populate(app)
    return app


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
        library.create(session, inst, "First course", None, slug="c1")
        library.create(session, other, "Their course", None, slug="c1")
        session.close()


def adopt_sample(app: Any) -> Any:
    """The sample course, adopted by 'inst' and committed: its CourseRecord (what many tests start from)."""
    from sqlalchemy import select

    from studio.models import Organisation
    from tests.conftest import SAMPLE

    with app.app_context():
        session = session_for(app)
        inst = session.scalars(select(Organisation).where(Organisation.slug == "inst")).one()
        course = library.adopt(session, inst, SAMPLE)
        session.commit()
        session.close()
    return course


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

    def content(self, url: str, path: str = "") -> Any:
        """The studio's address *url* of course content, followed to the content origin (+ *path*)."""
        moved = self.client.get(url)
        location = moved.headers.get("Location", "")
        assert moved.status_code == 302 and location.startswith(CONTENT + "/t/"), (moved.status_code, location)
        return self.client.get(location.split("#")[0] + path)


@pytest.fixture
def person(app: Any) -> Any:
    return lambda email=None: Person(app, email)


@pytest.fixture
def author(person: Any) -> Person:
    return person("author@inst.example")
