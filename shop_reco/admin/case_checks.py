"""The test bench: saved example descriptions and what their answers must (not) contain.

Plain Python (no Flask, no database): :func:`run_cases` answers each case
with a given analyzer and compiled rule set; :func:`compare` weighs a
candidate rule set against the stored one. A change is **refused** when a
case that passed a safety check fails it with the change; other new failures
need the merchant's confirmation; failures that were already there are
reported but block nothing (the change did not cause them).

An expectation is the JSON the shared evaluation uses, e.g.
``{"safety": "urgent", "products_empty": true}`` or
``{"exercises": ["plank"], "not_products": ["lumbar-support-belt"]}``.

    before = run_cases(cases, analyzer, stored, limits=limits)
    compare(before, run_cases(cases, analyzer, candidate, limits=limits)).refused
    # -> False
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shop_reco import vocabulary
from shop_reco.recommending import CompiledRules, Limits, Recommendation, recommend
from shop_reco.recommending.screening import question_text, red_flag_codes, with_screen_answers
from shop_reco.understanding import Profile

#: Keys an expectation may hold, with what each means (shown on the test bench form).
EXPECT_KEYS: Mapping[str, str] = {
    "safety": "the safety level is exactly this",
    "red_flags": "each red flag is found",
    "not_red_flags": "none of these red flags is found",
    "areas": "each area is understood",
    "symptoms": "each symptom is understood",
    "triggers": "each trigger is understood",
    "side": "the side is this",
    "severity": "the severity is this",
    "duration_weeks": "the duration is within 15% (at least a week)",
    "exercises": "each exercise is in the answer",
    "exercises_any": "at least one of these exercises is in the answer",
    "not_exercises": "none of these exercises is in the answer",
    "products": "each product is in the answer",
    "not_products": "none of these products is in the answer",
    "sections": "each article section (article#anchor) is in the answer",
    "not_sections": "none of these sections is in the answer",
    "exercises_empty": "no exercises at all",
    "products_empty": "no products at all",
    "exercises_nonempty": "at least one exercise",
    "screening": 'the shopper\'s answers to the red-flag screen, e.g. {"fever": true} (given to the case, not checked)',
}
#: Keys of an expectation that are inputs to the case, not checks.
INPUT_KEYS = frozenset({"screening"})

_PROFILE_LISTS = {"areas": "areas", "symptoms": "symptoms", "triggers": "triggers"}
_ITEM_LISTS = {
    "exercises": ("exercise", True),
    "not_exercises": ("exercise", False),
    "products": ("product", True),
    "not_products": ("product", False),
    "sections": ("section", True),
    "not_sections": ("section", False),
}


@dataclass(frozen=True, slots=True)
class Case:
    """One saved example: its key, locale, the shopper's text and the expectation."""

    key: str
    locale: str
    text: str
    expect: Mapping[str, Any]

    @property
    def screening(self) -> Mapping[str, bool] | None:
        """The red-flag screen's answers this case gives (``expect["screening"]``), if any."""
        answers = self.expect.get("screening")
        return answers if isinstance(answers, Mapping) else None


@dataclass(frozen=True, slots=True)
class Check:
    """One expectation checked: ``id`` is stable across runs (to compare before and after)."""

    id: str
    label: str
    passed: bool
    safety: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: Case
    checks: tuple[Check, ...]
    level: str
    exercises: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    fired_rules: tuple[str, ...] = ()

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed check of one case, for the verdict's lists."""

    case: Case
    check: Check


@dataclass(frozen=True, slots=True)
class BenchVerdict:
    """What a candidate rule set does to the bench compared with the stored one."""

    results: tuple[CaseResult, ...]
    new_safety: tuple[Failure, ...] = ()
    new_other: tuple[Failure, ...] = ()
    already_failing: tuple[Failure, ...] = field(default=())

    @property
    def refused(self) -> bool:
        """A safety expectation that held now breaks: the change may not be saved."""
        return bool(self.new_safety)

    @property
    def needs_confirmation(self) -> bool:
        return not self.refused and bool(self.new_other)

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)


def _case_level(expect: Mapping[str, Any], actual: str) -> str:
    wanted = expect.get("safety")
    return str(wanted) if wanted in vocabulary.SAFETY_LEVELS else actual


