"""The report's statistics against published values: Wilson intervals, chi-square, chance of being best."""

from __future__ import annotations

import pytest

from shop_reco.recommending.significance import (
    chi_square_sf,
    probability_best,
    sample_ratio_mismatch,
    wilson_interval,
)

#: Critical values of the chi-square distribution (upper-tail probability, degrees of freedom, value),
#: as printed in standard tables (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.4).
CHI_SQUARE_TABLE = [
    (0.10, 1, 2.706),
    (0.05, 1, 3.841),
    (0.01, 1, 6.635),
    (0.001, 1, 10.828),
    (0.05, 2, 5.991),
    (0.01, 2, 9.210),
    (0.001, 2, 13.816),
    (0.05, 3, 7.815),
    (0.001, 3, 16.266),
    (0.05, 4, 9.488),
    (0.01, 5, 15.086),
    (0.05, 9, 16.919),
    (0.05, 10, 18.307),
    (0.01, 20, 37.566),
    (0.90, 1, 0.016),
    (0.90, 4, 1.064),
]


@pytest.mark.parametrize(("p", "dof", "value"), CHI_SQUARE_TABLE)
def test_chi_square_survival_matches_the_table(p: float, dof: int, value: float) -> None:
    # Table values have three decimals: the probability at them is within a small relative error.
    assert chi_square_sf(value, dof) == pytest.approx(p, rel=2e-3, abs=2e-5)


def test_chi_square_edges() -> None:
    assert chi_square_sf(0, 3) == 1.0
    assert chi_square_sf(-1, 1) == 1.0
    assert chi_square_sf(2000, 1) == 0.0
    assert 0 < chi_square_sf(200, 7) < 1e-30  # far in the tail: tiny, not an overflow
    assert chi_square_sf(4, 2) == pytest.approx(0.1353352832366127)  # exp(-2), the dof-2 closed form
    with pytest.raises(ValueError, match="whole number"):
        chi_square_sf(1.0, 0)


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998), "Two-sided confidence intervals for the single proportion", table I
        # (the score method without continuity correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0),
    ],
)
def test_wilson_interval_matches_newcombe(k: int, n: int, low: float, high: float) -> None:
    got = wilson_interval(k, n)
    assert got is not None
    assert got[0] == pytest.approx(low, abs=1e-4) and got[1] == pytest.approx(high, abs=1e-4)


def test_wilson_interval_without_trials_and_with_too_many_successes() -> None:
    assert wilson_interval(0, 0) is None
    assert wilson_interval(12, 10) == wilson_interval(10, 10)


def test_a_fair_split_is_no_mismatch_and_a_skewed_one_is() -> None:
    fair = sample_ratio_mismatch([1010, 990], [50, 50])
    assert fair.p_value is not None and fair.p_value > 0.5 and not fair.mismatch
    skewed = sample_ratio_mismatch([1100, 900], [50, 50])
    assert skewed.statistic == pytest.approx(20.0) and skewed.mismatch
    weighted = sample_ratio_mismatch([900, 100], [90, 10])
    assert weighted.statistic == pytest.approx(0.0) and not weighted.mismatch
    three = sample_ratio_mismatch([300, 300, 400], [1, 1, 1])
    assert three.mismatch and three.p_value == pytest.approx(chi_square_sf(20.0, 2))


def test_too_few_answers_are_not_judged() -> None:
    early = sample_ratio_mismatch([3, 0], [50, 50])
    assert early.p_value is None and not early.mismatch


def test_probability_best_is_reproducible_and_favours_the_higher_rate() -> None:
    first = probability_best([10, 20], [200, 200])
    assert first == probability_best([10, 20], [200, 200])
    assert sum(first) == pytest.approx(1.0)
    assert first[1] > 0.95
    # Same data, same chance (within Monte Carlo error); no data at all: a coin toss.
    even = probability_best([30, 30], [300, 300])
    assert even[0] == pytest.approx(0.5, abs=0.03)
    assert probability_best([0, 0, 0], [0, 0, 0]) == pytest.approx([1 / 3] * 3, abs=0.03)
    assert probability_best([], []) == []


def test_probability_best_agrees_with_the_exact_answer_for_two_variants() -> None:
    """P(B > A) for Beta posteriors has a closed form (Evan Miller's sum); Monte Carlo lands near it."""
    from math import exp, lgamma, log

    def log_beta(a: float, b: float) -> float:
        return lgamma(a) + lgamma(b) - lgamma(a + b)

    a_alpha, a_beta, b_alpha, b_beta = 1 + 12, 1 + 188, 1 + 21, 1 + 179
    exact = sum(
        exp(
            log_beta(a_alpha + i, a_beta + b_beta)
            - log(b_beta + i)
            - log_beta(1 + i, b_beta)
            - log_beta(a_alpha, a_beta)
        )
        for i in range(b_alpha)
    )
    assert probability_best([12, 21], [200, 200])[1] == pytest.approx(exact, abs=0.01)
