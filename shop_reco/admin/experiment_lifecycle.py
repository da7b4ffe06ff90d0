"""Starting, stopping and reporting experiments: what the admin pages and the CLI both call.

Starting validates the plan (every variant's rules as strictly as live rules),
refuses a key already used or a second running experiment, and runs the
safety test bench against every variant's rules first: a variant that breaks
a safety expectation which holds with the live rules cannot start, and the
error names the variant, the case and the check. Start and stop are recorded
as revisions (entity ``experiment``); both bump the content revision, so every
process answers with (or without) the experiment within ``SHOP_RECO_RULES_TTL``.

    start_experiment(json.load(open("sitting-plank.json")), actor="cli")
    experiment_report("sitting-plank").as_dict()["variants"][0]["clicks"]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from shop_reco.admin.case_checks import Failure, compare
from shop_reco.admin.rules.sandbox import compile_set, run_bench, saved_cases, stored_rules
from shop_reco.answering.snapshot import invalidate_snapshot
from shop_reco.recommending.experiments import LIVE, ExperimentPlan, load_plan
from shop_reco.recommending.significance import (
    RatioCheck,
    probability_best,
    sample_ratio_mismatch,
    wilson_interval,
)
from shop_reco.state import get_session, get_state
from shop_reco.storage.experiments import (
    RUNNING,
    VariantCounts,
    find_experiment,
    running_experiment,
    store_started,
    store_stopped,
    variant_counts,
)
from shop_reco.storage.models import Experiment


class ExperimentError(Exception):
    """The experiment cannot start or stop; ``errors`` maps a field path to messages.

    ``safety`` lists (variant key, failure) for the safety cases a variant breaks.
    """

    def __init__(
        self,
        message: str,
        errors: Mapping[str, list[str]] | None = None,
        safety: tuple[tuple[str, Failure], ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = dict(errors or {})
        self.safety = safety


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested errors as ``{"variants.1.rules.0.actions": [...]}``."""
    if isinstance(messages, Mapping):
        out: dict[str, list[str]] = {}
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix and key != "_schema" else (prefix or str(key))
            for k, v in flatten(value, path).items():
                out.setdefault(k, []).extend(v)
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_schema": list(messages)}
    if isinstance(messages, list):
        out = {}
        for i, value in enumerate(messages):
            for k, v in flatten(value, f"{prefix}.{i}" if prefix else str(i)).items():
                out.setdefault(k, []).extend(v)
        return out
    return {prefix or "_schema": [str(messages)]}


def validate_plan(data: Any) -> ExperimentPlan:
    """The plan, or :class:`ExperimentError` naming each invalid field."""
    try:
        return load_plan(data)
    except ValidationError as exc:
        errors = flatten(exc.messages)
        raise ExperimentError(f"the experiment is invalid: {_describe(errors)}", errors) from None


def _describe(errors: Mapping[str, list[str]]) -> str:
    return "; ".join(f"{path}: {' '.join(msgs)}" for path, msgs in errors.items())


def safety_failures(plan: ExperimentPlan) -> tuple[tuple[str, Failure], ...]:
    """Safety checks of the test bench that a variant's rules break and the live rules pass."""
    cases = saved_cases()
    candidates = [v for v in plan.variants if v.rules is not None]
    if not cases or not candidates:
        return ()
    baseline = run_bench(compile_set(stored_rules()), cases)
    found: list[tuple[str, Failure]] = []
    for variant in candidates:
        verdict = compare(baseline, run_bench(compile_set(variant.rules or ()), cases))
        found.extend((variant.key, failure) for failure in verdict.new_safety)
    return tuple(found)


def start_experiment(data: Any, *, actor: str | None) -> Experiment:
    """Validate, check against the safety bench, store and start; commits. Raises :class:`ExperimentError`."""
    plan = validate_plan(data)
    session = get_session()
    if find_experiment(session, plan.key) is not None:
        raise ExperimentError(
            f"an experiment {plan.key!r} already exists; give this one a new key",
            {"key": [f"An experiment {plan.key!r} already exists; choose a new key."]},
        )
    running = running_experiment(session)
    if running is not None:
        raise ExperimentError(
            f"experiment {running.key!r} is running; stop it before starting another",
            {"key": [f"Experiment {running.key!r} is running; stop it first (one experiment at a time)."]},
        )
    broken = safety_failures(plan)
    if broken:
        lines = [f"variant {v!r}, case {f.case.key!r}: {f.check.label}" for v, f in broken]
        errors: dict[str, list[str]] = {}
        for v, f in broken:
            errors.setdefault(f"variants.{v}", []).append(
                f"Breaks the safety case {f.case.key!r}: {f.check.label} no longer holds."
            )
        raise ExperimentError(
            "not started: a variant breaks the safety test bench (" + "; ".join(lines) + ")", errors, broken
        )
    try:
        row = store_started(session, plan.as_dict(), actor=actor)
        session.commit()
    except IntegrityError:  # the same key, started by someone else a moment ago
        session.rollback()
        raise ExperimentError(
            f"an experiment {plan.key!r} already exists; give this one a new key",
            {"key": [f"An experiment {plan.key!r} already exists; choose a new key."]},
        ) from None
    except Exception:
        session.rollback()
        raise
    invalidate_snapshot()
    return row


