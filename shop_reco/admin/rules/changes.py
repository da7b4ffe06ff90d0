"""One path for every rule change the admin makes: lock check, test bench, write, revision.

Creating, editing, duplicating, enabling/disabling, deleting and rolling back
a rule all go through :func:`change_rule`: the stored version must still be
the one the merchant saw; the test bench runs against the rule set as it
would be; a broken safety expectation refuses the change, other new failures
wait for the merchant's "save anyway"; then the rule and its revision are
written in one transaction and this process's snapshot is invalidated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shop_reco.admin.case_checks import BenchVerdict
from shop_reco.admin.rules.sandbox import judge_change
from shop_reco.admin.security import current_admin
from shop_reco.answering.snapshot import invalidate_snapshot
from shop_reco.recommending import Rule, load_rule
from shop_reco.state import get_session
from shop_reco.storage.content import rule_record
from shop_reco.storage.models import Rule as RuleRow
from shop_reco.storage.rules import (
    RuleConflict,
    RuleExists,
    create_rule,
    delete_rule,
    find_rule,
    rule_state,
    update_rule,
)

SAVED, UNCHANGED, CONFLICT, EXISTS, REFUSED, CONFIRM = (
    "saved",
    "unchanged",
    "conflict",
    "exists",
    "refused",
    "confirm",
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to a change: ``status`` is saved, unchanged, conflict, exists, refused or confirm."""

    status: str
    verdict: BenchVerdict | None = None
    version: int | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def written(self) -> bool:
        return self.status in (SAVED, UNCHANGED)


def stored_record(row: RuleRow) -> dict[str, Any]:
    """A stored rule in its JSON shape, with key and version."""
    return {**rule_state(row), "key": row.key, "version": row.version}


def stored_rule(row: RuleRow) -> Rule:
    """A stored rule as a validated :class:`Rule` (raises ``ValidationError`` if it no longer loads)."""
    return load_rule(stored_record(row))


def change_rule(
    key: str,
    rule: Rule | None,
    *,
    expected_version: int | None,
    action: str,
    confirmed: bool = False,
) -> Outcome:
    """Create (``expected_version=None``), update, or delete (``rule=None``) the rule ``key``."""
    session = get_session()
    row = find_rule(session, key)
    if expected_version is None and row is not None:
        return Outcome(EXISTS)
    if expected_version is not None and (row is None or row.version != expected_version):
        session.rollback()
        return Outcome(CONFLICT)
    verdict = judge_change(key, rule)
    if verdict.refused:
        session.rollback()
        return Outcome(REFUSED, verdict)
    if verdict.needs_confirmation and not confirmed:
        session.rollback()
        return Outcome(CONFIRM, verdict)
    actor = current_admin()
    changed = True
    try:
        if rule is None:
            delete_rule(session, key, expected_version=expected_version or 0, actor=actor, action=action)
            version = None
        elif expected_version is None:
            version = create_rule(session, key, rule_record(rule), actor=actor, action=action).version
        else:
            saved, changed = update_rule(
                session, key, rule_record(rule), expected_version=expected_version, actor=actor, action=action
            )
            version = saved.version
        session.commit()
    except RuleConflict:
        session.rollback()
        return Outcome(CONFLICT, verdict)
    except RuleExists:
        session.rollback()
        return Outcome(EXISTS, verdict)
    except Exception:
        session.rollback()
        raise
    invalidate_snapshot()
    return Outcome(SAVED if changed else UNCHANGED, verdict, version)
