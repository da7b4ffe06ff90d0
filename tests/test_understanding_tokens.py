"""The tokenizer: tokens, offsets into the shopper's own text, and the same split on every path."""

from __future__ import annotations

from itertools import accumulate

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop_reco.understanding import tokens
from shop_reco.understanding.tokens import split_text, tokenize


def unicode_split(spaced: str) -> list[str]:
    """What the Unicode patterns make of a text: the split every other path must agree with."""
    pattern = tokens._TOKEN_WITH_DECIMALS if tokens._DECIMAL.search(spaced) else tokens._TOKEN
    return pattern.split(spaced)


#: Latin-1 text with what descriptions hold: letters, digits, decimals, punctuation, odd spaces.
LATIN1 = st.text(alphabet=st.characters(max_codepoint=0xFF), max_size=80)


@given(text=LATIN1)
def test_latin1_text_is_split_as_the_unicode_patterns_split_it(text: str) -> None:
    """English and Swedish text take spelt-out Latin-1 classes: the same tokens, the same offsets."""
    spaced = tokens._JOINER.sub(" ", text)
    parts = unicode_split(spaced)
    fast = (tokens._LATIN1_TOKEN_WITH_DECIMALS if tokens._DECIMAL.search(spaced) else tokens._LATIN1_TOKEN).split(
        spaced
    )
    assert fast == parts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ont i ländryggen, 7,5/10\tsedan\x85igår", ["ont", "i", "ländryggen", ",", "7,5", "/", "10", "sedan", "igår"]),
        ("My back\u00a0hurts.\nBoth legs", ["my", "back", "hurts", ".", "\n", "both", "legs"]),
        ("I can’t sit — it’s 8/10", ["i", "can", "t", "sit", "—", "it", "s", "8", "/", "10"]),  # not Latin-1
        ("ＢＡＣＫ pain ½", ["back", "pain", "1⁄2"]),  # folded token by token
    ],
)
def test_tokens_and_offsets_point_into_the_text_as_written(text: str, expected: list[str]) -> None:
    norms, starts, ends = tokenize(text)
    assert norms == expected
    for norm, start, end in zip(norms, starts, ends, strict=True):
        written = text[start:end]
        assert written.casefold() == norm or len(written) == 1 or not written.isascii(), (norm, written)


@given(text=st.text(max_size=60))
def test_any_text_is_split_into_the_tokens_and_offsets_of_its_own_pieces(text: str) -> None:
    """Whatever the letters: the pieces between offsets are the tokens' own text, in order, and
    what lies between them is space."""
    norms, starts, ends, folded = split_text(text)
    assert len(norms) == len(starts) == len(ends)
    assert list(accumulate(ends, max, initial=0))[1:] == ends  # in order, never overlapping
    for a, b in zip([0, *ends][: len(starts)], starts, strict=True):
        assert all(c.isspace() or c in tokens._JOINERS for c in text[a:b]), (a, b)
    assert all(c.isspace() or c in tokens._JOINERS for c in text[ends[-1] if ends else 0 :])
    assert folded == (None if text.isascii() else text.casefold())
