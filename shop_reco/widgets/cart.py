"""Is the shop's add-to-cart address one of its routes? Said once, in the log, if not.

Widgets post add-to-cart forms to ``SHOP_RECO_CART_URL_TEMPLATE`` (the
cancelable ``shop-reco:add-to-cart`` event lets widget.js hosts use their own
cart instead). In a new host app the default ``/cart/add?sku={sku}`` often
matches nothing, and every click would be a 404 nobody hears about. Hosts
register their routes after ``init_app`` (the app-factory way), so the check
runs once per app when the first widget is served or rendered.

    >>> cart_route_problem(Flask(__name__), "/cart/add?sku={sku}")   # doctest: +ELLIPSIS
    "SHOP_RECO_CART_URL_TEMPLATE='/cart/add?sku={sku}' matches no route of this app..."
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from shop_reco.state import RecoState

log = logging.getLogger("shop_reco.widgets")
_CHECKED = "cart_route_checked"


def cart_route_problem(app: Flask, template: str) -> str | None:
    """Why ``template`` can't take an add-to-cart POST in ``app``, or None (also for another site's URL)."""
    parts = urlsplit(template.replace("{sku}", "sku"))
    if parts.scheme or parts.netloc:
        return None  # a cart on another host: nothing here to check
    adapter = app.url_map.bind(app.config.get("SERVER_NAME") or "localhost")
    hint = "point it at your cart's route, or handle the 'shop-reco:add-to-cart' event in the page"
    try:
        adapter.match(parts.path or "/", method="POST")
    except MethodNotAllowed:
        return f"SHOP_RECO_CART_URL_TEMPLATE={template!r} matches a route that takes no POST; {hint}"
    except NotFound:
        return f"SHOP_RECO_CART_URL_TEMPLATE={template!r} matches no route of this app; {hint}"
    except RequestRedirect:
        return None
    return None


def check_cart_route_once(app: Flask, state: RecoState) -> None:
    """Log :func:`cart_route_problem` as a warning, the first time only."""
    if state.caches.get(_CHECKED):
        return
    state.caches[_CHECKED] = True
    problem = cart_route_problem(app, state.settings["SHOP_RECO_CART_URL_TEMPLATE"])
    if problem:
        log.warning("shop_reco: %s", problem)
