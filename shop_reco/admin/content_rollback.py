"""Rolling back products, exercises and synonyms from their revisions.

A rollback writes the chosen state (a revision's *before* or *after*) as a new
revision with action ``rollback``, through the same checks as the content
pages: a product or exercise a rule still names is not deleted, and a synonym
must neither relabel a red flag nor break a safety case of the test bench.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from sqlalchemy import select

from shop_reco.admin.audit import record_change
from shop_reco.admin.content_synonyms import judged, masked_red_flags, synonym_key, synonym_record
from shop_reco.admin.content_usage import usage_of
from shop_reco.state import get_session
from shop_reco.storage.content import EXERCISE_FIELDS, PRODUCT_FIELDS, snapshot_of
from shop_reco.storage.models import Exercise, Product, Synonym

#: entity -> (model, natural key column, fields a revision records)
CATALOG: Final = {
    "product": (Product, "sku", PRODUCT_FIELDS),
    "exercise": (Exercise, "slug", EXERCISE_FIELDS),
}
ENTITIES: Final = (*CATALOG, "synonym")


class RollbackRefused(Exception):
    """The state cannot be restored; the message says why, in the merchant's words."""


def current_state(entity: str, key: str) -> dict[str, Any] | None:
    """The entity's state now, as its revisions record it (None: it does not exist)."""
    if entity == "synonym":
        row = _synonym(key)
        return synonym_record(row) if row is not None else None
    model, key_field, fields = CATALOG[entity]
    found = get_session().scalars(select(model).where(getattr(model, key_field) == key)).one_or_none()
    return snapshot_of(found, fields) if found is not None else None


def restore(entity: str, key: str, state: dict[str, Any] | None) -> None:
    """Write ``state`` (None: delete) for the entity as a ``rollback`` revision; the caller commits.

    Raises :class:`RollbackRefused` when a check fails; nothing is written then.
    """
    if entity == "synonym":
        _restore_synonym(key, state)
        return
    model, key_field, fields = CATALOG[entity]
    session = get_session()
    row = session.scalars(select(model).where(getattr(model, key_field) == key)).one_or_none()
    before = snapshot_of(row, fields) if row is not None else None
    if state is None:
        if row is None:
            return
        usage = usage_of(session, entity, key)
        if usage.blocks_delete:
            names = ", ".join(f"“{r.name}”" for r in usage.rules)
            raise RollbackRefused(f"This would delete {entity} {key}, which rules still use: {names}.")
        session.delete(row)
    else:
        values = {f: state[f] for f in fields if f in state}
        if "price" in values:
            values["price"] = Decimal(str(values["price"]))
        if row is None:
            row = model(**{key_field: key})
            session.add(row)
        for name, value in values.items():
            setattr(row, name, value)
        session.flush()
    after = snapshot_of(row, fields) if state is not None else None
    record_change(entity, key, "rollback", before, after)


def _synonym(key: str) -> Synonym | None:
    locale, _, phrase = key.partition(":")
    query = select(Synonym).where(Synonym.locale == locale, Synonym.phrase == phrase)
    return get_session().scalars(query).first()


def _restore_synonym(key: str, state: dict[str, Any] | None) -> None:
    session = get_session()
    row = _synonym(key)
    before = synonym_record(row) if row is not None else None
    if state is not None and (masked := masked_red_flags(state)):
        flags = ", ".join(f"red_flag:{c}" for c in masked)
        raise RollbackRefused(f"“{state['phrase']}” reads as {flags}; a synonym cannot give it another meaning.")
    others = [synonym_record(r) for r in session.scalars(select(Synonym).order_by(Synonym.id)) if r is not row]
    _, reasons = judged(others if state is None else [*others, state])
    if reasons:
        raise RollbackRefused("The test bench's safety checks would fail: " + "; ".join(reasons) + ".")
    if state is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(Synonym(**{k: state[k] for k in ("locale", "group", "code", "phrase")}))
    else:
        for name in ("locale", "group", "code", "phrase"):
            setattr(row, name, state[name])
    record_change("synonym", synonym_key(state) if state is not None else key, "rollback", before, state)
