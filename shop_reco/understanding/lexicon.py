"""Lexicons: the words the analyzer knows, as validated data (one JSON file per locale).

A lexicon is content, not code: merchants add synonyms at run time and new
locales are new files. This module loads the shipped files, validates any
lexicon data with error messages that name the offending field, and turns
phrase patterns into token-key sequences for the matcher.

A lexicon file (``lexicons/<locale>.json``) holds:

* ``concepts``: ``{group: {code: [pattern, ...]}}`` for the vocabulary's area,
  symptom, trigger and red_flag codes (numbness, tingling and weakness are red
  flags through their symptom phrases);
* ``functions``: ``{red_flag_code: [pattern, ...]}``, what the body does whose
  loss is the red flag ("control ... @bladder", "pee", "feel my @saddle"): taken
  away by a ``loss_pre``/``loss_post`` cue ("no longer", "can't", "is gone") it
  is the red flag; kept ("I can control my bladder fine") it is no finding;
* ``shadows``: patterns that mean nothing but hide shorter ones ("right now",
  "back to work", "fall asleep");
* ``context``: cue patterns by role (see ``CUE_ROLES``) and single-word lists
  (see ``CONTEXT_WORD_LISTS``);
* ``quantities``: ``side`` and ``severity`` patterns by code, ``numbers``,
  ``duration_units`` (weeks each) and fixed ``durations`` (weeks), and the words
  that introduce, block or connect them;
* ``sets``: named pattern lists used as ``@name`` in other patterns;
* ``settings``: ``gap``, negation ``window``, ``compounds`` (split Swedish-style
  compounds), ``ascii_aliases`` (also match "hoften" for "höften");
* ``detect``: ``words`` and ``letters`` telling the locale apart (when they do
  not, the words each lexicon's phrases use decide).

Pattern syntax, one phrase per string (normalised like text, see ``tokens``):

* ``lower back``   the tokens in order;
* ``stiff*``       a token starting with ``stiff`` (inflections, Swedish compounds);
* ``*cancer``      a token ending with ``cancer`` ("bröstcancer");
* ``groin ... numb``  up to ``settings.gap`` tokens in between, within one clause;
* ``@numb groin``  any phrase of the named set in ``sets`` at that place.

Merchant synonyms are literal phrases: no wildcards, gaps or sets.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

from shop_reco import vocabulary
from shop_reco.understanding.tokens import normalise_phrase

GAP: Final = "..."
#: The key under which a trie node keeps what a phrase ending there means.
TERMINAL: Final = ""

#: Context cue roles, each a list of phrases under ``context`` in the lexicon.
CUE_ROLES: Final = (
    "negation_pre",  # "no", "without": negates what follows
    "negation_post",  # "is gone": negates what comes before
    "negation_post_adjacent",  # Swedish "domnar inte": negates the finding just before
    "negation_answer",  # "numbness? no": negates the question it answers
    "experiencer_pre",  # "family history of": what follows is someone else's
    "experiencer_subject",  # "my dad": the same, when a verb follows ("my dad had"; not "lifting my dad")
    "experiencer_post",  # "runs in the family"
    "hypothetical_pre",  # "should I worry about", "what if": its red flags are not reports
    "worry_pre",  # "worried", "concerned": what follows an irrealis cue in its clause is feared
    "feared_pre",  # "afraid of", "fear of": what follows in its clause is feared, not had
    "irrealis",  # "will", "might", "could turn into": in a worry or question, what may come
    "history_pre",  # "history of"
    "history_post",  # "years ago"
    "terminators",  # "but", "however": end every scope
    "loss_pre",  # "no longer", "can't", "haven't been able to": takes away the function just after
    "loss_post",  # "is gone", "stopped working": takes away the function just before
)
#: Cue roles that deny something: a longer cue holding one of their words yields to a
#: red flag that starts with that word ("har ingen kontroll": the red flag "ingen kontroll").
NEGATING_ROLES: Final = frozenset(
    {"negation_pre", "negation_post", "negation_post_adjacent", "negation_answer", "loss_pre", "loss_post"}
)
#: Single-word lists under ``context`` that mark tokens rather than phrases.
CONTEXT_WORD_LISTS: Final = (
    "question_openers",  # "is", "could": a question starting so is hypothetical
    "experiencer_verbs",  # "had", "says": after "my dad", make him the subject
    "first_person",  # "i", "my": ends someone else's scope
    "presupposing",  # "my", "the": "could my numbness be..." still reports it
    "clause_joiners",  # "and": with a first-person word after it, a new clause
    "gap_stops",  # words a pattern gap never skips ("and", "or")
    "focus_words",  # "especially", "mostly": a comma before one does not end a gap's clause
    "loss_fillers",  # "any", "all", "fully": may stand between a loss cue and its function
    "loss_blockers",  # "more", "yet": right after a function, a comparison, not a loss ("not peeing more")
)
SHADOW: Final = "shadow"  # phrases that mean nothing, shadowing shorter ones
CONCEPT: Final = "concept"
#: The group of a function finding (see ``functions``): its code is the red flag its loss means.
FUNCTION: Final = "function"
SIDE: Final = "side"
SEVERITY: Final = "severity"
NUMBER: Final = "number"
UNIT: Final = "unit"
DURATION: Final = "duration"
SCORE_PREFIX: Final = "score_prefix"

#: Symptoms that are also red flags when the shopper reports them (numbness...).
SYMPTOM_RED_FLAGS: Final = frozenset(vocabulary.SYMPTOMS) & frozenset(vocabulary.RED_FLAGS)

_MAX_EXPANSIONS: Final = 5_000
_MAX_SYNONYM_CHARS: Final = 100
_SYNONYM_KEYS: Final = frozenset({"locale", "group", "code", "phrase"})
_ASCII_ALIASES: Final = str.maketrans("åäöéü", "aaoeu")
_MIN_ALIAS_CHARS: Final = 5
#: Groups whose phrases of several words are matched with their short words typed without å, ä, ö.
_FOLD_SHORT_GROUPS: Final = frozenset({"red_flag", FUNCTION})


class LexiconError(ValueError):
    """Lexicon data that cannot be used; the message names the field and the fix."""


class UnknownLocaleError(ValueError):
    """A locale no lexicon covers; the message lists the supported ones."""

    def __init__(self, locale: object, supported: Iterable[str]) -> None:
        self.locale = locale
        self.supported = tuple(supported)
        super().__init__(f"unknown locale {locale!r}; supported locales are: {', '.join(self.supported)}")


@dataclass(frozen=True, slots=True)
class Entry:
    """What a matched phrase means: a concept, a context cue or a quantity part."""

    role: str
    group: str = ""
    code: str = ""
    value: float = 0.0
    flaggable: bool = False  # a red flag, or a symptom that is also one

    @classmethod
    def concept(cls, group: str, code: str) -> Entry:
        return cls(CONCEPT, group, code, flaggable=group == "red_flag" or code in SYMPTOM_RED_FLAGS)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """One locale's validated, compiled lexicon, ready for the matcher."""

    locale: str
    phrases: tuple[tuple[tuple[str, ...], Entry], ...]
    words: Mapping[str, frozenset[str]]
    duration_blockers_before: frozenset[str]
    duration_blockers_after: Mapping[str, tuple[tuple[str, ...], ...]]  # by first token
    score_connectors: Mapping[str, tuple[tuple[str, ...], ...]]  # by first token
    score_scales: frozenset[float]
    detect_words: frozenset[str]
    detect_letters: str
    gap: int
    window: int
    compounds: bool


