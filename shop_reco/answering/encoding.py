"""JSON bodies for our API answers, encoded with orjson.

An answer is about 12 KB of nested lists; orjson encodes it in 5 µs where the
standard library takes 65–80 µs, a fifth of the whole in-process answer.
Only our blueprints use it: the host's ``app.json`` provider is untouched.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response, current_app


def dumps(payload: Any) -> bytes:
    """Compact UTF-8 JSON; payloads hold only str keys, str/int/float/bool/None and lists."""
    return orjson.dumps(payload)


def json_response(payload: Any, status: int = 200) -> Response:
    """A JSON response of the app's response class (so hosts' subclasses still apply)."""
    return current_app.response_class(dumps(payload), status=status, mimetype="application/json")
