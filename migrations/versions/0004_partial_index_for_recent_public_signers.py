"""partial index for the campaign page's recent public signers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 02:55:34.382921

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

RECENT_PUBLIC = sa.text("status = 'confirmed' AND show_publicly")


def upgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index(
            'ix_signatures_recent_public',
            ['campaign_id', 'confirmed_at'],
            unique=False,
            postgresql_where=RECENT_PUBLIC,
            sqlite_where=RECENT_PUBLIC,
        )


def downgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index('ix_signatures_recent_public')
