"""What was shown, written in batches off the request path.

Every answer is logged as one ``reco_recommendation`` row (derived codes and
item ids; the raw text only when the shop opted in). Writing that row in the
request cost more than analysing and ranking together, so by default the
request only queues it and a short-lived background thread inserts what has
queued every ``flush_seconds`` in one ``executemany`` of the driver's own:

    log = AnswerLog(engine, table, flush_seconds=1.0)
    log.add({"id": "...", "created_at": now, ...})  # returns at once
    log.flush()  # write now

What it promises:

* **Nothing waits.** ``add`` appends to a list under a lock; the thread starts
  on demand and ends after an idle interval, so an idle app holds no thread.
* **Bounded memory, no silent loss under load.** When ``max_pending`` rows are
  queued, the request that adds one more writes the batch itself.
* **Outages are retried.** A failed batch is kept and retried with backoff
  (``retries`` attempts); only then is it dropped, with an error that says how
  many rows were lost. Rows also go at interpreter exit (``atexit``) and on
  :meth:`close`; a hard kill (SIGKILL) loses at most ``flush_seconds`` of rows.
* **One bad row drops only itself.** A row the database refuses (a NUL in a
  stored description) is found by halving the batch, logged by its id (never
  its values) and dropped; every other row of the batch is written.
* **Fork-safe.** A worker forked from a preloading master (gunicorn
  ``--preload``) starts with an empty queue of its own.

``flush_seconds=0`` writes every row in the request, as one statement in its
own transaction (never inside the host's).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from collections.abc import Callable, Mapping
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Engine, Table, insert
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

log = logging.getLogger("shop_reco")

_LIVE: weakref.WeakSet[AnswerLog] = weakref.WeakSet()
#: Binds per multi-row INSERT: SQLite's limit before 3.32 (later ones and MySQL allow more).
_MAX_BINDS = 999


class _DriverInsert(NamedTuple):
    """The log's INSERT as the driver takes it, made once per log (see ``AnswerLog._prepared``)."""

    sql: str
    names: tuple[str, ...]  # the binds' names, in the statement's order
    values: Callable[[Mapping[str, Any]], tuple[Any, ...]]  # a row's values in that order, in one call
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, bind processor) where a type has one
    positional: bool  # parameters go as tuples ("?", "%s", ":1"), not as dicts
    multi_row: bool  # plain positional markers: rows can share one statement


