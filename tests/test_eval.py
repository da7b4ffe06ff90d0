"""The labelled shopper descriptions in ../shared/eval, scored through the demo app's API."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, SHARED

SCORER = SHARED / "eval" / "score.py"
OWN_CASES = REPO / "tests" / "data" / "eval-cases.jsonl"
SHARED_ANY_LANGUAGE = SHARED / "eval" / "any-language-and-cauda-equina.jsonl"
#: Our own cases for the signs and languages of the shared file above, worded the way people
#: write (forum posts, phone messages, a partner writing), in the page's language and the other.
OWN_ANY_LANGUAGE = REPO / "tests" / "data" / "eval-any-language-and-cauda-equina.jsonl"


def run_scorer(*args: str) -> subprocess.CompletedProcess[str]:
    if not SCORER.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the eval scorer is missing at {SCORER}")
        pytest.skip("../shared/eval is not beside this checkout")
    # The scorer is one client sending a hundred descriptions a minute: the shop's per-client
    # rate limit (60/minute) is not what is measured here.
    env = {**os.environ, "PYTHONPATH": str(REPO), "SHOP_RECO_RATELIMIT_ENABLED": "false"}
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


@pytest.mark.slow
def test_the_shared_any_language_and_cauda_equina_cases_pass_with_strict_safety() -> None:
    result = run_scorer("--cases", str(SHARED_ANY_LANGUAGE))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_our_own_any_language_and_cauda_equina_cases_pass_with_strict_safety() -> None:
    result = run_scorer("--cases", str(OWN_ANY_LANGUAGE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "false urgent 0" in result.stdout, result.stdout
