"""Context of each finding, NegEx/ConText style: negated, someone else's, hypothetical, past.

Cues found by the matcher open a scope; a scope covers the findings after a
``*_pre`` cue (or before a ``*_post`` cue) until a sentence ends, a terminator
("but", "men") or the next cue of the same role; for negation also when a window
of a few tokens passes or a comma closes a list. Each cue walks only its own
scope, so the work is linear in the number of findings and cues whatever the text.

    "no numbness or tingling"        both negated
    "no numbness but legs feel weak" weakness affirmed
    "my dad had bladder problems"    experiencer "other"
    "should I worry about numbness?" numbness hypothetical (red flags only)
    "I had cancer five years ago"    historical, still the shopper's

A worry is hypothetical only where it turns to what may come: what follows an
``irrealis`` cue ("will", "might", "could turn into") in the scope of a worry
("worried", "concerned") or of a hypothetical cue ("what if"), or what directly
follows a ``feared_pre`` cue ("afraid of", "worried about getting"), up to the
end of its clause. Symptoms count there too, not only red flags; what is
presupposed ("my numbness", "stay numb") stays a report.

    "worried it could turn into sciatica"    sciatica feared, not had
    "concerned my back might give out"       weakness feared, the back still the shopper's
    "worried because my leg is numb"         numbness affirmed ("because" ends the worry)
    "worried, my leg has been numb"          numbness affirmed (nothing may-come about it)

A function finding ("control of my bladder", "pee", "feel my groin") is what
the body does; its loss is the red flag. Negation leaves it alone; a loss cue
right before it ("no longer", "can't", "haven't been able to", "har ingen") or
right after it ("is gone", "är borta"), with at most a few filler words between
("any", "all", "fully"), takes it away and records the span of the loss in its
value field:

    "I don't have control of my bladder"    lost: bladder_bowel affirmed
    "my bladder control is gone"            lost
    "I can control my bladder fine"         kept: no finding
    "no trouble peeing"                     kept ("trouble" is no filler)

A finding is a small list (see ``new_finding``) rather than an object: the
analyzer makes thousands a second and a list is several times cheaper.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from itertools import compress
from typing import Final

from shop_reco.understanding.lexicon import FUNCTION

# Token flags, computed once per distinct token by the analyzer.
SENT_END: Final = 1 << 0  # . ! ? ; newline
SOFT: Final = 1 << 1  # , : ( ) dashes
QUESTION: Final = 1 << 2  # ?
ANSWER_PUNCT: Final = 1 << 3  # "numbness? no" / "numbness: none"
FIRST_PERSON: Final = 1 << 4
PRESUPPOSING: Final = 1 << 5
OPENER: Final = 1 << 6
JOINER: Final = 1 << 7
GAP_STOP: Final = 1 << 8
NUMBER: Final = 1 << 9
ARTICLE: Final = 1 << 10
DURATION_INTRO: Final = 1 << 11
BLOCKS_DURATION: Final = 1 << 12
SUBJECT_VERB: Final = 1 << 13  # "had" in "my dad had": the relative is the subject
FOCUS: Final = 1 << 14  # "especially", "mostly": after a comma the clause goes on
LOSS_FILLER: Final = 1 << 15  # "any", "all": may stand between a loss cue and its function
LOSS_BLOCKER: Final = 1 << 16  # "more", "yet": after a function, "not peeing more" is no loss

_BOUNDARY_FLAGS: Final = SENT_END | SOFT | NUMBER | JOINER

#: Tokens a pattern gap may not skip.
GAP_STOP_MASK: Final = SENT_END | SOFT | GAP_STOP


def gap_stops(flags: Sequence[int]) -> Sequence[int]:
    """``flags`` for pattern gaps: a comma (or dash, bracket) right before a focusing word
    ("numbness, especially around my groin") narrows the finding instead of ending it."""
    out: list[int] | None = None
    for j in range(len(flags) - 1):
        if flags[j] & SOFT and flags[j + 1] & FOCUS:
            if out is None:
                out = list(flags)
            out[j] &= ~SOFT
    return flags if out is None else out


SENTENCE_MARKS: Final = frozenset({".", "!", "?", ";", "\n", "...", "¿", "¡"})
SOFT_MARKS: Final = frozenset({",", ":", "(", ")", "[", "]", "–", "—", "、"})  # noqa: RUF001
ANSWER_MARKS: Final = frozenset({"?", ":"})

# The fields of a finding list.
START, END, GROUP, CODE, VALUE, FLAGGABLE, NEGATED, OTHER, HYPOTHETICAL, HISTORICAL = range(10)
Finding = list  # [i, j, group, code, value, flaggable, negated, other, hypothetical, historical]


def new_finding(group: str, code: str, i: int, j: int, value: float | None = None, flaggable: bool = False) -> Finding:
    """A finding at units ``i`` to ``j`` (exclusive); ``flaggable`` for red flags and
    the symptoms that are also red flags (only those take the hypothetical guard)."""
    return [i, j, group, code, value, flaggable, False, False, False, False]


def finding_tail(group: str, code: str, flaggable: bool) -> tuple[object, ...]:
    """A concept's finding without its position: the matcher keeps one per phrase,
    and the analyzer makes ``[i, j, *tail]`` of it."""
    return (group, code, None, flaggable, False, False, False, False)


Cue = tuple[int, int, str]  # first unit, end unit, role


class Boundaries:
    """Where clauses end: ``hard`` (sentence marks, terminators, "and I"), ``soft`` (commas)."""

    __slots__ = ("hard", "soft", "questions", "numbers", "_flags", "_first_person")

    def __init__(self, flags: Sequence[int], terminator_starts: Sequence[int]) -> None:
        hard: list[int] = []
        soft: list[int] = []
        questions: list[int] = []
        numbers: list[int] = []
        n = len(flags)
        for k in compress(range(n), map(_BOUNDARY_FLAGS.__and__, flags)):
            f = flags[k]
            if f & SENT_END:
                hard.append(k)
                if f & QUESTION:
                    questions.append(k)
            elif f & SOFT:
                soft.append(k)
            elif f & NUMBER:
                numbers.append(k)
            elif k + 1 < n and flags[k + 1] & FIRST_PERSON:  # a JOINER ("and") before "my"
                hard.append(k)  # "... and my back hurts": a new clause
        if terminator_starts:
            hard = sorted(hard + list(terminator_starts))
        self.hard = hard
        self.soft = soft
        self.questions = questions
        self.numbers = numbers  # digit tokens
        self._flags = flags
        self._first_person: list[int] | None = None

    @property
    def first_person(self) -> list[int]:
        """Where the shopper speaks of themself ("I", "my"); only experiencer scopes ask."""
        if self._first_person is None:
            flags = self._flags
            self._first_person = list(compress(range(len(flags)), map(FIRST_PERSON.__and__, flags)))
        return self._first_person

    def hard_between(self, a: int, b: int) -> bool:
        """True when a hard boundary sits at a unit in ``[a, b)``."""
        if a >= b or not self.hard:
            return False
        k = bisect_left(self.hard, a)
        return k < len(self.hard) and self.hard[k] < b


def apply_context(
    findings: Sequence[Finding],
    cues: Sequence[Cue],
    flags: Sequence[int],
    bounds: Boundaries,
    window: int,
) -> None:
    """Mark negated, other, hypothetical and historical findings (sorted by position).

    Each cue walks the findings in its scope only, and a scope ends at the next
    cue of the same role, so the work stays linear however many cues there are.
    """
    if not (cues or bounds.questions):
        return
    starts = [f[START] for f in findings]
    if cues:
        previous_end: dict[str, int] = {}  # a backward scope stops at the last cue of its role
        negation_end = -1  # "haven't lost control": a loss verb negated takes nothing away
        irrealis: tuple[list[int], list[int]] | None = None  # their starts and ends, once a worry asks
        for n, (i, j, role) in enumerate(cues):
            if role in _LOSSES:
                if not (role == "loss_pre" and 0 <= negation_end <= i and _fillers(flags, negation_end, i)):
                    _take_away(findings, starts, i, j, role == "loss_pre", flags)
                continue
            if role == "negation_pre":
                negation_end = j
            elif role == "experiencer_pre" and negation_end == i and _fillers(flags, i, j):
                continue  # "har inte någon kontroll": "någon" is "any" here, not "someone"
            if role in _BACKWARD:
                since = max(_previous_before(bounds.hard, i), previous_end.get(role, -1) - 1)
                _backward(findings, bisect_left(starts, i) - 1, role, i, since, flags, bounds, window)
                previous_end[role] = j
                continue
            if role not in _FORWARD and role not in _WORRIES:
                continue  # terminators and irrealis cues: read by the scopes
            until = _scope_end(cues, n, role, j, bounds)
            if role in _FORWARD:
                _forward(findings, bisect_left(starts, j), role, j, until, flags, bounds, window)
                if role != "hypothetical_pre":
                    continue
            if role == "feared_pre":
                _feared(findings, starts, j, until, flags, bounds)
                continue
            if irrealis is None:
                irrealis = ([], [])
                for c in cues:
                    if c[2] == "irrealis":
                        irrealis[0].append(c[0])
                        irrealis[1].append(c[1])
            if irrealis[0]:
                _feared_after_irrealis(findings, starts, irrealis, j, until, flags, bounds)
    if bounds.questions:
        _question_openers(findings, starts, flags, bounds)


_FORWARD: Final = frozenset({"negation_pre", "experiencer_pre", "hypothetical_pre", "history_pre"})
_BACKWARD: Final = frozenset(
    {"negation_post", "negation_post_adjacent", "negation_answer", "experiencer_post", "history_post"}
)
_WORRIES: Final = frozenset({"worry_pre", "feared_pre"})
_LOSSES: Final = frozenset({"loss_pre", "loss_post"})
#: What a worry can fear: not the area or what sets it off, which are still the shopper's.
_FEARED_GROUPS: Final = frozenset({"symptom", "red_flag", "severity", "duration", FUNCTION})
#: At most this many filler words between a loss cue and the function it takes away.
_MAX_LOSS_FILLERS: Final = 3
#: A function phrase is no longer than this (a gap included), looking back from a cue.
_MAX_FUNCTION_UNITS: Final = 12
#: What may come just before a function that a later cue takes away: it must be the
#: subject ("my bladder control is gone", "bladder control, gone"), not a clause's tail.
_LOSS_SUBJECT_START: Final = SENT_END | SOFT | JOINER | PRESUPPOSING


def _next_at_or_after(positions: list[int], k: int, default: int) -> int:
    n = bisect_left(positions, k)
    return positions[n] if n < len(positions) else default


def _previous_before(positions: list[int], k: int) -> int:
    n = bisect_left(positions, k)
    return positions[n - 1] if n > 0 else -1


def _scope_end(cues: Sequence[Cue], n: int, role: str, j: int, bounds: Boundaries) -> int:
    """Where a forward scope stops: a hard boundary, or the next cue of the same role."""
    until = _next_at_or_after(bounds.hard, j, 1 << 30)
    for m in range(n + 1, len(cues)):
        if cues[m][0] >= until:
            break
        if cues[m][2] == role:
            return cues[m][0]
    if role == "experiencer_pre":  # "my dad had cancer and I ..." - "I" is the shopper again
        until = min(until, _next_at_or_after(bounds.first_person, j, until))
    return until


def _forward(
    findings: Sequence[Finding],
    k: int,
    role: str,
    j: int,
    until: int,
    flags: Sequence[int],
    bounds: Boundaries,
    window: int,
) -> None:
    last_end = j
    last_flaggable = False
    for n in range(k, len(findings)):
        f = findings[n]
        i = f[START]
        if i >= until:
            return
        if role == "negation_pre":
            if f[GROUP] == FUNCTION:  # taken away by a loss cue, never negated
                if n == k and _fillers(flags, j, i):
                    return  # "kan inte hålla urinen och ...": the negation was the loss
                continue
            if i - last_end > window:
                return
            if i >= last_end:  # the next phrase (findings of one phrase share the verdict)
                comma = _next_at_or_after(bounds.soft, last_end, i) < i
                if comma and not (last_flaggable and i - last_end <= 2 and _flaggable_at(findings, n)):
                    return  # a comma that does not continue a list of red flags
                last_flaggable = False
            f[NEGATED] = True
            last_end, last_flaggable = max(last_end, f[END]), last_flaggable or f[FLAGGABLE]
        elif role == "experiencer_pre":
            f[OTHER] = True
        elif role == "hypothetical_pre":
            if f[FLAGGABLE]:
                f[HYPOTHETICAL] = True
        else:
            f[HISTORICAL] = True


def _feared_after_irrealis(
    findings: Sequence[Finding],
    starts: list[int],
    irrealis: tuple[list[int], list[int]],
    j: int,
    until: int,
    flags: Sequence[int],
    bounds: Boundaries,
) -> None:
    """In a worry's scope ``[j, until)``, what each irrealis cue ("will", "turn into") leads to is feared."""
    cue_starts, cue_ends = irrealis
    count = len(cue_starts)
    k = bisect_left(cue_starts, j)
    while k < count and cue_starts[k] < until:
        end = cue_ends[k]
        k += 1
        while k < count and cue_starts[k] == end:  # "might turn into": one stretch
            end = cue_ends[k]
            k += 1
        _feared(findings, starts, end, min(until, cue_starts[k]) if k < count else until, flags, bounds)


