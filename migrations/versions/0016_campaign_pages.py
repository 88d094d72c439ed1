"""campaign pages: what a campaign page shows besides the campaign's own text, kept by
whoever changes it and read with the campaign's row (services.campaigns.page)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, not batch mode: on SQLite a batch may copy and drop the table, and
    # dropping campaigns would cascade to the rows that reference them.
    op.add_column(
        "campaigns",
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
    )
    # No rows: a campaign's page is written the first time it is rendered or changed.
    op.create_table(
        "campaign_pages",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("shown", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("refreshed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_pages_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_campaign_pages")),
    )


def downgrade():
    op.drop_table("campaign_pages")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("row_version")
