"""One error shape for every API answer: ``{"code", "message", "errors": {field: [...]}}``.

Handlers are registered on the API blueprint only, never on the host's app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from shop_reco.answering.outage import database_not_ready, database_unavailable
from shop_reco.storage.database import (
    RETRY_AFTER_SECONDS,
    UPGRADE_COMMAND,
    DatabaseNotReady,
    DatabaseUnavailable,
    database_unreachable,
    schema_missing,
)

log = logging.getLogger("shop_reco.api")


class ApiError(Exception):
    """An error with an HTTP status, a machine code, a message and per-field details."""

    def __init__(self, status: int, code: str, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors or {}


def error_response(
    status: int,
    code: str,
    message: str,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    response = jsonify({"code": code, "message": message, "errors": errors or {}, **extra})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


_HTTP_CODES = {
    400: ("bad_request", "The request could not be understood."),
    404: ("not_found", "Nothing is here."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as JSON with Content-Type: application/json."),
    429: ("rate_limited", "Too many requests; slow down and try again shortly."),
}


#: The 503 of a database the migrations have not reached: the caller can only wait for the operator.
NOT_READY = (
    "database_not_ready",
    f"shop_reco's database tables are missing or out of date; the site's operator must run "
    f"`{UPGRADE_COMMAND}`. Nothing was changed.",
)


#: The 503 of a database that cannot be reached: a passing outage, worth trying again.
UNAVAILABLE = (
    "database_unavailable",
    "shop_reco's database cannot be reached right now; nothing was changed. Try again shortly.",
)


def unavailable_response(**extra: Any) -> Response:
    """503 ``database_unavailable`` with ``Retry-After``; ``extra`` joins the body (the safety notice)."""
    return error_response(503, *UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}, **extra)


def _normalise(messages: Any) -> dict[str, Any]:
    if isinstance(messages, dict):
        return messages
    return {"_schema": messages if isinstance(messages, list) else [str(messages)]}


def api_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.code, exc.message, exc.errors)


def validation_error(exc: ValidationError) -> Response:
    return error_response(400, "validation_error", "Some fields are invalid.", _normalise(exc.messages))


def http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    code, message = _HTTP_CODES.get(status, ("http_error", exc.description or "HTTP error"))
    headers = {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))  # type: ignore[attr-defined]
    if status == 429:
        refusal = getattr(exc, "refusal", None)  # shop_reco.web.rate_limits.RateLimited
        headers.update(refusal.headers() if refusal is not None else {"Retry-After": "60"})
    return error_response(status, code, message, headers=headers)


def not_ready(_exc: DatabaseNotReady) -> Response:
    return error_response(503, *NOT_READY)


def unavailable(_exc: DatabaseUnavailable) -> Response:
    return unavailable_response()


def unexpected(exc: Exception) -> Response:
    if schema_missing(exc):  # a write (events) that met no table: the same operator's error
        database_not_ready(exc)
        return error_response(503, *NOT_READY)
    if database_unreachable(exc):  # a query after the snapshot's check met the outage
        database_unavailable(exc)
        return unavailable_response()
    log.exception("shop_reco API error")
    return error_response(500, "internal_error", "Something went wrong on our side; nothing was changed.")


#: The API blueprint's error handlers: every answer in the one error shape.
ERROR_HANDLERS: tuple[tuple[type[Exception], Callable[[Any], Response]], ...] = (
    (ApiError, api_error),
    (ValidationError, validation_error),
    (HTTPException, http_error),
    (DatabaseNotReady, not_ready),
    (DatabaseUnavailable, unavailable),
    (Exception, unexpected),
)


def register_error_handlers(bp: Blueprint) -> None:
    """The handlers of :data:`ERROR_HANDLERS` on ``bp`` only, never on the host's app."""
    for error, handler in ERROR_HANDLERS:
        bp.register_error_handler(error, handler)
