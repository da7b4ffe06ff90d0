"""Rate limits on our own routes, through the ``limits`` library's public API.

One budget per client for answers, shared by ``POST /recommendations`` and both
finder forms (no-JS page and iframe), so a client cannot triple its limit by
switching door; events have a budget of their own. The client is a keyed hash
of ``request.remote_addr`` (behind a reverse proxy, see docs/reliability.md on
``ProxyFix``). Nothing is hooked onto the host's app: views opt in with
:func:`rate_limited`, and headers (``Retry-After``, ``X-RateLimit-*``) go on 429
answers only.

**When the storage is down** (Redis unreachable), shoppers are still served:
counting moves to this process's memory, one warning is logged for the outage
(not one per request), the shared storage is tried again every
``RECHECK_SECONDS`` and one line says when it is back. During the outage each
process counts on its own, so a client may get up to one budget per process.

    >>> limits = RateLimits("memory://", "3/minute")
    >>> [limits.hit("answers", "client-a") is None for _ in range(4)]
    [True, True, True, False]
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from shop_reco.state import get_state

if TYPE_CHECKING:
    from shop_reco.state import RecoState

log = logging.getLogger("shop_reco")

F = TypeVar("F", bound=Callable[..., Any])

#: Budgets by name: "answers" is SHOP_RECO_RATELIMIT; "events" is fixed.
EVENTS_LIMIT = "600/minute"
#: Seconds between attempts to reach a storage that was down.
RECHECK_SECONDS = 30.0
#: Redis connect and read timeouts: a blackholed Redis must not hold a shopper for long.
REDIS_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
_KEY_PREFIX = "shop_reco"


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused: the limit it reached and when its window ends."""

    limit: int
    reset_at: float  # epoch seconds

    def headers(self) -> dict[str, str]:
        """``Retry-After`` and ``X-RateLimit-*``, for the 429 answer only."""
        retry = max(1, int(self.reset_at - time.time() + 0.999))
        return {
            "Retry-After": str(retry),
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(int(self.reset_at)),
        }


class RateLimited(TooManyRequests):
    """429 with the :class:`Refusal`; our blueprints' handlers turn it into JSON or the finder page."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(retry_after=max(1, int(refusal.reset_at - time.time() + 0.999)))
        self.refusal = refusal


class RateLimits:
    """Named budgets counted in a ``limits`` storage, falling back to memory while it is down."""

    def __init__(self, storage_uri: str, answers_limit: str, *, events_limit: str = EVENTS_LIMIT) -> None:
        self.storage_uri = storage_uri
        self.budgets: dict[str, list[RateLimitItem]] = {
            "answers": parse_many(answers_limit),
            "events": parse_many(events_limit),
        }
        options = REDIS_TIMEOUTS if storage_uri.startswith(("redis://", "rediss://")) else {}
        self._shared = cast(Storage, storage_from_string(storage_uri, **options))  # a sync URI: a sync storage
        self._shared_limiter = FixedWindowRateLimiter(self._shared)
        self._memory_limiter = (
            self._shared_limiter if isinstance(self._shared, MemoryStorage) else FixedWindowRateLimiter(MemoryStorage())
        )
        self._errors: tuple[type[BaseException], ...] = _as_tuple(self._shared.base_exceptions)
        self._down_since: float | None = None
        self._next_try = 0.0
        self._lock = threading.Lock()

    @property
    def degraded(self) -> bool:
        """True while the shared storage is down and this process counts in memory."""
        return self._down_since is not None

    def hit(self, budget: str, client: str) -> Refusal | None:
        """Count one request of ``client`` against ``budget``: None when allowed, else the refusal."""
        items = self.budgets[budget]
        if self._down_since is None or time.monotonic() >= self._next_try:
            try:
                refusal = self._hit(self._shared_limiter, items, budget, client)
            except self._errors as exc:
                self._went_down(exc)
            else:
                self._came_back()
                return refusal
        return self._hit(self._memory_limiter, items, budget, client)

    @staticmethod
    def _hit(limiter: FixedWindowRateLimiter, items: list[RateLimitItem], budget: str, client: str) -> Refusal | None:
        for item in items:
            if not limiter.hit(item, _KEY_PREFIX, budget, client):
                stats = limiter.get_window_stats(item, _KEY_PREFIX, budget, client)
                return Refusal(item.amount, stats.reset_time)
        return None

    def _went_down(self, exc: BaseException) -> None:
        with self._lock:
            self._next_try = time.monotonic() + RECHECK_SECONDS
            if self._down_since is None:
                self._down_since = time.monotonic()
                log.warning(
                    "shop_reco: rate-limit storage %s unreachable (%s); counting in this process's memory "
                    "until it is back (tried again every %d s)",
                    _redacted(self.storage_uri),
                    type(exc).__name__,
                    RECHECK_SECONDS,
                )

    def _came_back(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is not None:
                log.warning(
                    "shop_reco: rate-limit storage %s is back after %.0f s; shared counting resumes",
                    _redacted(self.storage_uri),
                    time.monotonic() - self._down_since,
                )
                self._down_since = None


def _as_tuple(errors: Any) -> tuple[type[BaseException], ...]:
    if isinstance(errors, type):
        return (errors,)
    return tuple(errors) if isinstance(errors, Iterable) else (Exception,)


def _redacted(uri: str) -> str:
    """The storage URI without a password."""
    scheme, sep, rest = uri.partition("://")
    credentials, at, host = rest.rpartition("@")
    return f"{scheme}{sep}{'***@' if at else ''}{host}" if sep else uri


def client_key() -> str:
    """A rate-limit key that does not keep the client's address: a keyed hash of it."""
    secret = str(current_app.secret_key or current_app.name).encode()
    address = (request.remote_addr or "unknown").encode()
    return hmac.new(secret, address, hashlib.sha256).hexdigest()[:32]


def rate_limited(budget: str, *, methods: Iterable[str] | None = None) -> Callable[[F], F]:
    """Count the view's requests (of ``methods``, default all) against ``budget`` of the current app.

    The budgets are the app's (``RecoState.rate_limits``, None when
    ``SHOP_RECO_RATELIMIT_ENABLED`` is off: then nothing is counted), so one
    module-level view serves every app that mounts shop_reco.
    """
    counted = frozenset(methods) if methods is not None else None

    def decorate(view: F) -> F:
        @wraps(view)
        def limited(*args: Any, **kwargs: Any) -> Any:
            limits = get_state().rate_limits
            if limits is not None and (counted is None or request.method in counted):
                refusal = limits.hit(budget, client_key())
                if refusal is not None:
                    raise RateLimited(refusal)
            return view(*args, **kwargs)

        return limited  # type: ignore[return-value]

    return decorate


def make_rate_limits(state: RecoState) -> RateLimits:
    """The app's budgets from ``SHOP_RECO_RATELIMIT`` and ``SHOP_RECO_RATELIMIT_STORAGE_URI``."""
    return RateLimits(state.settings["SHOP_RECO_RATELIMIT_STORAGE_URI"], state.settings["SHOP_RECO_RATELIMIT"])
