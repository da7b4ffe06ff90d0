"""Conditional GET in one place, for the API and the widgets.

A cacheable GET answer carries a weak ETag (the content, locale and rules
revision it shows); a request whose ``If-None-Match`` holds that ETag gets an
empty 304 and the body is never built. Each blueprint says once how long its
answers may be kept (a :class:`Freshness`); every handler calls
:func:`conditional_get` with its ETag and a function that builds the body.

    >>> API_FRESHNESS.cache_control
    'public, max-age=60, stale-while-revalidate=600'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, request


@dataclass(frozen=True, slots=True)
class Freshness:
    """How an ETag-keyed answer may be cached: its ``Cache-Control``, extra ``Vary`` names,
    and whether a 304 repeats them (the API's 304 carries the ETag only)."""

    cache_control: str
    vary: tuple[str, ...] = ()
    headers_on_not_modified: bool = True

    def mark(self, response: Response, etag: str) -> Response:
        """Add the weak ETag and the caching headers to ``response``; returns it."""
        response.set_etag(etag, weak=True)
        if response.status_code != 304 or self.headers_on_not_modified:
            response.headers["Cache-Control"] = self.cache_control
            for name in self.vary:
                response.vary.add(name)
        return response


#: The API's content answers (pairings, articles, exercises).
API_FRESHNESS = Freshness("public, max-age=60, stale-while-revalidate=600", headers_on_not_modified=False)


def conditional_get(etag: str, build: Callable[[], Response], freshness: Freshness) -> Response:
    """A 304 when ``If-None-Match`` holds ``etag`` (weak comparison), else ``build()``.

    Only a 200 is marked with the ETag and caching headers: an error ``build``
    returns (a widget's empty 404) is never cached under the content's ETag.
    ``build`` may also raise (``NotFound``); the error handlers answer then.
    """
    if request.if_none_match.contains_weak(etag):
        return freshness.mark(Response(status=304), etag)
    response = build()
    return freshness.mark(response, etag) if response.status_code == 200 else response
