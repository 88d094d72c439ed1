"""wider state legislative district names on targets and letters

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

Real district names run to 42 characters ("Berkshire, Hampden, Franklin and Hampshire").
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.alter_column(
            "district", existing_type=sa.String(length=16), type_=sa.String(length=64)
        )
    with op.batch_alter_table("letters", schema=None) as batch_op:
        for column in ("state_upper_district", "state_lower_district"):
            batch_op.alter_column(
                column, existing_type=sa.String(length=16), type_=sa.String(length=64)
            )


def downgrade():
    with op.batch_alter_table("letters", schema=None) as batch_op:
        for column in ("state_upper_district", "state_lower_district"):
            batch_op.alter_column(
                column, existing_type=sa.String(length=64), type_=sa.String(length=16)
            )
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.alter_column(
            "district", existing_type=sa.String(length=64), type_=sa.String(length=16)
        )
