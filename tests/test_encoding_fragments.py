"""An answer's encoding in shared fragments joins to exactly the bytes of encoding it whole."""

from __future__ import annotations

import orjson
from hypothesis import given
from hypothesis import strategies as st

from shop_reco.answering.encoding import shared_fragments

TEXT = st.text(max_size=30)
VALUE = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), TEXT, st.lists(TEXT, max_size=3))
ITEM = st.dictionaries(st.sampled_from(["slug", "name", "steps", "url", "price"]), VALUE, min_size=0, max_size=5).map(
    lambda common: {**common, "reason": "You sit a lot", "why": [{"kind": "phrase", "text": "sitting"}]}
)
PAYLOAD = st.fixed_dictionaries(
    {
        "safety": st.dictionaries(TEXT, VALUE, max_size=3),
        "exercises": st.lists(ITEM, max_size=4),
        "products": st.lists(ITEM, max_size=3),
        "notes": st.lists(TEXT, max_size=2),
    }
)


@given(PAYLOAD)
def test_the_fragments_join_to_the_whole_encoding(payload: dict) -> None:  # type: ignore[type-arg]
    fragments = shared_fragments(payload, ("exercises", "products"), ("reason", "why"))
    assert b"{" + b"".join(fragments) == orjson.dumps(payload)


def test_answers_showing_the_same_item_share_its_bytes() -> None:
    glute = {"slug": "glute-bridge", "steps": ["Lie on your back.", "Lift your hips."]}
    first = {"exercises": [{**glute, "reason": "You sit all day", "why": []}], "fallback": False}
    second = {"exercises": [{**glute, "reason": "Your hip aches", "why": [{"kind": "rule"}]}], "fallback": False}
    a, b = (shared_fragments(p, ("exercises",), ("reason", "why")) for p in (first, second))
    common_a = next(f for f in a if b"glute-bridge" in f)
    common_b = next(f for f in b if b"glute-bridge" in f)
    assert common_a is common_b, "one object for both answers"
    assert b"You sit all day" not in common_a


def test_an_item_whose_own_keys_are_not_last_is_still_encoded_exactly() -> None:
    payload = {"exercises": [{"reason": "r", "why": [], "slug": "cat-cow"}, {"reason": "only own", "why": []}]}
    fragments = shared_fragments(payload, ("exercises",), ("reason", "why"))
    assert b"{" + b"".join(fragments) == orjson.dumps(payload)
