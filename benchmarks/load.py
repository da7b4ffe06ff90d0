"""Load test: gunicorn with the demo shop on loopback, driven by wrk for a bounded time.

A mix of recommendation POSTs (400 distinct descriptions), GETs of the API,
widget fragments, iframes and widget.js, and event POSTs. Reports requests/s,
p50/p99 latency, errors (must be 0) and worker memory before and after (growth
must stay under 10%). ``make load`` runs it; ``--seconds`` bounds it.

    python -m benchmarks.load --seconds 30
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_http import REPO, free_port, prepare_db, request_bodies, wait_until_up

MIX_LUA = r"""
local bodies = {%BODIES%}
local gets = {
  "/reco/api/v1/products/lumbar-support-belt/pairings",
  "/reco/api/v1/products/ergonomic-seat-cushion/pairings?locale=sv",
  "/reco/api/v1/articles/hip-and-lower-back-pain",
  "/reco/api/v1/exercises",
  "/reco/widgets/product/lumbar-support-belt",
  "/reco/widgets/ui.json?locale=sv",
  "/reco/widget.js",
  "/reco/embed/article/hip-and-lower-back-pain",
}
local event = '{"kind": "impression", "item_type": "exercise", "item_id": "plank", "page_view": "loadtest-0001"}'
local n = 0
request = function()
  n = n + 1
  local k = n % 10
  if k < 4 then
    local body = bodies[(n % #bodies) + 1]
    return wrk.format("POST", "/reco/api/v1/recommendations", {["Content-Type"] = "application/json"}, body)
  elseif k < 8 then
    return wrk.format("GET", gets[(n % #gets) + 1])
  else
    return wrk.format("POST", "/reco/api/v1/events", {["Content-Type"] = "application/json"}, event)
  end
end
"""


def worker_pids(master: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def rss_mb(pid: int) -> float:
    match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(match.group(1)) / 1024 if match else float("nan")


def parse_latency(out: str, label: str) -> float:
    match = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def run(seconds: int = 20, workers: int = 2) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = prepare_db(workdir, synthetic=False)
        env = {
            **os.environ,
            "SHOP_RECO_DATABASE_URL": url,
            "SHOP_RECO_DEMO_INSTANCE": str(workdir),
            "SHOP_RECO_RATELIMIT_ENABLED": "false",
            "PYTHONPATH": str(REPO),
        }
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "shop_reco.demo:create_app()",
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(f"{base}/reco/api/v1/recommendations")
            script = workdir / "mix.lua"
            bodies = ", ".join(f"[[{b}]]" for b in request_bodies())
            script.write_text(MIX_LUA.replace("%BODIES%", bodies), encoding="utf-8")
            warm = subprocess.run(
                ["wrk", "-t1", "-c4", "-d3s", "-s", str(script), base], capture_output=True, text=True, timeout=60
            )
            if warm.returncode != 0:
                raise RuntimeError(warm.stderr)
            pids = worker_pids(server.pid)
            before = {pid: rss_mb(pid) for pid in pids}
            started = time.monotonic()
            out = subprocess.run(
                ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", str(script), base],
                capture_output=True,
                text=True,
                timeout=seconds + 60,
                check=True,
            ).stdout
            elapsed = time.monotonic() - started
            after = {pid: rss_mb(pid) for pid in worker_pids(server.pid)}
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    growth = max((after.get(pid, 0) - mb) / mb for pid, mb in before.items())
    return {
        "load_seconds": round(elapsed, 1),
        "load_rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "load_p50_ms": parse_latency(out, "50%"),
        "load_p99_ms": parse_latency(out, "99%"),
        "load_errors": int(errors.group(1)) if errors else 0,
        "load_socket_errors": socket_errors.group(1) if socket_errors else "none",
        "load_worker_rss_mb_before": round(max(before.values()), 1),
        "load_worker_rss_mb_after": round(max(after.values()), 1),
        "load_worker_rss_growth": round(growth, 3),
        "load_mix": "40% POST /recommendations (400 distinct descriptions), 40% GET API, widget, iframe and"
        " widget.js routes, 20% POST /events",
        "load_setup": f"gunicorn {workers} sync workers, wrk 2 threads 8 connections, SQLite demo data",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    result = run(args.seconds, args.workers)
    print(json.dumps(result, indent=2))
    out = Path(__file__).resolve().parent / "results" / "load.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    ok = result["load_errors"] == 0 and result["load_worker_rss_growth"] <= 0.10
    print("load: OK" if ok else "load: FAILED (errors or memory growth)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
