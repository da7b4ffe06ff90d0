"""Pairings without a description: what goes with a product page, and products for an article.

Rules that recommend (or pin) a product say what goes with it: their other
exercises and sections. Items sharing the product's concepts come next; a
product page shows a few exercises of different kinds, and other products
that share its concepts ("Goes well with"). On an article, each product
appears once, beside the section that fits it best: the section whose text
names it, else the one a rule links it to most strongly.
Unavailable products (inactive or out of stock) never appear.

Every item's ``why`` starts with a ``shopper`` reason: one sentence of the
merchant's words, never a rule's name; the rest is the trace.

    pairings_for_product("lumbar-support-belt", compiled, "en")["exercises"]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import TypedDict

from shop_reco import vocabulary
from shop_reco.recommending.catalog import ExerciseItem, ProductItem, SectionItem, text_for
from shop_reco.recommending.index import CompiledRule, CompiledRules, name_words
from shop_reco.recommending.messages import localized, message
from shop_reco.recommending.results import RankedItem, Reason
from shop_reco.recommending.rules import ItemRef
from shop_reco.recommending.safety import RED_FLAG_GROUP

#: Shared concepts count for a little, rule pairings for much more.
SHARED_CONCEPT_WEIGHT = 0.1
#: A merchant's pin, or a section's text naming a product, outranks any rule weight (0-10).
DECISIVE_WEIGHT = 100.0
_BULLET_LABEL = re.compile(r"^\s*[-*]\s+([^:]{2,80}):\s*(.+)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class Pairings(TypedDict):
    """What goes with a product: ranked exercises, article sections and other products, each with why."""

    exercises: list[RankedItem[ExerciseItem]]
    sections: list[RankedItem[SectionItem]]
    products: list[RankedItem[ProductItem]]


class UnknownItemError(LookupError):
    """The SKU or article slug is not in the compiled catalog (a 404 for the API)."""


def _usable(cr: CompiledRule, locale: str, now: datetime) -> bool:
    rule = cr.rule
    if rule.locales and locale not in rule.locales:
        return False
    if vocabulary.NONE not in rule.conditions.safety:
        return False
    return (rule.valid_from is None or rule.valid_from <= now) and (rule.valid_until is None or now < rule.valid_until)


def _rules_with(ref: ItemRef, compiled: CompiledRules, locale: str, now: datetime | None) -> list[CompiledRule]:
    when = now or datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    rules = [cr for cr in compiled.targeting.get(ref, ()) if _usable(cr, locale, when)]
    return sorted(rules, key=lambda cr: (-cr.priority, cr.key))


def _merchant_words(cr: CompiledRule, ref: ItemRef, locale: str) -> str | None:
    """What the merchant wrote for shoppers about ``ref`` in rule ``cr``, if anything."""
    return localized(cr.target_reasons.get(ref), locale) or localized(cr.rule.actions.shopper_reason, locale)


class _Tally:
    """Scores, the trace of reasons and the shopper's sentence for one kind of paired item."""

    def __init__(self) -> None:
        self.scores: dict[str, float] = {}
        self.why: dict[str, list[Reason]] = {}
        self.said: dict[str, str] = {}

    def add(self, item_id: str, score: float, reason: Reason, said: str | None = None) -> None:
        self.scores[item_id] = self.scores.get(item_id, 0.0) + score
        reasons = self.why.setdefault(item_id, [])
        if reason not in reasons:
            reasons.append(reason)
        if said and item_id not in self.said:
            self.said[item_id] = said

    def why_of(self, item_id: str, fallback: str) -> tuple[Reason, ...]:
        """The shopper's sentence first, then the trace."""
        trace = self.why[item_id]
        rule = next((r.rule for r in trace if r.rule), None)
        return (Reason("shopper", self.said.get(item_id) or fallback, rule=rule), *trace)

    def order(self, skip: Iterable[str] = ()) -> list[str]:
        blocked = set(skip)
        return sorted((i for i in self.scores if i not in blocked), key=lambda i: (-self.scores[i], i))


