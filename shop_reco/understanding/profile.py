"""What the analyzer returns: a Profile of findings, each traceable to the text."""

from __future__ import annotations

from typing import NamedTuple

from shop_reco import vocabulary


class Match(NamedTuple):
    """One finding in the text, with where it was found and its context.

    Immutable and hashable; a NamedTuple because the analyzer builds a dozen per
    description at tens of thousands of descriptions a second, and a tuple is
    built several times faster than a frozen dataclass.

    ``group`` is one of ``area symptom trigger red_flag side severity duration``;
    ``code`` is a vocabulary code (for ``duration`` a number of weeks as text).
    ``phrase`` is the text exactly as the shopper wrote it, ``text[start:end]``.
    """

    group: str
    code: str
    phrase: str
    start: int
    end: int
    negated: bool = False
    experiencer: str = "self"  # "self" or "other" ("my dad had ...")
    hypothetical: bool = False  # questions, "what if", feared ("afraid it could turn into sciatica")
    historical: bool = False  # in the past; still counts for e.g. cancer history

    @property
    def affirmed(self) -> bool:
        """True when the finding is the shopper's own, present, not negated or hypothetical."""
        return not self.negated and self.experiencer == "self" and not self.hypothetical

    @property
    def concept(self) -> str:
        return f"{self.group}:{self.code}"


class Profile(NamedTuple):
    """The understanding of one description.

    The code tuples hold only affirmed findings (the shopper's own, not negated,
    not hypothetical), in order of first mention, without duplicates; ``matches``
    keeps every finding, negated ones included, so reasons can quote the text.
    """

    locale: str
    areas: tuple[str, ...] = ()
    symptoms: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()
    red_flags: tuple[str, ...] = ()
    side: str | None = None
    severity: str | None = None
    severity_score: float | None = None
    duration_weeks: float | None = None
    matches: tuple[Match, ...] = ()

    @property
    def safety_level(self) -> str:
        """``urgent``, ``consult`` or ``none``, from the affirmed red flags."""
        return vocabulary.safety_level(self.red_flags)

    @property
    def concepts(self) -> frozenset[str]:
        """Affirmed findings as qualified concepts: ``area:hip``, ``trigger:sitting``..."""
        return frozenset(
            [f"area:{c}" for c in self.areas]
            + [f"symptom:{c}" for c in self.symptoms]
            + [f"trigger:{c}" for c in self.triggers]
            + [f"red_flag:{c}" for c in self.red_flags]
        )

    def evidence(self, concept: str) -> Match | None:
        """The first affirmed match for a ``group:code`` concept, to quote in a reason."""
        for m in self.matches:
            if m.concept == concept and m.affirmed:
                return m
        return None
