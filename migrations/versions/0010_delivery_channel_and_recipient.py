"""delivery channel and recipient: an outbox row names its channel, and whom to send to
in that channel's terms (to_email becomes recipient; every existing row is email)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 07:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.alter_column(
            "to_email",
            new_column_name="recipient",
            existing_type=sa.String(length=254),
            existing_nullable=False,
        )
        # The server default fills the rows already there; the model sets it on new ones.
        batch_op.add_column(
            sa.Column("channel", sa.String(length=16), server_default="email", nullable=False)
        )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.alter_column("channel", server_default=None)


def downgrade():
    # Only email exists before this revision: a row of another channel cannot go back.
    op.execute("DELETE FROM deliveries WHERE channel <> 'email'")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("channel")
        batch_op.alter_column(
            "recipient",
            new_column_name="to_email",
            existing_type=sa.String(length=254),
            existing_nullable=False,
        )
