"""The database engine, one session per request, and schema upgrades by Alembic at start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # WAL lets readers and one writer work at once across processes; foreign keys enforce cascades
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_engine(url, pool_pre_ping=True)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is there already)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    upgrade(engine)
    app.extensions["studio.engine"] = engine
    app.extensions["studio.sessions"] = sessionmaker(engine, expire_on_commit=False)

    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.close()


def db() -> Session:
    """This request's session (opened on first use, closed when the request ends)."""
    if "db" not in g:
        g.db = current_app.extensions["studio.sessions"]()
    session: Session = g.db
    return session


def session_for(app: Flask) -> Session:
    """A session outside a request (CLI, job worker): the caller closes it."""
    session: Session = app.extensions["studio.sessions"]()
    return session


def this_app() -> Flask:
    """The app itself, not the ``current_app`` proxy: for what outlives the request (jobs, threads, caches)."""
    return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]  # proxy typed as Flask
