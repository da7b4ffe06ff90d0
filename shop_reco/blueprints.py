"""Mount shop_reco's blueprints under ``SHOP_RECO_URL_PREFIX``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Flask, Response

from shop_reco.admin.blueprint import register_admin
from shop_reco.api import create_api_blueprint
from shop_reco.resources import resource_dir
from shop_reco.web.rate_limits import make_rate_limits
from shop_reco.widgets import register_widgets

if TYPE_CHECKING:
    from shop_reco.state import RecoState


def register_blueprints(app: Flask, state: RecoState) -> None:
    """The JSON API at ``<prefix>/api/v1``, static files at ``<prefix>/static``, widgets and admin."""
    prefix = state.settings["SHOP_RECO_URL_PREFIX"]
    templates = resource_dir("templates")
    # Templates are namespaced (shop_reco/...) so the host can override any of them.
    assets = Blueprint(
        "shop_reco",
        __name__,
        template_folder=str(templates),
        static_folder=str(templates / "shop_reco" / "static"),
        static_url_path="/static",
    )

    @assets.after_request
    def _asset_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response

    app.register_blueprint(assets, url_prefix=prefix)

    if state.settings["SHOP_RECO_RATELIMIT_ENABLED"]:
        state.rate_limits = make_rate_limits(state)
    app.register_blueprint(create_api_blueprint(), url_prefix=f"{prefix}/api/v1")

    register_widgets(app, state)

    register_admin(app, state)
