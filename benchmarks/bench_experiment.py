"""Benchmark what an experiment adds to an answer: inside one (a visitor's variant) vs outside.

Both sides take the in-process API path (``answer_description`` then
``answer_json``, the answer memo off, nothing logged) on the demo data, with an
experiment running whose variant ``b`` holds a copy of the live rules: compiled
on its own, as every variant that is not ``"live"`` is, but ranking alike, so
the figure is the experiment's own cost, not that of a bigger or smaller rule
set. Inside, the visitor id is hashed to pick the variant and the variant's own
compiled rules answer; outside, no visitor is given and the live rules answer.
Calls alternate between the two sides so a busy machine slows both alike;
``experiment_answer_ratio`` is median inside over median outside (target <= 1.10).
"""

from __future__ import annotations

import gc
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_inprocess import DESCRIPTIONS, demo_app


def start_experiment(app: Any, visitors: int = 1000) -> list[str]:
    """Start a 50/50 experiment (live vs a copy of the live rules); return ``visitors`` ids in the copy."""
    from shop_reco.admin.experiment_lifecycle import start_experiment as start
    from shop_reco.extension import get_session
    from shop_reco.recommending.experiments import assign_variant
    from shop_reco.storage.snapshot import load_rule_data

    with app.app_context():
        rules = [{k: v for k, v in r.items() if k != "version"} for r in load_rule_data(get_session())]
        plan = {
            "key": "bench",
            "variants": [
                {"key": "control", "weight": 50, "rules": "live"},
                {"key": "b", "weight": 50, "rules": rules},
            ],
        }
        start(plan, actor="bench")
    weights = [("control", 50), ("b", 50)]
    ids = (f"bench-visitor-{n:06d}" for n in range(visitors * 100))
    return [v for v in ids if assign_variant("bench", v, weights) == "b"][:visitors]


def time_both(app: Any, visitors: list[str], rounds: int) -> tuple[list[float], list[float]]:
    """Medians' samples outside and inside; each inside call is a different visitor (the hash is never skipped)."""
    from shop_reco.answering.answers import answer_description
    from shop_reco.answering.payloads import answer_json

    outside: list[float] = []
    inside: list[float] = []
    with app.app_context():
        for text in DESCRIPTIONS:  # warm the snapshot (and the variant's compiled rules)
            assert answer_description(text, log_answer=False, visitor=visitors[0]).experiment is not None
            assert answer_description(text, log_answer=False).experiment is None
        clock = time.perf_counter_ns
        gc.disable()
        try:
            calls = 0
            for n in range(rounds):
                for text in DESCRIPTIONS:
                    visitor = visitors[calls % len(visitors)]
                    calls += 1
                    sides = ((None, outside), (visitor, inside)) if n % 2 else ((visitor, inside), (None, outside))
                    for who, samples in sides:
                        start = clock()
                        answer = answer_description(text, log_answer=False, visitor=who)
                        answer_json(answer, cart_template="/cart/add?sku={sku}", article_template="/articles/{slug}")
                        samples.append((clock() - start) / 1e6)
        finally:
            gc.enable()
    return outside, inside


def run(quick: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        app = demo_app(Path(tmp))
        visitors = start_experiment(app)
        outside, inside = time_both(app, visitors, 100 if quick else 400)
        app.extensions["shop_reco"].close()
    out_p50, in_p50 = statistics.median(outside), statistics.median(inside)
    return {
        "experiment_outside_p50_ms": round(out_p50, 4),
        "experiment_inside_p50_ms": round(in_p50, 4),
        "experiment_answer_ratio": round(in_p50 / out_p50, 3),
    }


if __name__ == "__main__":
    print(json.dumps(run(quick=True), indent=2))
