"""Read the database into the plain records the analyzer and recommender use,
and keep one compiled copy per process that knows when it is stale.

Every write to content bumps ``reco_state.content_revision`` in the same
transaction (see :mod:`shop_reco.storage.database`); a process re-reads the
counter at most every ``ttl`` seconds and rebuilds only when it moved, so
many workers on many hosts serve an edit within the TTL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop_reco.recommending.catalog import Catalog, ExerciseItem, ProductItem, SectionItem
from shop_reco.storage.content import RULE_FIELDS
from shop_reco.storage.database import current_revision
from shop_reco.storage.models import Article, Exercise, Product, Rule, Section, Synonym

T = TypeVar("T")


def load_catalog(session: Session) -> Catalog:
    """Every product, exercise and article section, as immutable records.

    Reads plain rows, not ORM instances: a catalogue of ten thousand products
    would otherwise sit in the session's identity map twice over while loading.
    """
    products = {
        row.sku: ProductItem(
            sku=row.sku,
            price=f"{row.price:.2f}",
            currency=row.currency,
            url=row.url,
            image_url=row.image_url,
            in_stock=row.in_stock,
            active=row.active,
            concepts=frozenset(row.concepts),
            text=row.text,
        )
        for row in session.execute(
            select(
                Product.sku,
                Product.price,
                Product.currency,
                Product.url,
                Product.image_url,
                Product.in_stock,
                Product.active,
                Product.concepts,
                Product.text,
            ).execution_options(yield_per=1000)
        )
    }
    exercises = {
        row.slug: ExerciseItem(
            slug=row.slug,
            kind=row.kind,
            target_areas=tuple(row.target_areas),
            concepts=frozenset(row.concepts),
            dose=row.dose,
            weekly_frequency=row.weekly_frequency,
            text=row.text,
            sources=tuple(row.sources),
        )
        for row in session.execute(
            select(
                Exercise.slug,
                Exercise.kind,
                Exercise.target_areas,
                Exercise.concepts,
                Exercise.dose,
                Exercise.weekly_frequency,
                Exercise.text,
                Exercise.sources,
            )
        )
    }
    sections = tuple(
        SectionItem(
            article=row.slug,
            locale=row.locale,
            anchor=row.anchor,
            heading=row.heading,
            position=row.position,
            concepts=frozenset(row.concepts),
            body=row.body,
        )
        for row in session.execute(
            select(
                Article.slug,
                Article.locale,
                Section.anchor,
                Section.heading,
                Section.position,
                Section.concepts,
                Section.body,
            )
            .join(Section, Section.article_id == Article.id)
            .order_by(Article.slug, Article.locale, Section.position)
        )
    )
    return Catalog(exercises=exercises, products=products, sections=sections)


def load_rule_data(session: Session) -> Iterator[dict[str, Any]]:
    """Every rule as the dict the rules schema loads, with its key and version, one at a time."""
    columns = [getattr(Rule, name) for name in RULE_FIELDS]
    query = select(Rule.key, Rule.version, *columns).order_by(Rule.key).execution_options(yield_per=500)
    for row in session.execute(query):
        data = {name: _json_ready(getattr(row, name)) for name in RULE_FIELDS}
        data["key"] = row.key
        data["version"] = row.version
        yield data


def _json_ready(value: Any) -> Any:
    """Datetimes as ISO text in UTC (SQLite returns them naive), as the rules schema expects."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()
    return value


def load_synonyms(session: Session) -> list[dict[str, str]]:
    """Merchant synonyms for the analyzer: ``{"locale", "group", "code", "phrase"}``."""
    return [
        {"locale": s.locale, "group": s.group, "code": s.code, "phrase": s.phrase}
        for s in session.scalars(select(Synonym).order_by(Synonym.id))
    ]


@dataclass(frozen=True)
class Cached(Generic[T]):
    revision: int
    value: T


class RevisionCache(Generic[T]):
    """One value per process, rebuilt when the database's content revision moves.

    The revision is read at most every ``ttl`` seconds; between checks the
    cached value is served without touching the database.
    """

    def __init__(self, build: Callable[[Session, int], T], ttl: float) -> None:
        self._build = build
        self._ttl = ttl
        self._cached: Cached[T] | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def get(self, session: Session | Callable[[], Session]) -> Cached[T]:
        """The value; ``session`` may be a callable, called only when the database must be read."""
        cached = self._cached
        if cached is not None and time.monotonic() - self._checked_at < self._ttl:
            return cached
        if callable(session):
            session = session()
        with self._lock:
            revision = current_revision(session)
            cached = self._cached
            if cached is None or cached.revision != revision:
                cached = Cached(revision, self._build(session, revision))
                self._cached = cached
            self._checked_at = time.monotonic()
            return cached

    def invalidate(self) -> None:
        """Force a revision check on the next ``get`` (after a local write)."""
        self._checked_at = float("-inf")