def normalise_locale(locale: object, supported: Iterable[str]) -> str:
    """``"sv"`` for ``"sv"``, ``"SV"`` or ``"sv-SE"``; else :class:`UnknownLocaleError`."""
    supported = tuple(supported)
    if isinstance(locale, str):
        base = locale.strip().replace("_", "-").split("-", 1)[0].lower()
        if base in supported:
            return base
    raise UnknownLocaleError(locale, supported)


def shipped_lexicons() -> dict[str, dict[str, Any]]:
    """The lexicon data shipped with shop_reco, ``{locale: data}``, freshly loaded.

    Build an analyzer with merchant synonyms on top of these:
    ``Analyzer.from_data(shipped_lexicons(), extra_synonyms=[...])``.
    """
    folder = resources.files("shop_reco.understanding") / "lexicons"
    return {
        locale: json.loads((folder / f"{locale}.json").read_text(encoding="utf-8")) for locale in vocabulary.LOCALES
    }


def compile_lexicon(locale: str, data: Mapping[str, Any]) -> Lexicon:
    """Validate one locale's data and compile its patterns; raise :class:`LexiconError`."""
    where = f"lexicon {locale!r}"
    if not isinstance(data, Mapping):
        raise LexiconError(f"{where}: expected a JSON object, not {type(data).__name__}")
    _check_keys(where, data, required={"concepts"}, allowed=set(_TOP_LEVEL))
    if data.get("locale", locale) != locale:
        raise LexiconError(f"{where}: its 'locale' field says {data['locale']!r}; use the same code for both")
    settings = _mapping(where, "settings", data.get("settings", {}))
    sets = _mapping(where, "sets", data.get("sets", {}))
    compiler = _PatternCompiler(where, sets, ascii_aliases=bool(settings.get("ascii_aliases")))
    phrases: list[tuple[tuple[str, ...], Entry]] = []

    concepts = _mapping(where, "concepts", data["concepts"])
    for group, by_code in concepts.items():
        if group not in vocabulary.GROUPS:
            raise LexiconError(
                f"{where}: unknown concept group {group!r} under 'concepts'; "
                f"expected one of {sorted(vocabulary.GROUPS)}"
            )
        for code, patterns in _mapping(where, f"concepts.{group}", by_code).items():
            if code not in vocabulary.GROUPS[group]:
                raise LexiconError(
                    f"{where}: unknown {group} code {code!r}; expected one of {list(vocabulary.GROUPS[group])}"
                )
            entry = Entry.concept(group, code)
            phrases += compiler.many(f"concepts.{group}.{code}", patterns, entry)

    for code, patterns in _mapping(where, "functions", data.get("functions", {})).items():
        if code not in vocabulary.RED_FLAGS:
            raise LexiconError(
                f"{where}: unknown red flag {code!r} under 'functions'; expected one of {list(vocabulary.RED_FLAGS)}"
            )
        phrases += compiler.many(f"functions.{code}", patterns, Entry(CONCEPT, FUNCTION, code, flaggable=True))

    phrases += compiler.many("shadows", data.get("shadows", []), Entry(SHADOW))
    context = _mapping(where, "context", data.get("context", {}))
    _check_keys(f"{where}, context", context, required=set(), allowed=set(CUE_ROLES + CONTEXT_WORD_LISTS))
    for role in CUE_ROLES:
        phrases += compiler.many(f"context.{role}", context.get(role, []), Entry(role))
    words = {name: frozenset(_words(where, f"context.{name}", context.get(name, []))) for name in CONTEXT_WORD_LISTS}

    q = _mapping(where, "quantities", data.get("quantities", {}))
    _check_keys(f"{where}, quantities", q, required=set(), allowed=set(_QUANTITY_KEYS))
    for side, patterns in _mapping(where, "quantities.side", q.get("side", {})).items():
        if side not in vocabulary.SIDES:
            raise LexiconError(f"{where}: unknown side {side!r}; expected one of {list(vocabulary.SIDES)}")
        phrases += compiler.many(f"quantities.side.{side}", patterns, Entry(SIDE, SIDE, side))
    for level, patterns in _mapping(where, "quantities.severity", q.get("severity", {})).items():
        if level not in vocabulary.SEVERITIES:
            raise LexiconError(f"{where}: unknown severity {level!r}; expected one of {list(vocabulary.SEVERITIES)}")
        phrases += compiler.many(f"quantities.severity.{level}", patterns, Entry(SEVERITY, SEVERITY, level))
    for key, role in (("numbers", NUMBER), ("duration_units", UNIT), ("durations", DURATION)):
        for pattern, value in _mapping(where, f"quantities.{key}", q.get(key, {})).items():
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise LexiconError(f"{where}: quantities.{key}[{pattern!r}] must be a number >= 0, not {value!r}")
            phrases += compiler.many(f"quantities.{key}", [pattern], Entry(role, value=float(value)))
    phrases += compiler.many("quantities.score_prefixes", q.get("score_prefixes", []), Entry(SCORE_PREFIX))
    words["articles"] = frozenset(_words(where, "quantities.articles", q.get("articles", [])))
    words["duration_intros"] = frozenset(_words(where, "quantities.duration_intros", q.get("duration_intros", [])))
    scales = q.get("score_scales", [10])
    if not isinstance(scales, list) or not all(isinstance(s, int | float) and s > 0 for s in scales):
        raise LexiconError(f"{where}: quantities.score_scales must be a list of positive numbers")

    detect = _mapping(where, "detect", data.get("detect", {}))
    letters = detect.get("letters", "")
    if not isinstance(letters, str):
        raise LexiconError(f"{where}: detect.letters must be a string of characters")
    return Lexicon(
        locale=locale,
        phrases=tuple(phrases),
        words=words,
        duration_blockers_before=frozenset(
            _words(where, "quantities.duration_blockers_before", q.get("duration_blockers_before", []))
        ),
        duration_blockers_after=_sequences(
            where, "quantities.duration_blockers_after", q.get("duration_blockers_after", [])
        ),
        score_connectors=_sequences(where, "quantities.score_connectors", q.get("score_connectors", [])),
        score_scales=frozenset(float(s) for s in scales),
        detect_words=frozenset(_words(where, "detect.words", detect.get("words", []))),
        detect_letters=letters.casefold(),
        gap=_int_setting(where, settings, "gap", 3),
        window=_int_setting(where, settings, "window", 5),
        compounds=bool(settings.get("compounds", False)),
    )