def _varied(order: list[str], kind_of: dict[str, str], limit: int) -> list[str]:
    """Up to ``limit`` ids from ``order``, one of each kind first, kept in ``order``."""
    chosen: list[str] = []
    kinds: set[str] = set()
    for item_id in order:
        if len(chosen) < limit and kind_of.get(item_id) not in kinds:
            chosen.append(item_id)
            kinds.add(kind_of.get(item_id, ""))
    for item_id in order:
        if len(chosen) >= limit:
            break
        if item_id not in chosen:
            chosen.append(item_id)
    rank = {item_id: i for i, item_id in enumerate(order)}
    return sorted(chosen, key=rank.__getitem__)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """How much two concept sets share, 0-1: a specific match beats a broad item's many concepts."""
    shared = len(a & b)
    return shared / max(len(a), len(b)) if shared else 0.0


def pairings_for_product(
    sku: str,
    compiled: CompiledRules,
    locale: str,
    *,
    exercises: int = 3,
    sections: int = 3,
    products: int = 3,
    now: datetime | None = None,
) -> Pairings:
    """``{"exercises": [...], "sections": [...], "products": [...]}`` that go with the product ``sku``.

    Exercises: the rules' first, then those sharing the product's concepts,
    one of each kind before a second of any. Products: the merchant's pins in
    rules about this product first, then products those rules recommend, then
    products sharing concepts. Raises ``UnknownItemError`` for an unknown SKU.
    """
    product = compiled.catalog.products.get(sku)
    if product is None:
        raise UnknownItemError(f"no product with SKU {sku!r} in the catalog")
    name = str(text_for(product.text, locale).get("name") or sku)
    ex, sec, pr = _Tally(), _Tally(), _Tally()
    excluded: set[ItemRef] = set()
    for cr in _rules_with(ItemRef("product", sku), compiled, locale, now):
        rule_reason = Reason("rule", message(locale, "reason_paired", item=name, rule=cr.name), rule=cr.key)
        for ref, weight in cr.weights:
            said = _merchant_words(cr, ref, locale)
            if ref.type == "exercise":
                ex.add(ref.id, weight, rule_reason, said)
            elif ref.type == "section":
                sec.add(ref.id, weight, rule_reason, said)
            elif ref.id != sku:
                pr.add(ref.id, weight, rule_reason, said)
        for pin in cr.pins:
            said = _merchant_words(cr, pin.ref, locale)
            if pin.ref.type == "product":
                if pin.ref.id != sku:
                    pr.add(pin.ref.id, DECISIVE_WEIGHT - pin.position, rule_reason, said)
            else:
                (ex if pin.ref.type == "exercise" else sec).add(pin.ref.id, 1.0, rule_reason, said)
        excluded |= cr.excludes

    related = Reason("related", message(locale, "reason_related", item=name))
    for slug, item in compiled.catalog.exercises.items():
        overlap = _overlap(item.concepts, product.concepts)
        if overlap:
            ex.add(slug, overlap * SHARED_CONCEPT_WEIGHT, related)
    for section_id in compiled.sections:
        section = compiled.section(section_id, locale)
        if section is not None:
            shared = len(section.concepts & product.concepts)
            if shared:
                sec.add(section_id, shared * SHARED_CONCEPT_WEIGHT, related)
    for other in compiled.catalog.products.values():
        overlap = _overlap(other.concepts, product.concepts)
        if other.sku != sku and other.available and overlap:
            pr.add(other.sku, overlap * SHARED_CONCEPT_WEIGHT, related)

    def skipped(kind: str) -> list[str]:
        return [r.id for r in excluded if r.type == kind]

    paired = message(locale, "shopper_paired", item=name)
    catalog_exercises = compiled.catalog.exercises
    order = [s for s in ex.order(skipped("exercise")) if s in catalog_exercises]
    kinds = {slug: catalog_exercises[slug].kind for slug in order}
    ranked_ex = [
        RankedItem(catalog_exercises[slug], ex.scores[slug], ex.why_of(slug, paired))
        for slug in _varied(order, kinds, exercises)
    ]
    ranked_sec: list[RankedItem[SectionItem]] = []
    for section_id in sec.order(skipped("section"))[:sections]:
        found = compiled.section(section_id, locale)
        if found is not None:
            ranked_sec.append(RankedItem(found, sec.scores[section_id], sec.why_of(section_id, paired)))
    ranked_pr: list[RankedItem[ProductItem]] = []
    goes_with = message(locale, "shopper_goes_with", item=name)
    for other_sku in pr.order(skipped("product")):
        shown = compiled.product(other_sku)
        if shown is not None and len(ranked_pr) < products:
            ranked_pr.append(RankedItem(shown, pr.scores[other_sku], pr.why_of(other_sku, goes_with)))
    return Pairings(exercises=ranked_ex, sections=ranked_sec, products=ranked_pr)


