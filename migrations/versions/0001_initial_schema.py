"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:21:41.409637
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reco_article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reco_article")),
        sa.UniqueConstraint("slug", "locale", name="uq_reco_article_slug_locale"),
    )
    op.create_table(
        "reco_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("recommendation_id", sa.String(length=36), nullable=True),
        sa.Column("item_type", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("rule_key", sa.String(length=64), nullable=True),
        sa.Column("page_view", sa.String(length=64), nullable=True),
        sa.Column("widget", sa.String(length=16), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reco_event")),
    )
    op.create_index(op.f("ix_reco_event_created_at"), "reco_event", ["created_at"], unique=False)
    op.create_index("ix_reco_event_item", "reco_event", ["item_type", "item_id"], unique=False)
    op.create_index(op.f("ix_reco_event_recommendation_id"), "reco_event", ["recommendation_id"], unique=False)
    op.create_table(
        "reco_exercise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target_areas", sa.JSON(), nullable=False),
        sa.Column("concepts", sa.JSON(), nullable=False),
        sa.Column("dose", sa.JSON(), nullable=False),
        sa.Column("weekly_frequency", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reco_exercise")),
        sa.UniqueConstraint("slug", name=op.f("uq_reco_exercise_slug")),
    )
    op.create_table(
        "reco_product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("image_url", sa.String(length=500), nullable=False),
        sa.Column("in_stock", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("concepts", sa.JSON(), nullable=False),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reco_product")),
        sa.UniqueConstraint("sku", name=op.f("uq_reco_product_sku")),
    )
    op.create_table(
        "reco_recommendation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("safety_level", sa.String(length=16), nullable=False),
        sa.Column("concepts", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("fallback", sa.Boolean(), nullable=False),
        sa.Column("rules_revision", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reco_recommendation")),
    )
    op.create_index(op.f("ix_reco_recommendation_created_at"), "reco_recommendation", ["created_at"], unique=False)
    op.create_table(
        "reco_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_key", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reco_revision")),
    )
    op.create_index("ix_reco_revision_entity", "reco_revision", ["entity", "entity_key"], unique=False)
    op.create_table(
        "reco_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("locales", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reco_rule")),
        sa.UniqueConstraint("key", name=op.f("uq_reco_rule_key")),
    )
    op.create_table(
        "reco_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("authors", sa.String(length=300), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("publisher", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reco_source")),
        sa.UniqueConstraint("key", name=op.f("uq_reco_source_key")),
    )
    op.create_table(
        "reco_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_reco_state")),
    )
    # Every process compares its cached rules with this counter (see storage.database).
    state = sa.table("reco_state", sa.column("key", sa.String), sa.column("value", sa.Integer))
    op.bulk_insert(state, [{"key": "content_revision", "value": 1}])
    op.create_table(
        "reco_synonym",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("group", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("phrase", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reco_synonym")),
        sa.UniqueConstraint("locale", "phrase", name="uq_reco_synonym_locale_phrase"),
    )
    op.create_table(
        "reco_test_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("expect", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reco_test_case")),
        sa.UniqueConstraint("key", name=op.f("uq_reco_test_case_key")),
    )
    op.create_table(
        "reco_section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("anchor", sa.String(length=100), nullable=False),
        sa.Column("heading", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("concepts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["reco_article.id"],
            name=op.f("fk_reco_section_article_id_reco_article"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reco_section")),
        sa.UniqueConstraint("article_id", "anchor", name="uq_reco_section_article_anchor"),
    )
    op.create_index(op.f("ix_reco_section_article_id"), "reco_section", ["article_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reco_section_article_id"), table_name="reco_section")
    op.drop_table("reco_section")
    op.drop_table("reco_test_case")
    op.drop_table("reco_synonym")
    op.drop_table("reco_state")
    op.drop_table("reco_source")
    op.drop_table("reco_rule")
    op.drop_index("ix_reco_revision_entity", table_name="reco_revision")
    op.drop_table("reco_revision")
    op.drop_index(op.f("ix_reco_recommendation_created_at"), table_name="reco_recommendation")
    op.drop_table("reco_recommendation")
    op.drop_table("reco_product")
    op.drop_table("reco_exercise")
    op.drop_index(op.f("ix_reco_event_recommendation_id"), table_name="reco_event")
    op.drop_index("ix_reco_event_item", table_name="reco_event")
    op.drop_index(op.f("ix_reco_event_created_at"), table_name="reco_event")
    op.drop_table("reco_event")
    op.drop_table("reco_article")
