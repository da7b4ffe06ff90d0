"""HTTP benchmark: gunicorn serving shop_reco vs a bare Flask endpoint, loaded by wrk.

Both are mounted in an otherwise empty Flask app (``reco_app``, ``bare_app``) and
run under the same gunicorn configuration in the same run, loaded in turn for
several interleaved rounds (medians reported), on loopback, with the same 400
descriptions; wrk's run time and connection count are bounded. Also measures a
worker's resident memory of the demo shop with 10,000 synthetic rules and products.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BODY = json.dumps({"description": "My lower back aches after sitting at my desk all day, no numbness."})
#: wrk sends the bodies round-robin, the same ones to both apps.
LUA = """bodies = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[(counter %% #bodies) + 1])
end
"""
#: How long and how bad, added to the benchmark sentences so no two bodies are alike.
_TAILS = {
    "en": ["It started {n} weeks ago.", "About {k} out of 10 today.", "For {n} days now.", ""],
    "sv": ["Det började för {n} veckor sedan.", "Ungefär {k} av 10 i dag.", "I {n} dagar nu.", ""],
}


def request_bodies(count: int = 400, seed: int = 11) -> list[str]:
    """``count`` distinct shopper descriptions (English and Swedish, some with red flags) as JSON bodies."""
    import random

    from benchmarks.bench_analyze import SENTENCES

    rnd = random.Random(seed)
    bodies: set[str] = set()
    while len(bodies) < count:
        locale = rnd.choice(list(SENTENCES))
        tail = rnd.choice(_TAILS[locale]).format(n=rnd.randint(1, 60), k=rnd.randint(1, 10))
        text = f"{rnd.choice(SENTENCES[locale])} {tail}".strip()
        bodies.add(json.dumps({"description": text}, ensure_ascii=False))
    return sorted(bodies)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            req = urllib.request.Request(url, data=BODY.encode(), headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def gunicorn(app_spec: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "1",
        "--threads",
        "1",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        app_spec,
    ]
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def worker_rss_mb(master: subprocess.Popen[bytes]) -> float:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    status = Path(f"/proc/{children[0]}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else float("nan")


def wrk(url: str, seconds: int, workdir: Path) -> dict[str, float]:
    script = workdir / "post.lua"
    script.write_text(LUA % ", ".join(f"[[{b}]]" for b in request_bodies()), encoding="utf-8")
    out = subprocess.run(
        ["wrk", "-t1", "-c4", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "non_2xx": int(errors.group(1)) if errors else 0}


def prepare_db(workdir: Path, synthetic: bool) -> str:
    url = f"sqlite:///{workdir / ('big.db' if synthetic else 'demo.db')}"
    env = {**os.environ, "SHOP_RECO_DATABASE_URL": url, "SHOP_RECO_DEMO_INSTANCE": str(workdir)}
    for args in (["db", "upgrade"], ["demo-data"]):
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "shop_reco.demo", "shop-reco", *args],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
        )
    if synthetic:
        load_synthetic(url)
    return url


def load_synthetic(url: str, n: int = 10_000) -> None:
    """Bulk-insert synthetic products and rules (core inserts: fast) and bump the revision."""
    from sqlalchemy import create_engine, insert
    from sqlalchemy.orm import Session

    from benchmarks.synthetic import synthetic_product_dicts, synthetic_rule_dicts
    from shop_reco.recommending import load_rules
    from shop_reco.storage.content import rule_record
    from shop_reco.storage.database import bump_revision
    from shop_reco.storage.models import Product, Rule

    products = synthetic_product_dicts(n, seed=3)
    rules = load_rules(synthetic_rule_dicts(n, skus=[p["sku"] for p in products], seed=3))
    engine = create_engine(url)
    with Session(engine) as session:
        session.execute(
            insert(Product),
            [
                {
                    k: p[k]
                    for k in (
                        "sku",
                        "price",
                        "currency",
                        "url",
                        "image_url",
                        "in_stock",
                        "active",
                        "concepts",
                        "text",
                    )
                }
                for p in products
            ],
        )
        session.execute(insert(Rule), [{**rule_record(r), "key": r.key, "version": 1} for r in rules])
        bump_revision(session)
        session.commit()
    engine.dispose()


def run(quick: bool = False) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        return {"http_error": "wrk is not installed (apt-get install wrk)"}
    seconds, rounds = (2, 3) if quick else (4, 5)
    results: dict[str, Any] = {
        "http_wrk": (
            f"1 thread, 4 connections, {rounds} interleaved rounds of {seconds}s per app (medians), "
            "400 distinct bodies round-robin; gunicorn 1 sync worker"
        )
    }
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        base_env = {**os.environ, "SHOP_RECO_RATELIMIT_ENABLED": "false", "PYTHONPATH": str(REPO)}
        demo_url = prepare_db(workdir, synthetic=False)
        reco_env = {**base_env, "SHOP_RECO_DATABASE_URL": demo_url, "SHOP_RECO_DEMO_INSTANCE": str(workdir)}
        apps = (
            ("bare", "benchmarks.bare_app:app", "/bare", base_env),
            ("reco", "benchmarks.reco_app:app", "/reco/api/v1/recommendations", reco_env),
            (
                "reco_unmemoized",
                "benchmarks.reco_app:app",
                "/reco/api/v1/recommendations",
                {**reco_env, "SHOP_RECO_ANSWER_CACHE_SIZE": "0"},
            ),
        )
        # All three serve at once (an idle sync worker costs nothing) and are loaded in turn, round
        # after round: a slow spell on a shared machine then lands on every app, not on one.
        servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
        runs: dict[str, list[dict[str, float]]] = {name: [] for name, *_ in apps}
        try:
            for name, spec, path, env in apps:
                port = free_port()
                servers[name] = (gunicorn(spec, port, env), f"http://127.0.0.1:{port}{path}")
                wait_until_up(servers[name][1])
                wrk(servers[name][1], 1, workdir)  # warm up
            for _ in range(rounds):
                for name, (_, url) in servers.items():
                    runs[name].append(wrk(url, seconds, workdir))
        finally:
            for server, _ in servers.values():
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
        rps = {name: statistics.median(run["rps"] for run in measured) for name, measured in runs.items()}
        results["http_rps_bare"] = round(rps["bare"], 1)
        results["http_rps_recommend"] = round(rps["reco"], 1)
        results["http_ratio_vs_bare"] = round(rps["reco"] / rps["bare"], 3)
        # The same ratio per round: how much the machine moved while we measured.
        per_round = [r["rps"] / b["rps"] for r, b in zip(runs["reco"], runs["bare"], strict=True)]
        results["http_ratio_rounds"] = [round(x, 3) for x in per_round]
        # Every answer computed afresh: the floor when no two shoppers are understood alike.
        results["http_rps_recommend_unmemoized"] = round(rps["reco_unmemoized"], 1)
        results["http_ratio_unmemoized"] = round(rps["reco_unmemoized"] / rps["bare"], 3)
        results["http_non_2xx"] = sum(run["non_2xx"] for measured in runs.values() for run in measured)

        big_url = prepare_db(workdir, synthetic=True)
        port = free_port()
        env = {**base_env, "SHOP_RECO_DATABASE_URL": big_url, "SHOP_RECO_DEMO_INSTANCE": str(workdir)}
        server = gunicorn("shop_reco.demo:create_app()", port, env)
        try:
            url = f"http://127.0.0.1:{port}/reco/api/v1/recommendations"
            wait_until_up(url, timeout=120)
            for _ in range(20):
                wait_until_up(url)
            results["worker_rss_mb_10k"] = round(worker_rss_mb(server), 1)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    return results


if __name__ == "__main__":
    print(json.dumps(run(quick=True), indent=2))
