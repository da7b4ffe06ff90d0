"""HTTP policies of the API blueprint: body limits, JSON only, CORS, headers, rate limits.

All hooks are registered on our blueprints, so the host's routes are untouched;
that includes Flask-Limiter's (see :class:`LimiterScope`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, NotFound, UnsupportedMediaType

if TYPE_CHECKING:
    from shop_reco.state import RecoState

F = TypeVar("F", bound=Callable[..., Any])

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


#: Request methods that carry a JSON body.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
#: CORS headers for an allowed origin (the origin itself is added per request).
_CORS_HEADERS = (
    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
    ("Access-Control-Allow-Headers", "Content-Type, If-None-Match"),
    ("Access-Control-Max-Age", "600"),
)


def install_policies(bp: Blueprint, state: RecoState) -> None:
    """One before- and one after-request hook for every API request (each hook costs per request)."""
    max_body = state.settings["SHOP_RECO_MAX_BODY_BYTES"]
    origins = frozenset(state.settings["SHOP_RECO_CORS_ORIGINS"])
    security = tuple((name.lower(), name, value) for name, value in SECURITY_HEADERS.items())
    if state.limiter_scope is not None:
        state.limiter_scope.install(bp)

    @bp.before_request
    def _policies() -> Response | None:
        req = request._get_current_object()  # type: ignore[attr-defined]  # one proxy lookup, not five
        method = req.method
        if method == "OPTIONS":
            # Flask's automatic OPTIONS would list the catch-all route's methods too.
            allowed = allowed_methods()
            if not allowed:
                raise NotFound()
            response = Response(status=204)
            response.headers["Allow"] = ", ".join([*allowed, "OPTIONS"])
            return response
        # Flask >= 3.1 lets a blueprint set the limit per request; get_json then raises 413.
        req.max_content_length = max_body
        if method in _BODY_METHODS:
            endpoint = req.endpoint
            if endpoint is not None and not endpoint.endswith("._unmatched") and not req.is_json:
                raise UnsupportedMediaType()
        return None

    @bp.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        present = {key.lower() for key, _ in headers.items()}
        added = [(name, value) for lower, name, value in security if lower not in present]
        origin = request.environ.get("HTTP_ORIGIN")
        if origin and origin in origins:
            headers["Access-Control-Allow-Origin"] = origin
            added += _CORS_HEADERS
        if "vary" not in present:
            added.append(("Vary", "Origin"))
        else:
            vary = headers.get("Vary", "")
            if "origin" not in vary.lower():
                headers["Vary"] = f"{vary}, Origin" if vary.strip() else "Origin"
        headers.extend(added)
        return response


def allowed_methods() -> list[str]:
    """The methods routed for this path by real routes (the JSON 404 catch-all excluded)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"):
        try:
            endpoint, _ = adapter.match(request.path, method=method)
        except HTTPException:
            continue
        if not endpoint.endswith("._unmatched"):
            allowed.append(method)
    return allowed


def client_key() -> str:
    """A rate-limit key that does not keep the client's address: a keyed hash of it."""
    from flask import current_app

    secret = str(current_app.secret_key or current_app.name).encode()
    address = (request.remote_addr or "unknown").encode()
    return hmac.new(secret, address, hashlib.sha256).hexdigest()[:32]


def rate_limit(state: RecoState, **options: Any) -> Callable[[F], F]:
    """``SHOP_RECO_RATELIMIT`` on a view, or nothing at all when rate limiting is off.

    Flask-Limiter's wrapper still runs (and costs) per request when disabled, so a
    switched-off limit leaves the view undecorated.
    """
    if not state.settings["SHOP_RECO_RATELIMIT_ENABLED"]:
        return lambda view: view
    return state.limiter.limit(state.settings["SHOP_RECO_RATELIMIT"], **options)


class LimiterScope:
    """What Flask-Limiter's ``init_app`` needs of an app, confined to shop_reco's blueprints.

    ``Limiter.init_app(app)`` reads every ``RATELIMIT_*`` key of ``app.config`` (the
    host's: its default and application limits are meant for its own routes), writes
    ``RATELIMIT_ENABLED`` and ``RATELIMIT_STRATEGY`` back into it, and hooks
    ``before_request``/``after_request``/``teardown_request`` onto the whole app.
    Given a scope instead, our limiter reads only our settings (passed to its
    constructor), writes nothing of the host's, and keeps its hooks until
    :meth:`install` puts them on our blueprints: the host's routes are never
    counted, throttled or given ``X-RateLimit-*`` headers by us.
    """

    def __init__(self) -> None:
        self.config: dict[str, Any] = {}
        self.extensions: dict[str, Any] = {}
        self._hooks: list[tuple[str, Callable[..., Any]]] = []

    def before_request(self, f: F) -> F:
        self._hooks.append(("before_request", f))
        return f

    def after_request(self, f: F) -> F:
        self._hooks.append(("after_request", f))
        return f

    def teardown_request(self, f: F) -> F:
        self._hooks.append(("teardown_request", f))
        return f

    def install(self, bp: Blueprint) -> None:
        """Run the limiter's hooks for ``bp``'s requests (call before ``bp`` is registered)."""
        for name, hook in self._hooks:
            getattr(bp, name)(hook)


def make_limiter(state: RecoState) -> Any:
    """A Flask-Limiter instance for our routes only, its hooks kept in ``state.limiter_scope``.

    In memory by default; ``SHOP_RECO_RATELIMIT_STORAGE_URI=redis://...`` shares
    the counters between processes and hosts. Only limits on our views apply
    (no default or application limits), whatever ``RATELIMIT_*`` the host sets.
    """
    from flask_limiter import Limiter

    limiter = Limiter(
        client_key,
        default_limits=[],
        application_limits=[],
        storage_uri=state.settings["SHOP_RECO_RATELIMIT_STORAGE_URI"],
        enabled=state.settings["SHOP_RECO_RATELIMIT_ENABLED"],
        headers_enabled=True,
        key_prefix="shop_reco",
        strategy="fixed-window",
    )
    scope = LimiterScope()
    limiter.init_app(cast("Flask", scope))
    state.limiter_scope = scope
    return limiter
