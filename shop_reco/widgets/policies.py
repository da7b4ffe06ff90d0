"""HTTP policies of the widgets blueprint: security headers, CORS, caching and ETags.

Hooks go on our blueprint only; the host's own pages are never touched.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from flask import Blueprint, Response, current_app, request

from shop_reco import __version__
from shop_reco.settings import ConfigError
from shop_reco.state import get_state
from shop_reco.web.conditional import Freshness
from shop_reco.widgets.cart import check_cart_route_once
from shop_reco.widgets.strings import data_digest

if TYPE_CHECKING:
    from shop_reco.state import RecoState

#: The CSP of everything that is not a page (script, JSON, fragments opened directly).
DEFAULT_CSP = "default-src 'none'; style-src 'self'; img-src 'self' https: data:; frame-ancestors 'none'"
#: How long a stale product or article widget may be served while it revalidates.
STALE_WHILE_REVALIDATE = 86400
_SOURCE = re.compile(r"^[^\s;,]+$")


def frame_ancestors(state: RecoState) -> str:
    """``SHOP_RECO_FRAME_ANCESTORS`` as a CSP source list (``'self'`` when empty)."""
    return _frame_ancestors(tuple(state.settings["SHOP_RECO_FRAME_ANCESTORS"]))


def embed_csp(state: RecoState) -> str:
    """The CSP of the iframe pages: our own files only, framed only by the allowed shops.

    Called once when the widgets are mounted, so a bad setting fails then, not on a request.
    """
    return _embed_csp(tuple(state.settings["SHOP_RECO_FRAME_ANCESTORS"]))


@lru_cache(maxsize=16)
def _frame_ancestors(origins: tuple[str, ...]) -> str:
    bad = [o for o in origins if not _SOURCE.match(o)]
    if bad:
        raise ConfigError(
            f"SHOP_RECO_FRAME_ANCESTORS={list(origins)!r} is invalid: {bad!r} contain spaces, ';' or ','; "
            "list one origin per item, like ['https://shop.example']"
        )
    return " ".join(origins) or "'self'"


@lru_cache(maxsize=16)
def _embed_csp(origins: tuple[str, ...]) -> str:
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; "
        f"frame-ancestors {_frame_ancestors(origins)}"
    )


def widget_etag(kind: str, key: str, locale: str, revision: int) -> str:
    """An ETag for a widget: its SKU or slug, locale, rules revision, our version and UI text."""
    raw = "\0".join((kind, key, locale, str(revision), __version__, data_digest()))
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


@lru_cache(maxsize=16)
def widget_freshness(max_age: int) -> Freshness:
    """Widgets (their 304s too) are shared-cacheable for ``SHOP_RECO_WIDGET_MAX_AGE``, per language."""
    cache_control = f"public, max-age={max_age}, stale-while-revalidate={STALE_WHILE_REVALIDATE}"
    return Freshness(cache_control, vary=("Accept-Language",))


def check_request() -> None:
    """Before every widget request: the app's body limit, and the add-to-cart route checked once."""
    # The no-JS finder's form is small; a larger body is refused (413) before it is parsed.
    state = get_state()
    request.max_content_length = state.settings["SHOP_RECO_MAX_BODY_BYTES"]
    check_cart_route_once(current_app, state)


def add_headers(response: Response) -> Response:
    """After every widget request: security headers (unless set), CORS for GETs from the app's origins."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
    origin = request.headers.get("Origin")
    if request.method in ("GET", "HEAD") and origin and origin in get_state().settings["SHOP_RECO_CORS_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
    response.vary.add("Origin")
    return response


def install_policies(bp: Blueprint) -> None:
    bp.before_request(check_request)
    bp.after_request(add_headers)
