"""Rules are data: the schema accepts good rules and names the field of every mistake."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError
from reco_samples import sample_catalog

from shop_reco.recommending import Rule, check_references, load_rule, load_rules
from shop_reco.recommending.rules import ItemRef

GOOD: dict[str, Any] = {
    "key": "sitting-hip-flexors",
    "name": "Long sitting: hip flexors",
    "description": "Sitting tightens the hip flexors.",
    "active": True,
    "priority": 120,
    "locales": ["en", "sv"],
    "valid_from": "2025-01-01T00:00:00",
    "valid_until": "2025-12-31T23:00:00+01:00",
    "version": 7,
    "conditions": {
        "all": ["trigger:sitting"],
        "any": ["area:hip", "area:lower_back"],
        "none": ["trigger:high_impact"],
        "severity": ["mild", "moderate"],
        "min_duration_weeks": 1,
        "max_duration_weeks": 52.5,
        "safety": ["none", "consult"],
    },
    "actions": {
        "exercises": [{"slug": "hip-flexor-stretch", "weight": 3}, {"slug": "glute-bridge"}],
        "products": [
            {
                "sku": "ergonomic-seat-cushion",
                "weight": 2,
                "reason": {"en": "Comfort when you sit", "sv": "Bekvämare när du sitter"},
            }
        ],
        "sections": [{"article": "hip-and-lower-back-pain", "anchor": "stretching", "weight": 1.5}],
        "pin": [{"type": "exercise", "id": "hip-flexor-stretch", "position": 1}],
        "boost": [{"type": "product", "id": "lumbar-support-belt", "by": -2}],
        "exclude": [{"type": "section", "id": "hip-and-lower-back-pain#what-to-avoid"}],
        "avoid": [{"code": "high-impact", "text": {"en": "Go easy on running.", "sv": "Ta det lugnt med löpning."}}],
        "note": {"en": "Take breaks from sitting.", "sv": "Ta pauser från sittandet."},
        "shopper_reason": {"en": "Long sitting tightens the hips", "sv": "Långt sittande stramar höfterna"},
    },
}


def with_change(path: str, value: Any) -> dict[str, Any]:
    """GOOD with one field (dotted path, list indexes as numbers) set, or removed when value is ...."""
    data = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is ...:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


def error_at(exc: ValidationError, path: str) -> Any:
    node: Any = exc.messages
    for part in path.split("."):
        assert isinstance(node, dict), f"no error at {path}: {exc.messages}"
        node = node[int(part)] if part.isdigit() and int(part) in node else node[part]
    return node


def test_a_full_rule_loads_into_a_frozen_rule() -> None:
    rule = load_rule(GOOD)
    assert isinstance(rule, Rule)
    assert rule.key == "sitting-hip-flexors" and rule.priority == 120 and rule.version == 7
    assert rule.locales == {"en", "sv"}
    assert rule.conditions.all == {"trigger:sitting"}
    assert rule.conditions.safety == {"none", "consult"}
    assert rule.actions.exercises[0].ref == ItemRef("exercise", "hip-flexor-stretch")
    assert rule.actions.exercises[1].weight == 1.0  # default weight
    assert rule.actions.sections[0].ref.id == "hip-and-lower-back-pain#stretching"
    with pytest.raises(AttributeError):
        rule.priority = 1  # type: ignore[misc]


def test_dates_are_utc_and_a_naive_date_counts_as_utc() -> None:
    rule = load_rule(GOOD)
    assert rule.valid_from == datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert rule.valid_until == datetime(2025, 12, 31, 22, tzinfo=timezone.utc)


def test_defaults_make_a_small_rule_easy() -> None:
    rule = load_rule({"key": "hip", "name": "Hip", "actions": {"exercises": [{"slug": "hip-abduction"}]}})
    assert rule.active and rule.priority == 0 and rule.version == 1
    assert rule.locales == frozenset() and rule.valid_from is None and rule.valid_until is None
    assert rule.conditions.safety == {"none"}
    assert rule.conditions.catch_all  # no conditions at all: applies to every description


def test_as_dict_round_trips() -> None:
    rule = load_rule(GOOD)
    assert load_rule(rule.as_dict()) == rule


@pytest.mark.parametrize(
    ("path", "value", "error_path"),
    [
        ("key", "Sitting Hip", "key"),
        ("key", "x", "key"),
        ("name", "", "name"),
        ("name", "n" * 121, "name"),
        ("description", "d" * 1001, "description"),
        ("priority", 1001, "priority"),
        ("priority", "5", "priority"),
        ("active", "maybe", "active"),
        ("locales", ["de"], "locales.0"),
        ("valid_from", "yesterday", "valid_from"),
        ("valid_until", "2024-06-01T00:00:00Z", "valid_until"),
        ("version", 0, "version"),
        ("conditions.all", ["area:knee"], "conditions.all.0"),
        ("conditions.any", ["hip"], "conditions.any.0"),
        ("conditions.none", ["red_flag:sneezing"], "conditions.none.0"),
        ("conditions.severity", ["extreme"], "conditions.severity.0"),
        ("conditions.safety", [], "conditions.safety"),
        ("conditions.safety", ["panic"], "conditions.safety.0"),
        ("conditions.min_duration_weeks", -1, "conditions.min_duration_weeks"),
        ("conditions.max_duration_weeks", 0.5, "conditions.max_duration_weeks"),
        ("conditions.none", ["trigger:sitting"], "conditions.none"),
        ("conditions.colour", "red", "conditions.colour"),
        ("actions.exercises.0.weight", 11, "actions.exercises.0.weight"),
        ("actions.exercises.0.weight", "3", "actions.exercises.0.weight"),
        ("actions.exercises.0.slug", "Hip Flexor", "actions.exercises.0.slug"),
        ("actions.products.0.sku", "", "actions.products.0.sku"),
        ("actions.products.0.reason", {"en": "Cures back pain"}, "actions.products.0.reason"),
        ("actions.products.0.reason", {"sv": "Stöd"}, "actions.products.0.reason"),
        ("actions.sections.0.anchor", ..., "actions.sections.0.anchor"),
        ("actions.pin.0.position", 11, "actions.pin.0.position"),
        ("actions.pin.0.type", "video", "actions.pin.0.type"),
        ("actions.boost.0.by", -10.5, "actions.boost.0.by"),
        ("actions.exclude.0.id", "hip-and-lower-back-pain", "actions.exclude.0.id"),
        ("actions.avoid.0.text", {"sv": "Undvik löpning."}, "actions.avoid.0.text"),
        ("actions.avoid.0.code", "No Running", "actions.avoid.0.code"),
        ("actions.note", {"de": "Pause"}, "actions.note"),
        ("actions.shopper_reason", {"sv": "Bara svenska"}, "actions.shopper_reason"),
        ("actions.shopper_reason", {"en": "Heals your back"}, "actions.shopper_reason"),
        ("actions.shopper_reason", {"en": "Sitting; standing"}, "actions.shopper_reason"),
        ("actions.shopper_reason", {"en": "s" * 161}, "actions.shopper_reason"),
        ("actions", ..., "actions"),
        ("actions", {}, "actions"),
        ("colour", "red", "colour"),
    ],
)
def test_a_bad_rule_is_refused_with_the_field_path(path: str, value: Any, error_path: str) -> None:
    with pytest.raises(ValidationError) as caught:
        load_rule(with_change(path, value))
    assert error_at(caught.value, error_path)


def test_an_unknown_concept_error_says_what_to_use() -> None:
    with pytest.raises(ValidationError) as caught:
        load_rule(with_change("conditions.all", ["area:knee"]))
    message = error_at(caught.value, "conditions.all.0")[0]
    assert "area:knee" in message and "area" in message and "trigger" in message


def test_load_rules_reports_the_index_and_refuses_duplicate_keys() -> None:
    bad = with_change("priority", -1)
    with pytest.raises(ValidationError) as caught:
        load_rules([GOOD, bad])
    assert error_at(caught.value, "1.priority")
    with pytest.raises(ValidationError) as caught:
        load_rules([GOOD, GOOD])
    assert "duplicate" in error_at(caught.value, "1.key")[0]


def test_check_references_lists_what_the_catalog_lacks() -> None:
    data = copy.deepcopy(GOOD)
    data["actions"]["exercises"].append({"slug": "cartwheel"})
    data["actions"]["products"] += [
        {"sku": "standing-mat"},
        {"sku": "old-back-brace"},
        {"sku": "no-such-sku"},
    ]
    data["actions"]["sections"].append({"article": "hip-and-lower-back-pain", "anchor": "no-such-anchor"})
    data["actions"]["pin"].append({"type": "product", "id": "ghost", "position": 2})
    problems = check_references(load_rule(data), sample_catalog())
    joined = "\n".join(problems)
    assert "actions.exercises[2]: no exercise 'cartwheel'" in joined
    assert "actions.products[1]: product 'standing-mat' is out of stock" in joined
    assert "actions.products[2]: product 'old-back-brace' is inactive" in joined
    assert "actions.products[3]: no product 'no-such-sku'" in joined
    assert "actions.sections[1]: no article section 'hip-and-lower-back-pain#no-such-anchor'" in joined
    assert "actions.pin[1]: no product 'ghost'" in joined
    assert len(problems) == 6


def test_check_references_is_quiet_for_a_good_rule() -> None:
    assert check_references(load_rule(GOOD), sample_catalog()) == []


# -- properties: whatever a merchant or an import sends, validation answers with field errors -------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


def _mutations() -> st.SearchStrategy[dict[str, Any]]:
    """GOOD with one field, at any depth, replaced by arbitrary JSON or removed."""
    paths = [
        ("name",),
        ("priority",),
        ("locales",),
        ("valid_from",),
        ("conditions", "all"),
        ("conditions", "safety"),
        ("conditions", "min_duration_weeks"),
        ("actions", "exercises"),
        ("actions", "products"),
        ("actions", "pin"),
        ("actions", "boost"),
        ("actions", "avoid"),
        ("actions",),
        ("conditions",),
        ("key",),
    ]

    @st.composite
    def mutate(draw: st.DrawFn) -> dict[str, Any]:
        data = copy.deepcopy(GOOD)
        path = draw(st.sampled_from(paths))
        target = data
        for part in path[:-1]:
            target = target[part]
        if draw(st.booleans()):
            target[path[-1]] = draw(_JSON)
        else:
            target.pop(path[-1], None)
        return data

    return mutate()


@given(_JSON)
def test_any_json_is_a_rule_or_a_validation_error(data: Any) -> None:
    try:
        load_rule(data)
    except ValidationError as exc:
        assert exc.messages
    except TypeError:
        assert not isinstance(data, dict)  # only a non-object may be refused as the wrong type


@given(_mutations())
def test_a_damaged_rule_is_refused_with_its_field_named_or_loads_and_round_trips(data: dict[str, Any]) -> None:
    try:
        rule = load_rule(data)
    except ValidationError as exc:
        assert isinstance(exc.messages, dict) and exc.messages  # keyed by field name
        return
    again = load_rule({**rule.as_dict(), "key": rule.key})
    assert again.as_dict() == rule.as_dict()


def test_rules_share_their_small_code_sets_and_still_compare_and_write_out_by_value() -> None:
    """Thousands of rules hold the same few sets (empty, one code, safety levels): one object each."""
    data = [
        {
            "key": f"r{n}",
            "name": f"R{n}",
            "conditions": {"all": ["trigger:sitting"], "safety": safety},
            "actions": {"exercises": [{"slug": "plank", "weight": 1}]},
        }
        for n, safety in enumerate((["none", "consult"], ["consult", "none"]))
    ]
    first, second = load_rules(data)
    assert first.conditions.all is second.conditions.all
    assert first.conditions.none is second.conditions.none is first.conditions.severity
    assert first.conditions.safety is second.conditions.safety == frozenset({"none", "consult"})
    assert first.as_dict()["conditions"] == second.as_dict()["conditions"]
    assert first.as_dict()["conditions"]["safety"] == ["none", "consult"]
    assert load_rule(first.as_dict()) == first
