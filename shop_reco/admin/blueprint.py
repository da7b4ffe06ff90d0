"""The admin blueprint: security hooks, every entity's pages, and the sections listed here.

Mounted at ``<prefix>/admin`` as the ``shop_reco_admin`` blueprint and closed
(403) until the host sets ``SHOP_RECO_ADMIN_AUTH``. The admin is a set of
entities (:mod:`shop_reco.admin.registry`), each mounting its own pages, plus
the sections listed below; nothing is discovered, so a missing module fails
at import instead of silently dropping a page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final, Protocol

from flask import Blueprint, Flask

from shop_reco.admin import analytics, experiments, registry, revisions, security, transfer
from shop_reco.admin.entity import AdminEntity
from shop_reco.admin.rules import preview

if TYPE_CHECKING:
    from shop_reco.state import RecoState

BLUEPRINT_NAME: Final = "shop_reco_admin"


class Section(Protocol):
    """A module of pages that are not one entity's: ``register(bp, state)``."""

    def register(self, bp: Blueprint, state: RecoState) -> None: ...


class RegistrySection(Protocol):
    """A module of pages over every entity: ``register(bp, state, registry)``."""

    def register(self, bp: Blueprint, state: RecoState, registry: registry.Registry) -> None: ...


#: Pages beside the entities' own, in the order they are mounted.
SECTIONS: Final[tuple[Section, ...]] = (preview, analytics, experiments)
#: Pages that iterate the entities.
REGISTRY_SECTIONS: Final[tuple[RegistrySection, ...]] = (revisions, transfer)


def create_admin_blueprint(state: RecoState, entities: Iterable[AdminEntity] | None = None) -> Blueprint:
    """The admin blueprint with its security hooks, every entity's pages and every section's routes.

    ``entities`` defaults to :data:`shop_reco.admin.registry.ENTITIES`.
    """
    bp = Blueprint(BLUEPRINT_NAME, __name__)
    security.register(bp, state)
    known = registry.Registry(registry.ENTITIES if entities is None else entities)
    for entity in known:
        entity.register_pages(bp)
    for section in SECTIONS:
        section.register(bp, state)
    for over_entities in REGISTRY_SECTIONS:
        over_entities.register(bp, state, known)
    return bp


def register_admin(app: Flask, state: RecoState) -> None:
    """Mount the admin under ``<prefix>/admin``; closed (403) until SHOP_RECO_ADMIN_AUTH is set."""
    prefix = state.settings["SHOP_RECO_URL_PREFIX"]
    app.register_blueprint(create_admin_blueprint(state), url_prefix=f"{prefix}/admin")
