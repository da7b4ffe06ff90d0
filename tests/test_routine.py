"""A balanced routine: a stretch, a strengthening or core exercise and gentle aerobic activity,
2-3 sessions a week; a general routine when nothing matches."""

from __future__ import annotations

from reco_samples import EXERCISES, ids, profile_of, rule, sample_catalog

from shop_reco.recommending import DEFAULT_LIMITS, Limits, compile_rules, recommend
from shop_reco.recommending.routine import category

HIP = ("area:hip", "my hip")
KINDS = {slug: kind for slug, (kind, *_rest) in EXERCISES.items()}


def answer(rules, *found, limits=DEFAULT_LIMITS, locale="en"):  # type: ignore[no-untyped-def]
    return recommend(
        profile_of(*found, locale=locale),
        compile_rules(rules, sample_catalog()),
        locale=locale,
        limits=limits,
    )


def parts(slugs: list[str]) -> set[str | None]:
    catalog = sample_catalog()
    return {category(catalog.exercises[s]) for s in slugs}


def test_stretches_alone_get_a_strength_and_an_aerobic_exercise_added() -> None:
    rules = [rule("hip", all=["area:hip"], exercises=[("hip-flexor-stretch", 3), ("hamstring-stretch", 2)])]
    result = answer(rules, HIP)
    slugs = ids(result.exercises)
    assert slugs[:2] == ["hip-flexor-stretch", "hamstring-stretch"]
    assert parts(slugs) == {"stretch", "strength", "aerobic"}
    added = [r for r in result.exercises[2:]]
    assert all(r.why[0].kind == "shopper" and r.why[1].kind == "balance" for r in added)
    assert added[0].why[0].text == "Added to balance your routine with a strengthening exercise"
    assert added[1].why[0].text == "Added to balance your routine with gentle, low-impact activity"
    assert result.routine is not None and result.routine.balanced
    assert (result.routine.sessions_min, result.routine.sessions_max) == (2, 3)
    assert "2–3 sessions a week" in result.routine.summary
    assert not result.fallback


def test_the_added_exercise_is_the_closest_to_what_the_shopper_said() -> None:
    rules = [rule("hip", all=["area:hip"], exercises=[("hip-flexor-stretch", 3)])]
    # hip-abduction and hip-extension share area:hip; hip-abduction also shares trigger:stairs.
    slugs = ids(answer(rules, HIP, ("trigger:stairs", "stairs")).exercises)
    assert "hip-abduction" in slugs and "hip-extension" not in slugs


def test_a_rule_candidate_below_the_cut_is_preferred_over_the_catalog() -> None:
    rules = [
        rule(
            "back",
            all=["area:lower_back"],
            exercises=[
                ("glute-bridge", 5),
                ("plank", 4),
                ("hip-extension", 3),
                ("hamstring-stretch", 2),
                ("swimming", 0.5),
            ],
        )
    ]
    result = answer(rules, ("area:lower_back", "back"), limits=Limits(exercises=4))
    slugs = ids(result.exercises)
    assert len(slugs) == 4 and "swimming" in slugs and "brisk-walking" not in slugs
    swim = result.exercises[slugs.index("swimming")]
    assert [r.kind for r in swim.why][:3] == ["shopper", "phrase", "rule"] and swim.why[-1].kind == "balance"


def test_a_full_list_replaces_its_lowest_ranked_exercise_whose_part_is_covered_twice() -> None:
    rules = [
        rule(
            "back",
            all=["area:lower_back"],
            exercises=[
                ("glute-bridge", 6),
                ("hamstring-stretch", 5),
                ("plank", 4),
                ("hip-extension", 3),
                ("hip-abduction", 2),
                ("piriformis-stretch", 1),
            ],
        )
    ]
    slugs = ids(answer(rules, ("area:lower_back", "back")).exercises)
    assert len(slugs) == 6
    assert "piriformis-stretch" not in slugs  # lowest ranked, and another stretch stays
    assert parts(slugs) == {"stretch", "strength", "aerobic"}
    assert slugs[:5] == ["glute-bridge", "hamstring-stretch", "plank", "hip-extension", "hip-abduction"]


