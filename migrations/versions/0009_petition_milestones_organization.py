"""the petition itself: its statement and sponsor, milestones reached, who runs the site,
and how long a closed campaign keeps personal data

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 07:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("petition", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("sponsor", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("retention_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("personal_data_erased_at", sa.DateTime(), nullable=True))
    op.create_table(
        "milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("count_at_reach", sa.Integer(), nullable=False),
        sa.Column("reached_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_milestones_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestones")),
        sa.UniqueConstraint(
            "campaign_id", "threshold", name=op.f("uq_milestones_campaign_id_threshold")
        ),
    )
    op.create_table(
        "organization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact_address", sa.Text(), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=False),
        sa.Column("privacy_contact", sa.String(length=254), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
    )


def downgrade():
    op.drop_table("organization")
    op.drop_table("milestones")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("personal_data_erased_at")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("retention_days")
        batch_op.drop_column("sponsor")
        batch_op.drop_column("petition")
