"""Deciding what to recommend: rules as data, a concept index, ranking, safety gate, pairings.

Plain Python: no Flask, no database. The storage layer builds a ``Catalog``
and loads rules; ``compile_rules`` indexes them once per revision;
``recommend`` answers each description.

    from shop_reco.recommending import compile_rules, load_rules, recommend
    compiled = compile_rules(load_rules(rules_json), catalog, revision=7)
    recommend(profile, compiled, locale="sv").safety.level
    # -> 'none'
"""

from __future__ import annotations

from shop_reco.recommending.catalog import Catalog, ExerciseItem, ProductItem, SectionItem, text_for
from shop_reco.recommending.index import CompiledRules, compile_rules
from shop_reco.recommending.pairings import (
    Pairings,
    UnknownItemError,
    pairings_for_product,
    products_for_sections,
)
from shop_reco.recommending.ranking import ProfileKey, profile_key, recommend
from shop_reco.recommending.results import (
    DEFAULT_LIMITS,
    Avoid,
    FiredRule,
    Limits,
    Note,
    RankedItem,
    Reason,
    Recommendation,
    RedFlag,
    Routine,
    Safety,
)
from shop_reco.recommending.rules import Rule, RuleSchema, check_references, load_rule, load_rules
from shop_reco.recommending.safety import fail_closed

__all__ = [
    "ProfileKey",
    "profile_key",
    "DEFAULT_LIMITS",
    "Avoid",
    "Catalog",
    "CompiledRules",
    "ExerciseItem",
    "FiredRule",
    "Limits",
    "Note",
    "Pairings",
    "ProductItem",
    "RankedItem",
    "Reason",
    "Recommendation",
    "RedFlag",
    "Routine",
    "Rule",
    "RuleSchema",
    "Safety",
    "SectionItem",
    "UnknownItemError",
    "check_references",
    "compile_rules",
    "fail_closed",
    "load_rule",
    "load_rules",
    "pairings_for_product",
    "products_for_sections",
    "recommend",
    "text_for",
]
