"""index reco_recommendation.expires_at for the retention purge

The daily ``flask shop-reco purge`` looks for stored descriptions past their
``expires_at``; without an index it scans the whole answer log, which grows
by one row per answer.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 22:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_reco_recommendation_expires_at"), "reco_recommendation", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reco_recommendation_expires_at"), table_name="reco_recommendation")
