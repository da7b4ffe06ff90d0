"""A balanced routine: a stretch, a strengthening or core exercise and gentle aerobic activity.

The article this product is built around recommends combining stretching
and strengthening with low-impact aerobic activity, two to three sessions a
week. ``balance`` makes a ranked list meet that within the limit (replacing
the lowest-ranked exercise when needed); ``fallback_routine`` is the general
routine shown when no rule matched the description.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from shop_reco.recommending.catalog import ExerciseItem
from shop_reco.recommending.messages import message
from shop_reco.recommending.results import Routine

#: Exercise kind -> the part of a balanced routine it fills.
CATEGORIES: Mapping[str, str] = {
    "stretch": "stretch",
    "strength": "strength",
    "core": "strength",
    "aerobic": "aerobic",
}
#: The parts of a balanced routine, most important first (kept first when the limit is small).
NEEDS: tuple[str, ...] = ("stretch", "strength", "aerobic")
SESSIONS_PER_WEEK = (2, 3)

FALLBACK = "fallback"


@dataclass(frozen=True, slots=True)
class Slot:
    """An exercise in the routine; ``added`` says why it was added (a need, or ``fallback``)."""

    item: ExerciseItem
    score: float = 0.0
    pinned: bool = False
    added: str | None = None


def category(item: ExerciseItem) -> str | None:
    return CATEGORIES.get(item.kind)


def best_in_catalog(
    need: str, exercises: Iterable[ExerciseItem], *, skip: Collection[str], concepts: frozenset[str]
) -> ExerciseItem | None:
    """The catalog exercise for ``need`` closest to the shopper's concepts (ties: by slug)."""
    best: tuple[int, str] | None = None
    found: ExerciseItem | None = None
    for item in exercises:
        if item.slug in skip or category(item) != need:
            continue
        rank = (-len(item.concepts & concepts), item.slug)
        if best is None or rank < best:
            best, found = rank, item
    return found


def _removable(shown: Sequence[Slot]) -> Slot | None:
    """The lowest-ranked exercise that can go without unbalancing what is already there."""
    for slot in reversed(shown):
        if slot.pinned or slot.added:
            continue
        cat = category(slot.item)
        if cat is None or sum(1 for s in shown if category(s.item) == cat) > 1:
            return slot
    return None


def balance(
    shown: Sequence[Slot],
    pool: Sequence[Slot],
    exercises: Mapping[str, ExerciseItem],
    *,
    excluded: Collection[str],
    concepts: frozenset[str],
    limit: int,
) -> list[Slot]:
    """Make ``shown`` hold every part of ``NEEDS`` within ``limit``.

    A missing part is taken from ``pool`` (rule candidates below the cut, best
    first), else from the catalog; it replaces the lowest-ranked exercise
    whose part is covered twice when the list is full.
    """
    out = list(shown)
    taken = {s.item.slug for s in out}
    for need in NEEDS:
        if any(category(s.item) == need for s in out):
            continue
        pick = next(
            (s for s in pool if s.item.slug not in taken and s.item.slug not in excluded and category(s.item) == need),
            None,
        )
        if pick is None:
            item = best_in_catalog(need, exercises.values(), skip={*excluded, *taken}, concepts=concepts)
            pick = Slot(item) if item is not None else None
        if pick is None:
            continue
        if len(out) >= limit:
            victim = _removable(out)
            if victim is None:
                continue
            out.remove(victim)
            taken.discard(victim.item.slug)
        out.append(Slot(pick.item, pick.score, pick.pinned, added=need))
        taken.add(pick.item.slug)
    return out


def fallback_routine(
    exercises: Mapping[str, ExerciseItem], *, excluded: Collection[str], concepts: frozenset[str], limit: int
) -> list[Slot]:
    """A general routine, one exercise per part of ``NEEDS``, closest to the shopper's concepts."""
    out: list[Slot] = []
    for need in NEEDS:
        if len(out) >= limit:
            break
        skip = {*excluded, *(s.item.slug for s in out)}
        item = best_in_catalog(need, exercises.values(), skip=skip, concepts=concepts)
        if item is not None:
            out.append(Slot(item, added=FALLBACK))
    return out


def summarize(shown: Sequence[Slot], locale: str) -> Routine:
    """Sessions a week, whether every part is there, and a sentence saying how to go about it."""
    parts = {category(s.item) for s in shown}
    balanced = all(n in parts for n in NEEDS)
    lo, hi = SESSIONS_PER_WEEK
    key = "routine_summary" if balanced else "routine_summary_partial"
    return Routine(lo, hi, balanced, message(locale, key, min=lo, max=hi))
