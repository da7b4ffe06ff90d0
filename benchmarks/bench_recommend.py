"""Benchmark ``recommend`` (the core, no HTTP): latency, and how it scales with the rule count.

    python -m benchmarks.bench_recommend            # full run
    python -m benchmarks.bench_recommend --quick    # a few seconds

``rules_scaling_ratio`` is the p50 with 10,000 rules and 10,000 products over
the p50 with 100 rules and 100 products, on the same profiles, each profile
counted at its best of many runs so that a busy machine does not decide it
(``rules_scaling_ratio_all_runs`` is the same over every run); the index
should keep it near 1 (the goal is at most 1.2). The extra cost at 10,000
rules comes from the rules that do match (``recommend_fired_rules_mean``);
rules about concepts a description doesn't mention cost nothing. Every key starts with
``recommend_`` or ``rules_`` so ``python -m benchmarks`` can merge the results.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import synthetic_profiles, synthetic_setup  # noqa: E402
from shop_reco.recommending import CompiledRules, compile_rules, recommend  # noqa: E402
from shop_reco.understanding.profile import Profile  # noqa: E402

SMALL = (100, 100)
LARGE = (10_000, 10_000)


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _time_pairs(
    small: CompiledRules, large: CompiledRules, profiles: list[Profile], samples: dict[str, list[list[float]]]
) -> None:
    """Time each profile on both settings back to back, so drift in machine load hits both alike.

    ``samples[setting][i]`` collects the times of profile ``i``.
    """
    clock = time.perf_counter_ns
    for i, profile in enumerate(profiles):
        for name, compiled in (("small", small), ("large", large)):
            start = clock()
            recommend(profile, compiled, locale=profile.locale)
            samples[name][i].append((clock() - start) / 1e6)


def _fired_mean(compiled: CompiledRules, profiles: list[Profile]) -> float:
    total = sum(len(recommend(p, compiled, locale=p.locale).fired_rules) for p in profiles)
    return round(total / len(profiles), 2)


def run(quick: bool = False) -> dict[str, Any]:
    """Time ``recommend`` with 100 and with 10,000 rules; milliseconds per call."""
    profiles = synthetic_profiles(200, seed=11)
    setups: dict[str, CompiledRules] = {}
    compile_ms: dict[str, float] = {}
    for name, (n_rules, n_products) in (("small", SMALL), ("large", LARGE)):
        rules, catalog = synthetic_setup(n_rules, n_products, seed=3)
        start = time.perf_counter()
        setups[name] = compile_rules(rules, catalog)
        compile_ms[name] = round((time.perf_counter() - start) * 1000, 1)
    rounds = 10 if quick else 60
    samples: dict[str, list[list[float]]] = {name: [[] for _ in profiles] for name in ("small", "large")}
    _time_pairs(setups["small"], setups["large"], profiles, {n: [[] for _ in profiles] for n in samples})  # warm
    gc.disable()
    try:
        for _ in range(rounds):
            _time_pairs(setups["small"], setups["large"], profiles, samples)
    finally:
        gc.enable()
    every = {name: [t for per_profile in runs for t in per_profile] for name, runs in samples.items()}
    # The ratio compares each description's best time (what the code costs, without the machine's
    # noise): the median over descriptions of the fastest of its runs, large over small.
    best = {name: statistics.median(min(per_profile) for per_profile in runs) for name, runs in samples.items()}
    small_p50 = statistics.median(every["small"])
    large_p50 = statistics.median(every["large"])
    return {
        "recommend_core_p50_ms": round(large_p50, 4),
        "recommend_core_p99_ms": round(_percentile(every["large"], 0.99), 4),
        "rules_scaling_ratio": round(best["large"] / best["small"], 3),
        "rules_scaling_ratio_all_runs": round(large_p50 / small_p50, 3),
        "recommend_small_p50_ms": round(small_p50, 4),
        "recommend_small_p99_ms": round(_percentile(every["small"], 0.99), 4),
        "recommend_calls_per_setting": len(every["large"]),
        # What the comparison means: rules that actually fire per description, on average.
        "recommend_fired_rules_mean": {name: _fired_mean(setups[name], profiles) for name in ("small", "large")},
        "recommend_compile_ms": compile_ms,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer iterations")
    args = parser.parse_args(argv)
    print(json.dumps(run(quick=args.quick), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
