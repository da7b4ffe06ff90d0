"""Benchmark the whole in-process answer: analysis + ranking + serialisation, on demo data.

The same path ``POST /recommendations`` takes, minus HTTP and minus logging
the answer: ``answer_description`` then ``answer_payload`` then the API's JSON encoder.
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


def demo_app(workdir: Path) -> Any:
    from shop_reco.demo import create_app

    app = create_app(
        {
            "TESTING": True,
            "SHOP_RECO_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
            "SHOP_RECO_RATELIMIT_ENABLED": False,
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
    from shop_reco.answers import answer_description
    from shop_reco.api.encoding import dumps
    from shop_reco.api.payloads import answer_payload

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
                    dumps(
                        answer_payload(answer, cart_template="/cart/add?sku={sku}", article_template="/articles/{slug}")
                    )
                    samples.append((clock() - start) / 1e6)
        finally:
            gc.enable()
    return samples


def run(quick: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        app = demo_app(Path(tmp))
        samples = time_answers(app, 50 if quick else 400)
        app.extensions["shop_reco"].engine.dispose()
    return {
        "recommend_inprocess_p50_ms": round(statistics.median(samples), 4),
        "recommend_inprocess_p99_ms": round(percentile(samples, 0.99), 4),
        "inprocess_calls": len(samples),
    }


if __name__ == "__main__":
    print(json.dumps(run(quick=True), indent=2))
