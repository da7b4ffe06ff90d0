"""Why an item is in the answer, in the shopper's locale and in the shopper's own words.

Each item gets one ``shopper`` reason first: a short sentence made of the
merchant's words (a target's ``reason`` or the rule's ``shopper_reason``) and
the shopper's own ("Comfort when you sit for long periods — you mentioned
“sitting all day”"). It never names a rule. The reasons after it are the
trace for the API and the admin's preview: each quoted phrase, the rules
that fired (by name) and the article section that explains the item.
Product reasons speak of support and comfort, never of treatment.
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


def _contribution_order(contribution: Contribution) -> tuple[float, int, str]:
    """Strongest first; ties to the higher priority, then by rule key."""
    weight, cr = contribution
    return (-weight, -cr.priority, cr.key)


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
        """Reasons for an item chosen by rules: phrases, rule names, pin, explaining section.

        They depend on the rules (in rank order), the shopper's phrases for the concepts that
        made each fire, the pin and the items a section explains, and on nothing else of the
        text: they are made once per such combination and revision (``compiled.cached``).
        """
        ranked = sorted(contributions, key=_contribution_order)[:MAX_CONTRIBUTIONS]
        phrases_of, concepts = self.phrases, self.concepts
        said = tuple(
            (cr, tuple(p for c in cr.matched_concepts(concepts) if (p := phrases_of.get(c)))) for _, cr in ranked
        )
        explained = tuple(explained_items)
        key = (ref, self.locale, said, pinned_by, explained)
        return self.compiled.cached("item_reasons", key, lambda: self._for_item(ref, said, pinned_by, explained))

    def _for_item(
        self,
        ref: ItemRef,
        said: Sequence[tuple[CompiledRule, tuple[str, ...]]],
        pinned_by: CompiledRule | None,
        explained: Sequence[str],
    ) -> tuple[Reason, ...]:
        """:meth:`for_item`'s reasons from the ranked rules and the phrases each quotes."""
        loc = self.locale
        reasons: list[Reason] = []
        quoted: set[str] = set()
        benefits: set[str] = set()  # each benefit is said once, with the first phrase
        for cr, rule_phrases in said:
            benefit = localized(cr.target_reasons.get(ref), loc)
            if benefit is None and ref.type == "product":
                benefit = message(loc, "product_benefit")
            room = MAX_PHRASES - len(quoted)
            phrases = [p for p in rule_phrases if p not in quoted]
            if phrases and room > 0:
                for phrase in phrases[:room]:
                    quoted.add(phrase)
                    benefit_said = benefit if benefit not in benefits else None
                    reasons.append(Reason("phrase", self._quote(ref, phrase, benefit_said), phrase=phrase, rule=cr.key))
                    if benefit_said:
                        benefits.add(benefit_said)
            elif benefit and benefit not in benefits:
                benefits.add(benefit)
                reasons.append(Reason("rule", benefit, rule=cr.key))
        for cr, _ in said[:MAX_RULES]:
            reasons.append(self._rule(cr))
        if pinned_by is not None:
            reasons.append(Reason("pin", message(loc, "reason_pin", rule=pinned_by.name), rule=pinned_by.key))
        reasons.extend(self._section(ref, explained))
        shopper_words = [r.phrase for r in reasons if r.kind == "phrase" and r.phrase]
        top = said[0][0] if said else pinned_by
        rules = [cr for cr, _ in said]
        shopper = Reason(
            "shopper",
            self._sentence(ref, rules, shopper_words, pinned=pinned_by is not None, explained=explained),
            phrase=shopper_words[0] if shopper_words else None,
            rule=top.key if top is not None else None,
        )
        return (shopper, *reasons)

    def merchant_reason(self, ref: ItemRef, rules: Iterable[CompiledRule]) -> str | None:
        """The merchant's words for ``ref``: a target's own reason, else the rule's ``shopper_reason``."""
        for cr in rules:
            said = localized(cr.target_reasons.get(ref), self.locale) or localized(
                cr.rule.actions.shopper_reason, self.locale
            )
            if said:
                return said
        return None

    def _sentence(
        self,
        ref: ItemRef,
        rules: Sequence[CompiledRule],
        phrases: Sequence[str],
        *,
        pinned: bool,
        explained: Sequence[str],
    ) -> str:
        loc = self.locale
        if ref.type == "section":
            if phrases:
                return message(loc, "reason_matches", phrase=phrases[0])
            if explained:
                return message(loc, "reason_explains", items=join_words(list(explained), loc))
        merchant = self.merchant_reason(ref, rules)
        if merchant is None and ref.type == "product":
            merchant = message(loc, "product_benefit")
        return shopper_sentence(loc, merchant, phrases, pinned=pinned, section=ref.type == "section")

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
        text = message(self.locale, f"reason_balance_{category}")
        return (Reason("shopper", text), Reason("balance", text), *self._section(ref, ()))

    def fallback(self, ref: ItemRef, *, matched: bool = False) -> tuple[Reason, ...]:
        """Reasons for an exercise of the general routine (``matched``: rules fired, none with exercises)."""
        text = message(self.locale, "reason_general" if matched else "reason_fallback")
        return (Reason("shopper", text), Reason("fallback", text), *self._section(ref, ()))


def quote_phrases(locale: str, phrases: Sequence[str]) -> str:
    """“a” and “b”, quoted the locale's way."""
    return join_words([message(locale, "quoted", phrase=p) for p in phrases], locale)


def shopper_sentence(
    locale: str, merchant: str | None, phrases: Sequence[str], *, pinned: bool = False, section: bool = False
) -> str:
    """One sentence from the merchant's words and the shopper's (either may be missing).

    >>> shopper_sentence("en", "Comfort when you sit for long periods", ["sitting all day"])
    'Comfort when you sit for long periods — you mentioned “sitting all day”'
    """
    phrases = list(phrases)[:MAX_PHRASES]
    if merchant and phrases:
        return message(locale, "shopper_with_phrases", reason=merchant, phrases=quote_phrases(locale, phrases))
    if merchant:
        return merchant
    if phrases:
        return message(locale, "shopper_phrases", phrases=quote_phrases(locale, phrases))
    if pinned:
        return message(locale, "shopper_pin")
    return message(locale, "shopper_section" if section else "reason_general")
