"""Answering a shopper: the glue between storage, understanding and recommending.

The API, the widgets, the CLI and the admin preview all call these functions,
so every entry point answers the same way. The compiled rules, catalog and
analyzer are cached per process and rebuilt when the content revision in the
database moves (checked at most every ``SHOP_RECO_RULES_TTL`` seconds).

A running experiment is part of the snapshot: each variant's rules are
validated once per process and compiled with the live ones, against the same
catalog. A request with a ``visitor`` is answered by that visitor's variant;
the analyzer (and with it every red flag) and the safety gate are shared.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy.orm import Session

from shop_reco.recommending import (
    Catalog,
    CompiledRules,
    Limits,
    Recommendation,
    Rule,
    compile_rules,
    fail_closed,
    load_rule,
    load_rules,
    profile_key,
    recommend,
)
from shop_reco.recommending.experiments import LIVE, Arm, RunningExperiment
from shop_reco.recommending.screening import ScreenBlock, screening_block, understood, with_screen_answers
from shop_reco.signals import answer_made
from shop_reco.state import get_session, get_state
from shop_reco.storage.database import (
    UPGRADE_COMMAND,
    DatabaseNotReady,
    DatabaseUnavailable,
    database_unreachable,
    schema_missing,
)
from shop_reco.storage.experiments import running_experiment
from shop_reco.storage.ids import time_ordered_id
from shop_reco.storage.snapshot import RevisionCache, load_catalog, load_rule_data, load_synonyms
from shop_reco.understanding import Analyzer, Profile, detect_locale
from shop_reco.understanding.lexicon import shipped_lexicons

if TYPE_CHECKING:
    from shop_reco.state import RecoState

log = logging.getLogger("shop_reco")

_CACHE_KEY = "snapshot"
_RULES_KEY = "validated_rules"
_VARIANT_RULES_KEY = "validated_variant_rules"
_NOT_READY_LOGGED = "database_not_ready_logged"
_UNAVAILABLE_LOGGED = "database_unavailable_logged"


@dataclass(frozen=True)
class Snapshot:
    """Everything needed to answer, built from one content revision."""

    revision: int
    catalog: Catalog
    compiled: CompiledRules
    analyzer: Any  # shop_reco.understanding.Analyzer
    #: The running experiment's variants, compiled from this same revision (None: no experiment).
    experiment: RunningExperiment | None = None


@dataclass(frozen=True)
class Answer:
    """One answered description: the record id (None when not logged), profile and result."""

    id: str | None
    profile: Profile | None
    recommendation: Recommendation
    #: the red-flag screen's questions, status and whether the finder asks it first (keyword-only,
    #: like ``understood``, so positional construction of the other fields never binds to them)
    screening: ScreenBlock | None = field(default=None, kw_only=True)
    #: False when the text named no area and no trigger we know (vague or out of scope)
    understood: bool = field(default=True, kw_only=True)
    #: Values derived only from ``recommendation`` (its log items, its encoded JSON), shared by
    #: every answer that got the same memoized recommendation, so each is worked out once.
    derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    #: The experiment variant that answered (None: the live rules, outside any experiment).
    experiment: Arm | None = None


def build_analyzer(synonyms: list[dict[str, str]]) -> Any:
    """The analyzer from the shipped lexicons plus the merchant's synonyms.

    Building one takes a noticeable fraction of a second, so a process keeps the
    last few by their synonyms: a rule or product edit does not rebuild it.
    """
    key = tuple(sorted((s["locale"], s["group"], s["code"], s["phrase"]) for s in synonyms))
    return _analyzer_for(key)


@lru_cache(maxsize=4)
def _analyzer_for(synonyms: tuple[tuple[str, str, str, str], ...]) -> Any:
    extra = [{"locale": loc, "group": group, "code": code, "phrase": phrase} for loc, group, code, phrase in synonyms]
    return Analyzer.from_data(shipped_lexicons(), extra_synonyms=extra)


def build_snapshot(session: Session, revision: int) -> Snapshot:
    get_state().caches.pop(_NOT_READY_LOGGED, None)  # the tables exist (again): say so if they go
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
    caches = get_state().caches
    known: dict[tuple[int, str], tuple[Rule, ...]] = caches.get(_VARIANT_RULES_KEY, {})
    fresh: dict[tuple[int, str], tuple[Rule, ...]] = {}
    arms: list[Arm] = []
    weights: list[tuple[str, int]] = []
    for variant in row.variants:
        key, rules = str(variant["key"]), variant["rules"]
        if rules == LIVE:
            compiled = live
        else:
            ident = (row.id, key)
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
    caches[_VARIANT_RULES_KEY] = fresh
    return RunningExperiment(row.key, tuple(arms), tuple(weights))


def _validated_rules(session: Session) -> list[Rule]:
    """Every stored rule, validated; rules unchanged since the last rebuild are reused.

    A rule's ``version`` moves with every change (optimistic locking), so a
    (key, version) pair names one validated state. With thousands of rules a
    rebuild after one edit then validates one rule, not all of them.
    """
    caches = get_state().caches
    known: dict[tuple[str, int], Rule] = caches.get(_RULES_KEY, {})
    fresh: dict[tuple[str, int], Rule] = {}
    for data in load_rule_data(session):
        ident = (data["key"], data["version"])
        rule = known.get(ident)
        if rule is None:
            try:
                rule = load_rule(data)
            except ValidationError as exc:  # stored before a stricter schema: skip it, loudly
                log.warning("shop_reco: rule %r is invalid and is ignored: %s", data.get("key"), exc.messages)
                continue
        fresh[ident] = rule
    caches[_RULES_KEY] = fresh
    return list(fresh.values())


def current_snapshot() -> Snapshot:
    """This process's snapshot, rebuilt when the database's content revision moved."""
    state = get_state()
    cache = state.caches.get(_CACHE_KEY)
    if cache is None:
        cache = state.caches.setdefault(
            _CACHE_KEY, RevisionCache(build_snapshot, float(state.settings["SHOP_RECO_RULES_TTL"]))
        )
    try:
        snapshot = cache.get(get_session).value  # a session only when the revision is due a check
    except Exception as exc:
        if schema_missing(exc):
            raise database_not_ready(exc) from exc
        if database_unreachable(exc):
            raise database_unavailable(exc) from exc
        raise
    if state.caches.get(_UNAVAILABLE_LOGGED):
        state.caches.pop(_UNAVAILABLE_LOGGED, None)
        log.warning("shop_reco: the database answers again; serving as usual")
    return snapshot


def database_unavailable(exc: BaseException) -> DatabaseUnavailable:
    """The error for a database that cannot be reached, logged once per outage (not per request).

    The session is closed so that the next request asks the pool afresh: its
    pre-ping replaces dead connections once the database is back.
    """
    state = get_state()
    with suppress(Exception):  # the connection is gone already; nothing to give back
        get_session().close()
    if not state.caches.get(_UNAVAILABLE_LOGGED):
        state.caches[_UNAVAILABLE_LOGGED] = True
        log.error(
            "shop_reco: the database %s cannot be reached (%s); answering 503 until it is back",
            state.engine.url.render_as_string(hide_password=True),
            type(getattr(exc, "orig", None) or exc).__name__,
        )
    return DatabaseUnavailable("shop_reco's database cannot be reached right now; try again shortly")


def database_not_ready(exc: BaseException) -> DatabaseNotReady:
    """The error for a query that found no shop_reco tables, logged once (not on every request).

    Rolls the session back (PostgreSQL refuses any further statement in a failed
    transaction). The log line names the database and what to run.
    """
    state = get_state()
    get_session().rollback()
    if not state.caches.get(_NOT_READY_LOGGED):
        state.caches[_NOT_READY_LOGGED] = True
        orig = getattr(exc, "orig", None) or exc
        reason = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        log.error(
            "shop_reco: the database %s has no shop_reco tables, or older ones (%s); run `%s`",
            state.engine.url.render_as_string(hide_password=True),
            reason,
            UPGRADE_COMMAND,
        )
    return DatabaseNotReady(
        f"shop_reco's database tables are missing or out of date; run `{UPGRADE_COMMAND}` to create or update them"
    )


def invalidate_snapshot() -> None:
    """Check the revision on the next request (after a write in this process)."""
    cache = get_state().caches.get(_CACHE_KEY)
    if cache is not None:
        cache.invalidate()


class LocaleError(ValueError):
    """The locale is not one this shop offers; ``field`` names the request field."""

    field = "locale"


def choose_locale(text: str, wanted: str | None) -> str:
    """The locale to analyse in: the one asked for, else detected, else the shop's default."""
    settings = get_state().settings
    offered = settings["SHOP_RECO_LOCALES"]
    if wanted is not None:
        if wanted not in offered:
            raise LocaleError(f"unknown locale {wanted!r}; this shop offers {', '.join(offered)}")
        return wanted

    detected = detect_locale(text)
    return detected if detected in offered else str(settings["SHOP_RECO_DEFAULT_LOCALE"])


