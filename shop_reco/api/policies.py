"""HTTP policies of the API blueprint: body limits, JSON only, CORS, headers, rate limits.

All hooks are registered on our blueprints, so the host's routes are untouched;
rate limits are on our views only (see :mod:`shop_reco.web.rate_limits`).
"""

from __future__ import annotations

from flask import Blueprint, Request, Response, current_app, request
from werkzeug.exceptions import HTTPException, NotFound, UnsupportedMediaType

from shop_reco.state import get_state

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


#: The security headers as the after-request hook adds them: (lower-case name, name, value).
_SECURITY = tuple((name.lower(), name, value) for name, value in SECURITY_HEADERS.items())


def check_request() -> Response | None:
    """Before every API request: our own OPTIONS answer, the app's body limit, JSON bodies only."""
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
    req.max_content_length = get_state().settings["SHOP_RECO_MAX_BODY_BYTES"]
    if method in _BODY_METHODS:
        endpoint = req.endpoint
        if endpoint is not None and not endpoint.endswith("._unmatched") and not _is_json(req):
            raise UnsupportedMediaType()
    return None


def _is_json(req: Request) -> bool:
    """``req.is_json``, without parsing the header the way nearly every client writes it."""
    content_type = req.environ.get("CONTENT_TYPE", "")
    if content_type == "application/json" or content_type.startswith("application/json;"):
        return True
    return req.is_json


def add_headers(response: Response) -> Response:
    """After every API request: the security headers (unless set), CORS for the app's origins, ``Vary: Origin``."""
    headers = response.headers
    present: dict[str, str] = {}  # lower-case name -> the first value under it
    for key, value in headers:
        present.setdefault(key.lower(), value)
    added = [(name, value) for lower, name, value in _SECURITY if lower not in present]
    origin = request.environ.get("HTTP_ORIGIN")
    if origin and origin in get_state().settings["SHOP_RECO_CORS_ORIGINS"]:
        headers["Access-Control-Allow-Origin"] = origin
        added += _CORS_HEADERS
    vary = present.get("vary")
    if vary is None:
        added.append(("Vary", "Origin"))
    elif "origin" not in vary.lower():
        headers["Vary"] = f"{vary}, Origin" if vary.strip() else "Origin"
    if added:
        headers.extend(added)
    return response


def install_policies(bp: Blueprint) -> None:
    """One before- and one after-request hook for every API request (each hook costs per request)."""
    bp.before_request(check_request)
    bp.after_request(add_headers)


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
