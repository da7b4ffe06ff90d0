"""The content snapshot every answer reads: catalog, compiled rules, analyzer and running experiment.

Built from one content revision and cached per process; rebuilt when the
revision in the database moves (checked at most every ``SHOP_RECO_RULES_TTL``
seconds). A running experiment is part of the snapshot: each variant's rules
are validated once per process and compiled with the live ones, against the
same catalog; the analyzer (and with it every red flag) is shared.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import lru_cache

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from shop_reco.answering.caches import RuleVersion, VariantRules, answering_caches
from shop_reco.answering.outage import database_answers_again, database_not_ready, database_unavailable
from shop_reco.recommending import Catalog, CompiledRules, Rule, compile_rules, load_rule, load_rules
from shop_reco.recommending.experiments import LIVE, Arm, RunningExperiment
from shop_reco.state import RecoState, get_session, get_state
from shop_reco.storage.database import database_unreachable, schema_missing
from shop_reco.storage.experiments import running_experiment
from shop_reco.storage.snapshot import RevisionCache, load_catalog, load_rule_data, load_synonyms
from shop_reco.understanding import Analyzer
from shop_reco.understanding.analyzer import default_analyzer

log = logging.getLogger("shop_reco")
_MAKING_CACHE = threading.Lock()


@dataclass(frozen=True)
class Snapshot:
    """Everything needed to answer, built from one content revision."""

    revision: int
    catalog: Catalog
    compiled: CompiledRules
    analyzer: Analyzer
    #: The running experiment's variants, compiled from this same revision (None: no experiment).
    experiment: RunningExperiment | None = None


def build_analyzer(synonyms: list[dict[str, str]]) -> Analyzer:
    """The analyzer from the shipped lexicons plus the merchant's synonyms.

    The shipped lexicons are compiled once per process (most of a second); the
    merchant's synonyms are laid over them in milliseconds (``Analyzer.with_synonyms``).
    A process keeps the last few by their synonyms, so the token caches warmed by
    earlier answers survive a rule or product edit.
    """
    key = tuple(sorted((s["locale"], s["group"], s["code"], s["phrase"]) for s in synonyms))
    return _analyzer_for(key)


@lru_cache(maxsize=4)
def _analyzer_for(synonyms: tuple[tuple[str, str, str, str], ...]) -> Analyzer:
    extra = [{"locale": loc, "group": group, "code": code, "phrase": phrase} for loc, group, code, phrase in synonyms]
    return default_analyzer().with_synonyms(extra)


def build_snapshot(session: Session, revision: int) -> Snapshot:
    answering_caches().not_ready_logged = False  # the tables exist (again): say so if they go
    catalog = load_catalog(session)
    compiled = compile_rules(_validated_rules(session), catalog, revision=revision)
    return Snapshot(
        revision=revision,
        catalog=catalog,
        compiled=compiled,
        analyzer=build_analyzer(load_synonyms(session)),
        experiment=_running_experiment(session, catalog, compiled, revision),
    )


def _running_experiment(
    session: Session, catalog: Catalog, live: CompiledRules, revision: int
) -> RunningExperiment | None:
    """The running experiment with each variant's rules compiled; a live variant shares ``live``.

    A variant's rules never change once it started, so they are validated once
    per process (kept by experiment id and variant key) and only compiled again
    when the revision moves (the catalog may have changed). If a variant's rules
    no longer validate, the experiment is left out, loudly: everyone gets the live rules.
    """
    row = running_experiment(session)
    if row is None:
        return None
    caches = answering_caches()
    known = caches.variant_rules
    fresh: dict[VariantRules, tuple[Rule, ...]] = {}
    arms: list[Arm] = []
    weights: list[tuple[str, int]] = []
    for variant in row.variants:
        key, rules = str(variant["key"]), variant["rules"]
        if rules == LIVE:
            compiled = live
        else:
            ident = VariantRules(row.id, key)
            validated = known.get(ident)
            if validated is None:
                try:
                    validated = tuple(load_rules(rules))
                except ValidationError as exc:
                    log.warning(
                        "shop_reco: experiment %r variant %r has invalid rules; the experiment is ignored: %s",
                        row.key,
                        key,
                        exc.messages,
                    )
                    return None
            fresh[ident] = validated
            compiled = compile_rules(validated, catalog, revision=revision)
        arms.append(Arm(row.key, key, compiled))
        weights.append((key, int(variant["weight"])))
    caches.variant_rules = fresh
    return RunningExperiment(row.key, tuple(arms), tuple(weights))


def _validated_rules(session: Session) -> list[Rule]:
    """Every stored rule, validated; rules unchanged since the last rebuild are reused.

    A rule's ``version`` moves with every change (optimistic locking), so a
    (key, version) pair names one validated state. With thousands of rules a
    rebuild after one edit then validates one rule, not all of them.
    """
    caches = answering_caches()
    known = caches.validated_rules
    fresh: dict[RuleVersion, Rule] = {}
    for data in load_rule_data(session):
        ident = RuleVersion(data["key"], data["version"])
        rule = known.get(ident)
        if rule is None:
            try:
                rule = load_rule(data)
            except ValidationError as exc:  # stored before a stricter schema: skip it, loudly
                log.warning("shop_reco: rule %r is invalid and is ignored: %s", data.get("key"), exc.messages)
                continue
        fresh[ident] = rule
    caches.validated_rules = fresh
    return list(fresh.values())


def current_snapshot(state: RecoState | None = None) -> Snapshot:
    """This process's snapshot, rebuilt when the database's content revision moved.

    ``state`` is the current app's (``get_state()``), for a caller that holds it already.
    """
    state = state or get_state()
    caches = answering_caches(state)
    cache = caches.snapshot
    if cache is None:
        with _MAKING_CACHE:  # one cache per app, even when the first requests come at once
            if caches.snapshot is None:
                caches.snapshot = RevisionCache(build_snapshot, float(state.settings["SHOP_RECO_RULES_TTL"]))
            cache = caches.snapshot
    try:
        snapshot = cache.get(get_session).value  # a session only when the revision is due a check
    except Exception as exc:
        if schema_missing(exc):
            raise database_not_ready(exc) from exc
        if database_unreachable(exc):
            raise database_unavailable(exc) from exc
        raise
    if caches.unavailable_logged:
        database_answers_again()
    return snapshot


def invalidate_snapshot() -> None:
    """Check the revision on the next request (after a write in this process)."""
    cache = answering_caches().snapshot
    if cache is not None:
        cache.invalidate()
