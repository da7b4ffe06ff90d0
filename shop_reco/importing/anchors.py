"""Stable ASCII anchors and display headings for imported article sections.

Anchors end up in URLs (``/articles/hip-and-lower-back-pain#stretching``) and
in recommendation records, so they must be plain ASCII, predictable from the
heading alone and unique within one article.

    >>> slugify("Stretch för höftböjare")
    'stretch-for-hoftbojare'
    >>> display_heading("the importance of a holistic exercise regimen", "en")
    'The Importance of a Holistic Exercise Regimen'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

#: Letters that Unicode decomposition does not reduce to ASCII on its own.
_SPELLED_OUT: dict[str, str | int | None] = {"æ": "ae", "Æ": "Ae", "ß": "ss", "þ": "th"}
_EXTRA_ASCII = {**str.maketrans("øØðł", "oOdl", "™®©"), **str.maketrans(_SPELLED_OUT)}
_APOSTROPHES = re.compile(r"['’‘`´]")
_NON_WORD = re.compile(r"[^a-z0-9]+")

#: English words kept lowercase inside a title-cased heading (never first).
# fmt: off
_SMALL_WORDS = frozenset({
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on", "or",
    "per", "the", "to", "via", "vs", "with",
})
# fmt: on

MAX_ANCHOR_LENGTH = 64


def slugify(text: str, *, max_length: int = MAX_ANCHOR_LENGTH, fallback: str = "section") -> str:
    """Lowercase ASCII words joined by hyphens (ä→a, ö→o, å→a, "Women's"→"womens").

    Long slugs are cut at a hyphen so they stay readable; an empty result
    becomes ``fallback``.
    """
    ascii_text = unicodedata.normalize("NFKD", text.translate(_EXTRA_ASCII))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii").lower()
    slug = _NON_WORD.sub("-", _APOSTROPHES.sub("", ascii_text)).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut[:max_length]
        slug = slug.strip("-")
    return slug or fallback


def unique_anchor(heading: str, taken: Collection[str], *, fallback: str = "section") -> str:
    """``slugify(heading)``, with ``-2``, ``-3``... appended until it is not in ``taken``."""
    base = slugify(heading, fallback=fallback)
    anchor, n = base, 1
    while anchor in taken:
        n += 1
        anchor = f"{base}-{n}"
    return anchor


def display_heading(heading: str, locale: str) -> str:
    """A heading fit for display.

    All-lowercase headings (common in exported plain text) are capitalised:
    English in title case, other locales (Swedish) in sentence case, as each
    language's style guides prefer. Headings with any capital letter are the
    author's choice and are returned unchanged.
    """
    heading = " ".join(heading.split())
    if not heading or heading != heading.lower():
        return heading
    if locale != "en":
        return heading[0].upper() + heading[1:]
    words = heading.split(" ")
    return " ".join(_title_word(word) if i == 0 or word not in _SMALL_WORDS else word for i, word in enumerate(words))


def sentence_case(text: str) -> str:
    """``text`` with its first letter capitalised (used for FAQ questions)."""
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


def _title_word(word: str) -> str:
    """Capitalise each hyphenated part: ``hip-focused`` → ``Hip-Focused``."""
    return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))
