"""Spotting treatment and cure claims in product copy.

Products are sold for support and comfort, never as treatment (NICE NG59
advises against belts and similar aids as treatment for low back pain), so
product names and descriptions must not say a product cures, treats, heals or
relieves a condition. ``find_claims`` flags such phrases for the admin and for
content checks; it is a safety net for copywriters, not a legal review.

    >>> find_claims("Gives support and relieves back pain. Not a cure.", "en")
    ['relieves back pain']
    >>> find_claims("Mjuk dyna som lindrar smärta.", "sv")
    ['lindrar smärta']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

_CONDITION_EN = (
    r"(?:pain|pains|aches?|backache|sciatica|inflammation|symptoms?|tension|discomfort|stiffness|"
    r"injur(?:y|ies)|conditions?|disorders?|hernias?|arthritis)"
)
_CONDITION_SV = r"(?:\w*smärt(?:a|or|an|orna)?|\w*värk(?:en)?|ont|ischias|besvär(?:en)?|\w*skador?|symtom(?:en)?)"
#: Up to three words between a verb and what it acts on ("relieves lower back pain").
_GAP = r"(?:\s+[\w'’/-]+){0,3}?\s+"

# fmt: off
_EN: Final = (
    r"\b(?:cure[sd]?|curing|curative)\b",
    r"\b(?:treats?|treated|treating)\b",
    r"\btreatments?\b",
    r"\b(?:heals?|healed|healing)\b",
    r"\brelie(?:ve[sd]?|ving|f)\b(?:" + _GAP + _CONDITION_EN + r"\b)?",
    r"\b(?:fix(?:es|ed|ing)?|eliminat(?:e[sd]?|ing)|alleviat(?:e[sd]?|ing)|combat(?:s|ed|ing)?|"
    r"eas(?:e[sd]?|ing)|reduc(?:e[sd]?|ing)|stop(?:s|ped|ping)?|end(?:s|ed|ing)?|soothe[sd]?|"
    r"prevent(?:s|ed|ing)?|gets?\s+rid\s+of)" + _GAP + _CONDITION_EN + r"\b",
    r"\b(?:against|for)" + _GAP + r"pain\b",
    r"\bpain[- ]free\b",
    r"\bmedical(?:ly)?\s+(?:device|aid|grade|product)\b",
    r"\b(?:documented|proven|clinical(?:ly)?)\s+(?:effect|effects|effective|proven|tested|results?)\b",
    r"\bclinically\s+\w+\b",
    r"\btherapeutic\b",
)
_SV: Final = (
    r"\bbot(?:a|ar|ade|ad|as)\b",
    r"\bbehandl\w*",
    r"\bläk(?:a|er|ande|ning|s)\b",
    r"\w*lindr(?:a|ar|ade|ande|ing|ingen)\b(?:" + _GAP + _CONDITION_SV + r"\b)?",
    r"\b(?:motverkar|eliminerar|förebygger|minskar|tar\s+bort|dämpar|stoppar)" + _GAP + _CONDITION_SV + r"\b",
    r"\bmot" + r"(?:\s+\w+){0,2}?\s+" + _CONDITION_SV + r"\b",
    r"\bsmärtfri\w*",
    r"\bmedicinteknisk\w*(?:\s+produkt)?",
    r"\b(?:dokumenterad|bevisad|klinisk(?:t)?)\s+(?:effekt|verkan|bevisad|testad|studie)\b",
    r"\bterapeutisk\w*",
)
# fmt: on

_PATTERNS: Final = {
    "en": re.compile("|".join(f"(?:{p})" for p in _EN), re.IGNORECASE),
    "sv": re.compile("|".join(f"(?:{p})" for p in _SV), re.IGNORECASE),
}
#: A claim preceded closely by one of these is denied, not made ("not a treatment").
_NEGATION = re.compile(
    r"\b(?:not|no|never|isn'?t|doesn'?t|don'?t|cannot|can'?t|without|nor|"
    r"inte|ej|ingen|inget|inga|aldrig|utan)\b(?:\s+\S+){0,3}\s*$",
    re.IGNORECASE,
)
_NOT_ONLY = re.compile(r"\b(?:not\s+(?:only|just)|inte\s+(?:bara|endast|enbart))\b", re.IGNORECASE)


def find_claims(text: str, locale: str) -> list[str]:
    """The treatment/cure phrases in ``text``, as written, in order and without repeats.

    English patterns always apply (copy often mixes in English); a locale with
    patterns of its own (``sv``) adds them. A phrase directly negated ("not a
    treatment", "ersätter inte behandling") is not a claim; "not only relieves"
    still is.
    """
    patterns = [_PATTERNS["en"]]
    if locale != "en" and locale in _PATTERNS:
        patterns.append(_PATTERNS[locale])
    found: list[tuple[int, str]] = []
    for pattern in patterns:
        for match in pattern.finditer(text):
            before = text[max(0, match.start() - 40) : match.start()]
            if _NEGATION.search(before) and not _NOT_ONLY.search(before):
                continue
            found.append((match.start(), " ".join(match.group(0).split())))
    phrases: list[str] = []
    seen: set[str] = set()
    for _, phrase in sorted(found):
        if phrase.casefold() not in seen:
            seen.add(phrase.casefold())
            phrases.append(phrase)
    return phrases


#: The parts of a product's text that are checked, as the admin form and the imports name them.
PRODUCT_TEXT_PARTS: Final = ("name", "description")


def product_text_claims(text: Mapping[str, Mapping[str, str]]) -> dict[str, list[str]]:
    """Claims in a product's ``text`` (``{locale: {"name", "description"}}``), by field.

    >>> product_text_claims({"en": {"name": "Belt", "description": "This belt cures back pain."}})
    {'text.en.description': ['cures']}
    """
    found: dict[str, list[str]] = {}
    for locale, block in text.items():
        for part in PRODUCT_TEXT_PARTS:
            phrases = find_claims(str(block.get(part) or ""), locale)
            if phrases:
                found[f"text.{locale}.{part}"] = phrases
    return found