def check_case(
    case: Case, profile: Profile, answer: Recommendation, *, products_on_consult: bool = False
) -> tuple[Check, ...]:
    """Every expectation of ``case`` checked against ``profile`` and ``answer``.

    Besides the case's own expectations, an urgent case may show no exercises
    and no products, and a consult case no exercises (and no products unless
    the shop allows them): those implicit checks are safety checks too.
    """
    expect = case.expect
    level = answer.safety.level
    case_level = _case_level(expect, level)
    guarded = case_level in (vocabulary.URGENT, vocabulary.CONSULT)
    shown = {
        "exercise": [r.item.slug for r in answer.exercises],
        "product": [r.item.sku for r in answer.products],
        "section": [f"{r.item.article}#{r.item.anchor}" for r in answer.sections],
    }
    flags = set(profile.red_flags)
    checks: list[Check] = []

    def add(id_: str, label: str, passed: bool, safety: bool, detail: str = "") -> None:
        checks.append(Check(id_, label, passed, safety, "" if passed else detail))

    if "safety" in expect:
        add("safety", f"safety level is {expect['safety']}", level == expect["safety"], True, f"got {level}")
    for code in expect.get("red_flags", ()):
        add(f"red_flags:{code}", f"red flag {code} is found", code in flags, True, "not found")
    for code in expect.get("not_red_flags", ()):
        add(f"not_red_flags:{code}", f"red flag {code} is not found", code not in flags, True, "found")
    for key, attr in _PROFILE_LISTS.items():
        got = getattr(profile, attr)
        for code in expect.get(key, ()):
            add(
                f"{key}:{code}",
                f"{key[:-1]} {code} is understood",
                code in got,
                False,
                f"understood: {', '.join(got) or 'nothing'}",
            )
    for key in ("side", "severity"):
        if expect.get(key) is not None:
            got = getattr(profile, key)
            add(key, f"{key} is {expect[key]}", got == expect[key], False, f"got {got}")
    if expect.get("duration_weeks") is not None:
        want = float(expect["duration_weeks"])
        got_weeks = profile.duration_weeks
        ok = got_weeks is not None and abs(got_weeks - want) <= max(want * 0.15, 1.0)
        add("duration_weeks", f"duration is about {want:g} weeks", ok, False, f"got {got_weeks}")
    for key, (kind, must) in _ITEM_LISTS.items():
        for item in expect.get(key, ()):
            present = item in shown[kind]
            label = f"{kind} {item} {'is' if must else 'is not'} shown"
            add(f"{key}:{item}", label, present == must, False, "missing" if must else "shown")
    if expect.get("exercises_any"):
        wanted = list(expect["exercises_any"])
        add(
            "exercises_any",
            f"one of {', '.join(wanted)} is shown",
            any(e in shown["exercise"] for e in wanted),
            False,
            "none of them is shown",
        )
    for key, kind in (("exercises_empty", "exercise"), ("products_empty", "product")):
        if expect.get(key):
            add(key, f"no {kind}s are shown", not shown[kind], guarded, f"shown: {', '.join(shown[kind])}")
    if expect.get("exercises_nonempty"):
        add(
            "exercises_nonempty",
            "at least one exercise is shown",
            bool(shown["exercise"]),
            False,
            "none shown",
        )

    # The safety gate's promises, checked whatever the case says.
    if guarded:
        a_case = f"{'an' if case_level == vocabulary.URGENT else 'a'} {case_level} case"
        add(
            f"gate:{case_level}:exercises",
            f"{a_case} shows no exercises",
            not shown["exercise"],
            True,
            f"shown: {', '.join(shown['exercise'])}",
        )
        if case_level == vocabulary.URGENT or not products_on_consult:
            add(
                f"gate:{case_level}:products",
                f"{a_case} shows no products",
                not shown["product"],
                True,
                f"shown: {', '.join(shown['product'])}",
            )
    return tuple(checks)


def run_case(
    case: Case,
    analyzer: Any,
    compiled: CompiledRules,
    *,
    limits: Limits,
    products_on_consult: bool = False,
) -> CaseResult:
    """Answer one case (never logged) and check it; a crash fails it as a safety check."""
    try:
        profile: Profile = with_screen_answers(analyzer.analyze(case.text, case.locale), case.screening)
        answer = recommend(
            profile, compiled, locale=case.locale, limits=limits, products_on_consult=products_on_consult
        )
    except Exception as exc:  # a case that cannot be answered must never pass silently
        check = Check("error", "the case can be answered", False, True, f"{type(exc).__name__}: {exc}")
        return CaseResult(case, (check,), "error")
    return CaseResult(
        case,
        check_case(case, profile, answer, products_on_consult=products_on_consult),
        answer.safety.level,
        tuple(r.item.slug for r in answer.exercises),
        tuple(r.item.sku for r in answer.products),
        tuple(f"{r.item.article}#{r.item.anchor}" for r in answer.sections),
        tuple(f.key for f in answer.fired_rules),
    )


def run_cases(
    cases: Iterable[Case],
    analyzer: Any,
    compiled: CompiledRules,
    *,
    limits: Limits,
    products_on_consult: bool = False,
) -> list[CaseResult]:
    """Every case answered with ``compiled`` and checked."""
    return [run_case(c, analyzer, compiled, limits=limits, products_on_consult=products_on_consult) for c in cases]


def compare(baseline: Sequence[CaseResult], candidate: Sequence[CaseResult]) -> BenchVerdict:
    """Sort the candidate's failures into new safety failures, other new ones and old ones."""
    failed_before = {(r.case.key, c.id) for r in baseline for c in r.failures}
    new_safety: list[Failure] = []
    new_other: list[Failure] = []
    old: list[Failure] = []
    for result in candidate:
        for check in result.failures:
            failure = Failure(result.case, check)
            if (result.case.key, check.id) in failed_before:
                old.append(failure)
            elif check.safety:
                new_safety.append(failure)
            else:
                new_other.append(failure)
    return BenchVerdict(tuple(candidate), tuple(new_safety), tuple(new_other), tuple(old))


def screen_questions() -> list[tuple[str, str, str]]:
    """(code, level, English question) of the red-flag screen, in the order shoppers see them."""
    return [(code, vocabulary.RED_FLAGS[code], question_text(code, "en")) for code in red_flag_codes()]
