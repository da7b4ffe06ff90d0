"""What the recommender answers: a frozen ``Recommendation`` and its parts.

Items carry their ids and localized names, and every item has a ``why``: reasons
that quote the shopper, name the rule and point at the article section. The JSON
a shopper is served is built from these records in ``shop_reco.answering.payloads``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from shop_reco.recommending.catalog import ExerciseItem, ProductItem, SectionItem
from shop_reco.recommending.messages import join_words, message

ItemT = TypeVar("ItemT", ExerciseItem, ProductItem, SectionItem)

#: ``balance``: added to balance the routine; ``related``: shares concepts (pairings only);
#: ``shopper``: the one sentence a shopper reads (first in ``why``; the rest is the trace).
REASON_KINDS = ("shopper", "phrase", "rule", "section", "fallback", "pin", "balance", "related")


@dataclass(frozen=True, slots=True)
class Limits:
    """How many items of each kind an answer may hold."""

    exercises: int = 6
    products: int = 3
    sections: int = 4


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Reason:
    """One sentence of *why*: ``kind`` is one of ``REASON_KINDS``."""

    kind: str
    text: str
    phrase: str | None = None
    rule: str | None = None
    section: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "phrase": self.phrase,
            "rule": self.rule,
            "section": self.section,
        }


def shopper_text(why: Iterable[Reason]) -> str:
    """The sentence a shopper reads for an item: its ``shopper`` reason, else ''.

    The other reasons (phrases, rule keys, sections) are the machine-readable
    trace for the API and the admin's preview; they may name rules.
    """
    return next((r.text for r in why if r.kind == "shopper"), "")


@dataclass(frozen=True, slots=True)
class RankedItem(Generic[ItemT]):
    """An item in an answer, its score (rules' weights plus boosts) and why it is there."""

    item: ItemT
    score: float
    why: tuple[Reason, ...] = ()

    @property
    def reason(self) -> str:
        """The one sentence shown to the shopper (see :func:`shopper_text`)."""
        return shopper_text(self.why)

    @property
    def id(self) -> str:
        item = self.item
        if isinstance(item, ExerciseItem):
            return item.slug
        if isinstance(item, ProductItem):
            return item.sku
        return f"{item.article}#{item.anchor}"


@dataclass(frozen=True, slots=True)
class RedFlag:
    """A red flag of the answer; ``source`` is ``text`` (written) or ``screen`` (answered yes on the screen)."""

    code: str
    level: str
    phrase: str | None
    source: str = "text"


@dataclass(frozen=True, slots=True)
class Safety:
    """``level`` is ``none``, ``consult`` or ``urgent``; ``message`` is None when ``none``."""

    level: str
    red_flags: tuple[RedFlag, ...] = ()
    message: str | None = None


@dataclass(frozen=True, slots=True)
class Avoid:
    code: str
    text: str


@dataclass(frozen=True, slots=True)
class Note:
    rule: str
    text: str


@dataclass(frozen=True, slots=True)
class Routine:
    sessions_min: int
    sessions_max: int
    balanced: bool
    summary: str


@dataclass(frozen=True, slots=True)
class MatchedConcept:
    concept: str
    phrase: str | None


@dataclass(frozen=True, slots=True)
class FiredRule:
    """A rule that applied, and why: the concepts it matched, with the shopper's words.

    ``phrases`` is the answer's shared concept -> phrase map; ``matched`` and
    ``why`` are worked out when asked for (only the admin's preview asks).
    """

    key: str
    name: str
    priority: int
    concepts: tuple[str, ...]
    phrases: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    locale: str = "en"

    @property
    def matched(self) -> tuple[MatchedConcept, ...]:
        return tuple(MatchedConcept(c, self.phrases.get(c)) for c in self.concepts)

    @property
    def why(self) -> str:
        """One sentence for the admin's preview, e.g. ``Matched trigger:sitting (“sitting”)``."""
        if not self.concepts:
            return message(self.locale, "fired_catch_all")
        parts = [
            message(self.locale, "fired_concept", concept=m.concept, phrase=m.phrase) if m.phrase else m.concept
            for m in self.matched
        ]
        return message(self.locale, "fired_matched", concepts=join_words(parts, self.locale))


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The whole answer for one description; lists are tuples so the answer can't change."""

    locale: str
    safety: Safety
    disclaimer: str
    exercises: tuple[RankedItem[ExerciseItem], ...] = ()
    products: tuple[RankedItem[ProductItem], ...] = ()
    sections: tuple[RankedItem[SectionItem], ...] = ()
    avoid: tuple[Avoid, ...] = ()
    notes: tuple[Note, ...] = ()
    routine: Routine | None = None
    fallback: bool = False
    fired_rules: tuple[FiredRule, ...] = ()
    rules_revision: int = 0
    degraded: bool = False  # True for fail_closed answers
