"""The rule index: a lookup finds exactly the rules a description's concepts satisfy, and the work
it does depends on what the description mentions, not on how many rules exist."""

from __future__ import annotations

import random
import statistics

from hypothesis import given
from hypothesis import strategies as st
from reco_samples import profile_of, rule, sample_catalog

from shop_reco import vocabulary
from shop_reco.recommending import compile_rules, recommend
from shop_reco.recommending.index import MAX_KEY_SIZE
from shop_reco.recommending.rules import Actions, Conditions, ItemRef, Rule, Target

SHOPPER_CONCEPTS = sorted(
    f"{group}:{code}" for group in ("area", "symptom", "trigger") for code in vocabulary.GROUPS[group]
)
ACTIONS = Actions(exercises=(Target(ItemRef("exercise", "glute-bridge")),))


def make_rule(i: int, all_: set[str], any_: set[str] = frozenset(), locales: set[str] = frozenset()) -> Rule:  # type: ignore[assignment]
    return Rule(
        key=f"r{i}",
        name=f"r{i}",
        conditions=Conditions(all=frozenset(all_), any=frozenset(any_)),
        actions=ACTIONS,
        locales=frozenset(locales),
    )


def synthetic(n: int, seed: int = 1) -> list[Rule]:
    """Like a large shop's rules: 2 catch-alls, 20 broad, 78 on two concepts; beyond 100 the long tail
    of specific situations (three or four concepts, most scoped to one locale)."""
    rules = []
    for i in range(n):
        rnd = random.Random(f"{seed}-{i}")
        if i < 2:
            rules.append(make_rule(i, set()))
        elif i < 22:
            rules.append(make_rule(i, {SHOPPER_CONCEPTS[i % len(SHOPPER_CONCEPTS)]}))
        elif i < 100:
            rules.append(make_rule(i, set(rnd.sample(SHOPPER_CONCEPTS, 2))))
        else:
            size = 3 if rnd.random() < 0.2 else 4
            locales = {rnd.choice(vocabulary.LOCALES)} if rnd.random() < 0.6 else set()
            rules.append(make_rule(i, set(rnd.sample(SHOPPER_CONCEPTS, size)), locales=locales))
    return rules


def profiles(n: int = 200, seed: int = 5) -> list[frozenset[str]]:
    rnd = random.Random(seed)
    return [frozenset(rnd.sample(SHOPPER_CONCEPTS, rnd.randint(2, 5))) for _ in range(n)]


def brute_force(rules: list[Rule], concepts: frozenset[str], locale: str | None) -> set[str]:
    """What a linear scan over every rule would find."""
    found = set()
    for r in rules:
        c = r.conditions
        if not r.active or (locale and r.locales and locale not in r.locales):
            continue
        if c.all <= concepts and (not c.any or c.any & concepts):
            found.add(r.key)
    return found


concept_sets = st.frozensets(st.sampled_from(SHOPPER_CONCEPTS), max_size=6)


@given(
    st.lists(
        st.tuples(
            concept_sets,
            st.frozensets(st.sampled_from(SHOPPER_CONCEPTS), max_size=3),
            st.sampled_from([frozenset(), frozenset({"en"}), frozenset({"sv"})]),
        ),
        max_size=25,
    ),
    st.frozensets(st.sampled_from(SHOPPER_CONCEPTS), max_size=8),
    st.sampled_from(["en", "sv", None]),
)
def test_a_lookup_finds_exactly_what_a_linear_scan_would(conditions, concepts, locale) -> None:  # type: ignore[no-untyped-def]
    rules = [make_rule(i, all_, any_, locales) for i, (all_, any_, locales) in enumerate(conditions)]
    compiled = compile_rules(rules, sample_catalog())
    found = {cr.key for cr in compiled.lookup(concepts, locale).rules}
    assert found == brute_force(rules, concepts, locale)


def test_a_rule_with_any_concepts_fires_once_however_many_match() -> None:
    rules = [
        rule(
            "posture",
            any=["trigger:poor_posture", "trigger:screen_use", "area:neck"],
            exercises=[("plank", 1)],
        )
    ]
    compiled = compile_rules(rules, sample_catalog())
    profile = profile_of(("trigger:poor_posture", "slouch"), ("trigger:screen_use", "laptop"), ("area:neck", "neck"))
    assert len(compiled.lookup(profile.concepts, "en").rules) == 3  # filed once per any-concept
    assert [f.key for f in recommend(profile, compiled, locale="en").fired_rules] == ["posture"]


def test_long_conditions_are_filed_under_their_rarest_concepts_and_fully_checked() -> None:
    five = {"area:hip", "area:lower_back", "symptom:stiffness", "trigger:sitting", "trigger:stairs"}
    rules = [make_rule(0, five)] + [make_rule(i, {"area:hip"}) for i in range(1, 30)]
    compiled = compile_rules(rules, sample_catalog())
    overflow = {k for k, (_, longer) in compiled.indexes["en"].buckets.items() if longer}
    assert len(next(iter(overflow))) == MAX_KEY_SIZE and "area:hip" not in next(iter(overflow))  # common: not filed
    assert "r0" in {cr.key for cr in compiled.lookup(frozenset(five), "en").rules}
    assert "r0" not in {cr.key for cr in compiled.lookup(frozenset(five - {"area:hip"}), "en").rules}


def test_rules_for_another_locale_are_never_looked_at() -> None:
    rules = [make_rule(i, {"trigger:sitting"}, locales={"sv"}) for i in range(50)]
    compiled = compile_rules(rules, sample_catalog())
    assert compiled.lookup(frozenset({"trigger:sitting"}), "en").examined == 0
    assert compiled.lookup(frozenset({"trigger:sitting"}), "sv").examined == 50


def test_rules_about_other_concepts_cost_nothing() -> None:
    base = synthetic(100)
    unrelated = [make_rule(10_000 + i, {"red_flag:fever", "area:neck", "trigger:stairs"}) for i in range(9_900)]
    small, large = compile_rules(base, sample_catalog()), compile_rules(base + unrelated, sample_catalog())
    for concepts in profiles(50):
        assert large.lookup(concepts, "en").examined == small.lookup(concepts, "en").examined


def test_work_per_lookup_stays_flat_from_100_to_10000_rules() -> None:
    """Count the rules each lookup examines (not time): 100x the rules, a small fraction more work."""
    small, large = (
        compile_rules(synthetic(100), sample_catalog()),
        compile_rules(synthetic(10_000), sample_catalog()),
    )
    examined: dict[str, list[int]] = {"small": [], "large": []}
    for i, concepts in enumerate(profiles()):
        locale = vocabulary.LOCALES[i % 2]
        examined["small"].append(small.lookup(concepts, locale).examined)
        examined["large"].append(large.lookup(concepts, locale).examined)
    small_median, large_median = statistics.median(examined["small"]), statistics.median(examined["large"])
    # A linear scan would examine 10,000 rules; the index looks at a handful more than with 100 rules.
    assert large_median <= 2 * small_median
    assert max(examined["large"]) < 100  # under 1% of the rules, even for the busiest description
    assert statistics.mean(examined["large"]) <= 3 * statistics.mean(examined["small"])
