"""Writing one rule at a time, with optimistic locking and a revision per change.

The admin edits a rule from a form that carries the version it was loaded
at; :func:`update_rule` and :func:`delete_rule` refuse with
:class:`RuleConflict` when the stored version moved since (someone else
saved first), both on the early check and, through SQLAlchemy's
``version_id_col``, on the UPDATE itself. Every change adds a
:class:`~shop_reco.storage.models.Revision` in the same transaction; the
caller commits, or rolls back after an exception.

    update_rule(session, "posture-screen", values, expected_version=3, actor="ann")
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from shop_reco.storage.content import RULE_FIELDS, record, snapshot_of
from shop_reco.storage.models import Rule


class RuleConflict(Exception):
    """The rule changed (or vanished) since the editor loaded it; roll back and show both versions."""

    def __init__(self, key: str, expected_version: int | None) -> None:
        super().__init__(f"rule {key!r} changed since version {expected_version}; reload it and re-apply your edit")
        self.key = key
        self.expected_version = expected_version


class RuleExists(Exception):
    """A rule with this key already exists (keys are unique)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"a rule with key {key!r} already exists; pick another key or edit that rule")
        self.key = key


def find_rule(session: Session, key: str) -> Rule | None:
    """The stored rule with ``key``, or None."""
    return session.execute(select(Rule).where(Rule.key == key)).scalar_one_or_none()


def rule_state(row: Rule) -> dict[str, Any]:
    """A rule row's fields as JSON (what revisions store as before/after)."""
    return snapshot_of(row, RULE_FIELDS)


def _flush(session: Session, key: str, expected_version: int | None) -> None:
    try:
        session.flush()
    except StaleDataError as exc:  # the UPDATE/DELETE matched no row at our version
        raise RuleConflict(key, expected_version) from exc


def create_rule(
    session: Session, key: str, values: Mapping[str, Any], *, actor: str | None, action: str = "create"
) -> Rule:
    """Insert a new rule from column values (see ``rule_record``); raises :class:`RuleExists`."""
    if find_rule(session, key) is not None:
        raise RuleExists(key)
    row = Rule(key=key, **{f: values[f] for f in RULE_FIELDS if f in values})
    row.updated_by = actor
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # created by someone else a moment ago
        raise RuleExists(key) from exc
    record(session, "rule", key, action, None, rule_state(row), actor)
    return row


def update_rule(
    session: Session,
    key: str,
    values: Mapping[str, Any],
    *,
    expected_version: int,
    actor: str | None,
    action: str = "update",
) -> tuple[Rule, bool]:
    """Change a rule loaded at ``expected_version``; returns (row, changed).

    Raises :class:`RuleConflict` when the stored version is another one or the
    rule was deleted. An edit that changes nothing writes nothing.
    """
    row = find_rule(session, key)
    if row is None or row.version != expected_version:
        raise RuleConflict(key, expected_version)
    before = rule_state(row)
    for name in RULE_FIELDS:
        if name in values:
            setattr(row, name, values[name])
    after = rule_state(row)
    if before == after:
        session.expire(row)
        return row, False
    row.updated_by = actor
    _flush(session, key, expected_version)
    record(session, "rule", key, action, before, rule_state(row), actor)
    return row, True


def delete_rule(
    session: Session, key: str, *, expected_version: int, actor: str | None, action: str = "delete"
) -> None:
    """Delete a rule loaded at ``expected_version``; raises :class:`RuleConflict` if it moved."""
    row = find_rule(session, key)
    if row is None or row.version != expected_version:
        raise RuleConflict(key, expected_version)
    before = rule_state(row)
    session.delete(row)
    _flush(session, key, expected_version)
    record(session, "rule", key, action, before, None, actor)
