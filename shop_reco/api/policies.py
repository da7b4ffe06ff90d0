"""HTTP policies of the API blueprint: body limits, JSON only, CORS, headers, rate limits.

All hooks are registered on our blueprints, so the host's routes are untouched;
rate limits are on our views only (see :mod:`shop_reco.web.rate_limits`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException, NotFound, UnsupportedMediaType

if TYPE_CHECKING:
    from shop_reco.state import RecoState

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