def test_pinned_exercises_are_not_replaced() -> None:
    rules = [
        rule(
            "back",
            all=["area:lower_back"],
            exercises=[("glute-bridge", 6), ("plank", 5)],
            actions={"pin": [{"type": "exercise", "id": "hip-extension", "position": 3}]},
        )
    ]
    slugs = ids(answer(rules, ("area:lower_back", "back"), limits=Limits(exercises=3)).exercises)
    assert "hip-extension" in slugs and parts(slugs) >= {"stretch"}
    assert len(slugs) == 3


def test_a_small_limit_keeps_the_most_important_parts_first() -> None:
    rules = [rule("hip", all=["area:hip"], exercises=[("hip-abduction", 3)])]
    slugs = ids(answer(rules, HIP, limits=Limits(exercises=2)).exercises)
    assert parts(slugs) == {"strength", "stretch"}
    one = answer(rules, HIP, limits=Limits(exercises=1))
    assert ids(one.exercises) == ["hip-abduction"] and one.routine is not None and not one.routine.balanced
    assert "mix" not in one.routine.summary


def test_excluded_exercises_are_not_used_to_balance() -> None:
    rules = [
        rule(
            "hip",
            all=["area:hip"],
            exercises=[("hip-flexor-stretch", 3)],
            actions={
                "exclude": [
                    {"type": "exercise", "id": "brisk-walking"},
                    {"type": "exercise", "id": "hip-abduction"},
                ]
            },
        )
    ]
    slugs = ids(answer(rules, HIP).exercises)
    assert "brisk-walking" not in slugs and "hip-abduction" not in slugs
    assert "swimming" in slugs and "hip-extension" in slugs


def test_no_rule_means_a_general_balanced_routine_marked_as_fallback() -> None:
    result = answer([], ("area:neck", "my neck"))
    assert result.fallback
    slugs = ids(result.exercises)
    assert len(slugs) == 3 and parts(slugs) == {"stretch", "strength", "aerobic"}
    for item in result.exercises:
        assert item.why[0].kind == "shopper" and item.why[1].kind == "fallback"
        assert item.why[0].text.startswith("We couldn't match your description to specific advice")
    assert result.products == ()
    assert result.routine is not None and result.routine.balanced
    assert result.sections  # the sections that explain the routine


def test_a_rule_that_gives_no_exercises_still_gets_a_routine() -> None:
    rules = [rule("belt", all=["trigger:lifting"], products=[("lumbar-support-belt", 1)])]
    result = answer(rules, ("trigger:lifting", "lifting"))
    assert result.fallback and len(result.exercises) == 3
    assert result.exercises[0].why[0].text == "Part of a general, balanced routine for the back and hips"
    assert [p.item.sku for p in result.products] == ["lumbar-support-belt"]


def test_the_fallback_routine_leans_towards_what_was_said_and_is_in_swedish() -> None:
    result = answer([], ("area:buttock", "skinkan"), locale="sv")
    assert ids(result.exercises)[0] == "piriformis-stretch"
    assert result.exercises[0].why[0].text.startswith("Vi kunde inte koppla din beskrivning")
    assert result.routine is not None and "pass i veckan" in result.routine.summary


def test_an_empty_exercise_catalog_gives_no_routine() -> None:
    from shop_reco.recommending import Catalog

    catalog = sample_catalog()
    empty = Catalog(exercises={}, products=catalog.products, sections=catalog.sections)
    result = recommend(profile_of(HIP), compile_rules([], empty), locale="en")
    assert result.exercises == () and result.routine is None and not result.fallback


def test_every_kind_in_the_sample_catalog_has_a_part() -> None:
    assert all(category(sample_catalog().exercises[s]) for s in KINDS)
