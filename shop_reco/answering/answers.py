"""Answering one description: analyse, gate, rank, fail closed, log what was shown.

The API, the widgets, the CLI and the admin preview all call
:func:`answer_description`, so every door answers the same way. A request with
a ``visitor`` is answered by that visitor's experiment variant; the analyzer
(and with it every red flag) and the safety gate are shared.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, NamedTuple

from flask import current_app

from shop_reco.answering.outage import database_unavailable
from shop_reco.answering.snapshot import current_snapshot
from shop_reco.recommending import (
    CompiledRules,
    Limits,
    ProfileKey,
    Recommendation,
    fail_closed,
    profile_key,
    recommend,
)
from shop_reco.recommending.experiments import Arm
from shop_reco.recommending.screening import ScreenBlock, screening_block, understood, with_screen_answers
from shop_reco.signals import answer_made
from shop_reco.state import RecoState, get_state
from shop_reco.storage.database import DatabaseNotReady, DatabaseUnavailable, database_unreachable
from shop_reco.storage.ids import time_ordered_id
from shop_reco.understanding import Profile, detect_locale

log = logging.getLogger("shop_reco")


class EncodingKey(NamedTuple):
    """What a recommendation's served JSON depends on besides the recommendation itself."""

    cart_template: str
    article_template: str


@dataclass
class Derived:
    """Values derived only from a recommendation, worked out once and shared by every answer that got it."""

    #: What the answer log keeps of the shown items (see :func:`shown_items`).
    log_items: list[dict[str, Any]] | None = None
    #: The profile's concept codes, as logged.
    log_concepts: list[str] | None = None
    #: The recommendation's members of the API's JSON body, without the opening brace (``answer_json``).
    encoded: dict[EncodingKey, bytes] = field(default_factory=dict)


class MemoKey(NamedTuple):
    """Everything :func:`shop_reco.recommending.recommend` reads, as the memo's key."""

    profile: ProfileKey
    locale: str
    limits: Limits
    products_on_consult: bool
    validity_epoch: int


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
    derived: Derived = field(default_factory=Derived, repr=False, compare=False)
    #: The experiment variant that answered (None: the live rules, outside any experiment).
    experiment: Arm | None = None


def choose_locale(text: str, wanted: str | None) -> str:
    """The locale to answer in: ``wanted`` (a door validated it), else detected if offered, else the default."""
    if wanted is not None:
        return wanted
    settings = get_state().settings
    detected = detect_locale(text)
    return detected if detected in settings["SHOP_RECO_LOCALES"] else str(settings["SHOP_RECO_DEFAULT_LOCALE"])


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

    ``locale`` is trusted: each door validated it once (the API's request schema,
    the CLI's option, the widgets' own choice among the shop's locales).

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
    limits = _limits(
        limit or settings["SHOP_RECO_DEFAULT_EXERCISES"],
        min(limit or settings["SHOP_RECO_DEFAULT_PRODUCTS"], settings["SHOP_RECO_DEFAULT_PRODUCTS"]),
    )
    profile: Profile | None = None
    tokens: list[str] | None = None
    revision = 0
    derived = Derived()
    arm: Arm | None = None
    try:
        snapshot = current_snapshot(state)
        if visitor is not None and snapshot.experiment is not None:
            arm = snapshot.experiment.assign(visitor)  # the visitor's variant ranks; safety is shared
        revision = snapshot.revision
        # The analyzer reads the text in the language it is written in (detected from the words
        # it splits anyway) and searches every language for red flags; ``profile.locale`` says
        # which language it understood. The reply speaks the page's locale, or without one the
        # understood language when this shop offers it, else the shop's default.
        profile, tokens = snapshot.analyzer.read(description, locale)  # tokens: the screen's topics
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
        profile, result, derived = None, fail_closed(locale, rules_revision=revision), Derived()
    # The screen's answers are never stored; the red flags they raised are logged as codes.
    screened = with_screen_answers(profile, screening) if profile is not None else None
    block = screening_block(
        profile, description, result.locale, screening, mode=settings["SHOP_RECO_SCREENING"], tokens=tokens
    )
    # The server-rendered finder shows nothing but the screen when it asks it first: that answer is
    # not logged (nor counted in an experiment); the one given once the screen is answered is. The
    # API always answers in full (an integrator may show it), so its answers are always logged.
    shown = log_answer and not (block.ask and source == "widget")
    record_id = _log_answer(state, description, screened, result, source, derived, arm) if shown else None
    if answer_made.receivers and shown:
        _send_answer_made(record_id, screened, result, source, derived)
    return Answer(record_id, screened, result, derived, arm, screening=block, understood=understood(profile))


@lru_cache(maxsize=64)
def _limits(exercises: int, products: int) -> Limits:
    """One :class:`Limits` per pair: the answer memo's keys then compare by identity, and a
    frozen dataclass is not built for every answer."""
    return Limits(exercises=exercises, products=products)


def _send_answer_made(
    record_id: str | None, profile: Profile | None, result: Recommendation, source: str, derived: Derived
) -> None:
    """Tell the host's receivers what was answered: derived codes and item ids, never the text."""
    items = derived.log_items
    if items is None:
        items = derived.log_items = shown_items(result)
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
) -> tuple[Recommendation, Derived]:
    """``recommend``, memoized on what it reads: the profile's key, locale, limits and rules in force.

    Returns the recommendation and its :class:`Derived` values (see ``Answer.derived``).
    The memo lives on the compiled rules, so a new revision starts an empty one;
    at ``size`` entries it is cleared (``size`` 0: no memo). Recommendations are
    immutable, so a memoized one is shared safely between requests and threads.
    """
    if size <= 0:
        answer = recommend(profile, compiled, locale=locale, limits=limits, products_on_consult=products_on_consult)
        return answer, Derived()
    now = datetime.now(timezone.utc)
    key = (profile_key(profile), locale, limits, products_on_consult, compiled.validity_epoch(now))
    memo: dict[tuple[object, ...], tuple[Recommendation, Derived]] = compiled.memo(("answers",), dict)
    entry = memo.get(key)
    if entry is None:
        result = recommend(
            profile, compiled, locale=locale, now=now, limits=limits, products_on_consult=products_on_consult
        )
        if len(memo) >= size:
            memo.clear()
        entry = memo[key] = (result, Derived())
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
    derived: Derived,
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
    items = derived.log_items
    if items is None:
        items = derived.log_items = shown_items(result)
    concepts = derived.log_concepts
    if concepts is None:
        concepts = derived.log_concepts = sorted(profile.concepts) if profile is not None else []
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
