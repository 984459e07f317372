"""`hallpulse db upgrade` builds the whole schema from nothing, on SQLite and PostgreSQL, and agrees with the models."""
from __future__ import annotations


import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from server.config import PROJECT_ROOT
from tests.conftest import database_url_for, drop_postgres_database
from tests.subprocesses import app_env, run_hallpulse

SEVEN_TRAITS = ["Substantive", "Evidence", "Questions", "Non-defensive", "People", "Professional knowledge", "Action"]


def head_revision() -> str:
    return ScriptDirectory(str(PROJECT_ROOT / "server" / "migrations")).get_current_head()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def upgraded(request, tmp_path_factory):
    """An empty database of each engine, upgraded once by the real command (which must succeed)."""
    instance = tmp_path_factory.mktemp("migrations-instance")
    url, pg_name = database_url_for(request.param, instance)
    env = app_env(instance, DATABASE_URL=url)
    result = run_hallpulse("db", "upgrade", env=env)
    if result.returncode != 0:
        if pg_name:
            drop_postgres_database(pg_name)
        pytest.fail(f"hallpulse db upgrade failed on an empty {request.param} database:\n{result.stderr}")
    engine = create_engine(url)
    yield {"url": url, "env": env, "result": result, "engine": engine}
    engine.dispose()
    if pg_name:
        drop_postgres_database(pg_name)


def current_revision(engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_upgrade_on_an_empty_database_reaches_the_latest_revision(upgraded):
    assert "Running upgrade  -> 0001" in upgraded["result"].stderr
    assert current_revision(upgraded["engine"]) == head_revision()


def test_upgrade_on_an_up_to_date_database_changes_nothing(upgraded):
    tables_before = sorted(inspect(upgraded["engine"]).get_table_names())

    again = run_hallpulse("db", "upgrade", env=upgraded["env"])

    assert again.returncode == 0, again.stderr
    assert "Running upgrade" not in again.stderr
    assert current_revision(upgraded["engine"]) == head_revision()
    assert sorted(inspect(upgraded["engine"]).get_table_names()) == tables_before


def test_upgraded_schema_matches_the_models(upgraded):
    import server.models  # noqa: F401  (every table in the metadata)
    from server.db import built_on, db

    with upgraded["engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": built_on(connection.dialect.name)})
        differences = compare_metadata(context, db.metadata)

    assert differences == [], "the migrations and the models disagree; add a migration:\n" + "\n".join(map(str, differences))


def test_upgrade_seeds_the_seven_trait_rubric_as_the_default(upgraded):
    with upgraded["engine"].connect() as connection:
        labels = connection.execute(text(
            "SELECT trait.label FROM trait JOIN rubric ON rubric.id = trait.rubric_id"
            " WHERE rubric.is_default AND rubric.district_id IS NULL ORDER BY trait.position"
        )).scalars().all()

    assert labels == SEVEN_TRAITS


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    import server.db  # noqa: F401  (registers the connection pragmas for every engine)

    engine = create_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as connection:
        journal_mode = connection.execute(text("PRAGMA journal_mode")).scalar()
        foreign_keys = connection.execute(text("PRAGMA foreign_keys")).scalar()
        busy_timeout = connection.execute(text("PRAGMA busy_timeout")).scalar()
    engine.dispose()

    assert (journal_mode, foreign_keys) == ("wal", 1)
    assert busy_timeout > 0


def test_postgresql_alone_indexes_the_digest_by_observer_and_vacuums_it_soon(upgraded):
    """PostgreSQL's planner reads an observer's rows through the index; SQLite names its indexes and would only write
    it. Neither engine keeps the trait-level index by trait, which no read uses (migration 0024)."""
    engine = upgraded["engine"]
    names = {index["name"] for index in inspect(engine).get_indexes("heatmap_conversation")}
    assert ("ix_heatmap_conversation_observer" in names) == (engine.dialect.name == "postgresql")
    assert "ix_trait_level_trait" not in {index["name"] for index in inspect(engine).get_indexes("observation_trait_level")}
    if engine.dialect.name == "postgresql":  # and its index-only scans find the rows marked visible soon after a sync
        with engine.connect() as connection:
            options = dict(connection.execute(text(
                "SELECT relname, array_to_string(reloptions, ',') FROM pg_class"
                " WHERE relname IN ('heatmap_conversation', 'heatmap_walk_time')")).all())
        assert options == dict.fromkeys(["heatmap_conversation", "heatmap_walk_time"],
                                        "autovacuum_vacuum_insert_scale_factor=0.01")
