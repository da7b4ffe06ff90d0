"""shop_reco's own Alembic chain: up, down, its own version table, agreement with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from shop_reco.storage import migrations
from shop_reco.storage.models import Base


def reco_tables(engine) -> set[str]:  # type: ignore[no-untyped-def]
    return {t for t in inspect(engine).get_table_names() if t.startswith("reco_")}


def test_upgrade_to_head_and_back_to_base(database_url: str) -> None:
    engine = create_engine(database_url)
    assert migrations.current(engine) is None
    migrations.upgrade(engine)
    assert migrations.current(engine) == migrations.head()
    assert {t.name for t in Base.metadata.sorted_tables} <= reco_tables(engine)
    migrations.downgrade(engine, "base")
    assert migrations.current(engine) is None
    assert reco_tables(engine) == {"reco_alembic_version"}
    engine.dispose()


def test_models_and_migrations_agree(database_url: str) -> None:
    engine = create_engine(database_url)
    migrations.upgrade(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = [
            d
            for d in compare_metadata(ctx, Base.metadata)
            if not (d[0] == "remove_table" and d[1].name == migrations.VERSION_TABLE)
        ]
    engine.dispose()
    assert diff == [], "models changed without a migration: run alembic revision --autogenerate"


def test_lives_beside_a_host_alembic_history(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('host_rev_1')"))
        conn.execute(text("CREATE TABLE host_orders (id INTEGER PRIMARY KEY)"))
    migrations.upgrade(engine)
    migrations.downgrade(engine, "base")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "host_rev_1"
    assert "host_orders" in inspect(engine).get_table_names()
    engine.dispose()
