"""campaign revisions: every change of a campaign's public text, with who, when and why

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 07:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "campaign_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["organizers.id"],
            name=op.f("fk_campaign_revisions_author_id_organizers"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_revisions_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_revisions")),
    )
    with op.batch_alter_table("campaign_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_revisions_campaign_id"), ["campaign_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("campaign_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_revisions_campaign_id"))
    op.drop_table("campaign_revisions")
