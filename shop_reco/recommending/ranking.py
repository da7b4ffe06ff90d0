"""From a Profile to a Recommendation: fire rules, score, pin, gate for safety, balance, explain.

    compiled = compile_rules(load_rules(data), catalog)
    answer = recommend(profile, compiled, locale="en")
    [r.item.slug for r in answer.exercises]
    # -> ['hip-flexor-stretch', 'glute-bridge', 'brisk-walking']

An item's score is the sum of the weights of the rules that recommend it,
each times ``1 + priority/1000``, plus the rules' boosts (negative buries);
pins put an item at a position; exclusions remove it; ties go by slug/SKU.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import MappingProxyType

from shop_reco import vocabulary
from shop_reco.recommending.catalog import ExerciseItem, ProductItem, SectionItem, text_for
from shop_reco.recommending.index import CompiledRule, CompiledRules
from shop_reco.recommending.messages import join_words, localized, message
from shop_reco.recommending.reasons import Contribution, ReasonWriter
from shop_reco.recommending.results import (
    DEFAULT_LIMITS,
    Avoid,
    FiredRule,
    Limits,
    Note,
    RankedItem,
    Reason,
    Recommendation,
    Routine,
)
from shop_reco.recommending.routine import FALLBACK, NEEDS, Slot, balance, fallback_routine, summarize
from shop_reco.recommending.rules import ItemRef
from shop_reco.recommending.safety import Gate, assess, disclaimer, gate_for, safety_sections
from shop_reco.understanding.profile import Profile


@dataclass(frozen=True, slots=True)
class Entry:
    """A candidate in rank order: its score and the rule that pinned it, if any."""

    ref: ItemRef
    score: float
    pinned_by: CompiledRule | None = None


@dataclass(slots=True)
class Scoreboard:
    """Scores, boosts, pins and exclusions gathered from the fired rules, per item type."""

    scores: dict[str, dict[ItemRef, float]] = field(default_factory=dict)
    contributions: dict[ItemRef, list[Contribution]] = field(default_factory=dict)
    boosts: dict[ItemRef, float] = field(default_factory=dict)
    pins: dict[ItemRef, tuple[int, int, str, CompiledRule]] = field(default_factory=dict)
    excluded: set[ItemRef] = field(default_factory=set)

    @classmethod
    def of(cls, fired: Sequence[CompiledRule]) -> Scoreboard:
        board = cls({"exercise": {}, "product": {}, "section": {}})
        by_type, contributions, boosts, pins = board.scores, board.contributions, board.boosts, board.pins
        for cr in fired:
            for ref, weight in cr.weights:
                scores = by_type[ref[0]]
                scores[ref] = scores.get(ref, 0.0) + weight
                contributed = contributions.get(ref)
                if contributed is None:
                    contributions[ref] = [(weight, cr)]
                else:
                    contributed.append((weight, cr))
            if cr.boosts:
                for b in cr.boosts:
                    boosts[b.ref] = boosts.get(b.ref, 0.0) + b.by
            if cr.pins:
                for p in cr.pins:
                    pin = (p.position, -cr.priority, cr.key, cr)
                    if p.ref not in pins or pin[:3] < pins[p.ref][:3]:
                        pins[p.ref] = pin
            if cr.excludes:
                board.excluded |= cr.excludes
        return board

    def pinned_by(self, ref: ItemRef) -> CompiledRule | None:
        pin = self.pins.get(ref)
        return pin[3] if pin else None

    def ranked(self, item_type: str, limit: int | None = None) -> list[Entry]:
        """Candidates of one type, best first, pins in place, exclusions gone (``limit``: top only)."""
        excluded, boosts = self.excluded, self.boosts
        totals = {
            ref: score + boosts.get(ref, 0.0) if boosts else score
            for ref, score in self.scores.get(item_type, {}).items()
            if ref not in excluded
        }
        for ref, by in boosts.items():  # a positive boost can bring in an item no rule targets
            if by > 0 and ref.type == item_type and ref not in totals and ref not in excluded:
                totals[ref] = by
        pinned = sorted(
            (pin[:3], ref) for ref, pin in self.pins.items() if ref.type == item_type and ref not in excluded
        )
        pinned_refs = {ref for _, ref in pinned}
        free = (ref for ref in totals if ref not in pinned_refs)
        key = lambda r: (-totals[r], r.id)  # noqa: E731
        order = sorted(free, key=key) if limit is None else heapq.nsmallest(limit, free, key=key)
        if not pinned:
            return [Entry(ref, totals[ref]) for ref in order]
        # Fill positions one by one: a pin takes its position (or the next free one), best pin first.
        entries: list[Entry] = []
        free_refs = iter(order)
        waiting = list(reversed(pinned))
        size = len(order) + len(pinned) if limit is None else limit
        while len(entries) < size:
            following = next(free_refs, None) if not (waiting and waiting[-1][0][0] <= len(entries) + 1) else None
            if following is not None:
                entries.append(Entry(following, totals[following]))
            elif waiting:
                pinned_ref = waiting.pop()[1]
                entries.append(Entry(pinned_ref, totals.get(pinned_ref, 0.0), self.pins[pinned_ref][3]))
            else:
                break
        return entries


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    return now if now.tzinfo is not None else now.replace(tzinfo=timezone.utc)


def applies(
    cr: CompiledRule, profile: Profile, concepts: frozenset[str], *, locale: str, now: datetime, level: str
) -> bool:
    """True when a rule's conditions other than its concepts hold (the index did those)."""
    rule = cr.rule
    c = rule.conditions
    if rule.locales and locale not in rule.locales:
        return False
    if (rule.valid_from is not None and now < rule.valid_from) or (
        rule.valid_until is not None and now >= rule.valid_until
    ):
        return False
    if level not in c.safety or (c.none and not c.none.isdisjoint(concepts)):
        return False
    if c.severity and profile.severity not in c.severity:
        return False
    weeks = profile.duration_weeks
    if c.min_duration_weeks is not None and (weeks is None or weeks < c.min_duration_weeks):
        return False
    return c.max_duration_weeks is None or (weeks is not None and weeks <= c.max_duration_weeks)