def synonym_phrases(
    extra_synonyms: Iterable[Mapping[str, Any]], locales: Iterable[str]
) -> dict[str, list[tuple[tuple[str, ...], Entry]]]:
    """Validate merchant synonyms and group them by locale as literal phrases.

    Each synonym is ``{"locale", "group", "code", "phrase"}``; the phrase is
    matched literally (normalised like any text, no pattern syntax).
    """
    locales = tuple(locales)
    out: dict[str, list[tuple[tuple[str, ...], Entry]]] = {loc: [] for loc in locales}
    entries: dict[tuple[str, str], Entry] = {}  # one Entry per concept, shared
    for n, synonym in enumerate(extra_synonyms):
        where = f"extra_synonyms[{n}]"
        if not isinstance(synonym, Mapping):
            raise LexiconError(f"{where}: expected a mapping with locale, group, code and phrase")
        if synonym.keys() != _SYNONYM_KEYS:
            _check_keys(where, synonym, required=_SYNONYM_KEYS, allowed=_SYNONYM_KEYS)
        locale, group, code, phrase = (synonym[k] for k in ("locale", "group", "code", "phrase"))
        if locale not in out:
            try:
                locale = normalise_locale(locale, locales)
            except UnknownLocaleError as exc:
                raise LexiconError(f"{where}.locale: {exc}") from None
        entry = entries.get((group, code))
        if entry is None:
            if group not in vocabulary.GROUPS:
                raise LexiconError(f"{where}.group: {group!r} is not one of {sorted(vocabulary.GROUPS)}")
            if code not in vocabulary.GROUPS[group]:
                raise LexiconError(
                    f"{where}.code: {code!r} is not a {group} code; expected one of {list(vocabulary.GROUPS[group])}"
                )
            entry = entries[(group, code)] = Entry.concept(group, code)
        if not isinstance(phrase, str) or not phrase.strip() or len(phrase) > _MAX_SYNONYM_CHARS:
            raise LexiconError(f"{where}.phrase: give 1-{_MAX_SYNONYM_CHARS} characters of text")
        tokens = tuple(normalise_phrase(phrase))
        if not tokens:
            raise LexiconError(f"{where}.phrase: {phrase!r} has no words to match")
        out[locale].append((tokens, entry))
    return out


