"""Split text into normalised tokens that keep their offsets in the original text.

One regular-expression pass finds the tokens; each is then normalised (NFKC,
casefold) so that "Höften", "HÖFTEN" and a full-width "ｈｉｐ" meet the lexicon
in one form. Apostrophes and hyphens between letters are read as spaces, so
"can't" is ``can t`` and "lower-back" is ``lower back`` both in the text and in
the lexicon phrases, which go through this same function. Offsets always point
into the text as the shopper wrote it, so a finding can quote it exactly.

    >>> norms, starts, ends = tokenize("My lower-back hurts 8/10.")
    >>> norms
    ['my', 'lower', 'back', 'hurts', '8', '/', '10', '.']
    >>> starts[:3], ends[:3]
    ([0, 3, 9], [2, 8, 13])
"""

from __future__ import annotations

import re
import unicodedata
from itertools import accumulate
from typing import Final

# Every alternative is a single character class or a fixed sequence of them,
# so the scan is linear in the length of the text whatever the input. The
# group makes ``split`` return [gap, token, gap, token, ..., gap], whose
# running lengths are the offsets: no Python loop over the tokens.
_TOKEN: Final = re.compile(r"([\w\u0300-\u036f]+|[^\s\w]|\n)")
# Slower, for text with decimals ("7.5/10"), so "7.5" stays one token.
_TOKEN_WITH_DECIMALS: Final = re.compile(r"([\w\u0300-\u036f]+(?:(?<=\d)[.,]\d+)*|[^\s\w]|\n)")
_DECIMAL: Final = re.compile(r"\d[.,]\d")


def _latin1(character_class: str) -> str:
    """The Latin-1 characters ``character_class`` matches, spelt out for a character class."""
    return "".join(re.escape(c) for c in map(chr, range(256)) if re.fullmatch(character_class, c))


# The same two for text of Latin-1 letters only (English, Swedish: nearly every description),
# with each class spelt out. Unicode's \w and \s look every character up in the Unicode
# database; a spelt-out class of Latin-1 characters is one bitmap, and the split takes a
# tenth fewer instructions. Made from the classes above, so they read Latin-1 text alike.
# A character no word run took is a token of its own unless it is a space other than a
# newline: two alternatives where the patterns above have three.
_W, _S, _D = _latin1(r"[\w\u0300-\u036f]"), _latin1(r"(?!\n)\s"), _latin1(r"\d")
_LATIN1_TOKEN: Final = re.compile(f"([{_W}]+|[^{_S}])")
_LATIN1_TOKEN_WITH_DECIMALS: Final = re.compile(f"([{_W}]+(?:(?<=[{_D}])[.,][{_D}]+)*|[^{_S}])")

#: Apostrophes and hyphens, read as a space (same length, so offsets hold).
_JOINERS: Final = "'’ʼ`´‐‑-"  # the look-alikes are the point
_JOINER: Final = re.compile(f"[{_JOINERS}]")

_MAX_FOLD_CACHE: Final = 20_000
_MAX_CACHED_CHARS: Final = 64
_fold_cache: dict[str, str] = {}


def fold(token: str) -> str:
    """The normal form of one token: NFKC, casefolded (cached; tokens repeat)."""
    folded = _fold_cache.get(token)
    if folded is None:
        folded = unicodedata.normalize("NFKC", token).casefold()
        if len(token) <= _MAX_CACHED_CHARS:
            if len(_fold_cache) >= _MAX_FOLD_CACHE:
                _fold_cache.clear()  # bounded memory under arbitrary input
            _fold_cache[token] = folded
    return folded


def tokenize(text: str) -> tuple[list[str], list[int], list[int]]:
    """Return the normalised tokens of ``text`` with their start and end offsets.

    Newlines are tokens (they end a sentence); other whitespace only separates.
    """
    tokens, starts, ends, _ = split_text(text)
    return tokens, starts, ends


def split_text(text: str) -> tuple[list[str], list[int], list[int], str | None]:
    """:func:`tokenize`, and the text casefolded (None when it is ASCII: then it is lower-cased
    alike), for a caller that reads its letters too (the analyzer, telling languages apart)."""
    # Lower-casing ASCII, or casefolding text already in normal form that keeps
    # its length (most Swedish), and reading joiners as spaces keep every offset.
    if text.isascii():
        spaced = text.lower()
        if "'" in spaced or "-" in spaced or "`" in spaced:
            spaced = _JOINER.sub(" ", spaced)
        folded = None
        each_token = False
        latin1 = True
    else:
        spaced = folded = text.casefold()
        each_token = len(spaced) != len(text) or not unicodedata.is_normalized("NFKC", spaced)
        spaced = _JOINER.sub(" ", text if each_token else spaced)
        latin1 = spaced.isascii() or _is_latin1(spaced)
    if _may_have_decimals(spaced):
        token = _LATIN1_TOKEN_WITH_DECIMALS if latin1 else _TOKEN_WITH_DECIMALS
    else:
        token = _LATIN1_TOKEN if latin1 else _TOKEN
    parts = token.split(spaced)
    offsets = list(accumulate(map(len, parts)))
    tokens = parts[1::2]
    if each_token:  # "ﬁ", full-width letters, "ß": fold token by token
        tokens = [tok.lower() if tok.isascii() else fold(tok) for tok in tokens]
    return tokens, offsets[0:-1:2], offsets[1::2], folded


def _is_latin1(text: str) -> bool:
    """True when every character of ``text`` is Latin-1: Python then encodes it by copying its bytes."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _may_have_decimals(text: str) -> bool:
    """True when ``text`` has a decimal number ("7.5"); most descriptions have no digit at
    all, and these ``in`` tests cost a fifth of a regular-expression search."""
    has_digit = (
        "0" in text
        or "1" in text
        or "2" in text
        or "3" in text
        or "4" in text
        or "5" in text
        or "6" in text
        or "7" in text
        or "8" in text
        or "9" in text
    )
    return has_digit and _DECIMAL.search(text) is not None


def normalise_phrase(phrase: str) -> list[str]:
    """The tokens of a lexicon phrase, normalised exactly as text is."""
    return tokenize(phrase)[0]
