"""The plain-body fast path loads exactly what marshmallow loads, or hands the body to marshmallow."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields, post_load, validate

from shop_reco import vocabulary
from shop_reco.api.plain_bodies import load_body, plain_loader
from shop_reco.api.schemas import RecommendationRequestSchema, ScreeningAnswersSchema, recommendation_request_schema

SCHEMAS = [
    RecommendationRequestSchema,
    recommendation_request_schema(40, ("sv",)),
    ScreeningAnswersSchema,
]
KEYS = ["description", "locale", "limit", "visitor", "screening", *vocabulary.RED_FLAGS, "Description", "extra"]
VALUES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", " ", "\t\n", "a\x00b", "x" * 40, "x" * 41, "en", "sv", "EN", "en-GB", "k3Jd9_x2Lq0v"]),
    st.integers(min_value=-3, max_value=13),
    st.sampled_from([True, False, None, 2.0, 2.5, "3", 10**30, [], {}, ["a"], {"fever": True}]),
    st.dictionaries(st.sampled_from([*vocabulary.RED_FLAGS, "other"]), st.sampled_from([True, False, None, 1])),
)


def marshmallow_load(schema: Schema, data: Any) -> Any:
    try:
        return schema.load(data)
    except ValidationError:
        return ValidationError


@pytest.mark.parametrize("schema_class", SCHEMAS, ids=lambda s: s.__name__)
@settings(max_examples=600)
@given(data=st.one_of(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5), VALUES))
@example(data={"description": "My lower back aches after sitting all day."})
@example(data={"description": "ont i ryggen", "locale": "sv", "limit": 3, "visitor": "k3Jd9_x2Lq0v"})
@example(data={"fever": False, "bladder_bowel": True})
def test_the_fast_path_agrees_with_marshmallow(schema_class: type[Schema], data: Any) -> None:
    schema = schema_class()
    loader = plain_loader(schema_class)
    assert loader is not None
    fast = loader(data)
    expected = marshmallow_load(schema, data)
    if fast is not None:  # what it accepts, marshmallow loads to the same value
        assert fast == expected
        assert list(fast) == list(expected)
    if expected is ValidationError:  # every refusal is marshmallow's, with its messages
        assert fast is None
        with pytest.raises(ValidationError):
            load_body(schema, data)
    else:
        assert load_body(schema, data) == expected


@pytest.mark.parametrize(
    "body",
    [
        {"description": "My lower back aches after sitting all day, no numbness."},
        {"description": "ont i ländryggen", "locale": "sv"},
        {"description": "hip pain when walking", "limit": 4, "visitor": "visitor_0001"},
    ],
)
def test_the_bodies_a_finder_sends_take_the_fast_path(body: dict[str, Any]) -> None:
    loaded = plain_loader(RecommendationRequestSchema)(body)  # type: ignore[misc]
    assert loaded is not None
    assert loaded == RecommendationRequestSchema().load(body)


def test_a_body_with_screen_answers_is_loaded_by_marshmallow_with_the_same_result() -> None:
    body = {"description": "my back hurts", "screening": {"fever": False, "bladder_bowel": True}}
    assert plain_loader(RecommendationRequestSchema)(body) is None  # type: ignore[misc]
    assert load_body(RecommendationRequestSchema(), body) == {
        "description": "my back hurts",
        "locale": None,
        "limit": None,
        "visitor": None,
        "screening": {"fever": False, "bladder_bowel": True},
    }


def test_a_schema_with_hooks_or_other_fields_has_no_fast_path() -> None:
    class WithHook(Schema):
        name = fields.String()

        @post_load
        def upper(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
            return {key: value.upper() for key, value in data.items()}

    class WithList(Schema):
        names = fields.List(fields.String(), required=True)

    class Renamed(Schema):
        name = fields.String(data_key="Name", validate=validate.Length(max=3))

    for schema_class in (WithHook, WithList, Renamed):
        assert plain_loader(schema_class) is None
    assert load_body(WithHook(), {"name": "hip"}) == {"name": "HIP"}
