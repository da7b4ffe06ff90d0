"""Reading what a caller sends without trusting it: JSON nesting, characters and path keys.

Flask's ``request.get_json`` parses whatever arrives. A body of 16 KB can nest a
thousand arrays deep (Python's parser then raises ``RecursionError``), and JSON
escapes can carry NUL and lone surrogates that no person typed and PostgreSQL
refuses. :func:`read_json` bounds the nesting *before* parsing, and refuses such
characters with a 400 that names the field:

    >>> nesting_depth(b'{"events": [{"item_id": "[[[["}]}')
    3
    >>> hostile_field({"events": [{"item_id": "x\\x00"}]})
    ('events', 0, 'item_id')

Path parameters (SKUs, slugs) are checked by
:func:`shop_reco.web.request_checks.valid_path_key`, which the widgets use too.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson
from flask import request
from werkzeug.exceptions import BadRequest, ClientDisconnected, RequestEntityTooLarge

from shop_reco.api.errors import ApiError
from shop_reco.web.request_checks import body_cut_at_limit

#: Deepest JSON nesting we parse; our deepest body (an event batch) has three levels.
MAX_JSON_DEPTH = 16
#: A NUL, or half of a UTF-16 surrogate pair on its own (valid in a JSON escape, not in text).
HOSTILE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
HOSTILE_MESSAGE = "Contains a character that is not allowed (NUL or an unpaired surrogate)."

#: A run of digits orjson may read otherwise than the standard library (an integer past 64 bits).
_LONG_DIGITS = re.compile(rb"\d{19}")
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def nesting_depth(raw: bytes) -> int:
    """How deep arrays and objects nest in ``raw`` JSON (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub(b'""', raw)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def hostile_field(value: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """The path of the first string (value or key) holding NUL or a lone surrogate, else None."""
    if isinstance(value, str):
        return path if HOSTILE_CHARACTERS.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if HOSTILE_CHARACTERS.search(key):
                return (*path, "_schema")  # the key itself cannot be echoed back safely
            found = hostile_field(item, (*path, key))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = hostile_field(item, (*path, index))
            if found is not None:
                return found
    return None


def parse_json(raw: bytes) -> Any:
    """``json.loads(raw)``, by orjson wherever the two agree: ten times faster for a body of 100 bytes.

    orjson refuses what the standard library reads (a BOM, UTF-16, NaN, a lone surrogate) and
    reads a number of 19 digits or more as a float; such bodies go to ``json.loads``, which then
    answers or raises as it always did.

        >>> parse_json(b'{"limit": 12345678901234567890}')
        {'limit': 12345678901234567890}
    """
    if _LONG_DIGITS.search(raw) is None:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(raw)


def may_hold_hostile(raw: bytes) -> bool:
    """False when no string parsed from the JSON body ``raw`` can hold a NUL or a lone surrogate.

    Such a character reaches a parsed string only as a ``\\u`` escape, as a NUL byte (which
    every UTF-16 or UTF-32 body has), or as a surrogate's UTF-8 bytes (which start with 0xED;
    Python's JSON reader lets them through). Most bodies have none of the three, and their
    strings are not searched one by one.

        >>> may_hold_hostile(b'{"description": "my hip"}'), may_hold_hostile(b'{"d": "\\\\u0000"}')
        (False, True)
    """
    return b"\\u" in raw or b"\x00" in raw or b"\xed" in raw


def field_errors(path: tuple[str | int, ...], message: str) -> dict[str, Any]:
    """``{"events": {0: {"item_id": [message]}}}``: marshmallow's shape for a nested field."""
    errors: Any = [message]
    for part in reversed(path or ("_schema",)):
        errors = {part: errors}
    return dict(errors)


def _read_body() -> bytes:
    """The request body, read once and kept where ``request.get_data()`` finds it.

    A declared length (nearly every body) is read from the server's input in one call of
    exactly that size. Werkzeug's ``get_data`` reads in 64 KB chunks, each into a new
    zero-filled 64 KB buffer, for bodies that are mostly under 200 bytes; that buffer pushed
    what the analysis reads out of the processor's cache. Werkzeug's wrapping stream, which
    only bounds reads that this one already bounds, cost about 8 µs more. Chunked bodies
    still go through ``get_data``. Werkzeug's checks are kept: the 413 of a declared length
    over the limit, and the 400 of a client that sends less than it declared.
    """
    req = request._get_current_object()  # type: ignore[attr-defined]
    length = req.content_length
    if length is None or getattr(req, "_cached_data", None) is not None:
        raw: bytes = req.get_data(cache=True)
        if body_cut_at_limit():  # a chunked body that filled the limit: a 413, not a 400
            raise RequestEntityTooLarge()
        return raw
    limit = req.max_content_length
    if limit is not None and length > limit:
        raise RequestEntityTooLarge()
    stream = req.environ["wsgi.input"]
    raw = stream.read(length) if length else b""
    while len(raw) < length:  # a server may hand over less at a time; none more means the client left
        more = stream.read(length - len(raw))
        if not more:
            raise ClientDisconnected()
        raw += more
    req._cached_data = raw  # where get_data keeps the body it read (Werkzeug 2.x and 3.x)
    return raw


def read_json() -> Any:
    """The request's JSON body, refused with a 400 when too deep, malformed or holding hostile characters.

    The size limit (413) applies while the body is read, chunked or not.
    """
    raw = _read_body()
    # Nesting that deep needs that many opening brackets; most bodies have one or two.
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and nesting_depth(raw) > MAX_JSON_DEPTH:
        raise ApiError(
            400, "validation_error", "Some fields are invalid.", {"_schema": [f"Nested deeper than {MAX_JSON_DEPTH}."]}
        )
    try:
        body = parse_json(raw)
    except (ValueError, RecursionError):
        raise BadRequest() from None
    path = hostile_field(body) if may_hold_hostile(raw) else None
    if path is not None:
        raise ApiError(400, "validation_error", "Some fields are invalid.", field_errors(path, HOSTILE_MESSAGE))
    return body
