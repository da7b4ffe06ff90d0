"""Synthetic rules, products and shopper profiles for benchmarks, reproducible from a seed.

The JSON generators (``synthetic_rule_dicts``, ``synthetic_product_dicts``)
give the shapes the rules schema and the product import accept, so the HTTP
benchmark can load them into a database; the ``*_catalog`` / ``*_rules``
helpers build the plain records the recommender uses directly.

The first hundred rules look like a typical merchant's (catch-alls, broad
single-concept rules, two-concept rules); beyond them comes the long tail of
a very large shop: specific situations of four concepts (a tenth of them
three), mostly scoped to a locale or a campaign's dates, each pointing at a
few of the many products. A description meets only the rules for its own
concept combinations, which is what the 100-versus-10,000 comparison
measures. How specific the long tail is decides how many more rules fire
per description (half of it on three concepts: about 1.3 more, and a ratio
near 1.2; a tenth: about 0.8 more).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from shop_reco import vocabulary
from shop_reco.recommending.catalog import Catalog, ExerciseItem, ProductItem, SectionItem
from shop_reco.recommending.rules import Rule, load_rules
from shop_reco.understanding.profile import Match, Profile

#: The concepts shoppers mention (red flags are left to the safety gate).
CONCEPTS: tuple[str, ...] = tuple(
    f"{group}:{code}" for group in ("area", "symptom", "trigger") for code in vocabulary.GROUPS[group]
)
ARTICLE = "hip-and-lower-back-pain"
ANCHORS = (
    "stretching",
    "strengthening",
    "core-and-aerobic",
    "form",
    "how-often",
    "safety",
    "ergonomic-aids",
    "what-to-avoid",
)
EXERCISES: dict[str, str] = {
    "hamstring-stretch": "stretch",
    "hip-flexor-stretch": "stretch",
    "piriformis-stretch": "stretch",
    "glute-bridge": "strength",
    "plank": "core",
    "hip-abduction": "strength",
    "hip-extension": "strength",
    "swimming": "aerobic",
    "brisk-walking": "aerobic",
}
#: The first rules are a typical merchant's set; broad rules and catch-alls don't grow with the count.
CORE_RULES = 100
BROAD_RULES = 20
CATCH_ALL_RULES = 2
EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)


def synthetic_product_dicts(n: int, *, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` products in the import shape; about 8% out of stock and 4% inactive."""
    out = []
    for i in range(n):
        rnd = random.Random(f"product-{seed}-{i}")  # one stream per product: the first n are always alike
        sku = f"syn-{i:05d}"
        out.append(
            {
                "sku": sku,
                "price": f"{rnd.randint(99, 1999)}.00",
                "currency": "SEK",
                "url": f"/shop/{sku}",
                "image_url": "",
                "in_stock": rnd.random() > 0.08,
                "active": rnd.random() > 0.04,
                "concepts": sorted(rnd.sample(CONCEPTS, rnd.randint(1, 3))),
                "text": {
                    "en": {"name": f"Comfort product {i}", "description": "Support for daily activity."},
                    "sv": {"name": f"Komfortprodukt {i}", "description": "Stöd i vardagen."},
                },
            }
        )
    return out


def _targets(rnd: random.Random, skus: Sequence[str]) -> dict[str, Any]:
    actions: dict[str, Any] = {
        "products": [
            {"sku": s, "weight": rnd.randint(1, 5)} for s in rnd.sample(list(skus), min(len(skus), rnd.randint(1, 2)))
        ]
    }
    if rnd.random() < 0.3:
        actions["exercises"] = [{"slug": rnd.choice(list(EXERCISES)), "weight": rnd.randint(1, 4)}]
    if rnd.random() < 0.2:
        actions["sections"] = [{"article": ARTICLE, "anchor": rnd.choice(ANCHORS), "weight": 1}]
    if rnd.random() < 0.05:
        actions["boost"] = [{"type": "product", "id": rnd.choice(skus), "by": rnd.choice([-3, 2])}]
    if rnd.random() < 0.03:
        actions["pin"] = [{"type": "product", "id": rnd.choice(skus), "position": rnd.randint(1, 3)}]
    if rnd.random() < 0.02:
        actions["exclude"] = [{"type": "exercise", "id": rnd.choice(list(EXERCISES))}]
    return actions


def _core_conditions(i: int, rnd: random.Random) -> dict[str, Any]:
    """Conditions of the first ``CORE_RULES`` rules: what a typical merchant writes."""
    if i < CATCH_ALL_RULES:
        return {}
    if i < CATCH_ALL_RULES + BROAD_RULES:
        return {"all": [CONCEPTS[i % len(CONCEPTS)]]}
    picked = rnd.sample(CONCEPTS, 3)
    if rnd.random() < 0.3:
        return {"all": picked[:1], "any": picked[1:]}
    return {"all": picked[:2]}


