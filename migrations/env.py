"""Alembic environment for shop_reco's own migration chain.

shop_reco keeps its version in ``reco_alembic_version`` so its chain lives
beside the host application's Alembic history without touching it. The
connection comes from ``shop_reco.storage.migrations`` (``flask shop-reco db``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from shop_reco.storage.migrations import VERSION_TABLE
from shop_reco.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    """Only our own tables: the host's live in the same database."""
    if type_ == "table":
        return bool(name and name.startswith("reco_"))
    return True


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        include_object=_include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


connection = config.attributes.get("connection")
if connection is not None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
