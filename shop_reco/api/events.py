"""Events name real things: an item of the catalogue (or one the named answer showed) and a real rule.

Without this check anyone could post invented item ids by the thousand and the
admin's analytics would list them. An event about an item removed since it was
shown still counts when its ``recommendation_id`` names the answer that showed it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop_reco.answering.snapshot import Snapshot
from shop_reco.storage.models import Recommendation

MESSAGES = {
    "item_id": "No such item in the catalogue, and not one the answer named by recommendation_id showed.",
    "rule": "No such rule, and not one the answer named by recommendation_id used.",
}


def _known(snapshot: Snapshot) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """The item ids per type and the rule keys of ``snapshot``, worked out once per revision."""

    def build() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
        catalog = snapshot.catalog
        items = {
            "exercise": frozenset(catalog.exercises),
            "product": frozenset(catalog.products),
            "section": frozenset(f"{s.article}#{s.anchor}" for s in catalog.sections),
        }
        return items, frozenset(rule.key for rule in snapshot.compiled.rules)

    known: tuple[dict[str, frozenset[str]], frozenset[str]] = snapshot.compiled.memo(("event_names",), build)
    return known


def _shown(session: Session, recommendation_ids: set[str]) -> dict[str, list[Mapping[str, Any]]]:
    """What each named answer showed (its logged items), for the answers that are logged."""
    if not recommendation_ids:
        return {}
    rows = session.execute(
        select(Recommendation.id, Recommendation.items).where(Recommendation.id.in_(sorted(recommendation_ids)))
    )
    return {row.id: list(row.items or []) for row in rows}


def unknown_names(
    events: Sequence[Mapping[str, Any]], snapshot: Snapshot, session: Session
) -> dict[int, dict[str, str]]:
    """``{index: {field: message}}`` for each event whose item or rule does not exist."""
    items, rules = _known(snapshot)
    doubtful = [
        i
        for i, e in enumerate(events)
        if e["item_id"] not in items[e["item_type"]] or (e["rule"] is not None and e["rule"] not in rules)
    ]
    if not doubtful:
        return {}
    shown = _shown(session, {events[i]["recommendation_id"] for i in doubtful if events[i]["recommendation_id"]})
    problems: dict[int, dict[str, str]] = {}
    for i in doubtful:
        e = events[i]
        answer_items = shown.get(e["recommendation_id"] or "", [])
        item = next((x for x in answer_items if x.get("type") == e["item_type"] and x.get("id") == e["item_id"]), None)
        wrong: dict[str, str] = {}
        if item is None and e["item_id"] not in items[e["item_type"]]:
            wrong["item_id"] = MESSAGES["item_id"]
        if e["rule"] is not None and e["rule"] not in rules and e["rule"] not in (item or {}).get("rules", ()):
            wrong["rule"] = MESSAGES["rule"]
        if wrong:
            problems[i] = wrong
    return problems
