"""Storefront widgets: the finder, product-page pairings and article pages, three ways to embed.

* Flask hosts: the Jinja global ``shop_reco`` (``finder``, ``product_pairings``, ``article``).
* Any shop: ``<script src="/reco/widget.js" defer>`` and ``<div data-shop-reco="finder">``.
* Iframes: ``/reco/embed/finder``, ``/reco/embed/product/<sku>``, ``/reco/embed/article/<slug>``.

The routes, with their headers and caching, are on a blueprint of their own;
the ``shop_reco`` template variable, added by a context processor (which
leaves the host's ``jinja_env`` alone and loses to a variable of the same
name passed to ``render_template``), is the one thing added to the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Flask

from shop_reco.widgets.policies import embed_csp, install_policies
from shop_reco.widgets.rendering import BLUEPRINT, WidgetTemplateGlobal
from shop_reco.widgets.views import register_routes

if TYPE_CHECKING:
    from shop_reco.state import RecoState

__all__ = ["WidgetTemplateGlobal", "register_widgets"]

#: The name of the template variable.
TEMPLATE_GLOBAL = "shop_reco"


def register_widgets(app: Flask, state: RecoState) -> None:
    """Mount the widget routes under the prefix and add the ``shop_reco`` Jinja global."""
    bp = Blueprint(BLUEPRINT, __name__)
    install_policies(bp)
    embed_csp(state)  # a bad SHOP_RECO_FRAME_ANCESTORS fails here, at start-up, not on a request
    register_routes(bp)
    app.register_blueprint(bp, url_prefix=state.settings["SHOP_RECO_URL_PREFIX"])
    helpers = WidgetTemplateGlobal()
    app.context_processor(lambda: {TEMPLATE_GLOBAL: helpers})
