"""The red-flag screen: one plain question per red flag, asked before any personal routine.

A lexicon, however large, meets words it has never seen; the screen does not
rely on the text. The shopper answers a short list of questions (``True``: it
applies), and an answer of ``True`` raises that red flag exactly as if it had
been written. ``False`` never cancels a red flag found in the text: the screen
can only raise the safety level, never lower it.

The questions, the topic words that tell whether the text touched a question's
subject, and the names of the areas we cover live in ``screening.json`` (en, sv).
Plain Python: no Flask, no database.

    >>> from shop_reco.understanding import analyze
    >>> profile = analyze("My lower back aches after sitting", "en")
    >>> screened = with_screen_answers(profile, {"fever": True})
    >>> screened.safety_level, profile.safety_level
    ('urgent', 'none')
    >>> block = screening_block(profile, "My lower back aches after sitting", "en", {"fever": True})
    >>> block.status, block.questions[0].level
    ('flagged', 'urgent')
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Final, NamedTuple

from shop_reco import vocabulary
from shop_reco.recommending.messages import join_words, message
from shop_reco.understanding.profile import Profile
from shop_reco.understanding.tokens import tokenize

#: ``SHOP_RECO_SCREENING`` values: ask every finder shopper, only when the text is unclear, never.
ALWAYS: Final = "always"
WHEN_UNCERTAIN: Final = "when_uncertain"
OFF: Final = "off"
MODES: Final = (ALWAYS, WHEN_UNCERTAIN, OFF)

UNANSWERED: Final = "unanswered"
CLEAR: Final = "clear"
FLAGGED: Final = "flagged"

_LEVEL_ORDER = {vocabulary.URGENT: 0, vocabulary.CONSULT: 1, vocabulary.NONE: 2}


class ScreeningDataError(ValueError):
    """``screening.json`` is inconsistent with the vocabulary; the message names the key."""


class ScreenQuestion(NamedTuple):
    """One question of the screen: ``mentioned`` is True when the text touched its topic.

    A NamedTuple, as every answer builds one per red flag (a tuple is built several
    times faster than a frozen dataclass).
    """

    code: str
    level: str
    text: str
    mentioned: bool
    #: the topic came up, but the text neither affirmed nor plainly denied the red flag
    uncertain: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "level": self.level, "text": self.text, "mentioned": self.mentioned}


@dataclass(frozen=True, slots=True, eq=False)
class ScreenBlock:
    """The screen as an answer carries it: its status, its questions, and whether to ask it first.

    One block is built per combination of what decides it and shared by every answer that
    gets it (see :func:`screening_block`), so blocks compare and hash by identity.
    """

    status: str
    questions: tuple[ScreenQuestion, ...]
    #: True when the finder should show the screen before any routine or product
    ask: bool = False
    #: the questions as JSON-ready dicts, made once with them (never mutate); None: made on demand
    questions_json: list[dict[str, Any]] | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        questions = self.questions_json
        if questions is None:
            questions = [q.as_dict() for q in self.questions]
        return {"status": self.status, "ask": self.ask, "questions": questions}


@cache
def screening_data() -> Mapping[str, Any]:
    """``screening.json``, checked against the vocabulary once.

    Every red flag of the vocabulary needs a question and topic words in every
    locale; a code the vocabulary does not know is an error.
    """
    text = resources.files(__package__).joinpath("screening.json").read_text(encoding="utf-8")
    return check_screening_data(json.loads(text))


def check_screening_data(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` when it fits the vocabulary, else :class:`ScreeningDataError` naming what is wrong."""
    allowed = set(vocabulary.RED_FLAGS)
    for part in ("questions", "topics"):
        for locale in vocabulary.LOCALES:
            block = data[part].get(locale)
            if block is None:
                raise ScreeningDataError(f"screening.json: {part} has no {locale!r} block")
            missing = set(vocabulary.RED_FLAGS) - set(block)
            unknown = set(block) - allowed
            if missing or unknown:
                raise ScreeningDataError(
                    f"screening.json: {part}.{locale} lacks {sorted(missing)} or has unknown codes {sorted(unknown)}"
                )
    for locale in vocabulary.LOCALES:
        if set(data["areas"].get(locale, {})) != set(vocabulary.AREAS):
            raise ScreeningDataError(f"screening.json: areas.{locale} must name exactly {list(vocabulary.AREAS)}")
    return data