def fire(
    profile: Profile,
    compiled: CompiledRules,
    *,
    locale: str,
    now: datetime,
    concepts: frozenset[str] | None = None,
) -> list[CompiledRule]:
    """The rules that apply to ``profile``, highest priority first (ties by key)."""
    if concepts is None:
        concepts = profile.concepts
    level = profile.safety_level
    plain = level == vocabulary.NONE
    seen: set[int] = set()
    fired: list[CompiledRule] = []
    for cr in compiled.lookup(concepts, locale).rules:
        if cr.multi_key:
            if cr.order in seen:
                continue
            seen.add(cr.order)
        if (plain and cr.simple) or applies(cr, profile, concepts, locale=locale, now=now, level=level):
            fired.append(cr)
    fired.sort(key=lambda cr: (-cr.priority, cr.key))
    return fired


ProfileKey = tuple[object, ...]


def profile_key(profile: Profile) -> ProfileKey:
    """Everything :func:`recommend` reads from a profile, as a hashable value.

    Two descriptions with the same key get the same recommendation (same rules,
    locale, limits and moment), however differently they were worded around the
    quoted phrases: answers can be memoized on it. A test holds ``recommend`` to it.
    """
    phrases: dict[tuple[str, str], str] = {}  # by (group, code): a concept's string is made anew each time
    for m in profile.matches:
        if m.affirmed:
            phrases.setdefault((m.group, m.code), m.phrase)
    return (
        profile.areas,
        profile.symptoms,
        profile.triggers,
        profile.red_flags,
        profile.severity,
        profile.duration_weeks,
        tuple(phrases.items()),
    )


def recommend(
    profile: Profile,
    compiled: CompiledRules,
    *,
    locale: str,
    now: datetime | None = None,
    limits: Limits = DEFAULT_LIMITS,
    products_on_consult: bool = False,
) -> Recommendation:
    """Exercises, products and article sections for ``profile``, each with why; safety first.

    ``now`` decides rules' validity periods (default: the current UTC time).
    At ``consult`` level products are shown only with ``products_on_consult``.
    """
    if locale not in vocabulary.LOCALES:
        raise ValueError(f"unknown locale {locale!r}; expected one of {list(vocabulary.LOCALES)}")
    safety = assess(profile, locale)
    gate = gate_for(safety.level, products_on_consult=products_on_consult)
    concepts = profile.concepts
    fired = fire(profile, compiled, locale=locale, now=_utc(now), concepts=concepts)
    board = Scoreboard.of(fired)
    writer = ReasonWriter(profile, compiled, locale, concepts)

    exercises: list[RankedItem[ExerciseItem]] = []
    routine: Routine | None = None
    fallback = False
    if gate.exercises and limits.exercises > 0:
        slots = _exercise_slots(board, compiled, concepts, limits.exercises)
        fallback = bool(slots) and all(s.added == FALLBACK for s in slots)
        matched = any(cr.sorted_all or cr.any_concepts for cr in fired)  # a rule about what was said
        exercises = [_ranked_exercise(s, board, writer, matched) for s in slots]
        routine = summarize(slots, locale) if slots else None

    products: list[RankedItem[ProductItem]] = []
    if gate.products and limits.products > 0:
        for entry in board.ranked("product", limits.products):
            item = compiled.product(entry.ref.id)
            if item is not None:
                why = writer.for_item(entry.ref, board.contributions.get(entry.ref, ()), pinned_by=entry.pinned_by)
                products.append(RankedItem(item, entry.score, why))

    sections = _sections(gate, board, compiled, writer, profile, exercises, products, limits.sections)
    avoid, notes = _advice(fired, locale) if gate.advice else ((), ())
    return Recommendation(
        locale=locale,
        safety=safety,
        disclaimer=disclaimer(locale),
        exercises=tuple(exercises),
        products=tuple(products),
        sections=tuple(sections),
        avoid=avoid,
        notes=notes,
        routine=routine,
        fallback=fallback,
        fired_rules=_fired_rules(fired, writer),
        rules_revision=compiled.revision,
    )


