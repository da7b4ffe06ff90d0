"""Run shop_reco's Alembic chain programmatically against an engine.

>>> from sqlalchemy import create_engine
>>> engine = create_engine("sqlite://")
>>> upgrade(engine); current(engine) == head()
True
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from shop_reco.resources import resource_dir

VERSION_TABLE = "reco_alembic_version"


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic Config pointing at our migrations folder (in a wheel or a checkout)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resource_dir("migrations")))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def _run(engine: Engine, fn: str, revision: str) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, fn)(cfg, revision)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (default: the newest)."""
    _run(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Take the schema down to ``revision`` (``base`` removes every reco_ table)."""
    _run(engine, "downgrade", revision)


def current(engine: Engine) -> str | None:
    """The revision the database is at, or None before the first upgrade."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return ctx.get_current_revision()


def head() -> str:
    """The newest revision shipped with this version of shop_reco."""
    script = ScriptDirectory.from_config(alembic_config())
    result = script.get_current_head()
    assert result is not None
    return result


def pending(engine: Engine) -> bool:
    """True when the database is behind the shipped migrations."""
    return current(engine) != head()