class AnswerLog:
    """A per-process, batched writer of answer records (see the module doc)."""

    def __init__(
        self,
        engine: Engine,
        table: Table,
        *,
        flush_seconds: float = 1.0,
        max_pending: int = 5000,
        retries: int = 5,
    ) -> None:
        self.engine = engine
        self.table = table
        self.flush_seconds = float(flush_seconds)
        self.max_pending = max(1, int(max_pending))
        self.retries = max(1, int(retries))
        self.written = 0  # rows inserted by this process, for tests and metrics
        self.dropped = 0  # rows given up after ``retries`` failed attempts
        self._reset()
        _LIVE.add(self)

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()  # one batch at a time, in order
        self._pending: list[Mapping[str, Any]] = []
        self._failures = 0
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._closed = False
        self._statement: _DriverInsert | None = None

    @property
    def pending(self) -> int:
        """Rows queued in this process and not yet written."""
        return len(self._pending)

    def add(self, row: Mapping[str, Any]) -> None:
        """Queue one row; write at once when buffering is off or the queue is full."""
        if self.flush_seconds <= 0 or self._closed:
            self._write([row])
            return
        with self._lock:
            self._pending.append(row)
            full = len(self._pending) >= self.max_pending
            if not full and self._thread is None:
                self._thread = threading.Thread(target=self._run, name="shop_reco-answer-log", daemon=True)
                self._thread.start()
        if full:
            self.flush()

    def flush(self) -> int:
        """Write everything queued now; returns how many rows were written."""
        with self._write_lock:
            with self._lock:
                batch, self._pending = self._pending, []
            if not batch:
                return 0
            error = self._try_write(batch)
            if error is None:
                self._failures = 0
                return len(batch)
            written = 0
            if _row_refused(error):
                # One row the database will never take (a NUL in a stored description, say) must
                # not cost the others theirs: find it by halves, drop it by id, write the rest.
                queued = len(batch)
                refused, batch = self._isolate(batch)
                written = queued - len(refused) - len(batch)
                reason = type(error).__name__  # never str(error): it quotes the row's values
                for row_id in refused:
                    log.error("shop_reco: the database refused answer log row %s (%s); dropped it", row_id, reason)
                self.dropped += len(refused)
                if not batch:
                    self._failures = 0
                    return written
            else:
                log.error("shop_reco: could not write %d answer log rows (%s)", len(batch), type(error).__name__)
            self._failures += 1
            if self._failures >= self.retries:
                self.dropped += len(batch)
                self._failures = 0
                log.error("shop_reco: dropped %d answer log rows after %d failed writes", len(batch), self.retries)
                return written
            with self._lock:  # keep them for the next attempt, oldest first, within the bound
                self._pending[:0] = batch
                overflow = len(self._pending) - self.max_pending
                if overflow > 0:
                    del self._pending[:overflow]
                    self.dropped += overflow
                    log.error("shop_reco: dropped %d answer log rows: the queue is full", overflow)
            return written

    def close(self) -> None:
        """Write what is queued and stop buffering (later rows are written in the request)."""
        self._closed = True
        self._wake.set()
        self.flush()

    def _write(self, rows: list[Mapping[str, Any]]) -> bool:
        """Write ``rows`` in one transaction; False (logged without any value) when that failed."""
        error = self._try_write(rows)
        if error is not None:  # logging must never cost the shopper their answer
            log.error("shop_reco: could not write %d answer log rows (%s)", len(rows), type(error).__name__)
        return error is None

    def _isolate(self, rows: list[Mapping[str, Any]]) -> tuple[list[str], list[Mapping[str, Any]]]:
        """Write what the database takes, by halves: the ids it refused, and rows kept for a retry.

        A refused row costs about two statements per halving (log2 of the batch), not one per row.
        Rows that met an outage meanwhile are kept, not dropped.
        """
        error = self._try_write(rows)
        if error is None:
            return [], []
        if not _row_refused(error):
            return [], rows
        if len(rows) == 1:
            return [str(rows[0].get("id", "?"))], []
        middle = len(rows) // 2
        refused_a, kept_a = self._isolate(rows[:middle])
        refused_b, kept_b = self._isolate(rows[middle:])
        return refused_a + refused_b, kept_a + kept_b

    def _try_write(self, rows: list[Mapping[str, Any]]) -> Exception | None:
        try:
            with self.engine.begin() as connection:
                params = self._driver_params(rows)
                prepared = self._prepared()
                if params is None:
                    connection.execute(insert(self.table), rows)
                elif prepared.multi_row:
                    # Many rows per statement: the driver lets go of the GIL once per chunk, not
                    # once per row, so the request thread is not handed it back and forth.
                    head, _, group = prepared.sql.partition(" VALUES ")
                    per_statement = max(1, _MAX_BINDS // len(prepared.names))
                    for start in range(0, len(params), per_statement):
                        chunk = params[start : start + per_statement]
                        values = ", ".join([group] * len(chunk))
                        connection.exec_driver_sql(f"{head} VALUES {values}", tuple(chain.from_iterable(chunk)))
                else:
                    connection.exec_driver_sql(prepared.sql, params)
        except Exception as exc:
            return exc
        self.written += len(rows)
        return None

    def _prepared(self) -> _DriverInsert:
        """The INSERT as the driver's SQL, and each bind's name and type processor, made once."""
        if self._statement is None:
            dialect = self.engine.dialect
            compiled = insert(self.table).compile(dialect=dialect)
            processors = {c.key: c.type.dialect_impl(dialect).bind_processor(dialect) for c in self.table.columns}
            positional = compiled.positiontup is not None
            names = list(compiled.positiontup or compiled.params)
            # Plain positional markers ("?", "%s") can repeat a row's group; numbered or named ones cannot.
            multi_row = positional and dialect.paramstyle in ("qmark", "format")
            found = tuple((n, process) for n, name in enumerate(names) if (process := processors.get(name)))
            values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
            self._statement = _DriverInsert(str(compiled), tuple(names), values, found, positional, multi_row)
        return self._statement

    def _driver_params(self, rows: list[Mapping[str, Any]]) -> list[Any] | None:
        """The batch as the driver's parameters, or None to let SQLAlchemy bind it (a row lacks a column).

        What ``connection.execute(insert(table), rows)`` does per row, without its
        per-row bookkeeping, which held the GIL longer than the request it served.
        Rows of one memoized answer share their ``items`` and ``concepts`` lists,
        so each list is encoded once per batch.
        """
        prepared = self._prepared()
        names, row_values, processors = prepared.names, prepared.values, prepared.processors
        encoded: dict[int, Any] = {}
        params: list[Any] = []
        append = params.append
        try:
            for row in rows:
                values = list(row_values(row))  # every column's value in one call; most need no processing
                for n, process in processors:
                    value = values[n]
                    if value is None:
                        continue
                    if isinstance(value, (list, dict)):
                        key = id(value)  # the rows hold the values, so an id is not reused within the batch
                        if key not in encoded:
                            encoded[key] = process(value)
                        values[n] = encoded[key]
                    else:
                        values[n] = process(value)
                append(tuple(values) if prepared.positional else dict(zip(names, values, strict=True)))
        except KeyError:
            return None
        return params

    def _run(self) -> None:
        while True:
            backoff = min(2**self._failures, 30) if self._failures else 1
            self._wake.wait(self.flush_seconds * backoff)
            wrote = self.flush()
            with self._lock:
                if self._closed or (not self._pending and not wrote):
                    self._thread = None  # idle: end; the next add starts a new thread
                    return


def _row_refused(error: Exception) -> bool:
    """True when the database (or its driver) refuses a value, not when it is unreachable or lacks the table."""
    if isinstance(error, (DataError, IntegrityError)):
        return True
    if isinstance(error, DBAPIError):
        return False
    # Raised while encoding a value (a lone surrogate), before anything reached the server.
    return isinstance(error, (ValueError, TypeError)) or isinstance(getattr(error, "orig", None), ValueError)


def _reset_in_child() -> None:
    """In a forked child: the parent's rows are the parent's to write (and its locks may be held)."""
    for answer_log in list(_LIVE):
        answer_log._reset()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_reset_in_child)


@atexit.register
def _flush_at_exit() -> None:
    for answer_log in list(_LIVE):
        if answer_log._pid == os.getpid():
            answer_log.flush()
