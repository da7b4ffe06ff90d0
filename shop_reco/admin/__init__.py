"""The merchant admin: rules editor, preview, test bench, revisions, content and analytics.

Mounted at ``<prefix>/admin`` as the ``shop_reco_admin`` blueprint and closed
(403) until the host sets ``SHOP_RECO_ADMIN_AUTH``. Content, analytics and
import/export pages live in their own modules, each exposing
``register(bp, state)``, and are mounted when present.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

from flask import Blueprint, Flask

from shop_reco.admin import preview, revisions, rules, security, testbench

if TYPE_CHECKING:
    from shop_reco.state import RecoState

BLUEPRINT_NAME = "shop_reco_admin"
#: Admin sections that register themselves when their module exists.
OPTIONAL_SECTIONS = (
    "shop_reco.admin.content",
    "shop_reco.admin.analytics",
    "shop_reco.admin.transfer",
    "shop_reco.admin.experiments",
)


def create_admin_blueprint(state: RecoState) -> Blueprint:
    """The admin blueprint with its security hooks and every section's routes."""
    bp = Blueprint(BLUEPRINT_NAME, __name__)
    security.register(bp, state)
    for section in (rules, preview, testbench, revisions):
        section.register(bp, state)
    for name in OPTIONAL_SECTIONS:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(bp, state)
    return bp


def register_admin(app: Flask, state: RecoState) -> None:
    """Mount the admin under ``<prefix>/admin``; closed (403) until SHOP_RECO_ADMIN_AUTH is set."""
    prefix = state.settings["SHOP_RECO_URL_PREFIX"]
    app.register_blueprint(create_admin_blueprint(state), url_prefix=f"{prefix}/admin")
