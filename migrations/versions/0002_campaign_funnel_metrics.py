"""campaign funnel metrics: page views and forms started per campaign and day

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 02:34:21.518318

"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "campaign_metrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_metrics_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_metrics")),
        sa.UniqueConstraint(
            "campaign_id",
            "day",
            "metric",
            name=op.f("uq_campaign_metrics_campaign_id_day_metric"),
        ),
    )


def downgrade():
    op.drop_table("campaign_metrics")
