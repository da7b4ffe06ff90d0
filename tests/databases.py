"""Test databases: a migrated one holding the demo data, made once per session and copied per test.

Migrating and loading the demo data takes about a second (more on PostgreSQL),
and most tests start from exactly that state. So each kind of database is
prepared once per test session (once per xdist worker) and copied for each
test that asks for it:

- SQLite: the prepared file is copied (SQLite's backup API, so WAL mode is safe).
- PostgreSQL: every test has a schema of its own (``-csearch_path=...`` in its
  URL, see :func:`with_schema`); the prepared schema is dumped once with ``pg_dump`` and the dump, with
  the schema renamed, recreates it in the test's schema. One transaction, no
  ``CREATE DATABASE`` (whose ``DROP`` forces a checkpoint of the whole server).

Imported as ``tests.databases`` everywhere, so there is one cache per process.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import Engine, create_engine, make_url, text


class _CompiledTemplates(BytecodeCache):
    """Compiled templates kept in memory and shared by every test app of this process.

    Each test makes its own app, and so its own Jinja environment, which would compile every
    template it renders again (most of a second for the admin's). All these apps are made by
    ``create_app`` with the same Jinja settings, so the compiled code is the same; Jinja checks
    each template's source against the checksum stored with its code.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _CompiledTemplates()


def make_app(database_url: str, tmp_path: Path, **config: object):  # type: ignore[no-untyped-def]
    """The demo storefront on ``database_url``, for tests (rate limits off, instance in ``tmp_path``)."""
    from shop_reco.demo import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SHOP_RECO_DATABASE_URL": database_url,
            "SHOP_RECO_RATELIMIT_ENABLED": False,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            **config,
        }
    )
    app.jinja_env.bytecode_cache = _TEMPLATES
    return app


def migrate_with_demo_data(database_url: str, workdir: Path) -> None:
    """What a merchant runs first: ``flask shop-reco db upgrade`` then ``demo-data``."""
    app = make_app(database_url, workdir)
    runner = app.test_cli_runner()
    try:
        for args in (["shop-reco", "db", "upgrade"], ["shop-reco", "demo-data"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
    finally:
        app.extensions["shop_reco"].close()


class _Prepared:
    """The prepared databases of this process, made on first use and removed at exit."""

    def __init__(self) -> None:
        self._workdir: Path | None = None
        self.sqlite_file: Path | None = None
        #: (the prepared schema's name, the SQL that recreates it) per PostgreSQL server URL
        self.postgres_dumps: dict[str, tuple[str, str]] = {}

    @property
    def workdir(self) -> Path:
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="shop-reco-demo-db-"))
            atexit.register(shutil.rmtree, self._workdir, ignore_errors=True)
        return self._workdir

    def sqlite(self) -> Path:
        if self.sqlite_file is None:
            path = self.workdir / "demo.db"
            migrate_with_demo_data(f"sqlite:///{path}", self.workdir / "sqlite")
            self.sqlite_file = path
        return self.sqlite_file

    def postgres(self, server_url: str) -> tuple[str, str]:
        if server_url not in self.postgres_dumps:
            self.postgres_dumps[server_url] = _dump_prepared_schema(server_url, self.workdir / "postgres")
        return self.postgres_dumps[server_url]


_PREPARED = _Prepared()


#: Every test connection's settings besides its schema. ``synchronous_commit=off``: a commit
#: returns before its WAL record is flushed to disk (a crash may lose the last few commits;
#: what other sessions see, locks and constraints are unchanged). On this project's CI disk
#: a flushed commit takes about 12 ms, an unflushed one 2 ms, and the suite commits thousands of times.
TEST_CONNECTION_OPTIONS = ("-csynchronous_commit=off",)


def with_schema(server_url: str, schema: str) -> str:
    """``server_url`` with its connections in ``schema`` (``search_path``) and the test settings above."""
    options = " ".join((f"-csearch_path={schema}", *TEST_CONNECTION_OPTIONS))
    return make_url(server_url).update_query_dict({"options": options}).render_as_string(hide_password=False)


@functools.cache
def server_engine(server_url: str) -> Engine:
    """This process's engine for making, filling and dropping the tests' schemas on ``server_url``.

    One pooled connection kept open for the session instead of a new connection (and
    engine) for each step of each test. Tests' own apps connect with their own engines.
    """
    engine = create_engine(
        server_url,
        pool_size=1,
        max_overflow=2,
        pool_pre_ping=True,
        connect_args={"options": " ".join(TEST_CONNECTION_OPTIONS)},
    )
    atexit.register(engine.dispose)
    return engine


def _schema_of(url: Any) -> str:
    options = unquote(str(url.query.get("options", ""))).split()
    schemas = [option.removeprefix("-csearch_path=") for option in options if option.startswith("-csearch_path=")]
    if len(schemas) != 1:
        raise ValueError(f"a test's PostgreSQL URL names its schema in options=-csearch_path=...; got {options!r}")
    return schemas[0]


def _dump_prepared_schema(server_url: str, workdir: Path) -> tuple[str, str]:
    """Migrate a new schema, load the demo data, and return its name and ``pg_dump``'s SQL for it."""
    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is needed to copy the prepared PostgreSQL database; install postgresql-client")
    schema = f"reco_demo_{uuid.uuid4().hex[:12]}"
    engine = create_engine(server_url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        migrate_with_demo_data(with_schema(server_url, schema), workdir)
        libpq_url = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
        dumped = subprocess.run(
            ["pg_dump", f"--dbname={libpq_url}", f"--schema={schema}", "--no-owner", "--no-privileges",
             "--inserts", "--rows-per-insert=500"],
            capture_output=True,
            text=True,
        )  # fmt: skip
        if dumped.returncode != 0:
            pytest.fail(f"pg_dump could not dump the prepared schema: {dumped.stderr.strip()}")
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
    # psql's meta-commands (\restrict ...) are not SQL; psql is not needed to replay the rest.
    sql = "\n".join(line for line in dumped.stdout.splitlines() if not line.startswith("\\"))
    return schema, sql


def load_demo_database(database_url: str) -> str:
    """Fill the empty database at ``database_url`` with a copy of the prepared one; returns the URL.

    ``database_url`` is what the ``database_url`` fixture gives: a SQLite file
    that does not exist yet, or an empty PostgreSQL schema of the test's own.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        target = Path(url.database or "")
        source = sqlite3.connect(_PREPARED.sqlite())
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return database_url
    server = url.difference_update_query(["options"]).render_as_string(hide_password=False)
    prepared, sql = _PREPARED.postgres(server)
    schema = _schema_of(url)
    # The driver's own connection: the dump is many statements in one string, with no parameters.
    raw = server_engine(server).raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{schema}"')  # empty; the dump creates it again
            cursor.execute(sql.replace(prepared, schema))
        raw.commit()
        with raw.cursor() as cursor:
            cursor.execute("RESET ALL")  # the dump's SET commands, before the connection goes back to the pool
    finally:
        raw.close()
    return database_url