def _exercise_slots(board: Scoreboard, compiled: CompiledRules, concepts: frozenset[str], limit: int) -> list[Slot]:
    slots: list[Slot] = []
    for entry in board.ranked("exercise"):
        item = compiled.exercise(entry.ref.id)
        if item is not None:
            slots.append(Slot(item, entry.score, pinned=entry.pinned_by is not None))
    excluded = {ref.id for ref in board.excluded if ref.type == "exercise"}
    exercises = compiled.catalog.exercises
    if not slots:
        return fallback_routine(exercises, excluded=excluded, concepts=concepts, limit=limit)
    return balance(slots[:limit], slots[limit:], exercises, excluded=excluded, concepts=concepts, limit=limit)


def _ranked_exercise(slot: Slot, board: Scoreboard, writer: ReasonWriter, matched: bool) -> RankedItem[ExerciseItem]:
    ref = ItemRef("exercise", slot.item.slug)
    if slot.added == FALLBACK:
        return RankedItem(slot.item, slot.score, writer.fallback(ref, matched=matched))
    contributions = board.contributions.get(ref, ())
    pinned_by = board.pinned_by(ref)
    why: tuple[Reason, ...] = ()
    if contributions or pinned_by is not None:
        why = writer.for_item(ref, contributions, pinned_by=pinned_by)
    if slot.added in NEEDS:
        balancing = writer.balance(ref, slot.added)
        why = (*why, balancing[1]) if why else balancing  # the first is its own shopper sentence
    return RankedItem(slot.item, slot.score, why)


def _name(item: ExerciseItem | ProductItem, locale: str) -> str:
    name = text_for(item.text, locale).get("name")
    return str(name) if name else (item.slug if isinstance(item, ExerciseItem) else item.sku)


def _sections(
    gate: Gate,
    board: Scoreboard,
    compiled: CompiledRules,
    writer: ReasonWriter,
    profile: Profile,
    exercises: Sequence[RankedItem[ExerciseItem]],
    products: Sequence[RankedItem[ProductItem]],
    limit: int,
) -> list[RankedItem[SectionItem]]:
    """Rule-chosen sections, then the sections that explain the items shown; safety-gated."""
    if limit <= 0:
        return []
    locale = writer.locale
    if not gate.exercises and not gate.products:
        return safety_sections(profile, compiled, locale, limit=1)
    # Which shown items each section explains.
    explains: dict[str, list[str]] = {}
    shown: list[tuple[ItemRef, ExerciseItem | ProductItem]] = [
        *((ItemRef("exercise", r.item.slug), r.item) for r in exercises),
        *((ItemRef("product", r.item.sku), r.item) for r in products),
    ]
    for ref, shown_item in shown:
        section = compiled.explainer(ref, locale)
        if section is not None:
            explains.setdefault(f"{section.article}#{section.anchor}", []).append(_name(shown_item, locale))

    out: list[RankedItem[SectionItem]] = []
    if not gate.rule_sections:
        out.extend(safety_sections(profile, compiled, locale, limit=1))
    else:
        for entry in board.ranked("section"):
            if len(out) >= limit:
                break
            item = compiled.section(entry.ref.id, locale)
            if item is not None:
                why = writer.for_item(
                    entry.ref,
                    board.contributions.get(entry.ref, ()),
                    pinned_by=entry.pinned_by,
                    explained_items=explains.get(entry.ref.id, ()),
                )
                out.append(RankedItem(item, entry.score, why))
    listed = {f"{s.item.article}#{s.item.anchor}" for s in out}
    excluded = {ref.id for ref in board.excluded if ref.type == "section"}
    for section_id, names in explains.items():
        if len(out) >= limit:
            break
        if section_id in listed or section_id in excluded:
            continue
        item = compiled.section(section_id, locale)
        if item is not None:
            text = message(locale, "reason_explains", items=join_words(names, locale))
            why = (Reason("shopper", text), Reason("section", text, section=section_id))
            out.append(RankedItem(item, 0.0, why))
            listed.add(section_id)
    return out


def _advice(fired: Sequence[CompiledRule], locale: str) -> tuple[tuple[Avoid, ...], tuple[Note, ...]]:
    avoid: dict[str, Avoid] = {}
    notes: list[Note] = []
    for cr in fired:
        if not cr.advises:
            continue
        for advice in cr.rule.actions.avoid:
            if advice.code not in avoid:
                avoid[advice.code] = Avoid(advice.code, localized(advice.text, locale) or "")
        note = localized(cr.rule.actions.note, locale)
        if note and all(n.text != note for n in notes):
            notes.append(Note(cr.key, note))
    return tuple(avoid.values()), tuple(notes)


def _fired_rules(fired: Sequence[CompiledRule], writer: ReasonWriter) -> tuple[FiredRule, ...]:
    phrases = MappingProxyType(writer.phrases)
    concepts, locale = writer.concepts, writer.locale
    return tuple(
        FiredRule(cr.key, cr.name, cr.priority, cr.matched_concepts(concepts), phrases, locale) for cr in fired
    )
