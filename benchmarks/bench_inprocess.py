"""Benchmark the whole in-process answer: analysis + ranking + serialisation, on demo data.

The same path ``POST /recommendations`` takes, minus HTTP and minus logging
the answer: ``answer_description`` then the API's ``answer_json``. The target
figures are measured with the answer memo off (``SHOP_RECO_ANSWER_CACHE_SIZE=0``),
so every answer is analysed, ranked and encoded afresh; ``*_memo_*`` figures
show the default, where these few descriptions are answered from the memo.
"""

from __future__ import annotations

import gc
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

DESCRIPTIONS = [
    "My lower back aches after sitting at my desk all day, no numbness.",
    "I slouch over my laptop and my upper back and neck get sore.",
    "Sharp pain in my right buttock that shoots down the back of my leg.",
    "Tight hamstrings and a stiff lower back when I bend forward.",
    "Hip pain when I run, but I'd like to keep exercising.",
    "Jag har ont i ländryggen när jag sitter länge vid datorn.",
    "Standing all day at work makes my lower back ache, about 5/10 for three months.",
    "Lower back pain with fever and chills.",
]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def demo_app(workdir: Path, *, memo: bool = False) -> Any:
    from shop_reco.demo import create_app

    app = create_app(
        {
            "TESTING": True,
            "SHOP_RECO_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
            "SHOP_RECO_RATELIMIT_ENABLED": False,
            "SHOP_RECO_ANSWER_CACHE_SIZE": 4096 if memo else 0,
            "INSTANCE_PATH": str(workdir),
        }
    )
    runner = app.test_cli_runner()
    for args in (["shop-reco", "db", "upgrade"], ["shop-reco", "demo-data"]):
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise RuntimeError(result.output)
    return app


def time_answers(app: Any, rounds: int) -> list[float]:
    from shop_reco.answering.answers import answer_description
    from shop_reco.answering.payloads import answer_json

    samples: list[float] = []
    with app.app_context():
        for text in DESCRIPTIONS:  # warm the snapshot and the caches
            answer_description(text, log_answer=False)
        clock = time.perf_counter_ns
        gc.disable()
        try:
            for _ in range(rounds):
                for text in DESCRIPTIONS:
                    start = clock()
                    answer = answer_description(text, log_answer=False)
                    answer_json(answer, cart_template="/cart/add?sku={sku}", article_template="/articles/{slug}")
                    samples.append((clock() - start) / 1e6)
        finally:
            gc.enable()
    return samples


def run(quick: bool = False) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for memo, prefix in ((False, "recommend_inprocess"), (True, "recommend_inprocess_memo")):
        with tempfile.TemporaryDirectory() as tmp:
            app = demo_app(Path(tmp), memo=memo)
            samples = time_answers(app, 50 if quick else 400)
            app.extensions["shop_reco"].close()
        results[f"{prefix}_p50_ms"] = round(statistics.median(samples), 4)
        results[f"{prefix}_p99_ms"] = round(percentile(samples, 0.99), 4)
    results["inprocess_calls"] = len(samples)
    return results


if __name__ == "__main__":
    print(json.dumps(run(quick=True), indent=2))
