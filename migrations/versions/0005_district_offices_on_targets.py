"""district offices on targets (from congress-legislators' district-offices file)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 03:27:44.053743

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offices", sa.JSON(), server_default="[]", nullable=False))


def downgrade():
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.drop_column("offices")