class _PatternCompiler:
    """Expands one lexicon's patterns (sets, stems, gaps) into token-key sequences."""

    def __init__(self, where: str, sets: Mapping[str, Any], *, ascii_aliases: bool) -> None:
        self.where = where
        self.ascii_aliases = ascii_aliases
        self.sets: dict[str, list[tuple[str, ...]]] = {}
        for name, items in sets.items():
            alternatives: list[tuple[str, ...]] = []
            for n, item in enumerate(_strings(where, f"sets.{name}", items)):
                if "@" in item:
                    raise LexiconError(f"{where}: sets.{name}[{n}] ({item!r}): sets cannot refer to sets")
                alternatives += self._expand(f"sets.{name}[{n}]", item)
            self.sets[name] = alternatives

    def many(self, path: str, patterns: object, entry: Entry) -> list[tuple[tuple[str, ...], Entry]]:
        out = []
        for n, pattern in enumerate(_strings(self.where, path, patterns)):
            for keys in self._expand(f"{path}[{n}]", pattern):
                out.append((keys, entry))
                if self.ascii_aliases:
                    # In a red flag's phrase of several words the short ones are folded too: "nar
                    # jag behover ga pa toa" cannot be mistaken for another phrase, while "bara"
                    # alone could. (Only red flags: folding every phrase costs a worker 3 MB.)
                    short = len(keys) > 1 and entry.group in _FOLD_SHORT_GROUPS
                    alias = tuple(_ascii_alias(k, short=short) for k in keys)
                    if alias != keys:
                        out.append((alias, entry))
        return out

    def _expand(self, path: str, pattern: str) -> list[tuple[str, ...]]:
        where = f"{self.where}: {path} ({pattern!r})"
        choices: list[list[tuple[str, ...]]] = []
        for piece in pattern.split():
            if piece == GAP:
                choices.append([(GAP,)])
            elif piece.startswith("@"):
                if piece[1:] not in self.sets:
                    raise LexiconError(f"{where}: no set named {piece[1:]!r} under 'sets'")
                choices.append(self.sets[piece[1:]])
            elif "*" in piece:
                choices.append([(self._stem(where, piece),)])
            else:
                choices.append([tuple(normalise_phrase(piece))])
        expanded = []
        for combo in itertools.islice(itertools.product(*choices), _MAX_EXPANSIONS + 1):
            keys = tuple(k for part in combo for k in part)
            if not keys or keys[0] == GAP or keys[-1] == GAP:
                raise LexiconError(f"{where}: a pattern needs words and cannot start or end with a gap")
            if any(a == GAP and b == GAP for a, b in itertools.pairwise(keys)):
                raise LexiconError(f"{where}: two gaps in a row; use one '...'")
            expanded.append(keys)
        if len(expanded) > _MAX_EXPANSIONS:
            raise LexiconError(f"{where}: expands to more than {_MAX_EXPANSIONS} phrases; split it up")
        return expanded

    @staticmethod
    def _stem(where: str, piece: str) -> str:
        prefix, suffix = piece.endswith("*"), piece.startswith("*")
        inner = piece.strip("*")
        tokens = normalise_phrase(inner)
        if prefix == suffix or "*" in inner or len(tokens) != 1 or len(tokens[0]) < 2:
            raise LexiconError(
                f"{where}: a '*' goes at the start or the end of one word "
                f"of two or more letters, as in 'stiff*' or '*cancer'"
            )
        return f"{tokens[0]}*" if prefix else f"*{tokens[0]}"


