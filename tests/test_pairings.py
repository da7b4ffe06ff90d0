"""Pairings without a description: what goes with a product page; products for an article's sections."""

from __future__ import annotations

import pytest
from reco_samples import ARTICLE, NEVER_SHOWN, ids, product, rule, sample_catalog

from shop_reco.recommending import (
    UnknownItemError,
    compile_rules,
    pairings_for_product,
    products_for_sections,
)


@pytest.fixture
def compiled():  # type: ignore[no-untyped-def]
    rules = [
        rule(
            "back-belt",
            name="Lower back support",
            all=["area:lower_back"],
            exercises=[("glute-bridge", 2), ("plank", 3)],
            products=[("lumbar-support-belt", 1)],
            sections=[("strengthening", 2)],
        ),
        rule(
            "featured-pin",
            all=["trigger:lifting"],
            actions={
                "pin": [
                    {"type": "product", "id": "lumbar-support-belt", "position": 1},
                    {"type": "exercise", "id": "hamstring-stretch", "position": 1},
                ]
            },
        ),
        rule(
            "sitting",
            all=["trigger:sitting"],
            exercises=[("hip-flexor-stretch", 3)],
            products=[("ergonomic-seat-cushion", 2), ("standing-mat", 5)],
            sections=[("ergonomic-aids", 2)],
        ),
        rule(
            "sv-only",
            all=["area:lower_back"],
            locales=["sv"],
            exercises=[("swimming", 9)],
            products=[("lumbar-support-belt", 1)],
        ),
        rule(
            "later",
            all=["area:lower_back"],
            valid_from="2999-01-01T00:00:00Z",
            exercises=[("brisk-walking", 9)],
            products=[("lumbar-support-belt", 1)],
        ),
    ]
    return compile_rules(rules, sample_catalog())


def test_a_product_pairs_with_what_rules_recommend_alongside_it(compiled) -> None:  # type: ignore[no-untyped-def]
    pairs = pairings_for_product("lumbar-support-belt", compiled, "en")
    exercises = ids(pairs["exercises"])
    assert exercises[:3] == [
        "plank",
        "glute-bridge",
        "hamstring-stretch",
    ]  # rule weights, then the pin's rule
    assert "swimming" not in exercises  # a Swedish-only rule
    assert "brisk-walking" not in exercises  # a rule not valid yet
    shopper, trace = pairs["exercises"][0].why[0], pairs["exercises"][0].why[1]
    assert shopper.kind == "shopper" and shopper.text == "Often suggested with Lumbar support belt"
    assert "Lower back support" not in pairs["exercises"][0].reason  # never the rule's name
    assert trace.kind == "rule" and trace.rule == "back-belt"
    assert trace.text == "Often suggested with Lumbar support belt: Lower back support"  # the trace keeps it
    assert ids(pairs["sections"])[0] == "hip-and-lower-back-pain#strengthening"


def test_a_product_page_shows_three_exercises_of_different_kinds(compiled) -> None:  # type: ignore[no-untyped-def]
    pairs = pairings_for_product("lumbar-support-belt", compiled, "en")
    kinds = [r.item.kind for r in pairs["exercises"]]
    assert len(kinds) == 3 and len(set(kinds)) == 3, kinds


def test_the_rules_shopper_reason_is_what_the_shopper_reads(compiled) -> None:  # type: ignore[no-untyped-def]
    said = {"en": "Support and steadiness for the lower back", "sv": "Stöd och stadga för ländryggen"}
    rules = [
        rule(
            "belt",
            all=["area:lower_back"],
            exercises=[("plank", 3)],
            products=[("lumbar-support-belt", 1)],
            actions={"shopper_reason": said},
        ),
    ]
    pairs = pairings_for_product("lumbar-support-belt", compile_rules(rules, sample_catalog()), "sv")
    assert pairs["exercises"][0].reason == said["sv"]