def stop_experiment(key: str, *, actor: str | None) -> Experiment:
    """Stop the running experiment ``key``; commits. Raises :class:`ExperimentError`."""
    session = get_session()
    row = find_experiment(session, key)
    if row is None:
        raise ExperimentError(f"there is no experiment {key!r}", {"key": [f"There is no experiment {key!r}."]})
    if row.status != RUNNING:
        raise ExperimentError(f"experiment {key!r} is not running", {"key": [f"Experiment {key!r} already stopped."]})
    try:
        store_stopped(session, row, actor=actor)
        session.commit()
    except Exception:
        session.rollback()
        raise
    invalidate_snapshot()
    return row


# -- results -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rate:
    """A rate with its 95% Wilson interval and the chance it is the best of the variants."""

    successes: int
    trials: int
    interval: tuple[float, float] | None
    probability_best: float

    @property
    def value(self) -> float | None:
        return self.successes / self.trials if self.trials else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "interval": list(self.interval) if self.interval else None,
            "probability_best": self.probability_best,
        }


@dataclass(frozen=True, slots=True)
class VariantReport:
    key: str
    weight: int
    live: bool
    rules: int  # how many rules the variant has (live: the live rules' count is not frozen)
    counts: VariantCounts
    ctr: Rate
    add_to_cart_rate: Rate
    expected_share: float
    share: float | None

    def as_dict(self) -> dict[str, Any]:
        c = self.counts
        return {
            "key": self.key,
            "weight": self.weight,
            "rules": LIVE if self.live else self.rules,
            "answers": c.answers,
            "impressions": c.impressions,
            "clicks": c.clicks,
            "add_to_carts": c.add_to_carts,
            "share_of_answers": self.share,
            "expected_share": self.expected_share,
            "ctr": self.ctr.as_dict(),
            "add_to_cart_rate": self.add_to_cart_rate.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class ExperimentReport:
    key: str
    status: str
    started_at: datetime
    stopped_at: datetime | None
    started_by: str | None
    variants: tuple[VariantReport, ...]
    ratio: RatioCheck

    @property
    def answers(self) -> int:
        return sum(v.counts.answers for v in self.variants)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "status": self.status,
            "started_at": _iso(self.started_at),
            "stopped_at": _iso(self.stopped_at),
            "variants": [v.as_dict() for v in self.variants],
            "sample_ratio": {
                "statistic": self.ratio.statistic,
                "p_value": self.ratio.p_value,
                "mismatch": self.ratio.mismatch,
            },
        }


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()


def report_for(row: Experiment) -> ExperimentReport:
    """Counts, rates with intervals, chance of being best and the split check, per variant."""
    get_state().answer_log.flush()  # this process's queued answers; other workers' land within a flush interval
    counts = variant_counts(get_session(), row.key)
    variants = list(row.variants)
    per = [counts.get(str(v["key"]), VariantCounts()) for v in variants]
    weights = [int(v["weight"]) for v in variants]
    total_weight = sum(weights) or 1
    impressions = [c.impressions for c in per]
    clicks = [min(c.clicks, c.impressions) for c in per]
    carts = [min(c.add_to_carts, c.impressions) for c in per]
    best_ctr = probability_best(clicks, impressions)
    best_cart = probability_best(carts, impressions)
    answers = sum(c.answers for c in per)
    reports = tuple(
        VariantReport(
            key=str(v["key"]),
            weight=weights[i],
            live=v["rules"] == LIVE,
            rules=0 if v["rules"] == LIVE else len(v["rules"]),
            counts=per[i],
            ctr=Rate(per[i].clicks, per[i].impressions, wilson_interval(clicks[i], impressions[i]), best_ctr[i]),
            add_to_cart_rate=Rate(
                per[i].add_to_carts, per[i].impressions, wilson_interval(carts[i], impressions[i]), best_cart[i]
            ),
            expected_share=weights[i] / total_weight,
            share=per[i].answers / answers if answers else None,
        )
        for i, v in enumerate(variants)
    )
    ratio = sample_ratio_mismatch([c.answers for c in per], weights)
    return ExperimentReport(row.key, row.status, row.started_at, row.stopped_at, row.started_by, reports, ratio)


def experiment_report(key: str) -> ExperimentReport:
    """The report of experiment ``key``; raises :class:`ExperimentError` when there is none."""
    row = find_experiment(get_session(), key)
    if row is None:
        raise ExperimentError(f"there is no experiment {key!r}", {"key": [f"There is no experiment {key!r}."]})
    return report_for(row)