@dataclass(frozen=True, slots=True)
class _TopicIndex:
    """The topic words of every red flag, in every locale, ready to look up a text's words in.

    A text's words are the analyzer's tokens (casefolded, NFKC, apostrophes and
    hyphens read as spaces), which an answer has already split. One-word topics
    are looked up by word (exact, or by stem for ``word*``); a phrase ("both
    legs", "pins and needles") is searched for only when the text holds each of
    its words. What each word names is remembered (a shop's shoppers use a few
    thousand words): the screen costs a fraction of the analysis.
    """

    exact: Mapping[str, frozenset[str]]
    #: first three letters -> (stem, code) for ``word*`` topics (every stem has three or more)
    stems: Mapping[str, tuple[tuple[str, str], ...]]
    #: first word -> (the phrase's words, whether its last word is a stem, code) for phrases
    phrases: Mapping[str, tuple[tuple[tuple[str, ...], bool, str], ...]]

    #: word -> the codes it names on its own (exact or by stem), filled as words are met
    words_seen: dict[str, frozenset[str]] = field(default_factory=dict)

    def codes_in(self, tokens: Sequence[str]) -> set[str]:
        """The red flags whose topic ``tokens`` (``tokenize``'s, in order) touch."""
        words = set(tokens)
        found: set[str] = set()
        seen = self.words_seen
        for word in words:
            codes = seen.get(word)
            if codes is None:
                codes = self._remember(word)
            if codes:
                found |= codes
        phrases = self.phrases
        for word in phrases.keys() & words:
            for parts, stem, code in phrases[word]:
                if (
                    code not in found
                    and words.issuperset(parts[:-1] if stem else parts)
                    and _has_phrase([t for t in tokens if t != "\n"], parts, stem)  # words may be lines apart
                ):
                    found.add(code)
        return found

    def _remember(self, word: str) -> frozenset[str]:
        """The codes ``word`` names on its own (as a topic word, or by a topic stem it starts
        with), remembered for the next text."""
        codes = set(self.exact.get(word, ()))
        codes.update(code for stem, code in self.stems.get(word[:3], ()) if word.startswith(stem))
        named = frozenset(codes)
        seen = self.words_seen
        if len(word) <= _MAX_REMEMBERED_CHARS:
            if len(seen) >= _MAX_REMEMBERED_WORDS:
                seen.clear()  # bounded memory under arbitrary input
            seen[word] = named
        return named


def _has_phrase(tokens: list[str], parts: tuple[str, ...], stem: bool) -> bool:
    """True when ``parts`` stand together in ``tokens``; with ``stem``, the last one may go on."""
    last = len(parts) - 1
    start = 0
    while True:
        try:
            k = tokens.index(parts[0], start)
        except ValueError:
            return False
        here = tokens[k : k + last + 1]
        if (
            len(here) == last + 1
            and all(here[n] == parts[n] for n in range(last))
            and (here[last] == parts[last] or (stem and here[last].startswith(parts[last])))
        ):
            return True
        start = k + 1


#: Words remembered by the topic index: a shop's shoppers use a few thousand; longer ones are no words.
_MAX_REMEMBERED_WORDS = 20_000
_MAX_REMEMBERED_CHARS = 64


@cache
def _topic_index() -> _TopicIndex:
    topics = screening_data()["topics"]
    exact: dict[str, set[str]] = {}
    stems: dict[str, list[tuple[str, str]]] = {}
    phrases: dict[str, list[tuple[tuple[str, ...], bool, str]]] = {}
    for code in vocabulary.RED_FLAGS:
        for topic in (t for locale in vocabulary.LOCALES for t in topics[locale].get(code, ())):
            prefix = topic.endswith("*")
            words = tuple(tokenize(topic.rstrip("*"))[0])  # as a text's words are read
            if not words:
                raise ScreeningDataError(f"screening.json: the topic {topic!r} of {code} has no word")
            if len(words) > 1:
                phrases.setdefault(words[0], []).append((words, prefix, code))
            elif prefix:
                if len(words[0]) < 3:
                    raise ScreeningDataError(f"screening.json: the topic stem {topic!r} is shorter than 3 letters")
                stems.setdefault(words[0][:3], []).append((words[0], code))
            else:
                exact.setdefault(words[0], set()).add(code)
    return _TopicIndex(
        {w: frozenset(c) for w, c in exact.items()},
        {k: tuple(v) for k, v in stems.items()},
        {k: tuple(v) for k, v in phrases.items()},
    )


@cache
def red_flag_codes() -> tuple[str, ...]:
    """The screen's codes in the order it asks them: urgent ones first, then vocabulary order."""
    codes = list(vocabulary.RED_FLAGS)
    return tuple(sorted(codes, key=lambda c: (_LEVEL_ORDER[vocabulary.RED_FLAGS[c]], codes.index(c))))


@cache
def _questions(locale: str) -> tuple[tuple[str, str, str], ...]:
    """(code, level, question) in the order asked, in ``locale`` (else English)."""
    return tuple((code, vocabulary.RED_FLAGS[code], question_text(code, locale)) for code in red_flag_codes())


