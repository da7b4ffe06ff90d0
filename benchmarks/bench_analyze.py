"""Benchmark the analyzer: throughput, long text, and cost as the lexicon grows.

    python -m benchmarks.bench_analyze            # full run
    python -m benchmarks.bench_analyze --quick    # a few seconds

* ``analyze_per_s``: descriptions of about 150 characters (English and Swedish,
  locale given, as the API passes it) analysed per second on one core;
* ``analyze_2000_chars_ms``: milliseconds for one 2,000-character description;
* ``lexicon_growth_ratio``: time with a lexicon ten times the shipped one
  (merchant-style synthetic synonyms, many sharing first words with real
  phrases) over time with the shipped one, interleaved in the same run so a
  busy machine weighs on both alike. The token trie should keep it near 1.

Figures are medians over repeats of CPU time (``time.process_time``), so time
spent waiting for a busy machine's cores does not count; a busy machine still
slows every instruction, so ``analyze_reference_loop_us`` times a fixed pure
Python loop in the same run as a yardstick (about 11 us on an idle, current
x86 core; larger means a slower or busier machine). Every key starts with
``analyze_`` or ``lexicon_`` so ``python -m benchmarks`` can merge the results.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shop_reco import vocabulary  # noqa: E402
from shop_reco.understanding import Analyzer, shipped_lexicons  # noqa: E402

# Written for the benchmark: typical descriptions, some with negation, numbers or a red flag.
SENTENCES = {
    "en": [
        "My lower back aches after a full day at my desk and it gets stiff when I stand up.",
        "Sharp pain in my left hip when I climb stairs, maybe 6 out of 10 on a bad day.",
        "No numbness or tingling, just a dull ache in my glutes after long drives to work.",
        "I slouch over my laptop every evening and my neck and upper back get really tight.",
        "Sciatica down the back of my right leg for about three months, worse when I sit.",
        "My hamstrings feel tight and my back spasms when I bend forward to pick things up.",
        "Running on the treadmill makes my hips sore, and lately both knees hurt a bit too.",
        "I had cancer ten years ago; now my lower back hurts at night and wakes me up.",
        "My dad had bladder problems but I just have a stiff back from lifting boxes at work.",
        "Mild stiffness in my hips in the morning that eases once I start walking around.",
    ],
    "sv": [
        "Jag har ont i ländryggen när jag sitter länge vid datorn och blir stel i nacken.",
        "Höftsmärta på höger sida när jag går i trappor, ungefär 6 av 10 de sämsta dagarna.",
        "Inga domningar eller stickningar, bara värk i skinkan efter långa bilresor.",
        "Jag sitter hopsjunken vid laptopen varje kväll och axlarna blir spända och ömma.",
        "Ischias ner i vänster ben sedan tre månader, värst när jag sitter i bilen.",
        "Spänd baksida lår och ryggen låser sig när jag böjer mig fram och lyfter saker.",
        "Löpning gör att höfterna värker och knäna känns lite ömma efteråt.",
        "Min mamma hade cancer men jag har bara lätt stelhet i korsryggen på morgonen.",
    ],
}


def corpus(target_chars: int, count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` (locale, text) pairs of about ``target_chars`` characters each (whole words)."""
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        locale = rnd.choice(list(SENTENCES))
        text = rnd.choice(SENTENCES[locale])
        while len(text) < target_chars:
            text += " " + rnd.choice(SENTENCES[locale])
        cut = text.rfind(" ", 0, target_chars + 1)
        out.append((locale, text[: cut if cut > target_chars // 2 else target_chars]))
    return out


def synthetic_synonyms(analyzer: Analyzer, factor: int, seed: int) -> list[dict[str, str]]:
    """Merchant-style synonyms making each locale's lexicon ``factor`` times its size.

    Half start with a real first word of the lexicon (so real trie nodes grow
    wide), half are made-up words; codes are drawn from the vocabulary.
    """
    rnd = random.Random(seed)
    concepts = [(group, code) for group, codes in vocabulary.GROUPS.items() for code in codes]
    synonyms = []
    for locale in analyzer.locales:
        size = analyzer.phrase_count(locale)
        firsts = sorted(k for k in analyzer.first_words(locale) if k.isalpha())
        for n in range(size * (factor - 1)):
            made_up = f"zq{n:x}{rnd.choice('aeiou')}"
            phrase = f"{rnd.choice(firsts)} {made_up}" if n % 2 else f"{made_up} {rnd.choice(firsts)}"
            group, code = rnd.choice(concepts)
            synonyms.append({"locale": locale, "group": group, "code": code, "phrase": phrase})
    return synonyms


def _per_call_seconds(analyzer: Analyzer, texts: list[tuple[str, str]]) -> float:
    """CPU seconds per description: "per second on one core" even on a shared machine."""
    analyze = analyzer.analyze
    clock = time.process_time
    start = clock()
    for locale, text in texts:
        analyze(text, locale)
    return (clock() - start) / len(texts)


def _reference_loop() -> None:
    for _ in range(1000):
        pass


def run(quick: bool = False) -> dict[str, Any]:
    """Time the analyzer; see the module docstring for each figure."""
    lexicons = shipped_lexicons()
    start = time.perf_counter()
    shipped = Analyzer.from_data(lexicons)
    build_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    grown = Analyzer.from_data(lexicons, synthetic_synonyms(shipped, 10, seed=5))
    grown_build_ms = (time.perf_counter() - start) * 1000

    short = corpus(150, 400, seed=1)
    long = corpus(2000, 20, seed=2)
    repeats = 7 if quick else 31
    for analyzer in (shipped, grown):  # warm the token caches
        _per_call_seconds(analyzer, short)
        _per_call_seconds(analyzer, long)

    short_s: list[float] = []
    long_s: list[float] = []
    grown_s: list[float] = []
    detect_s: list[float] = []
    reference_s: list[float] = []
    unlocaled = [(None, text) for _, text in short]
    gc.disable()
    try:
        for _ in range(repeats):
            # Each timing follows a short warm-up on the same analyzer, so neither
            # pays for the other evicting its trie from the CPU caches.
            _per_call_seconds(shipped, short[:50])
            short_s.append(_per_call_seconds(shipped, short))
            _per_call_seconds(grown, short[:50])
            grown_s.append(_per_call_seconds(grown, short))
            _per_call_seconds(shipped, short[:50])
            long_s.append(_per_call_seconds(shipped, long))
            detect_s.append(_per_call_seconds(shipped, unlocaled))  # type: ignore[arg-type]
            start = time.process_time()
            for _ in range(100):
                _reference_loop()
            reference_s.append((time.process_time() - start) / 100)
    finally:
        gc.enable()
    per_call = statistics.median(short_s)
    return {
        "analyze_per_s": round(1 / per_call),
        "analyze_us_per_description": round(per_call * 1e6, 1),
        "analyze_detect_locale_per_s": round(1 / statistics.median(detect_s)),
        "analyze_description_chars_mean": round(statistics.mean(len(t) for _, t in short)),
        "analyze_2000_chars_ms": round(statistics.median(long_s) * 1000, 3),
        "lexicon_growth_ratio": round(statistics.median(g / s for g, s in zip(grown_s, short_s, strict=True)), 3),
        "lexicon_phrases_shipped": sum(shipped.phrase_count(loc) for loc in shipped.locales),
        "lexicon_phrases_grown": sum(grown.phrase_count(loc) for loc in grown.locales),
        "analyze_reference_loop_us": round(statistics.median(reference_s) * 1e6, 1),
        "analyze_build_ms": round(build_ms, 1),
        "lexicon_grown_build_ms": round(grown_build_ms, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    print(json.dumps(run(quick=args.quick), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
