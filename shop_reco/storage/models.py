"""SQLAlchemy 2.x models; every table is prefixed ``reco_`` to live beside the host's.

Per-locale text is a JSON mapping ``{locale: {...}}`` so a merchant can add a
language without a migration. Concept tags are JSON lists of qualified
concepts (``area:hip``) from :mod:`shop_reco.vocabulary`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shop_reco.storage.ids import time_ordered_id

#: Named constraints so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, list[Any]: JSON}


class Source(Base):
    """A citation that exercises and articles refer to by ``key``."""

    __tablename__ = "reco_source"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    authors: Mapped[str] = mapped_column(String(300))
    year: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    publisher: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str | None] = mapped_column(String(500))


class Product(Base):
    __tablename__ = "reco_product"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    url: Mapped[str] = mapped_column(String(500))
    image_url: Mapped[str] = mapped_column(String(500), default="")
    in_stock: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    concepts: Mapped[list[str]] = mapped_column(default=list)
    text: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Exercise(Base):
    __tablename__ = "reco_exercise"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    target_areas: Mapped[list[str]] = mapped_column(default=list)
    concepts: Mapped[list[str]] = mapped_column(default=list)
    dose: Mapped[dict[str, Any]] = mapped_column(default=dict)
    weekly_frequency: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sources: Mapped[list[str]] = mapped_column(default=list)
    text: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Article(Base):
    __tablename__ = "reco_article"
    __table_args__ = (UniqueConstraint("slug", "locale", name="uq_reco_article_slug_locale"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list[str]] = mapped_column(default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    sections: Mapped[list[Section]] = relationship(
        back_populates="article", order_by="Section.position", cascade="all, delete-orphan"
    )


class Section(Base):
    __tablename__ = "reco_section"
    __table_args__ = (UniqueConstraint("article_id", "anchor", name="uq_reco_section_article_anchor"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("reco_article.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    anchor: Mapped[str] = mapped_column(String(100))
    heading: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(32), default="section")
    concepts: Mapped[list[str]] = mapped_column(default=list)
    article: Mapped[Article] = relationship(back_populates="sections")


class Rule(Base):
    """A merchant rule; ``version`` makes concurrent edits fail instead of overwriting."""

    __tablename__ = "reco_rule"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    priority: Mapped[int] = mapped_column(Integer, default=100)
    locales: Mapped[list[str]] = mapped_column(default=list)
    valid_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    conditions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(200))
    __mapper_args__ = {"version_id_col": version}


class Revision(Base):
    """One recorded change of any merchant-edited record: who, when, before and after."""

    __tablename__ = "reco_revision"
    __table_args__ = (Index("ix_reco_revision_entity", "entity", "entity_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))  # rule | product | exercise | article | synonym
    entity_key: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))  # create | update | delete | rollback
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    actor: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Synonym(Base):
    """A merchant-added phrase that the analyzer maps to a concept code."""

    __tablename__ = "reco_synonym"
    __table_args__ = (UniqueConstraint("locale", "phrase", name="uq_reco_synonym_locale_phrase"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(String(8))
    group: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(32))
    phrase: Mapped[str] = mapped_column(String(120))


class TestCase(Base):
    """A saved description with expected outcomes, run on every rule save."""

    __tablename__ = "reco_test_case"
    __test__ = False  # not a pytest class
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    locale: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(String(2000))
    expect: Mapped[dict[str, Any]] = mapped_column(default=dict)


class State(Base):
    """Small counters shared by every process, e.g. ``content_revision``."""

    __tablename__ = "reco_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Recommendation(Base):
    """What was shown for one description: derived codes only, unless storing text is opted in."""

    __tablename__ = "reco_recommendation"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=time_ordered_id)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    locale: Mapped[str] = mapped_column(String(8))
    safety_level: Mapped[str] = mapped_column(String(16))
    concepts: Mapped[list[str]] = mapped_column(default=list)
    items: Mapped[list[Any]] = mapped_column(default=list)  # [{"type","id","rules": [...]}]
    fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    rules_revision: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(16), default="api")  # api | widget | cli | preview
    description: Mapped[str | None] = mapped_column(Text)  # only with SHOP_RECO_STORE_DESCRIPTIONS
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)  # purge
    #: The experiment and variant whose rules answered (None: the live rules, outside any experiment).
    experiment_key: Mapped[str | None] = mapped_column(String(64), index=True)
    experiment_variant: Mapped[str | None] = mapped_column(String(64))


class Experiment(Base):
    """Two or more rule sets compared on the live shop; safety (red flags, gate) is never a variant.

    ``variants`` is ``[{"key", "weight", "rules": "live" | [rule JSON, ...]}]``,
    fixed when the experiment starts (a change is a new experiment). At most one
    runs at a time; a stopped one keeps its variants so its report can be read.
    """

    __tablename__ = "reco_experiment"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | stopped
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    variants: Mapped[list[Any]] = mapped_column(default=list)
    started_by: Mapped[str | None] = mapped_column(String(200))


class Event(Base):
    """A pseudonymous storefront event: no IP, no description, a random page-view id."""

    __tablename__ = "reco_event"
    __table_args__ = (Index("ix_reco_event_item", "item_type", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # one of vocabulary.EVENT_KINDS
    recommendation_id: Mapped[str | None] = mapped_column(String(36), index=True)
    item_type: Mapped[str] = mapped_column(String(16))  # one of vocabulary.ITEM_TYPES
    item_id: Mapped[str] = mapped_column(String(200))
    rule_key: Mapped[str | None] = mapped_column(String(64))
    page_view: Mapped[str | None] = mapped_column(String(64))
    widget: Mapped[str | None] = mapped_column(String(16))  # one of vocabulary.WIDGETS
    locale: Mapped[str | None] = mapped_column(String(8))  # one of vocabulary.LOCALES


#: Models whose changes alter recommendations; a flush touching them bumps the revision.
#: An experiment starting or stopping changes which rules answer, so it bumps the revision too.
CONTENT_MODELS = (Product, Exercise, Article, Section, Rule, Synonym, Source, Experiment)
