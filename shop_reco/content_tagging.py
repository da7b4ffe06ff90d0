"""The one way imported content is tagged with concepts.

The CLI and the admin import articles and products through here, so a section
or product carries the same concepts whichever door it came in by: those the
analyzer that answers shoppers finds, the merchant's synonyms included.
Content and shopper profiles then meet on the same codes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from shop_reco.answering.snapshot import current_snapshot
from shop_reco.understanding.analyzer import tag_text

__all__ = ["Tagger", "content_tagger"]

#: Tags ``text`` in ``locale``: ``tagger("Sitting hurts my hip", "en") -> {"area:hip", "trigger:sitting"}``.
Tagger = Callable[[str, str], frozenset[str]]

log = logging.getLogger(__name__)


def content_tagger() -> Tagger:
    """The tagger for imported content in this app (call inside an app context).

    The current snapshot's analyzer (shipped lexicons plus merchant synonyms);
    when the snapshot cannot be built (e.g. a stored rule no longer loads),
    the shipped lexicons alone, with a warning, so an import still works.
    """
    try:
        analyzer = current_snapshot().analyzer
    except Exception:
        log.warning("content is tagged with the shipped lexicons only: the content snapshot failed", exc_info=True)
        return tag_text
    tag: Tagger = analyzer.tag_text
    return tag
