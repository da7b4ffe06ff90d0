"""HTTP policies of the API blueprint: body limits, JSON only, CORS, headers, rate limits.

All hooks are registered on our blueprint, so the host's routes are untouched.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, NotFound, UnsupportedMediaType

if TYPE_CHECKING:
    from shop_reco.extension import RecoState

F = TypeVar("F", bound=Callable[..., Any])

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


def install_policies(bp: Blueprint, state: RecoState) -> None:
    max_body = state.settings["SHOP_RECO_MAX_BODY_BYTES"]
    origins = frozenset(state.settings["SHOP_RECO_CORS_ORIGINS"])

    @bp.before_request
    def _options() -> Response | None:
        """Answer OPTIONS with the methods the resource really has (not the catch-all's)."""
        # Flask's automatic OPTIONS would list the catch-all route's methods too.
        if request.method != "OPTIONS":
            return None
        allowed = allowed_methods()
        if not allowed:
            raise NotFound()
        response = Response(status=204)
        response.headers["Allow"] = ", ".join([*allowed, "OPTIONS"])
        return response

    @bp.before_request
    def _limit_body() -> None:
        # Flask >= 3.1 lets a blueprint set the limit per request; get_json then raises 413.
        request.max_content_length = max_body
        routed = request.endpoint is not None and not request.endpoint.endswith("._unmatched")
        if routed and request.method in ("POST", "PUT", "PATCH") and not request.is_json:
            raise UnsupportedMediaType()

    @bp.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        for name, value in SECURITY_HEADERS.items():
            if name not in headers:
                headers[name] = value
        origin = request.headers.get("Origin")
        if origin and origin in origins:
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            headers["Access-Control-Allow-Headers"] = "Content-Type, If-None-Match"
            headers["Access-Control-Max-Age"] = "600"
        vary = headers.get("Vary")
        if not vary:
            headers["Vary"] = "Origin"
        elif "origin" not in vary.lower():
            headers["Vary"] = f"{vary}, Origin"
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


def make_limiter(app: Flask, state: RecoState) -> Any:
    """A Flask-Limiter instance for our routes only (no default limits on the host's).

    In memory by default; ``SHOP_RECO_RATELIMIT_STORAGE_URI=redis://...`` shares
    the counters between processes and hosts.
    """
    from flask_limiter import Limiter

    return Limiter(
        client_key,
        app=app,
        default_limits=[],
        storage_uri=state.settings["SHOP_RECO_RATELIMIT_STORAGE_URI"],
        enabled=state.settings["SHOP_RECO_RATELIMIT_ENABLED"],
        headers_enabled=True,
        key_prefix="shop_reco",
        strategy="fixed-window",
    )
