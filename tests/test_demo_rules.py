"""The demo rules (``shop_reco/demo/data/rules.json``) validate, point at real demo content, and map
descriptions to the advice the article gives; the test bench covers every red flag in both locales."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from reco_samples import ids, profile_of

from shop_reco import vocabulary
from shop_reco.recommending import (
    Catalog,
    CompiledRules,
    ExerciseItem,
    ProductItem,
    SectionItem,
    check_references,
    compile_rules,
    load_rules,
    recommend,
)
from shop_reco.recommending.screening import with_screen_answers
from shop_reco.understanding import analyze

DATA = resources.files("shop_reco.demo").joinpath("data")


def read(name: str) -> Any:
    return json.loads(DATA.joinpath(name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_catalog() -> Catalog:
    """The demo exercises, products and articles, read as the storage layer would."""
    missing = [n for n in ("exercises.json", "products.json", "articles.json") if not DATA.joinpath(n).is_file()]
    assert not missing, f"the demo content files are missing: {missing}"
    exercises = {
        e["slug"]: ExerciseItem(
            slug=e["slug"],
            kind=e["kind"],
            target_areas=tuple(e["target_areas"]),
            concepts=frozenset(e["concepts"]),
            dose=e["dose"],
            weekly_frequency=e["weekly_frequency"],
            text=e["text"],
            sources=tuple(e.get("sources", ())),
        )
        for e in read("exercises.json")
    }
    products = {
        p["sku"]: ProductItem(
            sku=p["sku"],
            price=str(p["price"]),
            currency=p["currency"],
            url=p["url"],
            image_url=p.get("image_url", ""),
            in_stock=p.get("in_stock", True),
            active=p.get("active", True),
            concepts=frozenset(p["concepts"]),
            text=p["text"],
        )
        for p in read("products.json")
    }
    sections = tuple(
        SectionItem(
            article=a["slug"],
            locale=a["locale"],
            anchor=s["anchor"],
            heading=s["heading"],
            position=pos,
            concepts=frozenset(s.get("concepts", ())),
            body=s.get("body", ""),
        )
        for a in read("articles.json")
        for pos, s in enumerate(a["sections"])
    )
    return Catalog(exercises=exercises, products=products, sections=sections)


@pytest.fixture(scope="module")
def compiled(demo_catalog: Catalog) -> CompiledRules:
    return compile_rules(load_rules(read("rules.json")), demo_catalog)


def test_demo_rules_validate_and_point_at_demo_content(demo_catalog: Catalog) -> None:
    rules = load_rules(read("rules.json"))
    assert len({r.key for r in rules}) == len(rules) >= 10
    for r in rules:
        assert check_references(r, demo_catalog) == [], r.key
        for avoid in r.actions.avoid:
            assert set(avoid.text) == {"en", "sv"}, (r.key, avoid.code)
        for target in r.actions.products:
            assert target.reason and set(target.reason) == {"en", "sv"}, (r.key, target.ref)


SITTING = ("trigger:sitting", "after sitting all day")
MAPPINGS = [
    # (what the shopper said, exercises that must be there, products that must be there)
    ([SITTING], ["hip-flexor-stretch", "glute-bridge"], ["ergonomic-seat-cushion"]),
    ([("trigger:poor_posture", "my posture is bad")], ["plank"], ["posture-shirt-women-black"]),
    ([("trigger:screen_use", "at the computer")], ["plank"], ["posture-shirt-women-black"]),
    ([("symptom:radiating_pain", "shoots down my leg")], ["piriformis-stretch"], []),
    ([("area:buttock", "my buttock")], ["piriformis-stretch"], []),
    ([("area:lower_back", "lower back")], ["glute-bridge", "plank"], ["lumbar-support-belt"]),
    ([("trigger:lifting", "lifting boxes")], [], ["lumbar-support-belt"]),
    ([("trigger:standing", "standing all day")], [], ["lumbar-support-belt"]),
    ([("area:hip", "my hip")], ["hip-flexor-stretch", "hip-abduction", "hip-extension"], []),
    ([("trigger:stairs", "climbing stairs")], ["hip-abduction"], []),
    ([("area:thigh", "back of my thigh")], ["hamstring-stretch"], []),
    ([("area:thigh", "hamstrings"), ("symptom:tightness", "tight")], ["hamstring-stretch"], []),
    ([("trigger:bending", "bending forward")], ["hamstring-stretch"], []),
    ([("area:lower_back", "lower back"), ("symptom:stiffness", "stiff")], ["hamstring-stretch"], []),
    ([("trigger:high_impact", "running")], ["swimming", "brisk-walking"], []),
]


@pytest.mark.parametrize(("found", "exercises", "products"), MAPPINGS, ids=[m[0][-1][0] for m in MAPPINGS])
@pytest.mark.parametrize("locale", ["en", "sv"])
def test_each_demo_mapping_holds(compiled, found, exercises, products, locale) -> None:  # type: ignore[no-untyped-def]
    result = recommend(profile_of(*found, locale=locale), compiled, locale=locale)
    assert result.safety.level == "none"
    assert result.fallback is not bool(exercises)  # no exercise from the rules: a general routine
    assert set(exercises) <= set(ids(result.exercises))
    assert set(products) <= set(ids(result.products))
    assert result.routine is not None and result.routine.balanced
    assert result.sections and all(s.item.locale == locale for s in result.sections)


def test_tight_hamstrings_put_the_hamstring_stretch_first(compiled) -> None:  # type: ignore[no-untyped-def]
    result = recommend(profile_of(("area:thigh", "hamstrings"), ("symptom:tightness", "tight")), compiled, locale="en")
    assert ids(result.exercises)[0] == "hamstring-stretch"


def test_the_belt_is_offered_as_support_during_daily_activity(compiled) -> None:  # type: ignore[no-untyped-def]
    for locale, text in (
        ("en", "Support during daily activity — you mentioned “lifting boxes”"),
        ("sv", "Stöd i vardagen – du skrev ”lifting boxes”"),
    ):
        result = recommend(profile_of(("trigger:lifting", "lifting boxes"), locale=locale), compiled, locale=locale)
        belt = result.products[0]
        assert belt.item.sku == "lumbar-support-belt" and belt.why[0].text == text


@pytest.mark.parametrize("locale", ["en", "sv"])
def test_high_impact_comes_with_what_to_avoid(compiled, locale) -> None:  # type: ignore[no-untyped-def]
    result = recommend(profile_of(("trigger:high_impact", "running"), locale=locale), compiled, locale=locale)
    assert [a.code for a in result.avoid] == ["high-impact", "full-sit-ups", "toe-touches", "heavy-twisting"]
    assert all(a.text for a in result.avoid)
    assert "hip-and-lower-back-pain#what-to-avoid" in ids(result.sections)


def test_the_desk_worker_gets_stretch_strength_aerobic_and_both_supports(compiled) -> None:  # type: ignore[no-untyped-def]
    profile = profile_of(("area:lower_back", "lower back"), ("symptom:pain", "aches"), SITTING)
    result = recommend(profile, compiled, locale="en")
    assert {"hip-flexor-stretch", "glute-bridge"} <= set(ids(result.exercises))
    assert {"lumbar-support-belt", "ergonomic-seat-cushion"} <= set(ids(result.products))
    assert result.routine is not None and result.routine.balanced


def test_a_red_flag_gates_the_demo_rules(compiled) -> None:  # type: ignore[no-untyped-def]
    profile = profile_of(("area:lower_back", "lower back"), SITTING, ("red_flag:numbness", "numb foot"))
    result = recommend(profile, compiled, locale="en")
    assert result.exercises == () and result.products == ()
    assert ids(result.sections) == ["hip-and-lower-back-pain#safety"]
    with_products = recommend(profile, compiled, locale="en", products_on_consult=True)
    assert with_products.exercises == () and "lumbar-support-belt" in ids(with_products.products)


# --- the test bench ---------------------------------------------------------------------------------

EXPECT_KEYS = {"safety", "red_flags", "exercises", "products", "products_empty", "exercises_empty", "screening"}


def test_the_test_bench_is_well_formed_and_covers_every_red_flag_in_both_locales() -> None:
    cases = read("testbench.json")
    assert len({c["id"] for c in cases}) == len(cases) >= 15
    slugs = {e["slug"] for e in read("exercises.json")} if DATA.joinpath("exercises.json").is_file() else None
    skus = {p["sku"] for p in read("products.json")} if DATA.joinpath("products.json").is_file() else None
    for case in cases:
        assert set(case) == {"id", "locale", "text", "expect"} and case["locale"] in vocabulary.LOCALES
        assert set(case["expect"]) <= EXPECT_KEYS and case["expect"]["safety"] in vocabulary.SAFETY_LEVELS
        assert slugs is None or set(case["expect"].get("exercises", [])) <= slugs
        assert skus is None or set(case["expect"].get("products", [])) <= skus
        flags = case["expect"].get("red_flags", [])
        assert case["expect"]["safety"] == vocabulary.safety_level(flags)
    for locale in vocabulary.LOCALES:
        covered = {f for c in cases if c["locale"] == locale for f in c["expect"].get("red_flags", [])}
        assert covered == set(vocabulary.RED_FLAGS), locale


#: Test-bench cases the analyzer (written in parallel) does not read right yet: case id -> what it misses.
@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in read("testbench.json")])
def test_the_test_bench_passes_end_to_end(compiled, case) -> None:  # type: ignore[no-untyped-def]
    locale, expect = case["locale"], case["expect"]
    profile = with_screen_answers(analyze(case["text"], locale), expect.get("screening"))  # the shopper's screen
    result = recommend(profile, compiled, locale=locale)
    assert result.safety.level == expect["safety"]
    assert set(expect.get("red_flags", [])) <= {f.code for f in result.safety.red_flags}
    assert set(expect.get("exercises", [])) <= set(ids(result.exercises))
    assert set(expect.get("products", [])) <= set(ids(result.products))
    if expect.get("exercises_empty"):
        assert result.exercises == ()
    if expect.get("products_empty"):
        assert result.products == ()
    if result.exercises:
        phrases = [r.phrase for item in result.exercises for r in item.why if r.phrase]
        assert all(p and p.lower() in case["text"].lower() for p in phrases)  # reasons quote the shopper
