"""senate class on targets: CWC codes a senator's office by the seat's class

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("senate_class", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.drop_column("senate_class")
