"""Side, severity and duration: the quantities in a description.

* side: "left leg", "both legs", "höger höft" - a side word close to an area or
  symptom in the same clause ("right now" is shadowed in the lexicon, and
  "both my hip and back" names two areas, not two sides);
* severity: a score ("8/10", "7 out of 10", "8 av 10", "pain level 6") or a
  word ("mild", "excruciating", "lätt") close to an area or symptom;
* duration in weeks: a number and a unit ("for 3 months", "i tre månader",
  "two years") or a fixed phrase ("since yesterday", "sedan igår"). A bare
  article ("a week") needs an introducing word ("for a week"), and frequencies
  ("3 days a week", "twice a month") and ages ("a 3 year old") are not durations.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import lru_cache
from typing import Final

from shop_reco import vocabulary
from shop_reco.understanding.context import (
    BLOCKS_DURATION,
    DURATION_INTRO,
    END,
    GROUP,
    JOINER,
    START,
    Boundaries,
    Finding,
    new_finding,
)
from shop_reco.understanding.lexicon import DURATION, SCORE_PREFIX, SEVERITY, SIDE, Entry, Lexicon

SIDE_REACH: Final = 3  # tokens between a side word and its area or symptom
SEVERITY_REACH: Final = 4
MAX_WEEKS: Final = 100 * 52.18  # longer is not a duration of discomfort
MAX_SCORE: Final = 10.0
_LONGEST_TARGET: Final = 12  # tokens; no area or symptom phrase is longer


class QuantityHits:
    """The quantity parts the matcher found, indexed by their first unit."""

    __slots__ = ("numbers", "units", "marks")

    def __init__(self) -> None:
        self.numbers: dict[int, tuple[int, float, bool]] = {}  # start -> end, value, is article
        self.units: dict[int, tuple[int, float]] = {}  # start -> end, weeks per unit
        self.marks: list[tuple[int, int, Entry]] = []  # side, severity, duration, score prefix


def format_weeks(weeks: float) -> str:
    """A duration as the text of a Match code: ``13.04``, ``2``, ``0.14``."""
    return _weeks_text(weeks) if weeks else f"{round(weeks, 2):g}"


def rounded(value: float, digits: int) -> float:
    """``round(value, digits)``, remembered for the few values descriptions give.

    Python rounds a float through its decimal digits (dtoa, then printf, then
    strtod): machine code nothing else in an answer runs, so it was out of the
    processor's cache at every description with a duration or a score. Zero is
    not remembered: ``0.0`` and ``-0.0`` are one key.
    """
    return _rounded(value, digits) if value else round(value, digits)


_rounded = lru_cache(maxsize=4096, typed=True)(round)


@lru_cache(maxsize=4096, typed=True)
def _weeks_text(weeks: float) -> str:
    return f"{_rounded(weeks, 2):g}"


def find_quantities(
    q: QuantityHits,
    norms: Sequence[str],
    flags: Sequence[int],
    concepts: Sequence[Finding],
    bounds: Boundaries,
    lexicon: Lexicon,
) -> list[Finding]:
    """Side, severity and duration findings (context is applied later, with the rest)."""
    out: list[Finding] = []
    if not (q.marks or q.numbers or bounds.numbers):
        return out
    for k in bounds.numbers:
        if k not in q.numbers:
            try:
                q.numbers[k] = (k + 1, float(norms[k].replace(",", ".")), False)
            except ValueError:  # an exotic digit NFKC could not make ASCII
                continue
    used_until = -1
    for k in sorted(q.numbers):
        if k < used_until:
            continue
        end, value, article = q.numbers[k]
        found = _score(k, end, value, q, norms, lexicon) or _duration(k, end, value, article, q, norms, flags, lexicon)
        if found is not None:
            out.append(found)
            used_until = found[END]
    if not q.marks:
        return out
    targets = [c for c in concepts if c[GROUP] in ("area", "symptom")]
    starts = [c[START] for c in targets]
    for i, j, entry in q.marks:
        if entry.role == SIDE:
            if _near(i, j, targets, starts, bounds, SIDE_REACH) and not (
                entry.code == "both" and _two_areas(j, targets, starts, flags)
            ):
                out.append(new_finding(SIDE, entry.code, i, j))
        elif entry.role == SEVERITY:
            if _near(i, j, targets, starts, bounds, SEVERITY_REACH):
                out.append(new_finding(SEVERITY, entry.code, i, j))
        elif entry.role == DURATION:
            out.append(new_finding(DURATION, format_weeks(entry.value), i, j, entry.value))
        elif entry.role == SCORE_PREFIX:
            number = q.numbers.get(j)  # "pain level 6", but not "it's a 3 year old problem"
            if number is not None and 0 <= number[1] <= MAX_SCORE and number[0] not in q.units:
                out.append(new_finding(SEVERITY, vocabulary.severity_from_score(number[1]), i, number[0], number[1]))
    return out


def _score(k: int, end: int, value: float, q: QuantityHits, norms: Sequence[str], lexicon: Lexicon) -> Finding | None:
    """``8/10``, ``7 out of 10``, ``åtta av tio``: a score normalised to 0-10."""
    if end >= len(norms):
        return None
    for connector in lexicon.score_connectors.get(norms[end], ()):
        after = end + len(connector)
        if tuple(norms[end:after]) != connector:
            continue
        scale = q.numbers.get(after)
        if scale is not None and scale[1] in lexicon.score_scales and 0 <= value <= scale[1]:
            score = rounded(value / scale[1] * MAX_SCORE, 1)
            return new_finding(SEVERITY, vocabulary.severity_from_score(score), k, scale[0], score)
    return None


def _duration(
    k: int,
    end: int,
    value: float,
    article: bool,
    q: QuantityHits,
    norms: Sequence[str],
    flags: Sequence[int],
    lexicon: Lexicon,
) -> Finding | None:
    """``for 3 months``, ``two years``, ``i tre månader``: weeks, unless a frequency or an age."""
    unit = q.units.get(end)
    if unit is None:
        return None
    before = flags[k - 1] if k > 0 else 0
    if (article and not before & DURATION_INTRO) or before & BLOCKS_DURATION:
        return None
    after = unit[0]
    if after < len(norms):
        for blocker in lexicon.duration_blockers_after.get(norms[after], ()):
            if tuple(norms[after : after + len(blocker)]) == blocker:
                return None
    weeks = value * unit[1]
    if not 0 < weeks <= MAX_WEEKS:
        return None
    return new_finding(DURATION, format_weeks(weeks), k, after, weeks)


def _near(i: int, j: int, targets: Sequence[Finding], starts: list[int], bounds: Boundaries, reach: int) -> bool:
    """True when an area or symptom is within ``reach`` tokens of ``[i, j)``, in the same clause.

    Only targets starting near the mark are looked at (``starts`` is sorted), so
    a text full of side words costs no more per word than a short one.
    """
    for n in range(bisect_left(starts, i - reach - _LONGEST_TARGET), bisect_right(starts, j + reach)):
        t = targets[n]
        if t[START] >= j:
            gap, lo, hi = t[START] - j, j, t[START]
        elif t[END] <= i:
            gap, lo, hi = i - t[END], t[END], i
        else:
            return True
        if gap <= reach and not bounds.hard_between(lo, hi):
            return True
    return False


def _two_areas(j: int, targets: Sequence[Finding], starts: list[int], flags: Sequence[int]) -> bool:
    """True for "both my hip and my back": two areas, not both sides."""
    after = [t for t in targets[bisect_left(starts, j) : bisect_left(starts, j + 8)] if t[GROUP] == "area"]
    if len(after) < 2:
        return False
    first, second = after[0], after[1]
    between = range(first[END], second[START])
    return 0 < len(between) <= 3 and any(flags[u] & JOINER for u in between)
