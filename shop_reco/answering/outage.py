"""The database is missing its tables or cannot be reached: the errors every door raises, logged once.

Each door answers these its own way (the API a 503 JSON body, the widgets an
empty box or the finder again, the admin a page that keeps the form); the log
line is written once per outage, not once per request.
"""

from __future__ import annotations

import logging
from contextlib import suppress

from shop_reco.answering.caches import answering_caches
from shop_reco.state import get_session, get_state
from shop_reco.storage.database import UPGRADE_COMMAND, DatabaseNotReady, DatabaseUnavailable

log = logging.getLogger("shop_reco")


def database_unavailable(exc: BaseException) -> DatabaseUnavailable:
    """The error for a database that cannot be reached, logged once per outage (not per request).

    The session is closed so that the next request asks the pool afresh: its
    pre-ping replaces dead connections once the database is back.
    """
    state = get_state()
    caches = answering_caches(state)
    with suppress(Exception):  # the connection is gone already; nothing to give back
        get_session().close()
    if not caches.unavailable_logged:
        caches.unavailable_logged = True
        log.error(
            "shop_reco: the database %s cannot be reached (%s); answering 503 until it is back",
            state.engine.url.render_as_string(hide_password=True),
            type(getattr(exc, "orig", None) or exc).__name__,
        )
    return DatabaseUnavailable("shop_reco's database cannot be reached right now; try again shortly")


def database_answers_again() -> None:
    """After an outage: say once that the database answers again."""
    caches = answering_caches()
    if caches.unavailable_logged:
        caches.unavailable_logged = False
        log.warning("shop_reco: the database answers again; serving as usual")


def database_not_ready(exc: BaseException) -> DatabaseNotReady:
    """The error for a query that found no shop_reco tables, logged once (not on every request).

    Rolls the session back (PostgreSQL refuses any further statement in a failed
    transaction). The log line names the database and what to run.
    """
    state = get_state()
    caches = answering_caches(state)
    get_session().rollback()
    if not caches.not_ready_logged:
        caches.not_ready_logged = True
        orig = getattr(exc, "orig", None) or exc
        reason = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        log.error(
            "shop_reco: the database %s has no shop_reco tables, or older ones (%s); run `%s`",
            state.engine.url.render_as_string(hide_password=True),
            reason,
            UPGRADE_COMMAND,
        )
    return DatabaseNotReady(
        f"shop_reco's database tables are missing or out of date; run `{UPGRADE_COMMAND}` to create or update them"
    )
