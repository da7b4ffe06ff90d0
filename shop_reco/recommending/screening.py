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
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

from shop_reco import vocabulary
from shop_reco.recommending.messages import join_words, message
from shop_reco.understanding.profile import Profile

#: ``SHOP_RECO_SCREENING`` values: ask every finder shopper, only when the text is unclear, never.
ALWAYS: Final = "always"
WHEN_UNCERTAIN: Final = "when_uncertain"
OFF: Final = "off"
MODES: Final = (ALWAYS, WHEN_UNCERTAIN, OFF)

UNANSWERED: Final = "unanswered"
CLEAR: Final = "clear"
FLAGGED: Final = "flagged"

#: Red flag codes the data may hold before the vocabulary has them (they are not asked until it does).
PENDING_CODES: Final = frozenset({"bilateral_legs"})

_LEVEL_ORDER = {vocabulary.URGENT: 0, vocabulary.CONSULT: 1, vocabulary.NONE: 2}


class ScreeningDataError(ValueError):
    """``screening.json`` is inconsistent with the vocabulary; the message names the key."""


@dataclass(frozen=True, slots=True)
class ScreenQuestion:
    """One question of the screen: ``mentioned`` is True when the text touched its topic."""

    code: str
    level: str
    text: str
    mentioned: bool
    #: the topic came up, but the text neither affirmed nor plainly denied the red flag
    uncertain: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "level": self.level, "text": self.text, "mentioned": self.mentioned}


@dataclass(frozen=True, slots=True)
class ScreenBlock:
    """The screen as an answer carries it: its status, its questions, and whether to ask it first."""

    status: str
    questions: tuple[ScreenQuestion, ...]
    #: True when the finder should show the screen before any routine or product
    ask: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "ask": self.ask, "questions": [q.as_dict() for q in self.questions]}


@cache
def screening_data() -> Mapping[str, Any]:
    """``screening.json``, checked against the vocabulary once.

    Every red flag of the vocabulary needs a question and topic words in every
    locale; a code the vocabulary does not know is an error unless it is in
    :data:`PENDING_CODES` (then it waits, unasked, until the vocabulary has it).
    """
    text = resources.files(__package__).joinpath("screening.json").read_text(encoding="utf-8")
    return check_screening_data(json.loads(text))


def check_screening_data(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` when it fits the vocabulary, else :class:`ScreeningDataError` naming what is wrong."""
    allowed = set(vocabulary.RED_FLAGS) | PENDING_CODES
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


def _pattern(words: list[str]) -> str:
    parts = []
    for word in words:
        stem = re.escape(word.rstrip("*")).replace(r"\ ", r"\s+")
        parts.append(stem + (r"\w*" if word.endswith("*") else r"(?!\w)"))
    return r"(?<!\w)(?:" + "|".join(parts) + ")"


@cache
def _topic_patterns() -> Mapping[str, re.Pattern[str]]:
    """Per red flag, one pattern of its topic words in every locale: a topic is seen in any language."""
    topics = screening_data()["topics"]
    out = {}
    for code in vocabulary.RED_FLAGS:
        words = [w for locale in vocabulary.LOCALES for w in topics[locale].get(code, ())]
        out[code] = re.compile(_pattern(words), re.IGNORECASE)
    return out


def red_flag_codes() -> tuple[str, ...]:
    """The screen's codes in the order it asks them: urgent ones first, then vocabulary order."""
    codes = list(vocabulary.RED_FLAGS)
    return tuple(sorted(codes, key=lambda c: (_LEVEL_ORDER[vocabulary.RED_FLAGS[c]], codes.index(c))))


def question_text(code: str, locale: str) -> str:
    questions = screening_data()["questions"]
    return str(questions.get(locale, questions["en"]).get(code) or questions["en"][code])


def with_screen_answers(profile: Profile, answers: Mapping[str, bool] | None) -> Profile:
    """``profile`` with every red flag answered ``True`` added, as if written; ``False`` changes nothing.

    >>> with_screen_answers(Profile("en", red_flags=("fever",)), {"fever": False}).red_flags
    ('fever',)
    """
    raised = [c for c in red_flag_codes() if answers and answers.get(c) is True and c not in profile.red_flags]
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
) -> ScreenBlock:
    """The screen for one description: its questions in ``locale``, its status, and whether to ask first.

    ``profile`` is the text's own analysis (before screen answers; None when it
    failed). ``mode`` is ``SHOP_RECO_SCREENING``: with ``always`` the finder asks
    every unanswered shopper; with ``when_uncertain`` only when the text touched
    a red-flag topic without affirming or plainly denying it; with ``off`` never.
    An urgent text is never screened first: its advice is shown at once.
    """
    patterns = _topic_patterns()
    found: dict[str, set[str]] = {}
    for m in profile.matches if profile is not None else ():
        if m.group == "red_flag":
            kind = "affirmed" if m.affirmed else "denied" if m.negated and not m.hypothetical else "unsure"
            found.setdefault(m.code, set()).add(kind)
    questions = []
    for code in red_flag_codes():
        kinds = found.get(code, set())
        topic = bool(patterns[code].search(text))
        uncertain = (topic or "unsure" in kinds) and not kinds & {"affirmed", "denied"}
        questions.append(
            ScreenQuestion(
                code, vocabulary.RED_FLAGS[code], question_text(code, locale), bool(kinds) or topic, uncertain
            )
        )
    status = screen_status(answers)
    text_level = profile.safety_level if profile is not None else vocabulary.CONSULT
    ask = (
        status == UNANSWERED
        and profile is not None
        and text_level != vocabulary.URGENT
        and (mode == ALWAYS or (mode == WHEN_UNCERTAIN and any(q.uncertain for q in questions)))
    )
    return ScreenBlock(status, tuple(questions), ask)


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
