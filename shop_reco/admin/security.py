"""The admin's locks: host-supplied auth, CSRF on every write, and strict response headers.

Everything here is registered on the admin blueprint only; the host's own
routes are never touched (no app-wide ``CSRFProtect``, hooks or handlers).

* **Auth, closed by default.** ``SHOP_RECO_ADMIN_AUTH`` is a callable the host
  supplies; it returns the signed-in admin's id (recorded as the actor of every
  revision) or None. Unset, every admin page answers 403 and explains how to
  enable it; returning None answers 403 too. The callable may also raise, e.g.
  ``abort(redirect(login_url))`` to send a visitor to the shop's login.
* **CSRF.** Every POST/PUT/PATCH/DELETE must carry Flask-WTF's token (form
  field ``csrf_token`` or header ``X-CSRFToken``); templates render it with
  ``{{ csrf_field() }}``. A missing or stale token is a friendly 400 page that
  keeps the merchant's input: the view's own form when it registered one with
  :func:`on_csrf_failure`, else a page that resends what was typed.
* **Headers.** ``Content-Security-Policy`` (no inline script unless nonce'd,
  ``frame-ancestors 'none'``), ``X-Content-Type-Options``, ``Referrer-Policy``
  and ``Cache-Control: no-store`` on every admin response.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Blueprint, current_app, g, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import generate_csrf, validate_csrf
from markupsafe import Markup
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import BadRequest, HTTPException, NotFound, ServiceUnavailable
from werkzeug.wrappers import Response
from wtforms.validators import ValidationError

from shop_reco.answering.outage import database_unavailable
from shop_reco.state import get_state
from shop_reco.storage.database import RETRY_AFTER_SECONDS, DatabaseUnavailable, database_unreachable

if TYPE_CHECKING:
    from shop_reco.state import RecoState

F = TypeVar("F", bound=Callable[..., Any])

_ADMIN_ATTR = "_shop_reco_admin_id"
_NONCE_ATTR = "_shop_reco_csp_nonce"
_CSRF_PROBLEM_ATTR = "_shop_reco_csrf_problem"
_RERENDER_ATTR = "shop_reco_csrf_rerender"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADERS = ("X-CSRFToken", "X-CSRF-Token")

#: Admin navigation: (endpoint in the admin blueprint, label). Links show only for existing endpoints.
NAVIGATION = (
    ("rules", "Rules"),
    ("preview", "Preview"),
    ("testbench", "Test bench"),
    ("revisions", "Revisions"),
    ("products", "Products"),
    ("exercises", "Exercises"),
    ("articles", "Articles"),
    ("synonyms", "Synonyms"),
    ("analytics", "Analytics"),
    ("experiments", "Experiments"),
    ("transfer", "Import / export"),
)

#: What the merchant reads for each of Flask-WTF's CSRF failure messages.
_CSRF_REASONS = {
    "The CSRF token has expired.": "The page was open too long and its security token expired.",
    "The CSRF session token is missing.": "Your session ended (you signed in again or cookies were cleared).",
    "The CSRF token is missing.": "The form arrived without its security token.",
}
_CSRF_DEFAULT_REASON = "The form's security token did not match your session."


def current_admin() -> str | None:
    """The signed-in admin's id for this request (None outside admin requests)."""
    value = g.get(_ADMIN_ATTR)
    return None if value is None else str(value)


def csrf_field_name() -> str:
    return str(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))


def csrf_field() -> Markup:
    """The hidden input carrying a fresh CSRF token; put ``{{ csrf_field() }}`` in every form."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(csrf_field_name(), generate_csrf())


def csp_nonce() -> str:
    """A per-response nonce for a host template's inline ``<script nonce=...>`` (added to the CSP)."""
    nonce = g.get(_NONCE_ATTR)
    if nonce is None:
        nonce = secrets.token_urlsafe(16)
        setattr(g, _NONCE_ATTR, nonce)
    return str(nonce)


def csrf_problem() -> str | None:
    """Why this request's CSRF check failed (set while a form is re-rendered), else None."""
    return g.get(_CSRF_PROBLEM_ATTR)


def on_csrf_failure(rerender: Callable[..., ResponseReturnValue]) -> Callable[[F], F]:
    """Mark a view: on a missing/stale CSRF token, answer 400 with ``rerender(**view_args)``.

    ``rerender`` must only read ``request.form`` and render the form with those
    values (the base template shows the warning and the fresh token); it must
    never write.
    """

    def mark(view: F) -> F:
        setattr(view, _RERENDER_ATTR, rerender)
        return view

    return mark


def nav_links() -> list[tuple[str, str, bool]]:
    """(endpoint, label, is_current) of the admin sections that exist in this app."""
    bp = request.blueprint or "shop_reco_admin"
    here = request.endpoint or ""
    links = []
    for name, label in NAVIGATION:
        endpoint = f"{bp}.{name}"
        if endpoint in current_app.view_functions:
            stem = endpoint[:-1] if endpoint.endswith("s") else endpoint
            links.append((endpoint, label, here in (endpoint, stem) or here.startswith(f"{stem}_")))
    return links


def admin_context() -> dict[str, Any]:
    """What every admin template can use: the base to extend, CSRF and CSP helpers, nav."""
    settings = get_state().settings
    return {
        "admin_base": settings["SHOP_RECO_ADMIN_BASE_TEMPLATE"],
        # Text boxes for shopper descriptions take as much as the API does.
        "max_description_chars": settings["SHOP_RECO_MAX_DESCRIPTION_CHARS"],
        "admin_id": current_admin(),
        "admin_nav": nav_links(),
        "csrf_field": csrf_field,
        "csp_nonce": csp_nonce,
        "csrf_problem": csrf_problem(),
    }


