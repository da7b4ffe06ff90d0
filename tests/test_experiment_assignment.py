"""Which variant a visitor gets, and what an experiment's file may say."""

from __future__ import annotations

from collections import Counter

import pytest
from marshmallow import ValidationError

from shop_reco.recommending.experiments import Arm, RunningExperiment, assign_variant, load_plan

HALF = [("control", 50), ("b", 50)]


def test_two_thousand_visitors_split_about_half_and_half() -> None:
    counts = Counter(assign_variant("sitting-plank", f"v{n:07d}-visitor", HALF) for n in range(2000))
    assert set(counts) == {"control", "b"}
    assert 900 <= counts["b"] <= 1100, counts  # 45-55%


def test_weights_are_respected() -> None:
    counts = Counter(assign_variant("gentle", f"visitor-{n}", [("a", 90), ("b", 10)]) for n in range(5000))
    assert 0.08 <= counts["b"] / 5000 <= 0.12, counts
    three = Counter(assign_variant("three", f"visitor-{n}", [("a", 1), ("b", 1), ("c", 2)]) for n in range(4000))
    assert 0.45 <= three["c"] / 4000 <= 0.55 and min(three["a"], three["b"]) > 800, three


def test_the_same_visitor_always_gets_the_same_variant() -> None:
    first = [assign_variant("sitting-plank", f"visitor-{n}", HALF) for n in range(300)]
    assert first == [assign_variant("sitting-plank", f"visitor-{n}", HALF) for n in range(300)]


def test_experiments_are_independent_of_each_other() -> None:
    """A visitor's variant in one experiment says nothing about the next (the key is hashed in)."""
    pairs = Counter(
        (assign_variant("first", f"visitor-{n}", HALF), assign_variant("second", f"visitor-{n}", HALF))
        for n in range(2000)
    )
    assert all(400 <= c <= 600 for c in pairs.values()) and len(pairs) == 4, pairs


def test_a_plan_round_trips_and_keeps_its_rules() -> None:
    data = {
        "key": "sitting-plank",
        "variants": [
            {"key": "control", "weight": 50, "rules": "live"},
            {
                "key": "b",
                "weight": 50,
                "rules": [
                    {
                        "key": "sitting-plank",
                        "name": "Sitting: plank",
                        "conditions": {"any": ["trigger:sitting"]},
                        "actions": {"exercises": [{"slug": "plank", "weight": 2}]},
                    }
                ],
            },
        ],
    }
    plan = load_plan(data)
    assert plan.variants[0].live and not plan.variants[1].live
    assert plan.variants[1].rules is not None and plan.variants[1].rules[0].key == "sitting-plank"
    assert load_plan(plan.as_dict()) == plan


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"variants": []}, "key"),
        ({"key": "x y", "variants": []}, "key"),
        ({"key": "ok-key", "variants": [{"key": "a", "weight": 1, "rules": "live"}]}, "variants"),
        (
            {
                "key": "ok-key",
                "variants": [{"key": "a", "weight": 1, "rules": "live"}, {"key": "b", "weight": 1.5, "rules": "live"}],
            },
            "variants",
        ),
        (
            {
                "key": "ok-key",
                "variants": [{"key": "a", "weight": 1, "rules": "live"}, {"key": "b", "weight": 1, "rules": "all"}],
            },
            "variants",
        ),
        (
            {
                "key": "ok-key",
                "variants": [{"key": "a", "weight": 1, "rules": "live"}, {"key": "B!", "weight": 1, "rules": "live"}],
            },
            "variants",
        ),
        (
            {
                "key": "ok-key",
                "variants": [
                    {"key": "a", "weight": 1, "rules": "live"},
                    {"key": "b", "weight": 1, "rules": "live", "safety": "off"},
                ],
            },
            "variants",
        ),
        ({"key": "ok-key", "variants": [{"key": "a", "weight": 1, "rules": "live"}], "extra": 1}, "extra"),
    ],
)
def test_invalid_plans_name_the_field(data: dict[str, object], path: str) -> None:
    with pytest.raises(ValidationError) as caught:
        load_plan(data)
    assert path in caught.value.messages


def test_safety_cannot_be_part_of_a_variant() -> None:
    """A variant has a key, a weight and rules; nothing else (no red flags, no gate settings)."""
    with pytest.raises(ValidationError) as caught:
        load_plan(
            {
                "key": "no-gate",
                "variants": [
                    {"key": "a", "weight": 1, "rules": "live"},
                    {"key": "b", "weight": 1, "rules": "live", "products_on_consult": True},
                ],
            }
        )
    assert caught.value.messages == {"variants": {1: {"products_on_consult": ["Unknown field."]}}}


def test_a_running_experiment_assigns_as_the_function_does() -> None:
    """The per-process shortcut (hash prefix and bounds worked out once) agrees with ``assign_variant``."""
    weights = (("a", 3), ("b", 1), ("c", 6))
    running = RunningExperiment("three-way", tuple(Arm("three-way", k, None) for k, _ in weights), weights)  # type: ignore[arg-type]
    for n in range(3000):
        visitor = f"visitor-{n:05d}"
        assert running.assign(visitor).variant == assign_variant("three-way", visitor, weights)