def mention_in(section: SectionItem, product_name: str) -> str | None:
    """The words of ``section`` about a product: a bullet ``Name: what it does``, or a sentence naming it.

    >>> body = "Intro.\\n\\n- Seat cushion: more comfortable sitting."
    >>> mention_in(SectionItem("a", "en", "aids", "Aids", 0, frozenset(), body), "Ergonomic Seat Cushion")
    'More comfortable sitting'
    """
    words = set(name_words(product_name))
    if not words:
        return None
    best: tuple[int, str] | None = None
    for line in section.body.splitlines():
        labelled = _BULLET_LABEL.match(line)
        if labelled:
            label = name_words(labelled.group(1))
            if label and set(label) <= words:
                return _as_reason(labelled.group(2))
            continue
        for sentence in _SENTENCE_END.split(line.strip()):
            found = sum(1 for w in words if w in sentence.lower())
            if found >= min(2, len(words)) and (best is None or found > best[0]):
                best = (found, sentence)
    return _as_reason(best[1]) if best else None


def _as_reason(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:]


def products_for_sections(
    article_slug: str,
    compiled: CompiledRules,
    locale: str,
    *,
    per_section: int = 3,
    now: datetime | None = None,
) -> list[tuple[SectionItem, list[RankedItem[ProductItem]]]]:
    """Each section of an article, in reading order, with the products placed beside it.

    Each available product is placed once, beside the section that fits it
    best: the section whose text names it, then the strongest rule linking
    the two, then the most shared concepts (the earlier section on a tie).
    Sections about red flags get no products. The reason quotes the
    section's words about the product, else the merchant's words in the
    rule. Raises ``UnknownItemError`` for an unknown article.
    """
    by_locale = compiled.articles.get(article_slug)
    if not by_locale:
        raise UnknownItemError(f"no article {article_slug!r} in the catalog")
    sections = by_locale.get(locale) or by_locale.get("en") or next(iter(by_locale.values()))
    # sku -> (score, -position, section index, ranked item)
    best: dict[str, tuple[float, int, int, RankedItem[ProductItem]]] = {}
    for index, section in enumerate(sections):
        if any(c.startswith(RED_FLAG_GROUP) for c in section.concepts):
            continue
        section_id = f"{section.article}#{section.anchor}"
        tally = _Tally()
        excluded: set[str] = set()
        for cr in _rules_with(ItemRef("section", section_id), compiled, locale, now):
            reason = Reason("rule", message(locale, "reason_rule", rule=cr.name), rule=cr.key)
            for ref, weight in cr.weights:
                if ref.type == "product":
                    tally.add(ref.id, weight, reason, _merchant_words(cr, ref, locale))
            for pin in cr.pins:
                if pin.ref.type == "product":
                    tally.add(pin.ref.id, 1.0, reason, _merchant_words(cr, pin.ref, locale))
            excluded |= {r.id for r in cr.excludes if r.type == "product"}
        related = Reason("related", message(locale, "reason_related", item=section.heading), section=section_id)
        shared: dict[str, int] = {}
        for concept in section.concepts:
            for sku in compiled.products_by_concept.get(concept, ()):
                shared[sku] = shared.get(sku, 0) + 1
        for sku, count in shared.items():
            tally.add(sku, count * SHARED_CONCEPT_WEIGHT, related)
        for sku, candidate in compiled.catalog.products.items():
            if not candidate.available:
                continue
            words = mention_in(section, str(text_for(candidate.text, locale).get("name") or ""))
            if words:
                # The section's own words about the product are the shopper's reason.
                tally.said[sku] = words
                tally.add(sku, DECISIVE_WEIGHT, Reason("section", words, section=section_id))
        fallback = message(locale, "product_benefit")
        for sku in tally.order(excluded):
            item = compiled.product(sku)
            if item is None:
                continue
            score = tally.scores[sku]
            placed = best.get(sku)
            if placed is None or (score, -section.position) > placed[:2]:
                best[sku] = (score, -section.position, index, RankedItem(item, score, tally.why_of(sku, fallback)))
    out: list[tuple[SectionItem, list[RankedItem[ProductItem]]]] = [(s, []) for s in sections]
    for _, _, index, ranked in sorted(best.values(), key=lambda b: (-b[0], b[3].id)):
        if len(out[index][1]) < per_section:
            out[index][1].append(ranked)
    return out
