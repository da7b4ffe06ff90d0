"""The statistics an experiment's report needs, in plain Python.

SciPy would give these in one import, but it adds tens of megabytes to every
worker for three formulas; these are short, exact where a closed form exists,
and tested against published table values (tests/test_significance.py).

* :func:`wilson_interval`: a 95% interval for a rate (clicks per impression),
  sound at small counts and at 0% or 100%, where the normal approximation fails.
* :func:`chi_square_sf`: the chi-square survival function for whole degrees of
  freedom, in closed form; :func:`sample_ratio_mismatch` uses it to warn when
  the variants' answer counts stray from their weights (broken assignment).
* :func:`probability_best`: the chance each variant has the highest rate,
  with a Beta(1, 1) prior (Beta-Binomial), by Monte Carlo with a fixed seed so
  that a report reads the same every time.

    >>> [round(x, 4) for x in wilson_interval(10, 100)]
    [0.0552, 0.1744]
    >>> round(chi_square_sf(3.841458820694124, 1), 4)
    0.05
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

#: The normal quantile of a two-sided 95% interval.
Z95 = 1.959963984540054
#: Below this p-value the split is reported as a sample-ratio mismatch (the usual, strict threshold).
SRM_P_VALUE = 0.001
#: Chi-square wants at least this many expected answers in every variant.
SRM_MIN_EXPECTED = 5.0


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of ``successes / trials`` (None when there are no trials).

    ``successes`` above ``trials`` (two clicks on one impression) counts as ``trials``.
    """
    if trials <= 0:
        return None
    k = min(max(successes, 0), trials)
    p = k / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def chi_square_sf(x: float, dof: int) -> float:
    """P(X >= x) for X chi-square with ``dof`` (a whole number >= 1) degrees of freedom.

    Even ``dof``: ``exp(-x/2) * sum((x/2)**i / i!)`` for i < dof/2. Odd ``dof``:
    ``erfc(sqrt(x/2))`` plus ``exp(-x/2) * sum((x/2)**(i - 1/2) / Gamma(i + 1/2))``
    for 1 <= i <= (dof-1)/2. Terms are summed in log space, so large ``x`` does not overflow.
    """
    if dof < 1 or int(dof) != dof:
        raise ValueError(f"dof must be a whole number >= 1, not {dof!r}")
    if x <= 0:
        return 1.0
    half = x / 2
    log_half = math.log(half)
    if dof % 2 == 0:
        total = sum(math.exp(i * log_half - half - math.lgamma(i + 1)) for i in range(dof // 2))
    else:
        total = math.erfc(math.sqrt(half)) + sum(
            math.exp((i - 0.5) * log_half - half - math.lgamma(i + 0.5)) for i in range(1, (dof - 1) // 2 + 1)
        )
    return min(1.0, max(0.0, total))


@dataclass(frozen=True, slots=True)
class RatioCheck:
    """Does the split of answers match the weights? ``p_value`` is None when there are too few answers."""

    statistic: float | None
    p_value: float | None
    expected: tuple[float, ...]

    @property
    def mismatch(self) -> bool:
        return self.p_value is not None and self.p_value < SRM_P_VALUE


def sample_ratio_mismatch(observed: Sequence[int], weights: Sequence[float]) -> RatioCheck:
    """Pearson's chi-square test of ``observed`` counts against the shares ``weights`` promise."""
    total, weight_sum = sum(observed), float(sum(weights))
    expected = tuple(total * w / weight_sum for w in weights) if weight_sum > 0 else tuple(0.0 for _ in weights)
    if len(observed) < 2 or not expected or min(expected) < SRM_MIN_EXPECTED:
        return RatioCheck(None, None, expected)
    statistic = sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True))
    return RatioCheck(statistic, chi_square_sf(statistic, len(observed) - 1), expected)


def probability_best(
    successes: Sequence[int], trials: Sequence[int], *, draws: int = 10_000, seed: int = 16
) -> list[float]:
    """For each variant, the posterior probability that its rate is the highest.

    Each rate's posterior is Beta(1 + successes, 1 + failures); ``draws``
    samples of every variant are compared (ties go to the first). With a fixed
    ``seed`` the answer is reproducible; its Monte Carlo error is about
    ``0.5 / sqrt(draws)`` (0.005 at 10,000 draws).
    """
    if not trials:
        return []
    rng = random.Random(seed)
    params = [(1 + min(max(k, 0), n), 1 + n - min(max(k, 0), n)) for k, n in zip(successes, trials, strict=True)]
    wins = [0] * len(params)
    beta = rng.betavariate
    for _ in range(draws):
        samples = [beta(a, b) for a, b in params]
        wins[samples.index(max(samples))] += 1
    return [w / draws for w in wins]
