"""Understanding a shopper's description: text -> Profile. Plain Python, no Flask.

    >>> from shop_reco.understanding import analyze
    >>> profile = analyze("Sharp pain in my right buttock that shoots down my leg, 7/10")
    >>> profile.areas, profile.side, profile.severity, profile.safety_level
    (('buttock', 'leg'), 'right', 'severe', 'none')

Build an :class:`Analyzer` with merchant synonyms for the app; tag content with
:func:`tag_text` so it pairs with profiles by shared concepts.
"""

from __future__ import annotations

from shop_reco.understanding.analyzer import Analyzer, analyze, detect_locale, tag_text
from shop_reco.understanding.lexicon import LexiconError, UnknownLocaleError, shipped_lexicons
from shop_reco.understanding.profile import Match, Profile

__all__ = [
    "Analyzer",
    "LexiconError",
    "Match",
    "Profile",
    "UnknownLocaleError",
    "analyze",
    "detect_locale",
    "shipped_lexicons",
    "tag_text",
]