def _feared(
    findings: Sequence[Finding], starts: list[int], since: int, until: int, flags: Sequence[int], bounds: Boundaries
) -> None:
    """Mark the symptoms and red flags from unit ``since`` to the end of the clause hypothetical.

    A comma ends the clause unless a list of feared things goes on ("afraid of
    numbness, tingling or weakness"); what is presupposed ("my numbness", "the
    tingling", "stay numb") is already there, so it stays a report.
    """
    comma = _next_at_or_after(bounds.soft, since, until)
    last_end = since
    for n in range(bisect_left(starts, since), len(findings)):
        f = findings[n]
        i = f[START]
        if i >= until:
            return
        feared = f[GROUP] in _FEARED_GROUPS
        if i > comma:  # a comma since the last finding
            if not (feared and i - last_end <= 2):
                return  # that does not go on with a list
            comma = _next_at_or_after(bounds.soft, i, until)
        if feared and not (i > 0 and flags[i - 1] & PRESUPPOSING):
            f[HYPOTHETICAL] = True
        last_end = max(last_end, f[END])


def _take_away(
    findings: Sequence[Finding], starts: list[int], i: int, j: int, before: bool, flags: Sequence[int]
) -> None:
    """A loss cue at ``[i, j)`` takes away the function just after it (``before``: the cue
    comes first) or just before it, with only filler words between; the finding's value
    becomes the span of the loss, cue included. A function before its cue must start its
    clause or follow "my", "the" (see ``_LOSS_SUBJECT_START``); one followed by a blocker
    ("more", "yet") is compared, not lost."""
    if before:
        n = bisect_left(starts, j)
        if n == len(findings):
            return
        far = starts[n]
        while findings[n][GROUP] != FUNCTION:  # most cues have no function after them
            n += 1
            if n == len(findings) or starts[n] != far:
                return
        near = j
        after = findings[n][END]
        if after < len(flags) and flags[after] & LOSS_BLOCKER:
            return  # "not peeing more than usual", "haven't peed yet"
    else:  # the last function before the cue (areas found inside it come after its start)
        n = bisect_left(starts, i) - 1
        while n >= 0 and findings[n][GROUP] != FUNCTION and starts[n] > i - _MAX_FUNCTION_UNITS:
            n -= 1
        if n < 0 or findings[n][GROUP] != FUNCTION:
            return
        near, far = findings[n][END], i
        if near > i:
            return
        first = starts[n]
        if first > 0 and not flags[first - 1] & _LOSS_SUBJECT_START:
            return  # "the pain when I pee is gone": what is gone is the pain
        while n > 0 and starts[n - 1] == first:  # every finding of that phrase
            n -= 1
    if far > near and not _fillers(flags, near, far):
        return
    first = starts[n]
    while n < len(findings) and starts[n] == first:
        f = findings[n]
        if f[GROUP] == FUNCTION:
            f[VALUE] = (i, f[END]) if before else (f[START], j)
        n += 1


