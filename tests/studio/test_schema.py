"""The Alembic migrations make exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from studio.models import Base


def test_migrations_match_the_models(app):
    engine = app.extensions["studio.engine"]
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_starting_again_on_a_migrated_database_changes_nothing(app, tmp_path):
    from tests.studio.conftest import make_app

    again = make_app(tmp_path / "data")  # the same data folder and database: upgrade is a no-op
    with again.extensions["studio.engine"].connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == _head()


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from studio.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head() or ""
