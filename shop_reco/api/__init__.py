"""The JSON API blueprint (``<prefix>/api/v1``): recommendations, pairings, content, events."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response
from flask.sansio.blueprints import BlueprintSetupState
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Rule

from shop_reco.api.errors import register_error_handlers
from shop_reco.api.openapi import API  # the views' table, with the document's own endpoint added
from shop_reco.api.policies import allowed_methods, install_policies


def create_api_blueprint() -> Blueprint:
    """A fresh blueprint per app (Flask keeps per-app registration state on it); every view is a module function."""
    bp = Blueprint("shop_reco_api", __name__)
    register_error_handlers(bp)
    install_policies(bp)
    API.register(bp)
    bp.record(lambda setup: _catch_every_method(setup, unmatched))
    return bp


def unmatched(_anything: str) -> Response:
    """JSON 404/405 for URLs under the API prefix that no route serves, whatever the method."""
    allowed = allowed_methods()
    if allowed:
        raise MethodNotAllowed(valid_methods=[*allowed, "OPTIONS"])  # we answer OPTIONS ourselves
    raise NotFound()


def _catch_every_method(setup: BlueprintSetupState, view: Callable[..., Response]) -> None:
    """Route ``<prefix>/<path>`` to ``view`` for every method, TRACE and PROPFIND included.

    Flask's routes take a list of methods; a method on no list (TRACE, PROPFIND) would be
    refused by the router with the host's HTML 405 and an ``Allow`` naming every method
    of the catch-all. A werkzeug rule without methods matches any, so our JSON 405 (with
    the path's real ``Allow``, nosniff and CSP) answers instead. Only our prefix is routed.
    """
    endpoint = f"{setup.name}._unmatched"
    setup.app.url_map.add(Rule(f"{setup.url_prefix or ''}/<path:_anything>", endpoint=endpoint, methods=None))
    setup.app.view_functions[endpoint] = view
