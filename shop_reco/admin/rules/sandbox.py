"""Rule sets that are not saved yet: the stored rules with one rule swapped, added or removed.

The preview and the test bench answer with such a candidate set, compiled
against the current catalog and using the current snapshot's analyzer, so a
merchant sees an edit's effect before saving it. Nothing here writes to the
database or logs an answer (``recommend`` is called directly).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError

from shop_reco.admin.case_checks import BenchVerdict, Case, CaseResult, compare, run_cases
from shop_reco.answering.snapshot import build_analyzer, current_snapshot
from shop_reco.recommending import (
    CompiledRules,
    Limits,
    Recommendation,
    Rule,
    compile_rules,
    load_rule,
    recommend,
)
from shop_reco.recommending.screening import ScreenBlock, screening_block, with_screen_answers
from shop_reco.state import get_session, get_state
from shop_reco.storage.admin_queries import test_cases_by_key
from shop_reco.storage.snapshot import load_rule_data
from shop_reco.understanding import Match, Profile

log = logging.getLogger("shop_reco")


def stored_rules() -> list[Rule]:
    """Every stored rule that loads (an invalid one is skipped, as when answering)."""
    rules = []
    for data in load_rule_data(get_session()):
        try:
            rules.append(load_rule(data))
        except ValidationError:
            log.warning("shop_reco admin: stored rule %r is invalid and left out", data.get("key"))
    return rules


def with_rule(rules: Sequence[Rule], key: str, candidate: Rule | None) -> list[Rule]:
    """``rules`` with the rule ``key`` replaced by ``candidate`` (added if new, removed if None)."""
    out = [r for r in rules if r.key != key]
    if candidate is not None:
        out.append(candidate)
    return out


def compile_set(rules: Sequence[Rule]) -> CompiledRules:
    """Compile ``rules`` against the current catalog."""
    snapshot = current_snapshot()
    return compile_rules(rules, snapshot.catalog, revision=snapshot.revision)


def answer_limits() -> Limits:
    """The default answer size (what the API serves without a ``limit``)."""
    settings = get_state().settings
    return Limits(exercises=settings["SHOP_RECO_DEFAULT_EXERCISES"], products=settings["SHOP_RECO_DEFAULT_PRODUCTS"])


def products_on_consult() -> bool:
    return bool(get_state().settings["SHOP_RECO_PRODUCTS_ON_CONSULT"])


def saved_cases() -> list[Case]:
    """The test bench's cases, by key."""
    return [Case(r.key, r.locale, r.text, dict(r.expect or {})) for r in test_cases_by_key(get_session())]


def run_bench(compiled: CompiledRules, cases: Sequence[Case] | None = None) -> list[CaseResult]:
    """Run the test bench (or ``cases``) against ``compiled``."""
    return run_cases(
        saved_cases() if cases is None else cases,
        current_snapshot().analyzer,
        compiled,
        limits=answer_limits(),
        products_on_consult=products_on_consult(),
    )


def judge_change(key: str, candidate: Rule | None) -> BenchVerdict:
    """The bench verdict on replacing rule ``key`` by ``candidate`` (None: deleting it)."""
    cases = saved_cases()
    stored = stored_rules()
    if not cases:
        return BenchVerdict(())
    baseline = run_bench(compile_set(stored), cases)
    return compare(baseline, run_bench(compile_set(with_rule(stored, key, candidate)), cases))


def judge_synonyms(candidate: Sequence[dict[str, str]]) -> BenchVerdict:
    """The bench verdict on analysing with ``candidate`` as the shop's synonyms (rules unchanged)."""
    cases = saved_cases()
    if not cases:
        return BenchVerdict(())
    snapshot = current_snapshot()
    kwargs: dict[str, Any] = {"limits": answer_limits(), "products_on_consult": products_on_consult()}
    baseline = run_cases(cases, snapshot.analyzer, snapshot.compiled, **kwargs)
    return compare(baseline, run_cases(cases, build_analyzer(list(candidate)), snapshot.compiled, **kwargs))


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of the description; ``match`` is set where the analyzer found something."""

    text: str
    match: Match | None = None


@dataclass(frozen=True, slots=True)
class Preview:
    description: str
    locale: str
    profile: Profile
    answer: Recommendation
    segments: tuple[Segment, ...]
    #: the same description answered by the stored rules (to show what the edit changes)
    saved_answer: Recommendation | None = None
    #: the red-flag screen for this description and the answers given to it
    screen: ScreenBlock | None = None

    def changes(self) -> list[tuple[str, list[str], list[str]]]:
        """Per kind that changed: (kind, ids the edit adds, ids it removes) against the saved rules."""
        if self.saved_answer is None:
            return []
        out = []
        for kind, now, before in (
            ("exercises", _ids(self.answer, "exercises"), _ids(self.saved_answer, "exercises")),
            ("products", _ids(self.answer, "products"), _ids(self.saved_answer, "products")),
            ("sections", _ids(self.answer, "sections"), _ids(self.saved_answer, "sections")),
        ):
            added = [i for i in now if i not in before]
            removed = [i for i in before if i not in now]
            if added or removed:
                out.append((kind, added, removed))
        return out


def _ids(answer: Recommendation, kind: str) -> list[str]:
    return [r.id for r in getattr(answer, kind)]


def segments(text: str, matches: Sequence[Match]) -> tuple[Segment, ...]:
    """Split ``text`` into plain and matched pieces (overlapping matches: the first wins)."""
    out: list[Segment] = []
    pos = 0
    for m in sorted(matches, key=lambda m: (m.start, -(m.end - m.start))):
        if m.start < pos or m.end <= m.start:
            continue
        if m.start > pos:
            out.append(Segment(text[pos : m.start]))
        out.append(Segment(text[m.start : m.end], m))
        pos = m.end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return tuple(out)


def preview(
    description: str,
    locale: str,
    compiled: CompiledRules,
    *,
    saved: CompiledRules | None = None,
    screening: Mapping[str, bool] | None = None,
) -> Preview:
    """Analyse and answer ``description`` with ``compiled`` (and the screen's answers); nothing is stored."""
    profile: Profile = current_snapshot().analyzer.analyze(description, locale)
    screened = with_screen_answers(profile, screening)
    kwargs = {"locale": locale, "limits": answer_limits(), "products_on_consult": products_on_consult()}
    answer = recommend(screened, compiled, **kwargs)  # type: ignore[arg-type]
    saved_answer = recommend(screened, saved, **kwargs) if saved is not None else None  # type: ignore[arg-type]
    mode = get_state().settings["SHOP_RECO_SCREENING"]
    screen = screening_block(profile, description, locale, screening, mode=mode)
    return Preview(description, locale, profile, answer, segments(description, profile.matches), saved_answer, screen)
