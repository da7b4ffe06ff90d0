"""The analyzer: a shopper's description in, a :class:`Profile` out.

An :class:`Analyzer` is built once from lexicon data (the shipped files plus
any merchant synonyms) and is then immutable, cheap to call and safe to share
between threads. :func:`analyze` uses a cached default built from the shipped
lexicons.

    >>> p = analyze("My lower back aches after sitting at my desk, no numbness.")
    >>> p.areas, p.symptoms, p.triggers, p.safety_level
    (('lower_back',), ('pain',), ('sitting',), 'none')
    >>> analyze("Jag har ont i höften sedan igår").duration_weeks
    0.14
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Literal, overload

from shop_reco import vocabulary
from shop_reco.understanding import context as ctx
from shop_reco.understanding.context import Boundaries, Finding, apply_context
from shop_reco.understanding.lexicon import (
    CUE_ROLES,
    FUNCTION,
    NUMBER,
    SHADOW,
    SYMPTOM_RED_FLAGS,
    UNIT,
    compile_lexicon,
    normalise_locale,
    shipped_lexicons,
    synonym_phrases,
)
from shop_reco.understanding.locale_model import LocaleModel
from shop_reco.understanding.profile import Match, Profile
from shop_reco.understanding.quantities import QuantityHits, find_quantities, rounded
from shop_reco.understanding.tokens import split_text

#: The red flag of pain, numbness or weakness in both legs, whose words are findings too.
BILATERAL_LEGS: Final = "bilateral_legs"
#: Red flags that still count when in the past ("I had cancer five years ago").
COUNTS_WHEN_HISTORICAL: Final = frozenset({"cancer_history"})

_CUE_ROLES: Final = frozenset(CUE_ROLES)
_TAG_GROUPS: Final = frozenset({"area", "symptom", "trigger"})
#: The findings a red flag can come from: a red flag's words, or a function said to be lost.
_RED_FLAG_GROUPS: Final = frozenset({"red_flag", FUNCTION})
_POSITION: Final = operator.itemgetter(0)  # a finding's first unit
#: A locale leading by this many points of telltale words and letters needs no more evidence.
_DECISIVE: Final = 2
#: At most this many words are looked up in every lexicon when detection needs evidence.
_MAX_DETECT_WORDS: Final = 40


class Analyzer:
    """Turns descriptions into profiles with a fixed set of lexicons and synonyms.

    >>> from shop_reco.understanding.lexicon import shipped_lexicons
    >>> analyzer = Analyzer.from_data(shipped_lexicons(), [
    ...     {"locale": "en", "group": "area", "code": "lower_back", "phrase": "crick"}])
    >>> analyzer.analyze("I have a crick", "en").areas
    ('lower_back',)
    """

    def __init__(self, models: Mapping[str, LocaleModel]) -> None:
        if not models:
            raise ValueError("an Analyzer needs at least one locale's lexicon")
        self._models = dict(models)
        self.locales: tuple[str, ...] = tuple(self._models)

    @classmethod
    def from_data(
        cls,
        lexicons: Mapping[str, Mapping[str, Any]],
        extra_synonyms: Iterable[Mapping[str, Any]] | None = None,
    ) -> Analyzer:
        """Build from ``{locale: lexicon data}`` plus merchant synonyms.

        Synonyms are ``{"locale", "group", "code", "phrase"}`` mappings with a
        literal phrase. Raises :class:`~shop_reco.understanding.lexicon.LexiconError`
        naming the bad field.
        """
        compiled = {locale: compile_lexicon(locale, data) for locale, data in lexicons.items()}
        extra = synonym_phrases(extra_synonyms or (), compiled)
        return cls({locale: LocaleModel(lex, extra[locale]) for locale, lex in compiled.items()})

    def with_synonyms(self, extra_synonyms: Iterable[Mapping[str, Any]]) -> Analyzer:
        """This analyzer plus merchant synonyms (as in :meth:`from_data`); this one is unchanged.

        The new analyzer shares this one's compiled lexicons and all of its phrase trie but the
        few nodes the synonyms pass through: milliseconds, where :meth:`from_data` takes most of
        a second. Raises :class:`~shop_reco.understanding.lexicon.LexiconError` naming the bad field.

        >>> grown = default_analyzer().with_synonyms(
        ...     [{"locale": "en", "group": "area", "code": "lower_back", "phrase": "crick"}])
        >>> grown.analyze("A crick in my side", "en").areas, default_analyzer().analyze("A crick", "en").areas
        (('lower_back',), ())
        """
        extra = synonym_phrases(extra_synonyms, self.locales)
        return type(self)({locale: model.with_extra(extra[locale]) for locale, model in self._models.items()})

    def analyze(self, text: str, locale: str | None = None) -> Profile:
        """The profile of one description; ``locale`` None means detect it.

        Never raises on a ``str``; raises UnknownLocaleError for an unsupported locale.
        """
        return self.read(text, locale)[0]

    def read(self, text: str, locale: str | None = None) -> tuple[Profile, list[str]]:
        """:meth:`analyze`, and the text's normalised tokens (:func:`tokenize`'s), for a
        caller that looks its words up again (the red-flag screen's topics), so that
        the text is split once.

        >>> default_analyzer().read("Both legs are numb", "en")[1]
        ['both', 'legs', 'are', 'numb']
        """
        if not isinstance(text, str):
            raise TypeError(f"a description is a str, not {type(text).__name__}")
        norms, starts, ends, folded = split_text(text)
        locale, others = self._reading_locales(folded, norms, locale)
        profile = self._analyze_in(self._models[locale], locale, text, norms, starts, ends)
        for other in others:  # red flags in every language the text shows signs of
            found = self._analyze_in(self._models[other], other, text, norms, starts, ends, red_flags_only=True)
            if found is not None:
                profile = _with_red_flags_of(profile, found)
        return profile, norms

    @overload
    def _analyze_in(
        self,
        model: LocaleModel,
        locale: str,
        text: str,
        norms: Sequence[str],
        starts: Sequence[int],
        ends: Sequence[int],
        *,
        red_flags_only: Literal[False] = False,
    ) -> Profile: ...

    @overload
    def _analyze_in(
        self,
        model: LocaleModel,
        locale: str,
        text: str,
        norms: Sequence[str],
        starts: Sequence[int],
        ends: Sequence[int],
        *,
        red_flags_only: bool,
    ) -> Profile | None: ...

    def _analyze_in(
        self,
        model: LocaleModel,
        locale: str,
        text: str,
        norms: Sequence[str],
        starts: Sequence[int],
        ends: Sequence[int],
        *,
        red_flags_only: bool = False,
    ) -> Profile | None:
        """The profile of ``text`` read with one locale's lexicon.

        With ``red_flags_only`` (another language's reading, searched for red flags only) it is
        None when the lexicon finds no red flag word at all, before any context is worked out:
        most text in one language costs that second reading a scan and no more.
        """
        keys, singles, firsts, flags, token_of = model.units(norms)

        findings: list[Finding] = []
        cues: list[ctx.Cue] = []
        terminators: list[int] = []
        q = QuantityHits()
        focus = model.lexicon.words["focus_words"]
        stops = ctx.gap_stops(flags) if focus and not focus.isdisjoint(norms) else flags
        hits = model.trie.scan(keys, singles, firsts, stops, ctx.GAP_STOP_MASK)
        if red_flags_only and not any(tail[0] in _RED_FLAG_GROUPS for _, _, hit in hits for tail in hit[2]):
            return None
        functions: list[tuple[int, int]] = []
        both_legs: list[tuple[int, int]] = []
        for i, j, (_, _, concepts, others, _) in hits:
            for finding_tail in concepts:
                findings.append([i, j, *finding_tail])
                if j - i > 1 and finding_tail[0] == FUNCTION:
                    functions.append((i, j))
                elif finding_tail[1] == BILATERAL_LEGS and finding_tail[0] == "red_flag":
                    both_legs.append((i, j))
            for entry in others:
                role = entry.role
                if role == "experiencer_subject":  # "my dad had", "my dad, who", not "lifting my dad"
                    after = _past_aside(norms, token_of, flags, j)
                    if after < len(flags) and flags[after] & ctx.SUBJECT_VERB:
                        cues.append((i, j, "experiencer_pre"))
                elif role in _CUE_ROLES:
                    cues.append((i, j, role))
                    if role == "terminators":
                        terminators.append(i)
                elif role == NUMBER:
                    q.numbers[i] = (j, entry.value, j == i + 1 and bool(flags[i] & ctx.ARTICLE))
                elif role == UNIT:
                    q.units[i] = (j, entry.value)
                elif role != SHADOW:
                    q.marks.append((i, j, entry))

        if both_legs:  # "numb in both legs": the legs, the numbness and both sides are still there
            for i, j in both_legs:
                findings.append(ctx.new_finding("side", "both", i, j))
                for a in range(i, j):  # what the words from each one on say, short of the red flag
                    for b in range(j, a, -1):
                        inner = model.trie.scan(keys[a:b], singles[a:b], firsts[a:b], stops[a:b], ctx.GAP_STOP_MASK)
                        tails = inner[0][2][2] if inner and inner[0][0] == 0 else ()
                        if not any(tail[1] == BILATERAL_LEGS for tail in tails):
                            findings += [[a, a + inner[0][1], *t] for t in tails if t[0] in _TAG_GROUPS]
                            break
            findings.sort(key=_POSITION)
        if functions:  # "a pulling feeling in my groin": the groin is still there
            for i, j in functions:
                a = i + 1
                for k, m, (_, _, concepts, _, _) in model.trie.scan(
                    keys[a:j], singles[a:j], firsts[a:j], stops[a:j], ctx.GAP_STOP_MASK
                ):
                    findings += [[a + k, a + m, *tail] for tail in concepts if tail[0] in _TAG_GROUPS]
            findings.sort(key=_POSITION)
        bounds = Boundaries(flags, terminators)
        quantities = find_quantities(
            q,
            norms if token_of is None else [norms[t] for t in token_of],
            flags,
            findings,
            bounds,
            model.lexicon,
        )
        if quantities:
            findings += quantities
            findings.sort(key=_POSITION)
        apply_context(findings, cues, flags, bounds, model.lexicon.window)
        someone_else = _for_someone_else(findings, cues, flags, bounds) if cues else False
        return _profile(text, locale, findings, starts, ends, token_of, someone_else)

    def tag_text(self, text: str, locale: str | None = "en") -> frozenset[str]:
        """Concepts named in content text (``area:hip``, ``trigger:sitting``...).

        For tagging articles, exercises and products so they pair with shopper
        profiles by shared concepts. Content is not a shopper's report, so
        context is ignored and no red flags are produced.
        """
        norms, _, _, folded = split_text(text)
        model = self._models[self._reading_locales(folded, norms, locale)[0]]
        keys, singles, firsts, flags, _ = model.units(norms)
        return frozenset(
            f"{group}:{code}"
            for _, _, (_, _, concepts, _, _) in model.trie.scan(keys, singles, firsts, flags, ctx.GAP_STOP_MASK)
            for group, code, *_ in concepts
            if group in _TAG_GROUPS
        )

    def phrase_count(self, locale: str) -> int:
        """How many phrases a locale knows (sets expanded, merchant synonyms included)."""
        return self._models[normalise_locale(locale, self.locales)].phrase_count

    def first_words(self, locale: str) -> frozenset[str]:
        """The normalised words that start a phrase in a locale (stems and gaps left out)."""
        root = self._models[normalise_locale(locale, self.locales)].trie.root
        return frozenset(key for key in root if key and "*" not in key)

    def detect_locale(self, text: str) -> str:
        """The most likely locale of ``text`` among this analyzer's (the first on a tie): by
        telltale words and letters, and when those do not decide (short text such as
        "domnad i skrevet"), by which lexicon knows more of its words."""
        norms, _, _, folded = split_text(text)
        return self._detect(folded, norms)

    def _reading_locales(
        self, folded: str | None, norms: Sequence[str], locale: str | None
    ) -> tuple[str, tuple[str, ...]]:
        """The locale to read a text in, and the other locales to search for red flags.

        The text is read in the language it is written in: the one asked for (the page's)
        unless the text is clearly in another. Every other locale whose telltale words or
        letters appear is searched for red flags too, so that "jag kan inte kissa" on an
        English page, or "I have a fever" on a Swedish one, is never missed.
        """
        if len(self.locales) == 1:
            if locale is not None and locale not in self._models:
                normalise_locale(locale, self.locales)  # UnknownLocaleError for a foreign one
            return self.locales[0], ()
        if locale is not None and locale not in self._models:
            locale = normalise_locale(locale, self.locales)
        scores = self._telltale_scores(folded, norms)
        if locale is None:
            locale = self._detect_from(scores, norms)
        else:
            leader = self.locales[scores.index(max(scores))]
            if leader != locale and self._clearly(leader, locale, scores, norms):
                locale = leader
        # Another language is searched when it shows in the text, or when nothing shows which
        # language the text is in ("domnad i skrevet" has no telltale word).
        silent = scores[self.locales.index(locale)] == 0
        others = tuple(other for n, other in enumerate(self.locales) if other != locale and (silent or scores[n] > 0))
        return locale, others

    def _telltale_scores(self, folded: str | None, norms: Sequence[str]) -> list[int]:
        """Per locale, in order: its telltale words in ``norms`` plus two per telltale letter
        in ``folded``, the text casefolded (None: ASCII, which has no telltale letter)."""
        scores = []
        for model in self._models.values():
            score = sum(map(model.lexicon.detect_words.__contains__, norms))
            if folded is not None:
                score += 2 * sum(map(folded.count, model.lexicon.detect_letters))
            scores.append(score)
        return scores

    def _clearly(self, detected: str, asked: str, scores: list[int], norms: Sequence[str]) -> bool:
        """True when the text is clearly in ``detected`` rather than the ``asked`` locale: it
        leads by ``_DECISIVE`` telltales, or, with no telltale of the asked locale at all, its
        lexicon knows ``_DECISIVE`` more of the words."""
        index = self.locales.index
        lead = scores[index(detected)] - scores[index(asked)]
        if lead >= _DECISIVE:
            return True
        if lead < 0 or scores[index(asked)] > 0:
            return False
        words = [token for token in norms[:_MAX_DETECT_WORDS] if token.isalpha()]
        known = sum(map(self._models[detected].knows, words)) - sum(map(self._models[asked].knows, words))
        return lead + known >= _DECISIVE

    def _detect(self, folded: str | None, norms: Sequence[str]) -> str:
        """The most likely locale of a text (its casefolded text, see :meth:`_telltale_scores`)."""
        if len(self.locales) == 1:
            return self.locales[0]
        return self._detect_from(self._telltale_scores(folded, norms), norms)

    def _detect_from(self, scores: list[int], norms: Sequence[str]) -> str:
        """Score each locale by its telltale words and letters; when no locale leads by
        ``_DECISIVE``, as in short text ("domnad i skrevet"), add the words each lexicon knows."""
        ranked = sorted(scores, reverse=True)
        if ranked[0] - ranked[1] >= _DECISIVE:
            return self.locales[scores.index(ranked[0])]
        scores = list(scores)
        words = [token for token in norms[:_MAX_DETECT_WORDS] if token.isalpha()]
        for n, model in enumerate(self._models.values()):
            scores[n] += sum(map(model.knows, words))
        return self.locales[scores.index(max(scores))]


def _profile(
    text: str,
    locale: str,
    findings: list[Finding],
    starts: Sequence[int],
    ends: Sequence[int],
    token_of: Sequence[int] | None,
    for_someone_else: bool = False,
) -> Profile:
    """Assemble the Profile: affirmed codes in order of first mention, every match kept.

    ``for_someone_else``: the text is about another person (see :func:`_for_someone_else`),
    whose findings are then the subject's own.
    """
    codes: dict[str, list[str]] = {"area": [], "symptom": [], "trigger": [], "red_flag": []}
    sides: set[str] = set()
    scores: list[float] = []
    levels: list[str] = []
    weeks: list[float] = []
    matches: list[Match] = []
    append = matches.append
    for i, j, group, code, value, _, negated, other, hypothetical, historical in findings:
        if for_someone_else:
            other = False
        if group == FUNCTION:  # a function lost is its red flag; one kept says nothing
            if value is None:
                continue
            group = "red_flag"
            i, j = value
            value = None
            symptoms = codes["symptom"]  # "no feeling in my toes" is the numbness symptom too
            if code in SYMPTOM_RED_FLAGS and code not in symptoms and not (other or hypothetical or historical):
                symptoms.append(code)
        if token_of is not None:
            i, j = token_of[i], token_of[j - 1] + 1
        start = starts[i]
        end = ends[j - 1]
        experiencer = "other" if other else "self"
        append(_match((group, code, text[start:end], start, end, negated, experiencer, hypothetical, historical)))
        if negated or other or hypothetical:
            continue
        listed = codes.get(group)
        if listed is not None:
            if code not in listed and (not historical or group != "red_flag" or code in COUNTS_WHEN_HISTORICAL):
                listed.append(code)
        elif historical:  # "severe pain for a year, years ago" says nothing of today
            continue
        elif group == "side":
            sides.add(code)
        elif group == "severity":
            if value is not None:
                scores.append(value)
            else:
                levels.append(code)
        elif group == "duration":
            weeks.append(value)
    score = max(scores) if scores else None
    if score is not None:
        severity: str | None = vocabulary.severity_from_score(score)
    else:
        severity = max(levels, key=vocabulary.SEVERITIES.index) if levels else None
    return Profile(
        locale,
        tuple(codes["area"]),
        tuple(codes["symptom"]),
        tuple(codes["trigger"]),
        tuple(codes["red_flag"]),
        _side(sides),
        severity,
        score,
        rounded(max(weeks), 2) if weeks else None,
        tuple(matches),
    )


#: ``Match`` from a tuple of all its fields: a named tuple's own constructor is Python code that
#: costs twice as much, and the analyzer makes a dozen per description.
_match = functools.partial(tuple.__new__, Match)

#: What a person's complaint is made of: when only someone else has one, the text is about them.
_COMPLAINT_GROUPS: Final = frozenset({"area", "symptom"})
#: Findings that say the writer describes a complaint of their own ("my back", "sitting", "no pain");
#: a red flag alone does not ("... and now it is numb down there" has no one's name on it).
_OWN_GROUPS: Final = frozenset({"area", "symptom", "trigger"})
#: Where a complaint without a subject may start a new one ("my dad had cancer, lower back sore").
_NEW_SUBJECT: Final = ctx.SENT_END | ctx.SOFT


def _past_aside(norms: Sequence[str], token_of: Sequence[int] | None, flags: Sequence[int], j: int) -> int:
    """The unit after a person named at ``j``, past a comma or their age: "my dad, who",
    "my father (82) has", "my mum, 82, has", "min pappa (82) har"."""
    n = len(flags)

    def token(k: int) -> str:
        return norms[k if token_of is None else token_of[k]]

    if j < n and token(j) == "(":
        return next((k + 1 for k in range(j + 1, min(j + 5, n)) if token(k) == ")"), j)
    if j < n and flags[j] & ctx.SOFT:
        j += 1
        if j + 1 < n and flags[j] & ctx.NUMBER and flags[j + 1] & ctx.SOFT:
            return j + 2
    return j


def _for_someone_else(
    findings: Sequence[Finding], cues: Sequence[ctx.Cue], flags: Sequence[int], bounds: Boundaries
) -> bool:
    """True when the whole description is about another person: a partner or a parent writing
    for them ("my husband's back hurts and now he can't feel his bum").

    Then that person is the one the answer is for, and what the text says of them counts as
    the subject's own, red flags included ("min man föll från stegen"). That is so when:

    * another person's complaint (an area or a symptom) is described and the writer
      describes none of their own; or
    * the writer never speaks of themself ("I", "my", "jag" other than in "my husband") and
      either the other person has a complaint ("my son (16) got kneed in the back, still
      sore") or the complaint goes on in their clause ("my husband had prostate cancer and
      now has hip pain"; after a full stop or a comma it has a subject of its own: "My dad
      fell off a ladder. Lower back pain after sitting.").

    Someone else beside the writer's own complaint stays someone else's ("my dad had cancer
    and my back aches"), as does a relative's history with no complaint ("my dad had cancer").
    """
    complaint = False
    own: list[int] = []  # where the complaints that read as the writer's start
    for finding in findings:
        group = finding[ctx.GROUP]
        if group not in _OWN_GROUPS:
            continue
        if not finding[ctx.OTHER]:
            own.append(finding[ctx.START])
        elif group in _COMPLAINT_GROUPS and not finding[ctx.NEGATED] and not finding[ctx.HYPOTHETICAL]:
            complaint = True
    if not own:
        return complaint
    others = [(i, j) for i, j, role in cues if role == "experiencer_pre"]
    if not others:
        return False  # someone else only after their findings ("runs in the family"): no clause of theirs
    named = {k for i, j in others for k in range(i, j)}  # "my" in "my husband"
    if not named.issuperset(bounds.first_person):
        return False  # the writer speaks of themself
    if complaint:
        return True  # "my son (16) got kneed in the back, still sore": theirs, and nobody else's
    first = others[0][0]  # the complaint goes on in that person's clause: no full stop, no comma
    return not any(flags[k] & _NEW_SUBJECT for k in range(first, max(own)))


def _with_red_flags_of(profile: Profile, other: Profile) -> Profile:
    """``profile`` plus the red flags ``other`` (the same text read in another language)
    found where ``profile`` found nothing: words the first reading understood, such as
    "cancer" in "my dad had cancer", keep the first reading's context."""
    spans = [(m.start, m.end) for m in profile.matches]
    found = [
        m
        for m in other.matches
        if m.group == "red_flag" and not any(m.start < end and start < m.end for start, end in spans)
    ]
    if not found:
        return profile
    red_flags = list(profile.red_flags)
    for m in found:
        if m.affirmed and (not m.historical or m.code in COUNTS_WHEN_HISTORICAL) and m.code not in red_flags:
            red_flags.append(m.code)
    matches = tuple(sorted((*profile.matches, *found), key=operator.attrgetter("start")))
    return profile._replace(red_flags=tuple(red_flags), matches=matches)


def _side(sides: set[str]) -> str | None:
    if "both" in sides or {"left", "right"} <= sides:
        return "both"
    return next(iter(sides), None)


@functools.cache
def default_analyzer() -> Analyzer:
    """The analyzer built from the shipped lexicons (built once, then shared)."""
    return Analyzer.from_data(shipped_lexicons())


@functools.lru_cache(maxsize=8)
def _analyzer_with(synonyms: tuple[tuple[tuple[Any, Any], ...], ...]) -> Analyzer:
    return default_analyzer().with_synonyms([dict(items) for items in synonyms])


def analyze(
    text: str,
    locale: str | None = None,
    *,
    extra_synonyms: Iterable[Mapping[str, Any]] | None = None,
) -> Profile:
    """Analyze one description with the shipped lexicons (plus ``extra_synonyms``).

    An analyzer with synonyms is cached for the next call with the same ones; an
    app should rather build its own :class:`Analyzer` once.

    >>> analyze("No numbness, but my left leg feels weak.").red_flags
    ('weakness',)
    >>> analyze("ryggen värker och jag kan inte kissa", "en").red_flags  # any language, any page
    ('bladder_bowel',)
    """
    if not extra_synonyms:
        return default_analyzer().analyze(text, locale)
    synonyms = list(extra_synonyms)
    try:
        key = tuple(tuple(sorted(synonym.items())) for synonym in synonyms)
        hash(key)
    except (AttributeError, TypeError):  # not mappings of hashable values: let validation explain
        return default_analyzer().with_synonyms(synonyms).analyze(text, locale)
    return _analyzer_with(key).analyze(text, locale)


def tag_text(text: str, locale: str | None = "en") -> frozenset[str]:
    """Concepts named in content text, for pairing content with profiles (see Analyzer.tag_text)."""
    return default_analyzer().tag_text(text, locale)


def detect_locale(text: str) -> str:
    """``"en"`` or ``"sv"``: the most likely locale of ``text`` (``"en"`` on a tie)."""
    return default_analyzer().detect_locale(text)