def answer_description(
    description: str,
    *,
    locale: str | None = None,
    limit: int | None = None,
    source: str = "api",
    log_answer: bool = True,
    visitor: str | None = None,
    screening: Mapping[str, bool] | None = None,
) -> Answer:
    """Analyse, gate and rank one description; log derived codes (never the text, by default).

    With a pseudonymous ``visitor`` id and a running experiment, the visitor's
    variant's rules rank the answer (and the answer log says which variant);
    without one, the live rules answer and nothing is counted for the experiment.

    ``screening`` holds the red-flag screen's answers (``{"fever": True}``): a
    ``True`` raises that red flag as if written, a ``False`` lowers nothing. The
    answers are never stored; the log keeps the red flags they raised, as codes.

    Fails closed: if analysis or ranking raises, the answer is a safety notice
    with no exercises and no products. A database without shop_reco's tables
    raises :class:`DatabaseNotReady` instead (nothing is recommended either).
    """
    state = get_state()
    settings = state.settings
    if locale is not None:
        locale = choose_locale(description, locale)  # the one asked for, or LocaleError
    limits = Limits(
        exercises=limit or settings["SHOP_RECO_DEFAULT_EXERCISES"],
        products=min(limit or settings["SHOP_RECO_DEFAULT_PRODUCTS"], settings["SHOP_RECO_DEFAULT_PRODUCTS"]),
    )
    profile: Profile | None = None
    revision = 0
    derived: dict[Any, Any] = {}
    arm: Arm | None = None
    try:
        snapshot = current_snapshot()
        if visitor is not None and snapshot.experiment is not None:
            arm = snapshot.experiment.assign(visitor)  # the visitor's variant ranks; safety is shared
        revision = snapshot.revision
        # The analyzer reads the text in the language it is written in (detected from the words
        # it splits anyway) and searches every language for red flags; ``profile.locale`` says
        # which language it understood. The reply speaks the page's locale, or without one the
        # understood language when this shop offers it, else the shop's default.
        profile = snapshot.analyzer.analyze(description, locale)
        if locale is None:
            offered = settings["SHOP_RECO_LOCALES"]
            locale = profile.locale if profile.locale in offered else str(settings["SHOP_RECO_DEFAULT_LOCALE"])
        result, derived = memoized_recommend(
            with_screen_answers(profile, screening),  # a "yes" raises its red flag as if written
            snapshot.compiled if arm is None else arm.compiled,
            locale=locale,
            limits=limits,
            products_on_consult=settings["SHOP_RECO_PRODUCTS_ON_CONSULT"],
            size=settings["SHOP_RECO_ANSWER_CACHE_SIZE"],
        )
    except (DatabaseNotReady, DatabaseUnavailable):
        # Not a failure to understand the shopper but an operator's missing migration or an
        # outage: say so (503) rather than dress it as a 200 with a safety notice. Nothing is
        # recommended; the API's 503 still carries the notice.
        raise
    except Exception as exc:  # fail closed: never products when we could not understand
        if database_unreachable(exc):  # a query past the snapshot's check met the outage: a 503, not a 200
            raise database_unavailable(exc) from exc
        log.error("shop_reco: answering failed (%s); served the safety notice", type(exc).__name__)
        locale = locale or str(settings["SHOP_RECO_DEFAULT_LOCALE"])
        profile, result, derived = None, fail_closed(locale, rules_revision=revision), {}
    # The screen's answers are never stored; the red flags they raised are logged as codes.
    screened = with_screen_answers(profile, screening) if profile is not None else None
    block = screening_block(profile, description, result.locale, screening, mode=settings["SHOP_RECO_SCREENING"])
    # The server-rendered finder shows nothing but the screen when it asks it first: that answer is
    # not logged (nor counted in an experiment); the one given once the screen is answered is. The
    # API always answers in full (an integrator may show it), so its answers are always logged.
    shown = log_answer and not (block.ask and source == "widget")
    record_id = _log_answer(state, description, screened, result, source, derived, arm) if shown else None
    if answer_made.receivers and shown:
        _send_answer_made(record_id, screened, result, source, derived)
    return Answer(record_id, screened, result, derived, arm, screening=block, understood=understood(profile))


