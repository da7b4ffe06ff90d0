"""Writing content: upserts of sources, products, exercises, articles and rules.

Every function validates first and writes nothing on error; the caller owns
the transaction (commit or roll back), so a batch is all-or-nothing.
Each change is recorded as a :class:`Revision` with its before/after state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop_reco.storage.models import Article, Exercise, Product, Revision, Rule, Section, Source

PRODUCT_FIELDS = ("price", "currency", "url", "image_url", "in_stock", "active", "concepts", "text")
EXERCISE_FIELDS = ("kind", "target_areas", "concepts", "dose", "weekly_frequency", "sources", "text")
SOURCE_FIELDS = ("authors", "year", "title", "publisher", "url")
RULE_FIELDS = (
    "name",
    "description",
    "active",
    "priority",
    "locales",
    "valid_from",
    "valid_until",
    "conditions",
    "actions",
)


def snapshot_of(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """A JSON-ready copy of ``fields`` of a model, for revisions and exports."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, Decimal):
            value = f"{value:.2f}"
        elif isinstance(value, datetime):
            # SQLite returns naive datetimes; everything we store is UTC.
            value = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()
        out[name] = value
    return out


def record(session: Session, entity: str, key: str, action: str, before: Any, after: Any, actor: str | None) -> None:
    session.add(Revision(entity=entity, entity_key=key, action=action, before=before, after=after, actor=actor))


def _upsert(
    session: Session,
    model: type[Any],
    key_field: str,
    data: Mapping[str, Any],
    fields: tuple[str, ...],
    entity: str,
    actor: str | None,
    rows: Mapping[str, Any] | None = None,
) -> tuple[Any, bool]:
    """Insert or update one row by its natural key; returns (row, changed).

    ``rows`` (key -> row, loaded beforehand) saves a query per row in a batch.
    """
    key = data[key_field]
    if rows is not None:
        row = rows.get(key)
    else:
        row = session.execute(select(model).where(getattr(model, key_field) == key)).scalar_one_or_none()
    values = {f: data[f] for f in fields if f in data}
    if "price" in values:
        values["price"] = Decimal(str(values["price"]))
    if row is None:
        row = model(**{key_field: key}, **values)
        session.add(row)
        record(session, entity, key, "create", None, snapshot_of(row, values), actor)
        return row, True
    before = snapshot_of(row, fields)
    for name, value in values.items():
        setattr(row, name, value)
    after = snapshot_of(row, fields)
    if before == after:
        return row, False
    record(session, entity, key, "update", before, after, actor)
    return row, True


def upsert_source(session: Session, data: Mapping[str, Any], actor: str | None = None) -> tuple[Source, bool]:
    return _upsert(session, Source, "key", data, SOURCE_FIELDS, "source", actor)


def upsert_product(session: Session, data: Mapping[str, Any], actor: str | None = None) -> tuple[Product, bool]:
    return _upsert(session, Product, "sku", data, PRODUCT_FIELDS, "product", actor)


@dataclass(frozen=True)
class ProductImport:
    """What importing a product file did: rows read, products created or changed, SKUs deactivated."""

    read: int
    changed: int
    deactivated: tuple[str, ...] = ()


def import_products(
    session: Session,
    products: Iterable[Mapping[str, Any]],
    *,
    actor: str | None,
    merge_text: bool = False,
    prune: bool = False,
) -> ProductImport:
    """Create or update products by SKU from one file; the caller commits (or rolls back).

    ``merge_text`` keeps the text of locales the file does not carry (a feed is
    in one language); ``prune`` deactivates every active product whose SKU is
    not in the file (a feed lists the whole catalogue). A product whose values
    are those it has is not touched: importing the same file twice changes
    nothing and records no revision.
    """
    rows: dict[str, Product] = {p.sku: p for p in session.scalars(select(Product))}
    read = changed = 0
    seen: set[str] = set()
    for data in products:
        read += 1
        seen.add(data["sku"])
        current = rows.get(data["sku"])
        if merge_text and current is not None:
            data = {**data, "text": {**current.text, **data["text"]}}
        row, did_change = _upsert(session, Product, "sku", data, PRODUCT_FIELDS, "product", actor, rows)
        rows[row.sku] = row
        changed += did_change
    deactivated: list[str] = []
    if prune:
        for sku, row in sorted(rows.items()):
            if sku not in seen and row.active:
                _upsert(session, Product, "sku", {"sku": sku, "active": False}, PRODUCT_FIELDS, "product", actor, rows)
                deactivated.append(sku)
    return ProductImport(read, changed, tuple(deactivated))


def upsert_exercise(session: Session, data: Mapping[str, Any], actor: str | None = None) -> tuple[Exercise, bool]:
    return _upsert(session, Exercise, "slug", data, EXERCISE_FIELDS, "exercise", actor)


def rule_record(rule: Any) -> dict[str, Any]:
    """A validated :class:`~shop_reco.recommending.rules.Rule` as column values for ``reco_rule``."""
    data = rule.as_dict()
    data["valid_from"], data["valid_until"] = rule.valid_from, rule.valid_until
    data.pop("version", None)
    return data


def upsert_rule(session: Session, data: Mapping[str, Any], actor: str | None = None) -> tuple[Rule, bool]:
    row, changed = _upsert(session, Rule, "key", data, RULE_FIELDS, "rule", actor)
    if changed:
        row.updated_by = actor
    return row, changed


def article_snapshot(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "summary": article.summary,
        "sources": list(article.sources),
        "sections": [
            {"anchor": s.anchor, "heading": s.heading, "body": s.body, "kind": s.kind, "concepts": list(s.concepts)}
            for s in article.sections
        ],
    }


def replace_article(session: Session, data: Mapping[str, Any], actor: str | None = None) -> tuple[Article, bool]:
    """Create or replace an article (by slug and locale) with its ordered sections."""
    slug, locale = data["slug"], data["locale"]
    article = session.execute(
        select(Article).where(Article.slug == slug, Article.locale == locale)
    ).scalar_one_or_none()
    before = article_snapshot(article) if article is not None else None
    if article is None:
        article = Article(slug=slug, locale=locale, title=data["title"])
        session.add(article)
    article.title = data["title"]
    article.summary = data.get("summary", "")
    article.sources = list(data.get("sources", []))
    wanted = [
        {
            "anchor": s["anchor"],
            "heading": s["heading"],
            "body": s.get("body", ""),
            "kind": s.get("kind", "section"),
            "concepts": sorted(s.get("concepts", [])),
        }
        for s in data.get("sections", [])
    ]
    unchanged = before is not None and (before["sections"], before["title"], before["summary"], before["sources"]) == (
        wanted,
        article.title,
        article.summary,
        article.sources,
    )
    if unchanged:
        return article, False
    article.sections.clear()
    session.flush()
    for position, s in enumerate(wanted):
        article.sections.append(Section(position=position, **s))
    record(
        session,
        "article",
        f"{slug}/{locale}",
        "create" if before is None else "update",
        before,
        article_snapshot(article),
        actor,
    )
    return article, True