def test_goes_well_with_lists_other_products_sharing_concepts_pins_first() -> None:
    rules = [
        rule(
            "belt-pins-mat",
            all=["trigger:lifting"],
            products=[("lumbar-support-belt", 1)],
            actions={"pin": [{"type": "product", "id": "posture-shirt-women-black", "position": 1}]},
        ),
    ]
    pillow = product("lumbar-pillow", "Lumbar pillow", concepts={"area:lower_back"})
    compiled = compile_rules(rules, sample_catalog(extra_products=[pillow]))
    pairs = pairings_for_product("lumbar-support-belt", compiled, "en")
    others = ids(pairs["products"])
    assert others[0] == "posture-shirt-women-black"  # the merchant's pin first, sharing no concept
    assert "lumbar-pillow" in others  # shares area:lower_back
    assert "lumbar-support-belt" not in others and not NEVER_SHOWN & set(others)
    assert all(p.reason for p in pairs["products"])


def test_items_sharing_the_products_concepts_come_after_rule_pairings(compiled) -> None:  # type: ignore[no-untyped-def]
    pairs = pairings_for_product("posture-shirt-women-black", compiled, "en", exercises=4, sections=3)
    assert ids(pairs["exercises"]) == ["plank"]  # shares trigger:poor_posture
    assert pairs["exercises"][0].why[1].kind == "related"
    assert "hip-and-lower-back-pain#ergonomic-aids" in ids(pairs["sections"])


def test_a_swedish_product_page_gets_swedish_sections_and_rules(compiled) -> None:  # type: ignore[no-untyped-def]
    pairs = pairings_for_product("lumbar-support-belt", compiled, "sv")
    assert ids(pairs["exercises"])[0] == "swimming"
    assert pairs["sections"][0].item.heading == "Styrkeövningar"
    assert pairs["exercises"][0].reason.startswith("Föreslås ofta tillsammans med")


def test_an_unknown_sku_or_article_is_a_lookup_error(compiled) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownItemError, match="no-such-sku"):
        pairings_for_product("no-such-sku", compiled, "en")
    with pytest.raises(LookupError):
        products_for_sections("no-such-article", compiled, "en")


AIDS = """Small changes around you can make the day more comfortable:

- Lumbar support belt: a feeling of support for the lower back during daily activity.
- Seat cushion: more comfortable sitting at the desk."""


def test_article_sections_list_their_products_in_reading_order(compiled) -> None:  # type: ignore[no-untyped-def]
    compiled = compile_rules([cr.rule for cr in compiled.rules], sample_catalog(bodies={"ergonomic-aids": AIDS}))
    by_section = products_for_sections(ARTICLE, compiled, "en")
    anchors = [s.anchor for s, _ in by_section]
    assert anchors == [
        "stretching",
        "strengthening",
        "core-and-aerobic",
        "form",
        "how-often",
        "safety",
        "ergonomic-aids",
        "what-to-avoid",
    ]
    products = {s.anchor: ids(p) for s, p in by_section}
    placed = [sku for skus in products.values() for sku in skus]
    assert len(placed) == len(set(placed))  # each product once
    # The section whose text names the products gets them, whatever rules link elsewhere.
    assert {"ergonomic-seat-cushion", "lumbar-support-belt"} <= set(products["ergonomic-aids"])
    assert products["strengthening"] == [] and products["how-often"] == []
    belt = dict((s.anchor, p) for s, p in by_section)["ergonomic-aids"]
    reasons = {r.id: r.reason for r in belt}
    assert reasons["lumbar-support-belt"].startswith("A feeling of support")  # the section's own words
    cushion = next(r for r in belt if r.id == "ergonomic-seat-cushion")
    assert any(w.rule == "sitting" for w in cushion.why)  # the trace keeps the rule that links them


def test_unavailable_products_never_pair(compiled) -> None:  # type: ignore[no-untyped-def]
    for locale in ("en", "sv"):
        for _, products in products_for_sections(ARTICLE, compiled, locale):
            assert not NEVER_SHOWN & set(ids(products))
    assert products_for_sections(ARTICLE, compiled, "sv")[0][0].heading == "Stretchövningar"


def test_per_section_caps_the_products(compiled) -> None:  # type: ignore[no-untyped-def]
    for _, products in products_for_sections(ARTICLE, compiled, "en", per_section=1):
        assert len(products) <= 1