def _send_answer_made(
    record_id: str | None, profile: Profile | None, result: Recommendation, source: str, derived: dict[Any, Any]
) -> None:
    """Tell the host's receivers what was answered: derived codes and item ids, never the text."""
    items = derived.get("log_items")
    if items is None:
        items = derived["log_items"] = shown_items(result)
    answer_made.send(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        answer_id=record_id,
        source=source,
        locale=result.locale,
        safety_level=result.safety.level,
        concepts=sorted(profile.concepts) if profile is not None else [],
        items=[{**item, "rules": list(item["rules"])} for item in items],
        fallback=result.fallback,
        rules_revision=result.rules_revision,
    )


def memoized_recommend(
    profile: Profile,
    compiled: CompiledRules,
    *,
    locale: str,
    limits: Limits,
    products_on_consult: bool,
    size: int,
) -> tuple[Recommendation, dict[Any, Any]]:
    """``recommend``, memoized on what it reads: the profile's key, locale, limits and rules in force.

    Returns the recommendation and its dict of derived values (see ``Answer.derived``).
    The memo lives on the compiled rules, so a new revision starts an empty one;
    at ``size`` entries it is cleared (``size`` 0: no memo). Recommendations are
    immutable, so a memoized one is shared safely between requests and threads.
    """
    if size <= 0:
        answer = recommend(profile, compiled, locale=locale, limits=limits, products_on_consult=products_on_consult)
        return answer, {}
    now = datetime.now(timezone.utc)
    key = (profile_key(profile), locale, limits, products_on_consult, compiled.validity_epoch(now))
    memo: dict[tuple[object, ...], tuple[Recommendation, dict[Any, Any]]] = compiled.memo(("answers",), dict)
    entry = memo.get(key)
    if entry is None:
        result = recommend(
            profile, compiled, locale=locale, now=now, limits=limits, products_on_consult=products_on_consult
        )
        if len(memo) >= size:
            memo.clear()
        entry = memo[key] = (result, {})
    return entry


