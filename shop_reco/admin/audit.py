"""Recording admin changes as revisions, with the signed-in admin as the actor.

Every admin view that changes a merchant-edited record calls
:func:`record_change` in the same transaction as the change, then commits:

    before = snapshot_of(product, PRODUCT_FIELDS)
    product.price = Decimal("39.00")
    after = snapshot_of(product, PRODUCT_FIELDS)
    record_change("product", product.sku, "update", before, after)
    get_session().commit()
"""

from __future__ import annotations

from typing import Any

from shop_reco.admin.security import current_admin
from shop_reco.state import get_session
from shop_reco.storage.content import record

#: What ``Revision.action`` may say.
ACTIONS = ("create", "update", "delete", "rollback")


def record_change(entity: str, key: str, action: str, before: Any, after: Any) -> None:
    """Add a revision (``entity`` e.g. ``"product"``) to the current session; the caller commits.

    ``before``/``after`` are JSON-ready dicts (None for a create's before or a
    delete's after); the actor is the admin id from ``SHOP_RECO_ADMIN_AUTH``.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown revision action {action!r}; use one of {ACTIONS}")
    record(get_session(), entity, key, action, before, after, current_admin())
