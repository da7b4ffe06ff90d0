"""Shared fixtures: apps from the demo factory on SQLite and on PostgreSQL.

PostgreSQL runs when ``SHOP_RECO_TEST_POSTGRES_URL`` is set (``.ci/run`` sets it
and fails when the server is unreachable); each test gets a schema of its own.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import make_url, text

from tests.databases import load_demo_database, make_app, server_engine, with_schema

__all__ = ["REPO", "SHARED", "eval_descriptions", "load_demo_database", "make_app", "postgres_base_url"]

# The one place the Hypothesis profiles are defined. ``ci`` (the default, and what `make test`
# and CI run) is derandomized: the same examples every run, so no test passes or fails by
# chance. ``full`` (`make fuzz`) draws 1,000 fresh random examples a property to find new ones.
hypothesis_settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True, database=None)
hypothesis_settings.register_profile("full", max_examples=1000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _temporary_files_in_memory() -> None:
    """Put this run's temporary files (``tmp_path``, the tests' SQLite files) in memory-backed storage.

    On a disk, copying the prepared SQLite database into a test's file waits for ``fsync``
    (about 20 ms on this project's CI machine, 0.1 ms on tmpfs), and so do migrations, WAL
    checkpoints and the SQLite files of the subprocess tests. ``/dev/shm`` is used when it
    exists and nobody chose a directory (``TMPDIR`` or ``--basetemp`` win). Set in the
    environment too, so subprocesses (the eval scorer, the other process of the cross-process
    tests) inherit it. Durability after a crash is all this gives up, and tests never test that.
    """
    shm = Path("/dev/shm")
    if "TMPDIR" in os.environ or not (shm.is_dir() and os.access(shm, os.W_OK | os.X_OK)):
        return
    os.environ["TMPDIR"] = str(shm)
    tempfile.tempdir = None  # gettempdir() reads TMPDIR again


_temporary_files_in_memory()

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
POSTGRES_ENV = "SHOP_RECO_TEST_POSTGRES_URL"
#: The labelled shopper descriptions: the shared eval's and our own.
EVAL_CASE_FILES = (SHARED / "eval" / "dev-cases.jsonl", REPO / "tests" / "data" / "eval-cases.jsonl")


def eval_descriptions() -> list[tuple[str, str]]:
    """(locale, text) of every labelled description, for tests that run the analyzer over them."""
    import json

    return [
        (case["locale"], case["text"])
        for path in EVAL_CASE_FILES
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
        for case in (json.loads(line),)
    ]


def postgres_base_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} must be set in CI: PostgreSQL tests may not be skipped")
        return None
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL server's URL, or a skip outside CI when none is configured."""
    url = postgres_base_url()
    if url is None:
        pytest.skip(f"set {POSTGRES_ENV} to run the PostgreSQL variant")
    return url


def _fresh_schema_url(base: str) -> Iterator[str]:
    schema = f"reco_test_{uuid.uuid4().hex[:12]}"
    engine = server_engine(base)  # this process's connection for making and dropping schemas
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield with_schema(base, schema)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new PostgreSQL schema (see ``with_schema``)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'reco.db'}"
        return
    base = request.getfixturevalue("postgres_url")
    yield from _fresh_schema_url(base)


@pytest.fixture
def app(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The demo storefront on a migrated database holding the demo data (a copy of the session's)."""
    app = make_app(load_demo_database(database_url), tmp_path)
    yield app
    app.extensions["shop_reco"].close()


@pytest.fixture
def empty_app(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The demo storefront on a database with no shop_reco tables yet."""
    app = make_app(database_url, tmp_path)
    yield app
    app.extensions["shop_reco"].close()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the modules with slow or browser tests first; the many quick tests then even out the end.

    xdist hands tests out in this order, so a slow test collected last (a wheel install, a
    module of Chromium checks) would keep one worker busy while the other sits idle. A stable
    sort that moves whole modules, so a module's own fixtures are still made once and its tests
    keep their order; which worker runs a test was never fixed, and tests do not depend on order.
    """

    def module(item: pytest.Item) -> object:
        return getattr(item, "module", None)  # a docstring's example (DoctestItem) has none

    heavy = {module(item) for item in items if item.get_closest_marker("slow") or item.get_closest_marker("browser")}
    items.sort(key=lambda item: module(item) not in heavy)