def shown_items(result: Recommendation) -> list[dict[str, Any]]:
    """What an answer shows, as the answer log keeps it: ``{"type", "id", "rules"}`` per item."""
    return [
        {"type": kind, "id": r.id, "rules": sorted({w.rule for w in r.why if w.rule})}
        for kind, items in (
            ("exercise", result.exercises),
            ("product", result.products),
            ("section", result.sections),
        )
        for r in items
    ]


def _log_answer(
    state: RecoState,
    description: str,
    profile: Profile | None,
    result: Recommendation,
    source: str,
    derived: dict[Any, Any],
    arm: Arm | None = None,
) -> str:
    """Queue what was shown: derived codes and item ids; the text only when opted in.

    ``derived`` belongs to the memoized recommendation, whose key holds the
    profile's codes: its shown items and concepts are worked out once per key.
    """
    settings = state.settings
    store_text = settings["SHOP_RECO_STORE_DESCRIPTIONS"]
    now = datetime.now(timezone.utc)
    record_id = time_ordered_id()
    items = derived.get("log_items")
    if items is None:
        items = derived["log_items"] = shown_items(result)
    concepts = derived.get("log_concepts")
    if concepts is None:
        concepts = derived["log_concepts"] = sorted(profile.concepts) if profile is not None else []
    values = {
        "id": record_id,
        "created_at": now,
        "locale": result.locale,
        "safety_level": result.safety.level,
        "concepts": concepts,
        "items": items,
        "fallback": result.fallback,
        "rules_revision": result.rules_revision,
        "source": source,
        "description": description if store_text else None,
        "expires_at": now + timedelta(days=settings["SHOP_RECO_RETENTION_DAYS"]) if store_text else None,
        "experiment_key": arm.experiment if arm is not None else None,
        "experiment_variant": arm.variant if arm is not None else None,
    }
    # Queued: a background thread writes batches (SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS).
    state.answer_log.add(values)
    return record_id
