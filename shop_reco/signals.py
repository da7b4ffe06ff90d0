"""Signals a host app can subscribe to, through blinker as Flask's own signals are.

Each is sent with the app as sender, after the thing happened (an answer
given, an event committed, a content change committed), from the one place
it happens; a receiver that raises is the host's error, so keep receivers
short and hand slow work to a queue. Receivers get keyword arguments only:

``answer_made``
    A shopper's description was answered. ``answer_id`` (the id of the logged
    answer, which events refer to as ``recommendation_id``; None when not
    logged), ``source`` (``api``, ``widget``, ``cli``), ``locale``,
    ``safety_level`` (``none``, ``consult``, ``urgent``), ``concepts`` (the
    derived codes, e.g. ``["area:lower_back", "trigger:sitting"]``),
    ``items`` (what was shown: ``[{"type": "product", "id": "lumbar-cushion",
    "rules": [...]}, ...]``), ``fallback`` and ``rules_revision``.
    Never the description's text.
``event_recorded``
    A storefront event was stored, once per event: ``kind`` (``impression``,
    ``click``, ``add_to_cart``), ``recommendation_id``, ``item_type``,
    ``item_id``, ``rule``, ``widget``, ``locale`` and ``page_view``.
``content_changed``
    A commit changed content (products, exercises, articles, rules, synonyms,
    sources): ``revision`` (the new content revision) and ``changes``, a tuple
    of :class:`ContentChange` ``(entity, key, action, actor)``.

    >>> from shop_reco.signals import answer_made
    >>> def count_answer(app, *, safety_level, items, **extra):
    ...     print(safety_level, [item["id"] for item in items])
    >>> answer_made.connect(count_answer)  # doctest: +ELLIPSIS
    <function count_answer at ...>
    >>> answer_made.disconnect(count_answer)
"""

from __future__ import annotations

from blinker import Namespace

from shop_reco.storage.database import ContentChange

__all__ = ["ContentChange", "answer_made", "content_changed", "event_recorded"]

_signals = Namespace()

#: Sent after a description was answered (derived codes and item ids, never the text).
answer_made = _signals.signal("shop-reco-answer-made")
#: Sent after a storefront event (impression, click, add to cart) was committed, once per event.
event_recorded = _signals.signal("shop-reco-event-recorded")
#: Sent after a commit that changed content, with the new revision and what changed.
content_changed = _signals.signal("shop-reco-content-changed")
