"""Engines, sessions and the shared content revision counter."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Engine, create_engine, event, select, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from shop_reco.storage.models import CONTENT_MODELS, Revision, State

REVISION_KEY = "content_revision"
#: What to run when the tables are missing or behind, in every message that says so.
UPGRADE_COMMAND = "flask shop-reco db upgrade"
#: SQLSTATEs of a missing table and a missing column (PostgreSQL).
_UNDEFINED = frozenset({"42P01", "42703"})
#: The same, as SQLite words it.
_UNDEFINED_WORDING = ("no such table", "no such column")


class DatabaseNotReady(RuntimeError):
    """shop_reco's tables are missing or older than this version: the migrations have not run.

    An operator's error that no shopper or API caller can fix; the API answers
    503 ``database_not_ready`` and the message says what to run.
    """


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached (down, restarting, network): a passing outage.

    Every route answers 503 (the API ``database_unavailable`` with ``Retry-After``);
    the pool's pre-ping reconnects on its own once the database is back.
    """


#: Seconds an API caller is asked to wait before trying again during an outage.
RETRY_AFTER_SECONDS = 30


def database_unreachable(exc: BaseException) -> bool:
    """True when ``exc`` says the database could not be reached, not that a query or a value was wrong.

    A connection that failed or was lost (``OperationalError``, ``InterfaceError``,
    an invalidated connection) or a pool that timed out; a missing table is
    :func:`schema_missing` instead, even though SQLite reports it as operational.
    """
    if isinstance(exc, (DatabaseUnavailable, PoolTimeout)):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    return isinstance(exc, (OperationalError, InterfaceError)) and not schema_missing(exc)


def schema_missing(exc: BaseException) -> bool:
    """True when a database error says a table or column does not exist (migrations not run).

    Only looked at once a query has failed, so a working database pays nothing.
    """
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if (getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)) in _UNDEFINED:
        return True
    text = str(orig).lower()
    return any(words in text for words in _UNDEFINED_WORDING)


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str, options: Mapping[str, Any] | None = None) -> Engine:
    """Create an engine; SQLite gets foreign keys on and a generous busy timeout."""
    # orjson for JSON columns: the answer log and the catalog are mostly JSON, and it is 5-10x faster.
    kwargs: dict[str, Any] = {"future": True, "json_serializer": _json_dumps, "json_deserializer": orjson.loads}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 15}
    else:
        kwargs["pool_pre_ping"] = True
    kwargs.update(options or {})
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if engine.url.database not in (None, "", ":memory:"):
                # Several worker processes on one host share the file: readers never block the writer.
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    return engine


class ContentChange(NamedTuple):
    """One recorded change to content: ``ContentChange("product", "foam-roller", "update", "cli")``.

    ``entity`` is rule, product, exercise, article, source or synonym; ``key`` its
    natural key (an article's is ``slug/locale``); ``action`` create, update,
    delete or rollback; ``actor`` who made it (an admin id, ``"cli"``, or None).
    """

    entity: str
    key: str
    action: str
    actor: str | None


#: Called after a commit that changed content, with the new revision and what changed.
ContentCommitHook = Callable[[int, tuple[ContentChange, ...]], None]

_BUMPED = "_reco_bumped"  # session.info: the new content revision, once bumped in this transaction
_CHANGES = "_reco_changes"  # session.info: the revisions recorded in this transaction


def make_session_factory(engine: Engine, on_content_commit: ContentCommitHook | None = None) -> sessionmaker[Session]:
    """A session factory whose flushes bump the content revision when content changes.

    ``on_content_commit(revision, changes)`` runs after each commit that moved the
    revision (never after a rollback): ``changes`` are the :class:`ContentChange`
    records written in that transaction (empty when content was written without one).
    """
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    event.listen(factory, "before_flush", _bump_on_content_change)
    event.listen(factory, "after_rollback", _reset_bump_flag)
    if on_content_commit is None:
        event.listen(factory, "after_commit", _reset_bump_flag)
    else:

        def _after_commit(session: Session) -> None:
            revision, changes = session.info.get(_BUMPED), tuple(session.info.get(_CHANGES, ()))
            _reset_bump_flag(session)
            if revision is not None:
                on_content_commit(revision, changes)

        event.listen(factory, "after_commit", _after_commit)
    return factory


def _bump_on_content_change(session: Session, _ctx: Any, _instances: Any) -> None:
    changes = [
        ContentChange(obj.entity, obj.entity_key, obj.action, obj.actor)
        for obj in session.new
        if isinstance(obj, Revision)
    ]
    if changes:
        session.info.setdefault(_CHANGES, []).extend(changes)
    if session.info.get(_BUMPED) is not None:
        return
    # An object set to the values it had is in session.dirty but changes nothing: no bump for it.
    touched = any(isinstance(obj, CONTENT_MODELS) for obj in (*session.new, *session.deleted)) or any(
        isinstance(obj, CONTENT_MODELS) and session.is_modified(obj) for obj in session.dirty
    )
    if touched:
        session.info[_BUMPED] = bump_revision(session)


def _reset_bump_flag(session: Session) -> None:
    session.info.pop(_BUMPED, None)
    session.info.pop(_CHANGES, None)


def bump_revision(session: Session) -> int:
    """Atomically add one to the content revision; returns the new revision.

    The migrations create the row; the insert fallback covers a schema made
    with ``create_all`` in a test.
    """
    result = session.execute(update(State).where(State.key == REVISION_KEY).values(value=State.value + 1))
    if getattr(result, "rowcount", 1) == 0:
        session.add(State(key=REVISION_KEY, value=1))
        return 1
    return current_revision(session)


def current_revision(session: Session) -> int:
    """The content revision every process compares its cache against."""
    value = session.execute(select(State.value).where(State.key == REVISION_KEY)).scalar_one_or_none()
    return int(value or 0)
