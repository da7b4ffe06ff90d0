"""The shopper-facing sentences of the recommender, kept as data in ``messages.json``.

Every message exists in every locale (a test holds them to it); a missing
locale falls back to English. ``claims_treatment`` guards product wording:
nothing we say about a product may claim it treats or cures anything (NICE
NG59 advises against belts and similar aids as a treatment for low back pain).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

FALLBACK_LOCALE = "en"

#: Words that would turn a comfort product into a treatment claim (en and sv stems).
_CLAIM = re.compile(
    r"\b(treat\w*|cure[sd]?|curing|heal\w*|remed\w*|fix(es)?|eliminat\w*|relie\w*|"
    r"behandl\w*|bota\w*|botemed\w*|läker|läka|lindr\w*|kurer\w*)\b",
    re.IGNORECASE,
)


@cache
def catalog() -> Mapping[str, Mapping[str, str]]:
    """All messages: ``{locale: {key: template}}``, read once from ``messages.json``."""
    text = resources.files(__package__).joinpath("messages.json").read_text(encoding="utf-8")
    data: dict[str, dict[str, str]] = json.loads(text)
    return data


@cache
def _templates(locale: str) -> Mapping[str, str]:
    """The locale's messages with English filling any gap."""
    messages = catalog()
    return {**messages[FALLBACK_LOCALE], **messages.get(locale, {})}


def message(locale: str, key: str, **values: Any) -> str:
    """The message ``key`` in ``locale`` (else English), with ``{placeholders}`` filled in.

    >>> message("en", "reason_phrase", phrase="after sitting all day")
    'You mentioned “after sitting all day”'
    """
    template = _templates(locale)[key]
    return template.format(**values) if values else template


def localized(text: Mapping[str, str] | None, locale: str) -> str | None:
    """Pick ``locale`` from a ``{locale: text}`` mapping, else English, else any."""
    if not text:
        return None
    return text.get(locale) or text.get(FALLBACK_LOCALE) or next(iter(text.values()))


def join_words(words: list[str], locale: str) -> str:
    """``a``, ``a and b``, ``a, b and c`` in the locale's words."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {message(locale, 'list_and')} {words[-1]}"


def claims_treatment(text: str) -> bool:
    """True when ``text`` claims to treat, cure, heal or relieve (en or sv wording)."""
    return bool(_CLAIM.search(text))
