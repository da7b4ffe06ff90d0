"""How much memory an answer reads, counted exactly: cache misses per answer under cachegrind.

The HTTP ratio moves by ±0.1 from one round to the next on a shared machine, so
a change of 20 µs cannot be seen in it. What moves it is mostly not
instructions but memory: an answer that reads more than fits in the processor's
per-core cache (1 MB here) finds what it needs pushed out by itself and waits
for memory. Valgrind's cachegrind counts instructions and cache misses for a
simulated cache, the same on every run with the same hash seed, so a change can
be judged by what it does to those counts.

Both apps of the HTTP benchmark (``bare_app``, ``reco_app`` on the demo shop)
answer the same 400 bodies in process, through their WSGI callable; the
counts of a run with ``--answers`` more answers, minus those of a run with only
the warm-up, divided by ``--answers``, are one answer's. The answer log is
written every 500 answers, as its thread does. Each hash seed lays out the
dictionaries differently, so the figures are means over ``--seeds``.

    python -m benchmarks.bench_footprint            # needs valgrind (apt-get install valgrind)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
#: The last-level cache cachegrind simulates: this machine's per-core L2 (size, ways, line).
CACHE = "1048576,16,64"
WARM_UP = 400
APPS = {"bare": ("benchmarks.bare_app", "/bare"), "reco": ("benchmarks.reco_app", "/reco/api/v1/recommendations")}


def child(app_name: str, answers: int) -> None:
    """Answer ``WARM_UP + answers`` bodies in process (run under valgrind by :func:`counts`)."""
    import importlib

    from werkzeug.test import EnvironBuilder

    from benchmarks.bench_http import request_bodies

    module, path = APPS[app_name]
    app = importlib.import_module(module).app
    answer_log = None
    if app_name == "reco":
        from shop_reco.state import get_state

        with app.app_context():
            answer_log = get_state().answer_log
    bodies = [body.encode() for body in request_bodies()]
    # Werkzeug builds each request's environ once, outside the loop; only the input stream is new.
    environs = [
        EnvironBuilder(path=path, method="POST", data=body, content_type="application/json").get_environ()
        for body in bodies
    ]
    for n in range(WARM_UP + answers):
        environ = {**environs[n % len(bodies)], "wsgi.input": io.BytesIO(bodies[n % len(bodies)])}
        status: list[str] = []
        reply = app(environ, lambda s, headers, exc_info=None, seen=status: seen.append(s))
        b"".join(reply)
        if not status[0].startswith("200"):
            raise SystemExit(f"{app_name} answered {status[0]}")
        if answer_log is not None and n % 500 == 499:
            answer_log.flush()  # as the log's thread does about once a second under load
    if answer_log is not None:
        answer_log.flush()


def counts(app_name: str, answers: int, seed: int, env: dict[str, str]) -> dict[str, int]:
    """cachegrind's totals for one run of :func:`child` (hash seed ``seed``, no address randomisation)."""
    with tempfile.NamedTemporaryFile(suffix=".cg") as out:
        command = [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=yes",
            f"--LL={CACHE}",
            f"--cachegrind-out-file={out.name}",
            sys.executable,
            "-m",
            "benchmarks.bench_footprint",
            "--child",
            app_name,
            str(answers),
        ]
        if shutil.which("setarch"):
            command = ["setarch", "-R", *command]
        subprocess.run(command, cwd=REPO, env={**env, "PYTHONHASHSEED": str(seed)}, check=True, capture_output=True)
        events: list[str] = []
        for line in Path(out.name).read_text().splitlines():
            if line.startswith("events:"):
                events = line.split()[1:]
            elif line.startswith("summary:"):
                return dict(zip(events, map(int, line.split()[1:]), strict=True))
    raise RuntimeError("cachegrind wrote no summary")


def run(answers: int = 400, seeds: tuple[int, ...] = (0, 1, 2)) -> dict[str, Any]:
    if shutil.which("valgrind") is None:
        return {"footprint_error": "valgrind is not installed (apt-get install valgrind)"}
    from benchmarks.bench_http import prepare_db

    results: dict[str, Any] = {
        "footprint_setup": f"{answers} answers after {WARM_UP} warm-up, hash seeds {list(seeds)}, simulated LL {CACHE}"
    }
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = prepare_db(workdir, synthetic=False)
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "SHOP_RECO_DATABASE_URL": url,
            "SHOP_RECO_DEMO_INSTANCE": str(workdir),
            "SHOP_RECO_RATELIMIT_ENABLED": "false",
            "SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS": "86400",  # written by child(), not by the clock
        }
        runs = [(app_name, seed, n) for app_name in APPS for seed in seeds for n in (0, answers)]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # each run is one process
            totals = dict(zip(runs, pool.map(lambda run: counts(run[0], run[2], run[1], env), runs), strict=True))
        for app_name in APPS:
            per_seed = []
            for seed in seeds:
                base, more = totals[app_name, seed, 0], totals[app_name, seed, answers]
                per_seed.append({event: (more[event] - base[event]) / answers for event in base})
            mean = {event: statistics.fmean(p[event] for p in per_seed) for event in per_seed[0]}
            misses = [p["ILmr"] + p["DLmr"] + p["DLmw"] for p in per_seed]
            results[f"footprint_{app_name}_instructions"] = round(mean["Ir"])
            results[f"footprint_{app_name}_cache_misses"] = round(statistics.fmean(misses))
            results[f"footprint_{app_name}_cache_misses_per_seed"] = [round(m) for m in misses]
            results[f"footprint_{app_name}_code_misses"] = round(mean["ILmr"])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=400)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--child", nargs=2, metavar=("APP", "ANSWERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    seeds = tuple(int(s) for s in args.seeds.split(","))
    print(json.dumps(run(args.answers, seeds), indent=2))


if __name__ == "__main__":
    main()
