"""experiments between rule sets: reco_experiment, and the experiment an answer belongs to

``reco_experiment`` holds each experiment's variants (weights and rule sets);
``reco_recommendation`` gains the experiment key and variant that answered
(both NULL outside an experiment, so existing rows need no backfill).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reco_experiment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("variants", sa.JSON(), nullable=False),
        sa.Column("started_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reco_experiment")),
        sa.UniqueConstraint("key", name=op.f("uq_reco_experiment_key")),
    )
    with op.batch_alter_table("reco_recommendation") as batch:
        batch.add_column(sa.Column("experiment_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("experiment_variant", sa.String(length=64), nullable=True))
        batch.create_index(batch.f("ix_reco_recommendation_experiment_key"), ["experiment_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reco_recommendation") as batch:
        batch.drop_index(batch.f("ix_reco_recommendation_experiment_key"))
        batch.drop_column("experiment_variant")
        batch.drop_column("experiment_key")
    op.drop_table("reco_experiment")