def _fillers(flags: Sequence[int], a: int, b: int) -> bool:
    """True when units ``[a, b)`` are at most a few filler words ("any", "all")."""
    return b - a <= _MAX_LOSS_FILLERS and all(flags[k] & LOSS_FILLER for k in range(a, b))


def _flaggable_at(findings: Sequence[Finding], n: int) -> bool:
    """True when a finding of the phrase starting with ``findings[n]`` is a red flag."""
    i = findings[n][START]
    while n < len(findings) and findings[n][START] == i:
        if findings[n][FLAGGABLE]:
            return True
        n += 1
    return False


def _backward(
    findings: Sequence[Finding],
    k: int,
    role: str,
    i: int,
    since: int,
    flags: Sequence[int],
    bounds: Boundaries,
    window: int,
) -> None:
    """Walk back from the cue at ``i`` over findings starting after unit ``since``."""
    if role == "negation_answer":
        if i == 0 or not flags[i - 1] & ANSWER_PUNCT:
            return
        i -= 1  # "numbness? no": the clause before the "?" is answered
        since = _previous_before(bounds.hard, i)
    nearest = i  # start of the cue, then of the last finding negated
    for n in range(k, -1, -1):
        f = findings[n]
        if f[START] <= since:
            return
        if f[END] > i:
            continue  # overlaps the cue
        if f[GROUP] == FUNCTION and role != "experiencer_post" and role != "history_post":
            if nearest == i and _fillers(flags, f[END], i):
                return  # "numb and my bladder control is gone": the negation was the loss
            continue  # a function is taken away by a loss cue, never negated
        if role == "negation_post_adjacent":  # the verb just before: "domnar inte", not "ryggen inte"
            if f[END] != i:
                return
            if f[GROUP] != "area":
                f[NEGATED] = True
        elif role == "negation_post":
            if nearest - f[END] > window or _next_at_or_after(bounds.soft, f[END], nearest) < nearest:
                return
            f[NEGATED] = True
            nearest = min(nearest, f[START])
        elif role == "negation_answer":
            f[NEGATED] = True
        elif role == "experiencer_post":
            f[OTHER] = True
        else:
            f[HISTORICAL] = True


def _question_openers(findings: Sequence[Finding], starts: list[int], flags: Sequence[int], bounds: Boundaries) -> None:
    """In "Could X be serious?" a red flag X is a worry, not a report, unless "my X"."""
    for end in bounds.questions:
        k = bisect_left(bounds.hard, end)
        start = bounds.hard[k - 1] + 1 if k > 0 else 0
        while start < end and flags[start] & SOFT:
            start += 1
        if start >= end or not flags[start] & OPENER:
            continue
        for n in range(bisect_left(starts, start), bisect_left(starts, end)):
            f = findings[n]
            i = f[START]
            if f[FLAGGABLE] and not (i > 0 and flags[i - 1] & PRESUPPOSING):
                f[HYPOTHETICAL] = True
