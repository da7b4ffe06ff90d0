"""Experiments between rule sets, as data: the plan's schema and how a visitor gets a variant.

Plain Python: no Flask, no database. A plan names two or more variants, each
with a weight and a complete rule set (``"rules": "live"`` reuses the shop's
live rules). Only rules differ between variants: the analyzer, its red flags
and the safety gate are the same objects for every variant, and the gate runs
before any rule is looked at (see :func:`shop_reco.recommending.recommend`).

A visitor's variant is a stable hash of the experiment key and the visitor id,
so the same visitor gets the same variant in every process, on every host,
with nothing stored about them:

    >>> plan = load_plan({"key": "sitting-plank", "variants": [
    ...     {"key": "control", "weight": 50, "rules": "live"},
    ...     {"key": "b", "weight": 50, "rules": []}]})
    >>> [v.key for v in plan.variants], plan.variants[0].live
    (['control', 'b'], True)
    >>> assign_variant("sitting-plank", "visitor-0001", plan.weights())
    'b'
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validates_schema
from marshmallow.validate import Length, Range, Regexp

from shop_reco.recommending.index import CompiledRules
from shop_reco.recommending.rules import SLUG, Rule, load_rules

#: A pseudonymous visitor id: what the API's ``visitor`` field accepts.
VISITOR = r"^[A-Za-z0-9_-]{8,64}$"
#: ``"rules": "live"``: the variant answers with the shop's live rules.
LIVE = "live"
VARIANT_KEY = r"^[a-z0-9][a-z0-9_-]{0,31}$"
MAX_VARIANTS = 10


@dataclass(frozen=True, slots=True)
class VariantPlan:
    """One variant: its key, its weight and its rules (None: the live rules)."""

    key: str
    weight: int
    rules: tuple[Rule, ...] | None = None

    @property
    def live(self) -> bool:
        return self.rules is None

    def as_dict(self) -> dict[str, Any]:
        """The variant's JSON (rules in the export format, without versions)."""
        if self.rules is None:
            rules: Any = LIVE
        else:
            rules = [{k: v for k, v in r.as_dict().items() if k != "version"} for r in self.rules]
        return {"key": self.key, "weight": self.weight, "rules": rules}


@dataclass(frozen=True, slots=True)
class ExperimentPlan:
    """A validated experiment: its key and its variants in order."""

    key: str
    variants: tuple[VariantPlan, ...]

    def weights(self) -> tuple[tuple[str, int], ...]:
        return tuple((v.key, v.weight) for v in self.variants)

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "variants": [v.as_dict() for v in self.variants]}


class _RulesField(fields.Field):
    """``"live"`` or a list of rules in the export format, validated as the live rules are."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Any:
        if value == LIVE:
            return None
        if not isinstance(value, list):
            raise ValidationError('Use "live" or a list of rules in the export format.')
        return tuple(load_rules(value))  # errors keyed by the rule's index, then its field


class _VariantSchema(Schema):
    class Meta:
        unknown = RAISE

    key = fields.String(
        required=True, validate=Regexp(VARIANT_KEY, error="use 1-32 of a-z, 0-9, '-' and '_', e.g. 'control'")
    )
    weight = fields.Integer(required=True, strict=True, validate=Range(min=1, max=10_000))
    rules = _RulesField(required=True)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> VariantPlan:
        return VariantPlan(data["key"], data["weight"], data["rules"])


class ExperimentPlanSchema(Schema):
    """Loads ``{"key", "variants": [{"key", "weight", "rules"}, ...]}`` into an :class:`ExperimentPlan`."""

    class Meta:
        unknown = RAISE

    key = fields.String(required=True, validate=Regexp(SLUG, error="use 2-64 of a-z, 0-9 and '-'"))
    variants = fields.List(fields.Nested(_VariantSchema), required=True, validate=Length(min=2, max=MAX_VARIANTS))

    @validates_schema
    def _unique_variants(self, data: dict[str, Any], **kwargs: Any) -> None:
        seen: set[str] = set()
        for i, variant in enumerate(data.get("variants") or ()):
            if variant.key in seen:
                raise ValidationError({i: {"key": [f"duplicate variant key {variant.key!r}"]}}, "variants")
            seen.add(variant.key)

    @post_load
    def _make(self, data: dict[str, Any], **kwargs: Any) -> ExperimentPlan:
        return ExperimentPlan(data["key"], tuple(data["variants"]))


_PLAN_SCHEMA = ExperimentPlanSchema()


def load_plan(data: Mapping[str, Any]) -> ExperimentPlan:
    """Validate an experiment's JSON; raises ``marshmallow.ValidationError`` naming the field path."""
    if not isinstance(data, Mapping):
        raise ValidationError({"_schema": ["Expected a JSON object with 'key' and 'variants'."]})
    plan: ExperimentPlan = _PLAN_SCHEMA.load(data)
    return plan


def assign_variant(experiment_key: str, visitor: str, weights: Sequence[tuple[str, int]]) -> str:
    """The variant ``visitor`` is in: the same for the same key and visitor, split by weight.

    The first 64 bits of SHA-256 over the key and the visitor, scaled to the
    sum of the weights (exact integer arithmetic), pick the variant.
    """
    total = sum(w for _, w in weights)
    digest = hashlib.sha256(f"{experiment_key}\x00{visitor}".encode()).digest()
    point = (int.from_bytes(digest[:8], "big") * total) >> 64
    for key, weight in weights:
        if point < weight:
            return key
        point -= weight
    return weights[-1][0]  # unreachable: point < total


@dataclass(frozen=True, slots=True)
class Arm:
    """A variant ready to answer: which experiment and variant, and its compiled rules."""

    experiment: str
    variant: str
    compiled: CompiledRules


class RunningExperiment:
    """The running experiment as a process serves it, built with its snapshot.

    :meth:`assign` gives the same variant as :func:`assign_variant`, with the
    key's hash prefix and the cumulative weights worked out once, as it runs on
    every answer with a visitor.
    """

    __slots__ = ("key", "arms", "weights", "_prefix", "_total", "_bounds")

    def __init__(self, key: str, arms: Sequence[Arm], weights: Sequence[tuple[str, int]]) -> None:
        self.key = key
        self.arms = tuple(arms)
        self.weights = tuple(weights)
        by_variant = {a.variant: a for a in self.arms}
        self._prefix = f"{key}\x00"
        self._total = sum(w for _, w in self.weights)
        bounds: list[tuple[int, Arm]] = []
        upper = 0
        for variant, weight in self.weights:
            upper += weight
            bounds.append((upper, by_variant[variant]))
        self._bounds = tuple(bounds)

    def assign(self, visitor: str) -> Arm:
        """The arm that answers ``visitor``."""
        digest = hashlib.sha256((self._prefix + visitor).encode()).digest()
        point = (int.from_bytes(digest[:8], "big") * self._total) >> 64
        for upper, arm in self._bounds:
            if point < upper:
                return arm
        return self._bounds[-1][1]  # unreachable: point < total
