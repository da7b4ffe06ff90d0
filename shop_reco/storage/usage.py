"""What still uses a product or an exercise, asked before the admin deletes one.

A rule that names the item (as something it recommends, pins, boosts or
excludes) blocks the delete: the merchant edits or deletes that rule first,
or deactivates the product instead, and loses nothing. Saved test cases that
expect the item are only a warning, since the bench reports them anyway.

Rules are read as stored (JSON), not validated, so a rule saved before a
stricter schema still counts.

    >>> places({"products": [{"sku": "belt"}], "exclude": [{"type": "product", "id": "belt"}]}, "product", "belt")
    ['recommends it', 'excludes it']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop_reco.storage.models import Rule, TestCase

#: Where a rule's actions list what it recommends of each kind, and the key of an entry.
TARGETS: Final = {"product": ("products", "sku"), "exercise": ("exercises", "slug")}
#: The actions that name an item by ``{"type", "id"}``, and what they do to it, in the merchant's words.
REFERENCES: Final = {"pin": "pins it", "boost": "boosts it", "exclude": "excludes it"}
#: The test case expectations that name an item of each kind.
EXPECTATIONS: Final = {
    "product": ("products", "not_products"),
    "exercise": ("exercises", "exercises_any", "not_exercises"),
}


@dataclass(frozen=True, slots=True)
class RuleUse:
    """A stored rule that names the item, and how (``["recommends it", "pins it"]``)."""

    key: str
    name: str
    active: bool
    how: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Usage:
    """Everything that names one item: rules block deleting it, test cases do not."""

    rules: tuple[RuleUse, ...] = ()
    test_cases: tuple[str, ...] = ()

    @property
    def blocks_delete(self) -> bool:
        return bool(self.rules)


def places(actions: Mapping[str, Any], item_type: str, item_id: str) -> list[str]:
    """How a rule's stored ``actions`` name the item, in the merchant's words; ``[]`` if they do not."""
    found: list[str] = []
    listed, id_key = TARGETS[item_type]
    if any(isinstance(t, Mapping) and t.get(id_key) == item_id for t in actions.get(listed) or ()):
        found.append("recommends it")
    for action, says in REFERENCES.items():
        refs = actions.get(action) or ()
        if any(isinstance(r, Mapping) and (r.get("type"), r.get("id")) == (item_type, item_id) for r in refs):
            found.append(says)
    return found


def usage_of(session: Session, item_type: str, item_id: str) -> Usage:
    """The rules (by name) and test cases (by key) that name the ``item_type`` item ``item_id``."""
    if item_type not in TARGETS:
        raise ValueError(f"unknown item type {item_type!r}; use one of {', '.join(TARGETS)}")
    rules = []
    for key, name, active, actions in session.execute(
        select(Rule.key, Rule.name, Rule.active, Rule.actions).order_by(Rule.name, Rule.key)
    ):
        how = places(actions or {}, item_type, item_id)
        if how:
            rules.append(RuleUse(key, name, bool(active), tuple(how)))
    wanted = EXPECTATIONS[item_type]
    cases = [
        key
        for key, expect in session.execute(select(TestCase.key, TestCase.expect).order_by(TestCase.key))
        if any(item_id in (expect or {}).get(name, ()) for name in wanted)
    ]
    return Usage(tuple(rules), tuple(cases))
