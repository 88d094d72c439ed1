"""writer address on letters: the prefix, street address and city CWC requires, asked only
when a letter goes to an office delivered through CWC

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 08:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prefix", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("street_address", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("city", sa.String(length=100), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_column("city")
        batch_op.drop_column("street_address")
        batch_op.drop_column("prefix")
