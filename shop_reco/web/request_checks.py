"""Checks on what a caller sends that every HTTP door makes: path keys and cut-off bodies.

Path parameters (SKUs, slugs) are checked by :func:`valid_path_key` before any
query; a key no catalogue can hold is simply not found.
"""

from __future__ import annotations

import re

from flask import request

#: A SKU, slug or anchor as a path segment: unreserved URL characters, at most 128.
PATH_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")


def body_cut_at_limit() -> bool:
    """True when a body sent without ``Content-Length`` (chunked) filled ``max_content_length``.

    Werkzeug then stops reading at the limit and hands over the first part, which would
    fail to parse (a 400) or, in a form, be silently shortened; it is a 413. A chunked
    body of exactly the limit counts as over it: the stream cannot tell the two apart.
    """
    if request.content_length is not None:  # a declared length over the limit was refused (413) before reading
        return False
    return bool(getattr(request.stream, "is_exhausted", False))


def valid_path_key(value: str) -> bool:
    """True when ``value`` can be a SKU, slug or anchor (checked before any query).

    >>> valid_path_key("lumbar-support-belt"), valid_path_key("x\\x00"), valid_path_key("a" * 129)
    (True, False, False)
    """
    return PATH_KEY.fullmatch(value) is not None
