"""Why an item is in the answer, in the shopper's locale and in the shopper's own words.

A reason quotes the phrase that made a rule fire ("You mentioned “after
sitting all day”"), names the rule, and points at the article section that
explains the item. Product reasons speak of support and comfort, never of
treatment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from shop_reco.recommending.index import CompiledRule, CompiledRules
from shop_reco.recommending.messages import join_words, localized, message
from shop_reco.recommending.results import Reason
from shop_reco.recommending.rules import ItemRef
from shop_reco.understanding.profile import Profile

#: How many quoted phrases and rule names one item's reasons carry at most.
MAX_PHRASES = 2
MAX_RULES = 2
#: Only the strongest contributions are explained.
MAX_CONTRIBUTIONS = 4

Contribution = tuple[float, CompiledRule]


class ReasonWriter:
    """Writes reasons for one answer; caches the phrase found for each concept."""

    def __init__(
        self, profile: Profile, compiled: CompiledRules, locale: str, concepts: frozenset[str] | None = None
    ) -> None:
        self.profile = profile
        self.compiled = compiled
        self.locale = locale
        self.concepts = profile.concepts if concepts is None else concepts
        # The first affirmed phrase per concept, as Profile.evidence() would find it.
        self.phrases: dict[str, str] = {}
        for m in profile.matches:
            if m.affirmed:
                self.phrases.setdefault(m.concept, m.phrase)

    def phrase(self, concept: str) -> str | None:
        """The shopper's words for ``concept``, or None when the profile has no evidence."""
        return self.phrases.get(concept)

    def rule_phrases(self, rule: CompiledRule) -> list[tuple[str, str | None]]:
        """(concept, phrase) for each concept that made ``rule`` fire."""
        return [(c, self.phrase(c)) for c in rule.matched_concepts(self.concepts)]

    def for_item(
        self,
        ref: ItemRef,
        contributions: Sequence[Contribution],
        *,
        pinned_by: CompiledRule | None = None,
        explained_items: Iterable[str] = (),
    ) -> tuple[Reason, ...]:
        """Reasons for an item chosen by rules: phrases, rule names, pin, explaining section."""
        loc = self.locale
        ranked = sorted(contributions, key=lambda c: (-c[0], -c[1].priority, c[1].key))
        ranked = ranked[:MAX_CONTRIBUTIONS]
        reasons: list[Reason] = []
        quoted: set[str] = set()
        benefits: set[str] = set()  # each benefit is said once, with the first phrase
        phrases_of = self.phrases
        for _, cr in ranked:
            benefit = localized(cr.target_reasons.get(ref), loc)
            if benefit is None and ref.type == "product":
                benefit = message(loc, "product_benefit")
            room = MAX_PHRASES - len(quoted)
            phrases = [p for c in cr.matched_concepts(self.concepts) if (p := phrases_of.get(c)) and p not in quoted]
            if phrases and room > 0:
                for phrase in phrases[:room]:
                    quoted.add(phrase)
                    said = benefit if benefit not in benefits else None
                    reasons.append(Reason("phrase", self._quote(ref, phrase, said), phrase=phrase, rule=cr.key))
                    if said:
                        benefits.add(said)
            elif benefit and benefit not in benefits:
                benefits.add(benefit)
                reasons.append(Reason("rule", benefit, rule=cr.key))
        for _, cr in ranked[:MAX_RULES]:
            reasons.append(self._rule(cr))
        if pinned_by is not None:
            reasons.append(Reason("pin", message(loc, "reason_pin", rule=pinned_by.name), rule=pinned_by.key))
        reasons.extend(self._section(ref, explained_items))
        return tuple(reasons)

    def _rule(self, rule: CompiledRule) -> Reason:
        loc = self.locale
        return self.compiled.memo(
            ("reason_rule", rule, loc),
            lambda: Reason("rule", message(loc, "reason_rule", rule=rule.name), rule=rule.key),
        )

    def _quote(self, ref: ItemRef, phrase: str, benefit: str | None) -> str:
        if ref.type == "section":
            return message(self.locale, "reason_matches", phrase=phrase)
        if benefit:
            return message(self.locale, "reason_benefit_phrase", benefit=benefit, phrase=phrase)
        return message(self.locale, "reason_phrase", phrase=phrase)

    def _section(self, ref: ItemRef, explained_items: Iterable[str]) -> tuple[Reason, ...]:
        if ref.type == "section":
            names = list(explained_items)
            if not names:
                return ()
            text = message(self.locale, "reason_explains", items=join_words(names, self.locale))
            return (Reason("section", text, section=ref.id),)
        return self.compiled.memo(("reason_section", ref, self.locale), lambda: self._explained_by(ref))

    def _explained_by(self, ref: ItemRef) -> tuple[Reason, ...]:
        section = self.compiled.explainer(ref, self.locale)
        if section is None:
            return ()
        text = message(self.locale, "reason_section", heading=section.heading)
        return (Reason("section", text, section=f"{section.article}#{section.anchor}"),)

    def balance(self, ref: ItemRef, category: str) -> tuple[Reason, ...]:
        """Reasons for an exercise added so the routine has a stretch, strength and aerobic part."""
        reason = Reason("balance", message(self.locale, f"reason_balance_{category}"))
        return (reason, *self._section(ref, ()))

    def fallback(self, ref: ItemRef, *, matched: bool = False) -> tuple[Reason, ...]:
        """Reasons for an exercise of the general routine (``matched``: rules fired, none with exercises)."""
        text = message(self.locale, "reason_general" if matched else "reason_fallback")
        return (Reason("fallback", text), *self._section(ref, ()))
