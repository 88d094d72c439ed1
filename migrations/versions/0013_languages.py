"""languages: each signature keeps its signer's language (for the emails workers send
later), and a campaign keeps its public text in other languages beside its default one

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 08:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, not batch mode: on SQLite a batch may copy and drop the table, and
    # dropping campaigns or signatures would cascade to the rows that reference them.
    # Everyone who signed before now read the site in English.
    op.add_column(
        "signatures",
        sa.Column("locale", sa.String(length=8), server_default="en", nullable=False),
    )
    op.add_column(
        "campaigns",
        sa.Column("translations", sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
    )


def downgrade():
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("translations")
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_column("locale")