_TOP_LEVEL: Final = (
    "locale",
    "settings",
    "detect",
    "sets",
    "concepts",
    "functions",
    "shadows",
    "context",
    "quantities",
)
_QUANTITY_KEYS: Final = (
    "side",
    "severity",
    "numbers",
    "articles",
    "duration_units",
    "durations",
    "duration_intros",
    "duration_blockers_before",
    "duration_blockers_after",
    "score_connectors",
    "score_scales",
    "score_prefixes",
)


def _ascii_alias(key: str, *, short: bool = False) -> str:
    """ "höften" as typed without Swedish letters ("hoften"); short words keep their
    letters, as folding them makes other words ("bära" would be "bara", only), unless
    ``short`` (a word of a longer phrase, whose other words tell it apart)."""
    if not short and len(key) < _MIN_ALIAS_CHARS:  # a stem's "*" counts: stems may be a letter shorter
        return key
    return key.translate(_ASCII_ALIASES)


def _check_keys(where: str, data: Mapping[str, Any], *, required: AbstractSet[str], allowed: AbstractSet[str]) -> None:
    missing = required - set(data)
    unknown = set(data) - allowed
    if missing:
        raise LexiconError(f"{where}: missing {sorted(missing)}")
    if unknown:
        raise LexiconError(f"{where}: unknown keys {sorted(unknown)}; expected some of {sorted(allowed)}")


def _mapping(where: str, path: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise LexiconError(f"{where}: {path} must be a JSON object, not {type(value).__name__}")
    return value


def _strings(where: str, path: str, value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise LexiconError(f"{where}: {path} must be a list of non-empty strings")
    return value


def _words(where: str, path: str, value: object) -> list[str]:
    """A list of single tokens (after normalisation), e.g. first-person words."""
    out = []
    for item in _strings(where, path, value):
        tokens = normalise_phrase(item)
        if len(tokens) != 1:
            raise LexiconError(f"{where}: {path} holds single words; {item!r} is not one")
        out.append(tokens[0])
    return out


def _sequences(where: str, path: str, value: object) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Token sequences ("out of", "/") grouped by their first token, longest first."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for item in _strings(where, path, value):
        tokens = tuple(normalise_phrase(item))
        if not tokens:
            raise LexiconError(f"{where}: {path} has {item!r}, which has no words or marks to match")
        by_first.setdefault(tokens[0], []).append(tokens)
    return {first: tuple(sorted(seqs, key=len, reverse=True)) for first, seqs in by_first.items()}


def _int_setting(where: str, settings: Mapping[str, Any], name: str, default: int) -> int:
    value = settings.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
        raise LexiconError(f"{where}: settings.{name} must be a whole number from 0 to 10")
    return value