def content_security_policy() -> str:
    nonce = g.get(_NONCE_ATTR)
    extra = f" 'nonce-{nonce}'" if nonce else ""
    return (
        "default-src 'none'; "
        f"script-src 'self'{extra}; "
        f"style-src 'self'{extra}; "
        "img-src 'self' data: https:; "
        "connect-src 'self'; "
        "form-action 'self'; "
        "base-uri 'none'; "
        "frame-ancestors 'none'"
    )


def secure_headers(response: Response) -> Response:
    """Lock down an admin (or demo login) response: CSP, no sniffing, no caching, no framing."""
    response.headers["Content-Security-Policy"] = content_security_policy()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    return response


def _forbidden(closed: bool) -> ResponseReturnValue:
    return render_template("shop_reco/admin/forbidden.html", closed=closed), 403


def _require_admin() -> ResponseReturnValue | None:
    auth = get_state().settings["SHOP_RECO_ADMIN_AUTH"]
    if auth is None:
        return _forbidden(closed=True)
    admin = auth()
    if admin is None or admin == "":
        return _forbidden(closed=False)
    setattr(g, _ADMIN_ATTR, str(admin))
    return None


def submitted_token() -> str | None:
    """The CSRF token sent with this request: the form field, else a header."""
    token = request.form.get(csrf_field_name())
    if token:
        return token
    for header in CSRF_HEADERS:
        if request.headers.get(header):
            return request.headers[header]
    return None


def check_csrf_token() -> str | None:
    """None when this request's CSRF token is valid, else the reason in the merchant's words."""
    try:
        validate_csrf(submitted_token())
    except ValidationError as exc:
        return _CSRF_REASONS.get(str(exc.args[0]) if exc.args else "", _CSRF_DEFAULT_REASON)
    return None


def _check_csrf() -> ResponseReturnValue | None:
    if request.method not in UNSAFE_METHODS:
        return None
    problem = check_csrf_token()
    if problem is None:
        return None
    setattr(g, _CSRF_PROBLEM_ATTR, problem)
    view = current_app.view_functions.get(request.endpoint or "")
    rerender = getattr(view, _RERENDER_ATTR, None)
    if rerender is not None:
        response = make_response(rerender(**(request.view_args or {})))
        response.status_code = 400
        return response
    return resend_page(problem), 400


def resend_page(problem: str) -> str:
    """The generic 'send it again' page: every submitted field kept (NUL removed), with a fresh token."""
    token_name = csrf_field_name()
    fields = [
        (name, value.replace("\x00", ""))
        for name, values in request.form.lists()
        if name != token_name
        for value in values
    ]
    return render_template(
        "shop_reco/admin/csrf.html",
        problem=problem,
        fields=fields,
        action=request.full_path if request.query_string else request.path,
        lost_files=[f.filename for f in request.files.values() if f.filename],
    )


def _error_page(exc: HTTPException) -> ResponseReturnValue:
    if exc.code is None or exc.response is not None:
        return exc
    return render_template("shop_reco/admin/error.html", error=exc), exc.code


def _database_unavailable(exc: Exception) -> ResponseReturnValue:
    """No database (logged once per outage): a 503 page; a posted form comes back whole, to send again."""
    if not isinstance(exc, DatabaseUnavailable):
        if not database_unreachable(exc):
            raise exc
        database_unavailable(exc)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if request.method in UNSAFE_METHODS:
        return (
            resend_page("The database cannot be reached just now, so nothing was saved. Try again shortly."),
            503,
            headers,
        )
    unavailable = ServiceUnavailable("The database cannot be reached just now. Nothing was changed; try again shortly.")
    return render_template("shop_reco/admin/error.html", error=unavailable), 503, headers


def _refuse_nul() -> ResponseReturnValue | None:
    """NUL (which no one types and PostgreSQL refuses) in a path, a query or a form, before any query.

    In a path key: 404. In a query value: 400 naming the field. In a posted form: the
    form back to send again, every field kept and the NUL removed (nobody can see it).
    """
    if any("\x00" in str(value) for value in (request.view_args or {}).values()):
        raise NotFound()
    for name, value in request.args.items(multi=True):
        if "\x00" in value or "\x00" in name:
            raise BadRequest(f"The {name.replace(chr(0), '')!r} field holds a NUL character; remove it.")
    if request.method in UNSAFE_METHODS:
        bad = sorted({name.replace("\x00", "") for name, value in request.form.items(multi=True) if "\x00" in value})
        if bad:
            problem = f"{', '.join(bad)} held an invisible NUL character; it is removed below. Send the form again."
            return resend_page(problem), 400
    return None


#: The largest admin request: a 10 MB import file plus the form around it.
MAX_ADMIN_BODY_BYTES = 11 * 1024 * 1024


def _limit_body() -> None:
    """Refuse (413, the admin's error page) a body larger than any admin form needs."""
    request.max_content_length = MAX_ADMIN_BODY_BYTES


def register(bp: Blueprint, state: RecoState) -> None:
    """Install auth, CSRF, headers, template context and error pages on the admin blueprint."""
    bp.before_request(_require_admin)  # before anything reads the body
    bp.before_request(_limit_body)
    bp.before_request(_check_csrf)
    bp.before_request(_refuse_nul)
    bp.after_request(secure_headers)
    bp.context_processor(admin_context)
    bp.register_error_handler(HTTPException, _error_page)
    bp.register_error_handler(DatabaseUnavailable, _database_unavailable)
    bp.register_error_handler(DBAPIError, _database_unavailable)
