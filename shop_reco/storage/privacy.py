"""Health text is kept only when the merchant opts in, and only for the retention period."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import update
from sqlalchemy.orm import Session

from shop_reco.storage.models import Recommendation


def purge_expired_descriptions(session: Session, now: datetime | None = None) -> int:
    """Blank every stored description whose retention has passed; returns how many.

    The derived codes (areas, safety level, items shown) stay for analytics:
    they are not the shopper's words.
    """
    now = now or datetime.now(timezone.utc)
    result = session.execute(
        update(Recommendation)
        .where(Recommendation.description.is_not(None), Recommendation.expires_at <= now)
        .values(description=None, expires_at=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
