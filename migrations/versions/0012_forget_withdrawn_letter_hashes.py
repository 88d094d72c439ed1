"""forget withdrawn letters' hashes: made before body_hash was keyed, each could confirm a
guess of the words their writer withdrew

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 07:55:00

"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE letters SET body_hash = '' WHERE signature_id IN "
        "(SELECT id FROM signatures WHERE status = 'withdrawn')"
    )


def downgrade():
    pass  # the hashes are gone, as the letters' words are
