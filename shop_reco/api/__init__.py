"""The JSON API blueprint (``<prefix>/api/v1``): recommendations, pairings, content, events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response
from werkzeug.exceptions import MethodNotAllowed, NotFound

from shop_reco.api import views
from shop_reco.api.errors import register_error_handlers
from shop_reco.api.policies import allowed_methods, install_policies

if TYPE_CHECKING:
    from shop_reco.state import RecoState


def create_api_blueprint(state: RecoState, limiter: Any) -> Blueprint:
    """A fresh blueprint per app, so two apps can mount shop_reco with different settings."""
    bp = Blueprint("shop_reco_api", __name__)
    register_error_handlers(bp)
    install_policies(bp, state)
    views.register(bp, state, limiter)

    @bp.route("/<path:_anything>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def _unmatched(_anything: str) -> Response:
        """JSON 404/405 for URLs under the API prefix that no route serves."""
        allowed = [m for m in allowed_methods() if m != "HEAD"]
        if allowed:
            raise MethodNotAllowed(valid_methods=allowed)
        raise NotFound()

    return bp
