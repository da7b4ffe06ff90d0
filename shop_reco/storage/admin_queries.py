"""The queries behind the admin's pages: finding, listing and counting what merchants edit.

The admin's views call these instead of building queries themselves, so the
SQL of the admin lives with the models. Writes stay in
:mod:`shop_reco.storage.content` and :mod:`shop_reco.storage.rules`, which
record a revision for each change; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from shop_reco.storage.models import Article, Exercise, Product, Revision, Rule, Source, Synonym, TestCase

# -- products and exercises --------------------------------------------------------------------------


def find_product(session: Session, sku: str) -> Product | None:
    return session.scalars(select(Product).where(Product.sku == sku)).one_or_none()


def find_exercise(session: Session, slug: str) -> Exercise | None:
    return session.scalars(select(Exercise).where(Exercise.slug == slug)).one_or_none()


def products_by_sku(session: Session) -> Sequence[Product]:
    return session.scalars(select(Product).order_by(Product.sku)).all()


def exercises_by_kind(session: Session) -> Sequence[Exercise]:
    return session.scalars(select(Exercise).order_by(Exercise.kind, Exercise.slug)).all()


def exercises_by_slug(session: Session) -> Sequence[Exercise]:
    return session.scalars(select(Exercise).order_by(Exercise.slug)).all()


# -- sources ------------------------------------------------------------------------------------------


def sources_by_key(session: Session) -> Sequence[Source]:
    return session.scalars(select(Source).order_by(Source.key)).all()


def known_source_keys(session: Session, keys: Iterable[str] | None = None) -> set[str]:
    """The keys among ``keys`` that a stored source has (every stored key when ``keys`` is None)."""
    query = select(Source.key)
    if keys is not None:
        wanted = list(keys)
        if not wanted:
            return set()
        query = query.where(Source.key.in_(wanted))
    return set(session.scalars(query))


# -- articles -----------------------------------------------------------------------------------------


def find_article(session: Session, slug: str, locale: str) -> Article | None:
    """The article in ``locale`` with its sections loaded."""
    return session.scalars(
        select(Article).options(selectinload(Article.sections)).where(Article.slug == slug, Article.locale == locale)
    ).one_or_none()


def articles_by_slug(session: Session) -> Sequence[Article]:
    """Every article in every locale, with its sections loaded."""
    return session.scalars(
        select(Article).options(selectinload(Article.sections)).order_by(Article.slug, Article.locale)
    ).all()


# -- synonyms -----------------------------------------------------------------------------------------


def find_synonym(session: Session, locale: str, phrase: str) -> Synonym | None:
    return session.scalars(select(Synonym).where(Synonym.locale == locale, Synonym.phrase == phrase)).first()


def synonym_by_id(session: Session, synonym_id: int) -> Synonym | None:
    return session.get(Synonym, synonym_id)


def synonyms_by_id(session: Session) -> Sequence[Synonym]:
    """Every synonym in the order they were added (the analyzer's order)."""
    return session.scalars(select(Synonym).order_by(Synonym.id)).all()


def synonyms_by_phrase(session: Session) -> Sequence[Synonym]:
    """Every synonym by locale and phrase (the export's order)."""
    return session.scalars(select(Synonym).order_by(Synonym.locale, Synonym.phrase)).all()


def synonyms_listed(session: Session, locale: str | None = None) -> Sequence[Synonym]:
    """The synonyms page's rows (of one locale, or all), by locale, concept and phrase."""
    query = select(Synonym).order_by(Synonym.locale, Synonym.group, Synonym.code, Synonym.phrase)
    if locale is not None:
        query = query.where(Synonym.locale == locale)
    return session.scalars(query).all()


def other_synonyms(session: Session, locale: str, excluding: int | None = None) -> Sequence[Synonym]:
    """The synonyms of ``locale``, but the one with id ``excluding``."""
    query = select(Synonym).where(Synonym.locale == locale)
    if excluding is not None:
        query = query.where(Synonym.id != excluding)
    return session.scalars(query).all()


# -- rules and test cases -----------------------------------------------------------------------------


def all_rules(session: Session) -> Sequence[Rule]:
    return session.scalars(select(Rule)).all()


def rule_keys(session: Session) -> set[str]:
    return set(session.scalars(select(Rule.key)))


def find_test_case(session: Session, key: str) -> TestCase | None:
    return session.execute(select(TestCase).where(TestCase.key == key)).scalar_one_or_none()


def test_cases_by_key(session: Session) -> Sequence[TestCase]:
    return session.scalars(select(TestCase).order_by(TestCase.key)).all()


# -- revisions and counts -----------------------------------------------------------------------------


def revision_page(
    session: Session, *, entity: str = "", key: str = "", page: int = 1, size: int = 50
) -> tuple[Sequence[Revision], int]:
    """One page of revisions, newest first (of one entity and key when given), and how many match."""
    query = select(Revision)
    count = select(func.count(Revision.id))
    if entity:
        query, count = query.where(Revision.entity == entity), count.where(Revision.entity == entity)
    if key:
        query, count = query.where(Revision.entity_key == key), count.where(Revision.entity_key == key)
    total = session.scalar(count) or 0
    rows = session.scalars(
        query.order_by(Revision.created_at.desc(), Revision.id.desc()).offset((page - 1) * size).limit(size)
    ).all()
    return rows, total


def revised_entities(session: Session) -> list[str]:
    """Every entity name that has a revision, sorted."""
    return sorted(session.scalars(select(Revision.entity).distinct()))


def find_revision(session: Session, revision_id: int) -> Revision | None:
    return session.get(Revision, revision_id)


def count_rows(session: Session, model: type[Any]) -> int:
    """How many rows ``model``'s table holds."""
    return session.scalar(select(func.count()).select_from(model)) or 0
