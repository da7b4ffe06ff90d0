"""Adversarial input: long repeats, floods of cues and odd characters finish, in linear time.

Times are best-of-several CPU times with generous bounds (twice the input may cost
less than four times as much, plus a small allowance for timer noise), so the
test holds on a busy two-core machine while still catching quadratic behaviour.
"""

from __future__ import annotations

import time
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
ALLOWANCE_S = 0.0005


def cpu_time(text: str, locale: str) -> float:
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        analyze(text, locale)
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.parametrize("locale", ["en", "sv"])
@pytest.mark.parametrize("name", sorted(ADVERSARIES))
def test_adversarial_input_is_linear(name: str, locale: str) -> None:
    make = ADVERSARIES[name]
    small, large = make(2_000), make(4_000)
    analyze(small, locale)  # warm the token caches
    once, twice = cpu_time(small, locale), cpu_time(large, locale)
    assert once < 0.05, f"{name}: {once * 1e3:.1f} ms for {len(small)} characters"
    assert twice < 4 * once + ALLOWANCE_S, f"{name}: {once * 1e3:.2f} ms then {twice * 1e3:.2f} ms"


def test_very_long_text_still_finds_things() -> None:
    text = "lorem ipsum " * 5_000 + "my lower back hurts and my groin feels numb"
    profile = analyze(text, "en")
    assert profile.areas == ("lower_back",)
    assert profile.safety_level == "urgent"