def _long_tail_conditions(rnd: random.Random) -> dict[str, Any]:
    """Conditions of the long tail: specific situations (mostly four concepts, some three), often scoped."""
    picked = rnd.sample(CONCEPTS, 5)
    conditions: dict[str, Any] = {"all": picked[: 3 if rnd.random() < 0.1 else 4]}
    if rnd.random() < 0.1:
        conditions["none"] = [picked[4]]
    if rnd.random() < 0.2:
        conditions["severity"] = [rnd.choice(vocabulary.SEVERITIES)]
    return conditions


def synthetic_rule_dicts(n: int, *, skus: Sequence[str], seed: int = 0) -> list[dict[str, Any]]:
    """``n`` rules in the JSON shape ``RuleSchema`` loads, pointing at ``skus``.

    The first ``CORE_RULES`` look like a typical merchant's set (two
    catch-alls, twenty single-concept rules, the rest on two concepts); the
    others (pointing at any product; the core ones at the first hundred) are
    the long tail of a very large shop: specific situations of four
    concepts (a tenth of them three), most of them scoped to one locale or
    to a campaign's dates. A description meets only the rules for its own
    concept combinations, so the long tail adds few matches per request.
    """
    out: list[dict[str, Any]] = []
    core_skus = skus[:CORE_RULES]
    for i in range(n):
        rnd = random.Random(f"rule-{seed}-{i}")  # one stream per rule: the first n are always alike
        core = i < CORE_RULES
        rule: dict[str, Any] = {
            "key": f"syn-rule-{i:05d}",
            "name": f"Synthetic rule {i}",
            "active": rnd.random() > 0.05,
            "priority": rnd.randint(0, 500),
            "conditions": _core_conditions(i, rnd) if core else _long_tail_conditions(rnd),
            "actions": _targets(rnd, core_skus if core else skus),
        }
        if rnd.random() < (0.1 if core else 0.6):
            rule["locales"] = [rnd.choice(vocabulary.LOCALES)]
        if rnd.random() < (0.05 if core else 0.3):
            start = EPOCH + timedelta(days=rnd.randint(-400, 400))
            rule["valid_from"] = start.isoformat()
            rule["valid_until"] = (start + timedelta(days=rnd.randint(7, 120))).isoformat()
        out.append(rule)
    return out


def base_catalog(products: Sequence[dict[str, Any]] = ()) -> Catalog:
    """The demo exercises and article sections (en and sv) plus ``products`` (import shape)."""
    exercises = {
        slug: ExerciseItem(
            slug=slug,
            kind=kind,
            target_areas=(),
            concepts=frozenset(),
            dose={},
            weekly_frequency={"min": 2, "max": 3},
            text={"en": {"name": slug.replace("-", " ")}, "sv": {"name": slug}},
        )
        for slug, kind in EXERCISES.items()
    }
    rnd = random.Random(7)
    sections = tuple(
        SectionItem(
            article=ARTICLE,
            locale=loc,
            anchor=anchor,
            heading=anchor.replace("-", " "),
            position=pos,
            concepts=frozenset(rnd.sample(CONCEPTS, 3)),
        )
        for loc in vocabulary.LOCALES
        for pos, anchor in enumerate(ANCHORS)
    )
    items = {
        p["sku"]: ProductItem(
            sku=p["sku"],
            price=p["price"],
            currency=p["currency"],
            url=p["url"],
            image_url=p["image_url"],
            in_stock=p["in_stock"],
            active=p["active"],
            concepts=frozenset(p["concepts"]),
            text=p["text"],
        )
        for p in products
    }
    return Catalog(exercises=exercises, products=items, sections=sections)


def synthetic_setup(n_rules: int, n_products: int, *, seed: int = 0) -> tuple[list[Rule], Catalog]:
    """Validated rules and the catalog they point at."""
    products = synthetic_product_dicts(n_products, seed=seed)
    rules = load_rules(synthetic_rule_dicts(n_rules, skus=[p["sku"] for p in products], seed=seed + 1))
    return rules, base_catalog(products)


def synthetic_profiles(n: int, *, seed: int = 0) -> list[Profile]:
    """Profiles like the analyzer's for typical descriptions: two to five findings, with phrases."""
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        concepts = rnd.sample(CONCEPTS, rnd.randint(2, 5))
        matches = tuple(
            Match(c.split(":")[0], c.split(":")[1], c.split(":")[1].replace("_", " "), 10 * i, 10 * i + 8)
            for i, c in enumerate(concepts)
        )

        def codes(group: str, concepts: list[str] = concepts) -> tuple[str, ...]:
            return tuple(c.split(":")[1] for c in concepts if c.startswith(group + ":"))

        out.append(
            Profile(
                locale=rnd.choice(vocabulary.LOCALES),
                areas=codes("area"),
                symptoms=codes("symptom"),
                triggers=codes("trigger"),
                severity=rnd.choice((None, *vocabulary.SEVERITIES)),
                duration_weeks=rnd.choice((None, 2.0, 13.0)),
                matches=matches,
            )
        )
    return out