def question_text(code: str, locale: str) -> str:
    questions = screening_data()["questions"]
    return str(questions.get(locale, questions["en"]).get(code) or questions["en"][code])


def with_screen_answers(profile: Profile, answers: Mapping[str, bool] | None) -> Profile:
    """``profile`` with every red flag answered ``True`` added, as if written; ``False`` changes nothing.

    >>> with_screen_answers(Profile("en", red_flags=("fever",)), {"fever": False}).red_flags
    ('fever',)
    """
    if not answers:  # most answers come without a screen (and every answer passes here twice)
        return profile
    raised = [c for c in red_flag_codes() if answers.get(c) is True and c not in profile.red_flags]
    if not raised:
        return profile
    return profile._replace(red_flags=(*profile.red_flags, *raised))


def screen_status(answers: Mapping[str, bool] | None) -> str:
    """``flagged`` when any answer is ``True``, ``clear`` when every question was answered ``False``."""
    if not answers:
        return UNANSWERED
    if any(answers.get(c) is True for c in answers):
        return FLAGGED
    if all(answers.get(c) is False for c in vocabulary.RED_FLAGS):
        return CLEAR
    return UNANSWERED


def screening_block(
    profile: Profile | None,
    text: str,
    locale: str,
    answers: Mapping[str, bool] | None = None,
    *,
    mode: str = ALWAYS,
    tokens: Sequence[str] | None = None,
) -> ScreenBlock:
    """The screen for one description: its questions in ``locale``, its status, and whether to ask first.

    ``profile`` is the text's own analysis (before screen answers; None when it
    failed). ``mode`` is ``SHOP_RECO_SCREENING``: with ``always`` the finder asks
    every unanswered shopper; with ``when_uncertain`` only when the text touched
    a red-flag topic without affirming or plainly denying it; with ``off`` never.
    An urgent text is never screened first: its advice is shown at once.
    ``tokens`` are the text's as the analyzer split them (``Analyzer.read``), if
    the caller has them; else the text is split here.
    """
    topics = frozenset(_topic_index().codes_in(tokenize(text)[0] if tokens is None else tokens))
    found: dict[str, set[str]] = {}
    for m in profile.matches if profile is not None else ():
        if m.group == "red_flag":
            kind = "affirmed" if m.affirmed else "denied" if m.negated and not m.hypothetical else "unsure"
            found.setdefault(m.code, set()).add(kind)
    # found as a red flag: uncertain unless affirmed or plainly denied
    unsure = tuple(sorted((code, "affirmed" not in kinds and "denied" not in kinds) for code, kinds in found.items()))
    status = screen_status(answers)
    text_level = profile.safety_level if profile is not None else vocabulary.CONSULT
    may_ask = status == UNANSWERED and profile is not None and text_level != vocabulary.URGENT
    return _screen_block(locale, unsure, topics, status, mode if may_ask else OFF)


@lru_cache(maxsize=1024)
def _screen_block(
    locale: str, found: tuple[tuple[str, bool], ...], topics: frozenset[str], status: str, mode: str
) -> ScreenBlock:
    """The block for one combination (``mode`` is ``off`` where the screen may not be asked
    first); few recur, and each is built once and shared (it is immutable)."""
    questions = _screen_questions(locale, found, topics)
    ask = mode == ALWAYS or (mode == WHEN_UNCERTAIN and any(q.uncertain for q in questions))
    return ScreenBlock(status, questions, ask, [q.as_dict() for q in questions])


def _screen_questions(
    locale: str, found: tuple[tuple[str, bool], ...], topics: frozenset[str]
) -> tuple[ScreenQuestion, ...]:
    """The questions in ``locale`` for the red flags ``found`` in a text ((code, uncertain) pairs)
    and the ``topics`` it touched."""
    uncertain_found = dict(found)
    questions = []
    for code, level, question in _questions(locale):
        uncertain = uncertain_found.get(code)
        if uncertain is not None:
            questions.append(ScreenQuestion(code, level, question, True, uncertain))
        else:
            topic = code in topics
            questions.append(ScreenQuestion(code, level, question, topic, topic))
    return tuple(questions)


def understood(profile: Profile | None) -> bool:
    """True when the text told us where or when it hurts (an area or a trigger we know).

    "my knee hurts", "everything hurts" or nonsense are not: their answer says
    what we cover instead of showing a routine as if it were understood.
    """
    return profile is not None and bool(profile.areas or profile.triggers)


def scope_message(locale: str) -> str:
    """What a vague or out-of-scope description is told: the areas we cover and how to say more."""
    names = screening_data()["areas"]
    block = names.get(locale, names["en"])
    areas = join_words([block[c] for c in vocabulary.AREAS], locale)
    return message(locale, "scope_vague", areas=areas)
