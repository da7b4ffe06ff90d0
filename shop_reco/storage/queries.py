"""Read queries the HTTP layer needs beyond the cached snapshot."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shop_reco.storage.models import Article, Source


def article_record(session: Session, slug: str, locale: str, fallback: str = "en") -> dict[str, Any] | None:
    """An article with its ordered sections and resolved sources, in ``locale`` or the fallback."""
    for loc in dict.fromkeys((locale, fallback)):
        article = session.scalars(
            select(Article).options(selectinload(Article.sections)).where(Article.slug == slug, Article.locale == loc)
        ).one_or_none()
        if article is not None:
            break
    else:
        return None
    sources = {s.key: s for s in session.scalars(select(Source).where(Source.key.in_(article.sources)))}
    return {
        "slug": article.slug,
        "locale": article.locale,
        "title": article.title,
        "summary": article.summary,
        "sources": [
            {"key": k, "authors": s.authors, "year": s.year, "title": s.title, "publisher": s.publisher, "url": s.url}
            for k in article.sources
            if (s := sources.get(k)) is not None
        ],
        "sections": [
            {"anchor": s.anchor, "heading": s.heading, "body": s.body, "kind": s.kind, "concepts": list(s.concepts)}
            for s in article.sections
        ],
    }
