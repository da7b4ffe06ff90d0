"""Run every benchmark, print a table, and write ``benchmarks/results/latest.json``.

Figures are medians (and p99s) over many repeats; ratios compare against a
baseline measured in the same run, so a busy machine shifts both sides alike.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"

TARGETS = {
    "analyze_per_s": (">=", 20_000),
    "analyze_2000_chars_ms": ("<=", 1.0),
    "lexicon_growth_ratio": ("<=", 1.2),
    "recommend_inprocess_p50_ms": ("<=", 0.3),
    "recommend_inprocess_p99_ms": ("<=", 1.0),
    "rules_scaling_ratio": ("<=", 1.2),
    "http_ratio_vs_bare": (">=", 0.8),
    "worker_rss_mb_10k": ("<=", 150),
    "experiment_answer_ratio": ("<=", 1.10),
    "feed_import_s": ("<=", 30),
    "feed_reimport_changed": ("<=", 0),
    "feed_reimport_revisions": ("<=", 0),
}
#: Shown beside the targets: the same paths with the answer memo on (in process) or off (HTTP).
CONTEXT = (
    "recommend_inprocess_memo_p50_ms",
    "http_ratio_unmemoized",
    "http_rps_bare",
    "http_rps_recommend",
    "http_ratio_rounds",
    "experiment_outside_p50_ms",
    "experiment_inside_p50_ms",
    "analytics_sqlite_empty_ms",
    "analytics_sqlite_first_ms",
    "analytics_sqlite_products_page_2_ms",
    "analytics_sqlite_rule_ms",
    "analytics_sqlite_first_page_kb",
    "analytics_postgres_empty_ms",
    "analytics_postgres_first_ms",
    "analytics_postgres_products_page_2_ms",
    "analytics_postgres_rule_ms",
    "feed_import_cpu_s",
    "feed_reimport_s",
)


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats; under a minute")
    parser.add_argument("--skip-http", action="store_true", help="leave out the gunicorn + wrk run")
    args = parser.parse_args(argv)

    from benchmarks import (
        bench_analytics,
        bench_analyze,
        bench_experiment,
        bench_feed,
        bench_http,
        bench_inprocess,
        bench_recommend,
    )

    results: dict[str, Any] = {"quick": args.quick, "machine": machine(), "started": time.strftime("%FT%T%z")}
    parts = [
        ("analyze", bench_analyze.run),
        ("recommend", bench_recommend.run),
        ("inprocess", bench_inprocess.run),
        ("experiment", bench_experiment.run),
        ("analytics", bench_analytics.run),
        ("feed", bench_feed.run),
    ]
    if not args.skip_http:
        parts.append(("http", bench_http.run))
    for name, run in parts:
        started = time.perf_counter()
        results.update(run(quick=args.quick))
        print(f"  {name}: {time.perf_counter() - started:.1f}s", file=sys.stderr)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"{'metric':32} {'value':>12}  target")
    for key, (op, goal) in TARGETS.items():
        value = results.get(key)
        if value is None:
            print(f"{key:32} {'-':>12}  {op} {goal}")
            continue
        met = value >= goal if op == ">=" else value <= goal
        print(f"{key:32} {value:>12}  {op} {goal} {'ok' if met else 'MISSED'}")
    for key in CONTEXT:
        if key in results:
            print(f"{key:32} {str(results[key]):>12}")
    print(f"written to {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
