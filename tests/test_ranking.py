"""Ranking: rules' weights and priorities, reasons in the shopper's words, pins, boosts, exclusions,
validity periods and locales; unavailable products never shown."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from reco_samples import NEVER_SHOWN, ids, product, profile_of, rule, sample_catalog

from shop_reco.answering.payloads import recommendation_payload
from shop_reco.recommending import DEFAULT_LIMITS, Limits, compile_rules, recommend

SITTING = ("trigger:sitting", "after sitting all day")
LOWER_BACK = ("area:lower_back", "lower back")
LIFTING = ("trigger:lifting", "lifting boxes")
NOW = datetime(2025, 6, 1, 12, tzinfo=timezone.utc)


def answer(rules, *found, locale="en", now=NOW, limits=DEFAULT_LIMITS, **profile_kw):  # type: ignore[no-untyped-def]
    compiled = compile_rules(rules, sample_catalog(), revision=4)
    return recommend(profile_of(*found, locale=locale, **profile_kw), compiled, locale=locale, now=now, limits=limits)


def test_items_are_ranked_by_the_sum_of_weights() -> None:
    rules = [
        rule(
            "sitting",
            all=["trigger:sitting"],
            exercises=[("hip-flexor-stretch", 3), ("glute-bridge", 1)],
            products=[("ergonomic-seat-cushion", 1)],
        ),
        rule(
            "back",
            all=["area:lower_back"],
            exercises=[("glute-bridge", 3), ("plank", 2)],
            products=[("lumbar-support-belt", 2)],
        ),
    ]
    result = answer(rules, SITTING, LOWER_BACK)
    assert ids(result.exercises)[:3] == ["glute-bridge", "hip-flexor-stretch", "plank"]
    assert [r.score for r in result.exercises[:3]] == [4.0, 3.0, 2.0]
    assert ids(result.products) == ["lumbar-support-belt", "ergonomic-seat-cushion"]
    assert result.rules_revision == 4
    assert [f.key for f in result.fired_rules] == ["back", "sitting"]


def test_priority_scales_weights_and_ties_go_by_slug() -> None:
    rules = [
        rule("plain", all=["area:hip"], exercises=[("hip-extension", 2), ("hip-abduction", 2)]),
        rule("urgent-ish", all=["area:hip"], priority=500, exercises=[("hip-flexor-stretch", 2)]),
    ]
    result = answer(rules, ("area:hip", "hip"))
    assert ids(result.exercises)[:3] == ["hip-flexor-stretch", "hip-abduction", "hip-extension"]
    assert result.exercises[0].score == pytest.approx(2 * 1.5)


def test_reasons_quote_the_shopper_name_the_rule_and_point_at_the_section() -> None:
    rules = [
        rule(
            "sitting-hip-flexors",
            name="Long sitting: hip flexors",
            all=["trigger:sitting"],
            exercises=[("hip-flexor-stretch", 3)],
        )
    ]
    shopper, *why = answer(rules, SITTING).exercises[0].why
    # What the shopper reads: their words, never the rule's name; the trace follows.
    assert shopper.kind == "shopper" and shopper.text == "You mentioned “after sitting all day”"
    assert "Long sitting" not in shopper.text
    kinds = [r.kind for r in why]
    assert kinds[:3] == ["phrase", "rule", "section"]
    assert why[0].text == "You mentioned “after sitting all day”"
    assert why[0].phrase == "after sitting all day" and why[0].rule == "sitting-hip-flexors"
    assert why[1].text == "From our advice: Long sitting: hip flexors" and why[1].rule == "sitting-hip-flexors"
    assert why[2].section == "hip-and-lower-back-pain#stretching"
    assert why[2].text == "Read more: Stretching exercises"


def test_reasons_are_in_swedish_for_a_swedish_shopper() -> None:
    rules = [
        rule(
            "sitting",
            name="Långt sittande",
            all=["trigger:sitting"],
            exercises=[("hip-flexor-stretch", 3)],
            products=[("ergonomic-seat-cushion", 1)],
        )
    ]
    result = answer(rules, ("trigger:sitting", "sitter hela dagen"), locale="sv")
    texts = [r.text for r in result.exercises[0].why]
    assert "Du skrev ”sitter hela dagen”" in texts
    assert "Läs mer: Stretchövningar" in texts
    assert result.products[0].why[0].text == "Stöd och komfort i vardagen – du skrev ”sitter hela dagen”"
    assert result.disclaimer.startswith("Allmänna råd")


def test_product_reasons_speak_of_support_with_the_shoppers_words() -> None:
    rules = [
        rule(
            "lifting",
            all=["trigger:lifting"],
            actions={
                "products": [
                    {
                        "sku": "lumbar-support-belt",
                        "weight": 2,
                        "reason": {"en": "Support during daily activity", "sv": "Stöd i vardagen"},
                    }
                ]
            },
        )
    ]
    why = answer(rules, LIFTING).products[0].why
    assert why[0].text == "Support during daily activity — you mentioned “lifting boxes”"
    assert why[0].kind == "shopper" and why[1].kind == "phrase" and why[1].phrase == "lifting boxes"


def test_a_rules_shopper_reason_joins_the_shoppers_words_in_one_sentence() -> None:
    said = {"en": "Long sitting tightens the front of the hips", "sv": "Långt sittande stramar höftens framsida"}
    rules = [
        rule(
            "sitting-hip-flexors",
            name="INTERNAL: sitting bucket 3",
            all=["trigger:sitting"],
            exercises=[("hip-flexor-stretch", 3)],
            actions={"shopper_reason": said},
        )
    ]
    item = answer(rules, SITTING).exercises[0]
    assert item.reason == "Long sitting tightens the front of the hips — you mentioned “after sitting all day”"
    assert "INTERNAL" not in item.reason and "; " not in item.reason
    assert any("INTERNAL" in r.text for r in item.why[1:])  # the trace for the admin keeps the name


def test_a_rule_fires_on_any_of_its_any_concepts_and_says_which() -> None:
    rules = [rule("posture", any=["trigger:poor_posture", "trigger:screen_use"], exercises=[("plank", 2)])]
    result = answer(rules, ("trigger:screen_use", "hunched over my laptop"))
    assert ids(result.exercises)[0] == "plank"
    fired = result.fired_rules[0]
    assert [(m.concept, m.phrase) for m in fired.matched] == [("trigger:screen_use", "hunched over my laptop")]
    assert fired.why == "Matched trigger:screen_use (“hunched over my laptop”)"
    assert answer(rules, SITTING).fallback  # neither concept: the rule does not fire


def test_none_concepts_severity_and_duration_are_conditions() -> None:
    rules = [
        rule(
            "gentle",
            all=["area:hip"],
            exercises=[("hip-abduction", 1)],
            conditions={
                "none": ["trigger:high_impact"],
                "severity": ["mild", "moderate"],
                "min_duration_weeks": 2,
                "max_duration_weeks": 26,
            },
        )
    ]
    hip = ("area:hip", "hip")
    assert answer(rules, hip, severity="mild", duration_weeks=4).fired_rules
    assert not answer(rules, hip, ("trigger:high_impact", "running"), severity="mild", duration_weeks=4).fired_rules
    assert not answer(rules, hip, severity="severe", duration_weeks=4).fired_rules
    assert not answer(rules, hip, severity=None, duration_weeks=4).fired_rules  # unknown severity: not met
    assert not answer(rules, hip, severity="mild", duration_weeks=1).fired_rules
    assert not answer(rules, hip, severity="mild", duration_weeks=30).fired_rules
    assert not answer(rules, hip, severity="mild", duration_weeks=None).fired_rules


def test_a_negated_finding_does_not_fire_a_rule() -> None:
    rules = [rule("sitting", all=["trigger:sitting"], exercises=[("hip-flexor-stretch", 3)])]
    compiled = compile_rules(rules, sample_catalog())
    profile = profile_of(LOWER_BACK, negated=[("trigger:sitting", "sitting")])
    assert recommend(profile, compiled, locale="en", now=NOW).fired_rules == ()


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "fires"),
    [
        (None, None, True),
        (NOW - timedelta(days=1), NOW + timedelta(days=1), True),
        (NOW, None, True),  # from is inclusive
        (NOW + timedelta(seconds=1), None, False),  # not started yet
        (None, NOW, False),  # until is exclusive
        (None, NOW - timedelta(days=1), False),  # ended
    ],
)
def test_rules_apply_only_within_their_validity_period(valid_from, valid_until, fires) -> None:  # type: ignore[no-untyped-def]
    dates = {k: v.isoformat() for k, v in (("valid_from", valid_from), ("valid_until", valid_until)) if v}
    rules = [rule("campaign", all=["trigger:sitting"], exercises=[("glute-bridge", 1)], **dates)]
    assert bool(answer(rules, SITTING).fired_rules) is fires


def test_a_naive_now_counts_as_utc() -> None:
    rules = [
        rule(
            "campaign",
            all=["trigger:sitting"],
            exercises=[("glute-bridge", 1)],
            valid_from="2025-06-01T12:00:00+00:00",
        )
    ]
    assert answer(rules, SITTING, now=datetime(2025, 6, 1, 12)).fired_rules
    assert not answer(rules, SITTING, now=datetime(2025, 6, 1, 11)).fired_rules


def test_rules_apply_only_in_their_locales() -> None:
    rules = [
        rule("sv-only", all=["trigger:sitting"], locales=["sv"], exercises=[("glute-bridge", 1)]),
        rule("everywhere", all=["trigger:sitting"], locales=[], exercises=[("hip-flexor-stretch", 1)]),
    ]
    assert [f.key for f in answer(rules, SITTING, locale="sv").fired_rules] == ["everywhere", "sv-only"]
    assert [f.key for f in answer(rules, SITTING, locale="en").fired_rules] == ["everywhere"]


def test_inactive_rules_never_fire() -> None:
    rules = [rule("off", all=["trigger:sitting"], active=False, exercises=[("glute-bridge", 1)])]
    assert answer(rules, SITTING).fired_rules == ()


def test_pins_put_items_at_their_position_best_rule_first() -> None:
    rules = [
        rule(
            "back",
            all=["area:lower_back"],
            exercises=[("glute-bridge", 5), ("plank", 4), ("hip-extension", 3)],
        ),
        rule(
            "featured",
            all=["area:lower_back"],
            priority=10,
            actions={
                "pin": [
                    {"type": "exercise", "id": "hamstring-stretch", "position": 1},
                    {"type": "exercise", "id": "plank", "position": 1},
                ]
            },
        ),
        rule(
            "featured-too",
            all=["area:lower_back"],
            priority=5,
            actions={
                "pin": [
                    {"type": "exercise", "id": "hip-abduction", "position": 1},
                ]
            },
        ),
    ]
    result = answer(rules, LOWER_BACK)
    # Same position: the higher-priority rule's pins first, then by slug within the rule; the next pin shifts.
    assert ids(result.exercises)[:5] == [
        "hamstring-stretch",
        "plank",
        "hip-abduction",
        "glute-bridge",
        "hip-extension",
    ]
    pin = [r for r in result.exercises[0].why if r.kind == "pin"]
    assert pin and pin[0].rule == "featured" and pin[0].text == "Picked by our team: Featured"


def test_boost_raises_and_a_negative_boost_buries_without_removing() -> None:
    rules = [
        rule(
            "back",
            all=["area:lower_back"],
            exercises=[("glute-bridge", 5), ("plank", 4), ("hip-extension", 1)],
        ),
        rule(
            "tune",
            all=["area:lower_back"],
            actions={
                "boost": [
                    {"type": "exercise", "id": "hip-extension", "by": 6},
                    {"type": "exercise", "id": "glute-bridge", "by": -10},
                ]
            },
        ),
    ]
    order = ids(answer(rules, LOWER_BACK).exercises)
    assert order[:2] == ["hip-extension", "plank"]
    assert "glute-bridge" in order and order.index("glute-bridge") > order.index("plank")


def test_a_positive_boost_brings_in_an_item_no_rule_targets() -> None:
    rules = [
        rule(
            "tune",
            all=["trigger:lifting"],
            actions={"boost": [{"type": "product", "id": "lumbar-support-belt", "by": 2}]},
        )
    ]
    assert ids(answer(rules, LIFTING).products) == ["lumbar-support-belt"]


def test_exclude_removes_an_item_whatever_other_rules_say() -> None:
    rules = [
        rule(
            "back",
            all=["area:lower_back"],
            exercises=[("glute-bridge", 5), ("plank", 4)],
            products=[("lumbar-support-belt", 3)],
            sections=[("strengthening", 1)],
            actions={"pin": [{"type": "exercise", "id": "glute-bridge", "position": 1}]},
        ),
        rule(
            "no-bridges",
            all=["trigger:lifting"],
            actions={
                "exclude": [
                    {"type": "exercise", "id": "glute-bridge"},
                    {"type": "product", "id": "lumbar-support-belt"},
                    {"type": "section", "id": "hip-and-lower-back-pain#strengthening"},
                ]
            },
        ),
    ]
    result = answer(rules, LOWER_BACK, LIFTING)
    assert "glute-bridge" not in ids(result.exercises)
    assert result.products == ()
    assert "hip-and-lower-back-pain#strengthening" not in ids(result.sections)


def test_unavailable_products_are_never_shown() -> None:
    push_all = {
        "products": [{"sku": s, "weight": 10} for s in sorted(NEVER_SHOWN)],
        "pin": [{"type": "product", "id": s, "position": 1} for s in sorted(NEVER_SHOWN)],
        "boost": [{"type": "product", "id": s, "by": 10} for s in sorted(NEVER_SHOWN)],
    }
    rules = [
        rule("push", all=["area:lower_back"], actions=push_all),
        rule("catch-all", actions=push_all),
        rule("belt", all=["trigger:lifting"], products=[("lumbar-support-belt", 1)]),
    ]
    for found in [(LOWER_BACK,), (LIFTING,), (LOWER_BACK, LIFTING), ()]:
        shown = ids(answer(rules, *found).products)
        assert not NEVER_SHOWN & set(shown)
    assert ids(answer(rules, LIFTING).products) == ["lumbar-support-belt"]


def test_a_product_that_goes_out_of_stock_drops_out_at_the_next_compile() -> None:
    rules = [rule("belt", all=["trigger:lifting"], products=[("lumbar-support-belt", 1)])]
    sold_out = product("lumbar-support-belt", in_stock=False, concepts={"area:lower_back"})
    compiled = compile_rules(rules, sample_catalog(extra_products=[sold_out]))
    assert recommend(profile_of(LIFTING), compiled, locale="en").products == ()


def test_limits_cap_every_list() -> None:
    rules = [
        rule(
            "lots",
            all=["area:lower_back"],
            exercises=[(s, 1) for s in ("glute-bridge", "plank", "hip-extension", "hamstring-stretch")],
            products=[("lumbar-support-belt", 1), ("ergonomic-seat-cushion", 1)],
            sections=[("strengthening", 1), ("form", 1), ("how-often", 1)],
        )
    ]
    result = answer(rules, LOWER_BACK, limits=Limits(exercises=2, products=1, sections=2))
    assert len(result.exercises) == 2 and len(result.products) == 1 and len(result.sections) == 2
    nothing = answer(rules, LOWER_BACK, limits=Limits(exercises=0, products=0, sections=0))
    assert nothing.exercises == () and nothing.products == () and nothing.sections == ()


def test_sections_chosen_by_rules_come_first_then_those_explaining_the_items() -> None:
    rules = [
        rule(
            "sitting",
            all=["trigger:sitting"],
            exercises=[("hip-flexor-stretch", 3)],
            products=[("ergonomic-seat-cushion", 1)],
            sections=[("ergonomic-aids", 2)],
        )
    ]
    result = answer(rules, SITTING)
    assert ids(result.sections)[0] == "hip-and-lower-back-pain#ergonomic-aids"
    first = result.sections[0].why
    assert first[0].text == "Covers what you mentioned: “after sitting all day”"
    explains = [r for s in result.sections for r in s.why if r.kind == "section"]
    assert any("Hip flexor stretch" in r.text for r in explains)


def test_catch_all_rules_fire_for_every_description() -> None:
    rules = [rule("reading", sections=[("how-often", 1)])]
    result = answer(rules, ("area:neck", "neck"))
    assert [f.key for f in result.fired_rules] == ["reading"]
    assert result.fired_rules[0].why == "Applies to every description"
    assert "hip-and-lower-back-pain#how-often" in ids(result.sections)


def test_avoid_advice_and_notes_come_from_fired_rules_in_the_locale() -> None:
    avoid = [{"code": "high-impact", "text": {"en": "Go easy on running.", "sv": "Ta det lugnt med löpning."}}]
    rules = [
        rule(
            "impact",
            all=["trigger:high_impact"],
            priority=5,
            exercises=[("swimming", 2)],
            actions={"avoid": avoid, "note": {"en": "Keep moving gently.", "sv": "Fortsätt röra dig lugnt."}},
        ),
        rule("impact-again", all=["trigger:high_impact"], actions={"avoid": avoid}),
    ]
    result = answer(rules, ("trigger:high_impact", "running"), locale="sv")
    assert [(a.code, a.text) for a in result.avoid] == [("high-impact", "Ta det lugnt med löpning.")]
    assert [(n.rule, n.text) for n in result.notes] == [("impact", "Fortsätt röra dig lugnt.")]


def test_an_unknown_locale_is_a_clear_error() -> None:
    compiled = compile_rules([], sample_catalog())
    with pytest.raises(ValueError, match="unknown locale 'de'"):
        recommend(profile_of(SITTING), compiled, locale="de")


def test_the_answer_is_json_ready() -> None:
    rules = [
        rule(
            "sitting",
            all=["trigger:sitting"],
            exercises=[("hip-flexor-stretch", 3)],
            products=[("ergonomic-seat-cushion", 1)],
            sections=[("stretching", 1)],
        )
    ]
    result = answer(rules, SITTING)
    data = recommendation_payload(result, cart_template="/cart/{sku}", article_template="/articles/{slug}")
    json.dumps(data)
    assert data["exercises"][0]["slug"] == "hip-flexor-stretch"
    assert data["exercises"][0]["reason"] == "You mentioned “after sitting all day”"
    assert data["exercises"][0]["why"][1] == {
        "kind": "phrase",
        "text": "You mentioned “after sitting all day”",
        "phrase": "after sitting all day",
        "rule": "sitting",
        "section": None,
    }
    assert data["products"][0]["sku"] == "ergonomic-seat-cushion"
    assert data["products"][0]["cart_url"] == "/cart/ergonomic-seat-cushion"
    assert data["routine"]["sessions_per_week"] == {"min": 2, "max": 3}
    assert set(data) >= {
        "safety",
        "exercises",
        "products",
        "sections",
        "avoid",
        "notes",
        "routine",
        "fallback",
        "disclaimer",
    }
    # The rules that fired are the admin's trace, never served to the shopper.
    assert "fired_rules" not in data
    [fired] = result.fired_rules
    assert [(m.concept, m.phrase) for m in fired.matched] == [("trigger:sitting", "after sitting all day")]
    assert result.rules_revision == 4
