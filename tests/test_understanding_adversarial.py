"""Adversarial input: long repeats, floods of cues and odd characters finish, in linear time.

Times are best-of-several CPU times with generous bounds (twice the input may cost
less than four times as much, plus a small allowance for timer noise), so the
test holds on a busy two-core machine while still catching quadratic behaviour.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

from shop_reco.understanding import analyze

ADVERSARIES: dict[str, Callable[[int], str]] = {
    "one long word": lambda n: "a" * n,
    "many short words": lambda n: "a " * (n // 2),
    "negation flood": lambda n: "no " * (n // 3),
    "punctuation flood": lambda n: "!" * n,
    "negated findings": lambda n: ("no numbness is gone, tingling? no. " * n)[:n],
    "sides and areas": lambda n: ("both left hip right leg " * n)[:n],
    "relatives": lambda n: ("my dad had my dad cancer " * n)[:n],
    "gap patterns": lambda n: ("groin numb groin can't control my " * n)[:n],
    "history cues": lambda n: ("cancer years ago " * n)[:n],
    "worries": lambda n: ("worried my leg will go numb, tingling might turn into sciatica " * n)[:n],
    "irrealis flood": lambda n: ("worried will could numb " * n)[:n],
    "look-alike falls": lambda n: ("a fall in my step count my activity fell off fell " * n)[:n],
    "numbers": lambda n: ("8/10 for 3 weeks 7 out of " * n)[:n],
    "digits": lambda n: "9" * n,
    "swedish compound": lambda n: "ländryggs" * (n // 9),
    "swedish cues": lambda n: ("inga domningar inte min pappa hade " * n)[:n],
    "emoji and ligatures": lambda n: ("Höftsmärta 💥 ﬁ ｈｉｐ ̈ " * n)[:n],
    "control characters": lambda n: ("\x00\x1b[31m\u200b\ufeff\r\n" * n)[:n],
    "lone surrogates": lambda n: ("\ud800 back \udfff" * n)[:n],
}


def work(text: str, locale: str) -> int:
    """How many function calls (Python and C) analysing ``text`` takes: a deterministic measure
    of work, unlike a stopwatch on a shared machine."""
    calls = 0

    def count(_frame: object, event: str, _arg: object) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(count)
    try:
        analyze(text, locale)
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.parametrize("locale", ["en", "sv"])
@pytest.mark.parametrize("name", sorted(ADVERSARIES))
def test_adversarial_input_is_linear(name: str, locale: str) -> None:
    """Twice the text, at most about twice the work: no input makes the analyzer quadratic.
    (Its speed is measured in `make bench`, never timed in a unit test.)"""
    make = ADVERSARIES[name]
    small, large = make(2_000), make(4_000)
    analyze(small, locale)  # warm the token caches, so both runs see the same cache state
    analyze(large, locale)
    once, twice = work(small, locale), work(large, locale)
    assert twice <= 2.5 * once + 500, f"{name}: {once} calls for {len(small)} characters, {twice} for {len(large)}"


def test_very_long_text_still_finds_things() -> None:
    text = "lorem ipsum " * 5_000 + "my lower back hurts and my groin feels numb"
    profile = analyze(text, "en")
    assert profile.areas == ("lower_back",)
    assert profile.safety_level == "urgent"
