"""The labelled shopper descriptions in ../shared/eval, scored through the demo app's API."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, SHARED

SCORER = SHARED / "eval" / "score.py"
OWN_CASES = REPO / "tests" / "data" / "eval-cases.jsonl"


def run_scorer(*args: str) -> subprocess.CompletedProcess[str]:
    if not SCORER.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the eval scorer is missing at {SCORER}")
        pytest.skip("../shared/eval is not beside this checkout")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, str(SCORER), "--min-pass", "0.95", "--strict-safety", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env=env,
    )


@pytest.mark.slow
def test_shared_dev_cases_pass_with_strict_safety() -> None:
    result = run_scorer()
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_our_own_differently_worded_cases_pass_with_strict_safety() -> None:
    result = run_scorer("--cases", str(OWN_CASES))
    assert result.returncode == 0, result.stdout + result.stderr
