"""Pairings without a description: what goes with a product page, and products for an article.

Rules that recommend (or pin) a product say what goes with it: their other
exercises and sections. Items sharing the product's concepts come next.
Unavailable products (inactive or out of stock) never appear.

    >>> pairings_for_product("lumbar-support-belt", compiled, "en")["exercises"]   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import TypedDict

from shop_reco import vocabulary
from shop_reco.recommending.catalog import ExerciseItem, ProductItem, SectionItem, text_for
from shop_reco.recommending.index import CompiledRule, CompiledRules
from shop_reco.recommending.messages import message
from shop_reco.recommending.results import RankedItem, Reason
from shop_reco.recommending.rules import ItemRef

#: Shared concepts count for a little, rule pairings for much more.
SHARED_CONCEPT_WEIGHT = 0.1


class Pairings(TypedDict):
    """What goes with a product: ranked exercises and article sections, each with why."""

    exercises: list[RankedItem[ExerciseItem]]
    sections: list[RankedItem[SectionItem]]


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


class _Tally:
    """Scores and reasons for one kind of paired item."""

    def __init__(self) -> None:
        self.scores: dict[str, float] = {}
        self.why: dict[str, list[Reason]] = {}

    def add(self, item_id: str, score: float, reason: Reason) -> None:
        self.scores[item_id] = self.scores.get(item_id, 0.0) + score
        reasons = self.why.setdefault(item_id, [])
        if reason not in reasons:
            reasons.append(reason)

    def best(self, limit: int, skip: Iterable[str] = ()) -> list[tuple[str, float, tuple[Reason, ...]]]:
        blocked = set(skip)
        order = sorted((i for i in self.scores if i not in blocked), key=lambda i: (-self.scores[i], i))
        return [(i, self.scores[i], tuple(self.why[i])) for i in order[:limit]]


def pairings_for_product(
    sku: str,
    compiled: CompiledRules,
    locale: str,
    *,
    exercises: int = 4,
    sections: int = 3,
    now: datetime | None = None,
) -> Pairings:
    """``{"exercises": [...], "sections": [...]}`` that go with the product ``sku``.

    Raises ``UnknownItemError`` when the SKU is not in the catalog.
    """
    product = compiled.catalog.products.get(sku)
    if product is None:
        raise UnknownItemError(f"no product with SKU {sku!r} in the catalog")
    name = str(text_for(product.text, locale).get("name") or sku)
    ex, sec = _Tally(), _Tally()
    excluded: set[ItemRef] = set()
    for cr in _rules_with(ItemRef("product", sku), compiled, locale, now):
        rule_reason = Reason("rule", message(locale, "reason_paired", item=name, rule=cr.name), rule=cr.key)
        for ref, weight in cr.weights:
            if ref.type == "exercise":
                ex.add(ref.id, weight, rule_reason)
            elif ref.type == "section":
                sec.add(ref.id, weight, rule_reason)
        for pin in cr.pins:
            if pin.ref.type in ("exercise", "section"):
                (ex if pin.ref.type == "exercise" else sec).add(pin.ref.id, 1.0, rule_reason)
        excluded |= cr.excludes

    related = Reason("related", message(locale, "reason_related", item=name))
    for slug, item in compiled.catalog.exercises.items():
        shared = len(item.concepts & product.concepts)
        if shared:
            ex.add(slug, shared * SHARED_CONCEPT_WEIGHT, related)
    for section_id in compiled.sections:
        section = compiled.section(section_id, locale)
        if section is not None:
            shared = len(section.concepts & product.concepts)
            if shared:
                sec.add(section_id, shared * SHARED_CONCEPT_WEIGHT, related)

    skip_ex = [r.id for r in excluded if r.type == "exercise"]
    skip_sec = [r.id for r in excluded if r.type == "section"]
    ranked_ex: list[RankedItem[ExerciseItem]] = []
    for slug, score, why in ex.best(exercises, skip_ex):
        paired = compiled.exercise(slug)
        if paired is not None:
            ranked_ex.append(RankedItem(paired, score, why))
    ranked_sec: list[RankedItem[SectionItem]] = []
    for section_id, score, why in sec.best(sections, skip_sec):
        found = compiled.section(section_id, locale)
        if found is not None:
            ranked_sec.append(RankedItem(found, score, why))
    return Pairings(exercises=ranked_ex, sections=ranked_sec)


def products_for_sections(
    article_slug: str,
    compiled: CompiledRules,
    locale: str,
    *,
    per_section: int = 3,
    now: datetime | None = None,
) -> list[tuple[SectionItem, list[RankedItem[ProductItem]]]]:
    """Each section of an article, in reading order, with the available products that go with it.

    Products come from rules that link the section and the product, then from
    shared concepts. Raises ``UnknownItemError`` for an unknown article.
    """
    by_locale = compiled.articles.get(article_slug)
    if not by_locale:
        raise UnknownItemError(f"no article {article_slug!r} in the catalog")
    sections = by_locale.get(locale) or by_locale.get("en") or next(iter(by_locale.values()))
    out: list[tuple[SectionItem, list[RankedItem[ProductItem]]]] = []
    for section in sections:
        section_id = f"{section.article}#{section.anchor}"
        tally = _Tally()
        excluded: set[str] = set()
        for cr in _rules_with(ItemRef("section", section_id), compiled, locale, now):
            reason = Reason("rule", message(locale, "reason_rule", rule=cr.name), rule=cr.key)
            for ref, weight in cr.weights:
                if ref.type == "product":
                    tally.add(ref.id, weight, reason)
            for pin in cr.pins:
                if pin.ref.type == "product":
                    tally.add(pin.ref.id, 1.0, reason)
            excluded |= {r.id for r in cr.excludes if r.type == "product"}
        related = Reason("related", message(locale, "reason_related", item=section.heading), section=section_id)
        shared: dict[str, int] = {}
        for concept in section.concepts:
            for sku in compiled.products_by_concept.get(concept, ()):
                shared[sku] = shared.get(sku, 0) + 1
        for sku, count in shared.items():
            tally.add(sku, count * SHARED_CONCEPT_WEIGHT, related)
        products: list[RankedItem[ProductItem]] = []
        for sku, score, why in tally.best(len(tally.scores), excluded):
            item = compiled.product(sku)
            if item is not None:
                products.append(RankedItem(item, score, why))
            if len(products) >= per_section:
                break
        out.append((section, products))
    return out
