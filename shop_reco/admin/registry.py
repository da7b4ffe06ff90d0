"""The admin's entities, listed once: what revisions, rollback, usage and import/export iterate.

An explicit tuple, not discovery: an entity missing here is missing from the
admin, visibly. The order is the export file's (sources before what cites
them) and the order their pages are mounted in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final

from shop_reco.admin.entities import articles, exercises, products, rules, safety_cases, sources, synonyms
from shop_reco.admin.entity import AdminEntity

#: Every entity the admin edits, in export order.
ENTITIES: Final[tuple[AdminEntity, ...]] = (
    sources.ENTITY,
    products.ENTITY,
    exercises.ENTITY,
    articles.ENTITY,
    rules.ENTITY,
    synonyms.ENTITY,
    safety_cases.ENTITY,
)


class Registry:
    """A set of entities by name; names and export sections must be unique.

    >>> Registry(ENTITIES).named("product") is products.ENTITY
    True
    >>> [e.transfer_kind for e in Registry(ENTITIES).transferred()]
    ['sources', 'products', 'exercises', 'articles', 'rules', 'synonyms']
    """

    def __init__(self, entities: Iterable[AdminEntity]) -> None:
        self._entities = tuple(entities)
        self._by_name: dict[str, AdminEntity] = {}
        kinds: set[str] = set()
        for entity in self._entities:
            if entity.name in self._by_name:
                raise ValueError(f"two admin entities are named {entity.name!r}; give each its own name")
            self._by_name[entity.name] = entity
            if entity.transfer_kind is not None:
                if entity.transfer_kind in kinds:
                    raise ValueError(f"two admin entities export as {entity.transfer_kind!r}")
                kinds.add(entity.transfer_kind)

    def __iter__(self) -> Iterator[AdminEntity]:
        return iter(self._entities)

    def named(self, name: str) -> AdminEntity | None:
        """The entity whose revisions say ``name``, or None."""
        return self._by_name.get(name)

    def transferred(self) -> tuple[AdminEntity, ...]:
        """The entities an export file holds, in the file's order."""
        return tuple(e for e in self._entities if e.transfer_kind is not None)

    def transfer_kinds(self) -> tuple[str, ...]:
        return tuple(e.transfer_kind for e in self._entities if e.transfer_kind is not None)
