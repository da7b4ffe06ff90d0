"""What answering keeps per app between requests, typed: one object in ``RecoState.caches``.

The snapshot's revision cache, the rules validated so far (by key and
version) and whether an outage was logged already live here, each under a
named field rather than a string key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from shop_reco.recommending import Rule
from shop_reco.state import RecoState, get_state
from shop_reco.storage.snapshot import RevisionCache

if TYPE_CHECKING:
    from shop_reco.answering.snapshot import Snapshot

#: The key of the one :class:`AnsweringCaches` in ``RecoState.caches``.
CACHES_KEY = "answering"


class RuleVersion(NamedTuple):
    """One validated state of a stored rule (its ``version`` moves with every change)."""

    key: str
    version: int


class VariantRules(NamedTuple):
    """One variant of one experiment (its rules never change once it started)."""

    experiment_id: int
    variant: str


@dataclass
class AnsweringCaches:
    """Per app and process: the snapshot cache, validated rules and the outage log's memory."""

    #: The content snapshot, rebuilt when the revision moves (made on first use: it reads a setting).
    snapshot: RevisionCache[Snapshot] | None = None
    #: Every stored rule validated at the last rebuild, so one edit validates one rule again.
    validated_rules: dict[RuleVersion, Rule] = field(default_factory=dict)
    #: The running experiment's variants' rules, validated once per process.
    variant_rules: dict[VariantRules, tuple[Rule, ...]] = field(default_factory=dict)
    #: A missing schema was logged (once, until the tables are back).
    not_ready_logged: bool = False
    #: An unreachable database was logged (once per outage).
    unavailable_logged: bool = False


def answering_caches(state: RecoState | None = None) -> AnsweringCaches:
    """The :class:`AnsweringCaches` of ``state`` (default: the current app's), made on first use."""
    caches = (state or get_state()).caches
    found: AnsweringCaches | None = caches.get(CACHES_KEY)
    if found is None:
        found = caches.setdefault(CACHES_KEY, AnsweringCaches())
    return found
