"""dated reference datasets: ZIP maps and members of Congress belong to a Congress

The rows on file become the 119th Congress's datasets, in force until 2027-01-03; each
signature placed by the ZIP map records it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 08:00:00

"""

from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CONGRESS_119 = (date(2025, 1, 3), date(2027, 1, 3))


def upgrade():
    datasets = op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("congress", sa.Integer(), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
        sa.UniqueConstraint(
            "kind", "congress", "effective_from",
            name=op.f("uq_datasets_kind_congress_effective_from"),
        ),
    )  # fmt: skip
    with op.batch_alter_table("zip_districts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dataset_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dataset_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("zip_dataset_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("held_reason", sa.String(length=200), server_default="", nullable=False)
        )

    connection = op.get_bind()
    now = datetime.now(timezone.utc).replace(tzinfo=None)  # noqa: UP017 (as the app's clock)
    zips = connection.scalar(sa.text("SELECT count(*) FROM zip_districts"))
    members = connection.scalar(
        sa.text(
            "SELECT count(*) FROM targets WHERE bioguide_id IS NOT NULL"
            " AND kind IN ('us_senate', 'us_house')"
        )
    )
    for kind, rows in (("zips", zips), ("congress", members)):
        if not rows:
            continue
        connection.execute(
            datasets.insert().values(
                kind=kind,
                source="imported before datasets were dated",
                version="",
                congress=119,
                effective_from=CONGRESS_119[0],
                effective_until=CONGRESS_119[1],
                rows=rows,
                imported_at=now,
            )
        )
    connection.execute(
        sa.text("UPDATE zip_districts SET dataset_id = (SELECT id FROM datasets WHERE kind = 'zips')")
    )
    connection.execute(
        sa.text(
            "UPDATE targets SET dataset_id = (SELECT id FROM datasets WHERE kind = 'congress')"
            " WHERE bioguide_id IS NOT NULL AND kind IN ('us_senate', 'us_house')"
        )
    )
    connection.execute(
        sa.text(
            "UPDATE signatures SET zip_dataset_id = (SELECT id FROM datasets WHERE kind = 'zips')"
            " WHERE zip IN (SELECT zcta FROM zip_districts)"
        )
    )

    with op.batch_alter_table("zip_districts", schema=None) as batch_op:
        batch_op.alter_column("dataset_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("uq_zip_districts_zcta_state_district", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_zip_districts_dataset_id_zcta_state_district"),
            ["dataset_id", "zcta", "state", "district"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_zip_districts_dataset_id_datasets"), "datasets", ["dataset_id"], ["id"]
        )
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.drop_constraint("uq_targets_bioguide_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_targets_dataset_id_bioguide_id"), ["dataset_id", "bioguide_id"]
        )
        batch_op.create_index(batch_op.f("ix_targets_bioguide_id"), ["bioguide_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_targets_dataset_id"), ["dataset_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_targets_dataset_id_datasets"), "datasets", ["dataset_id"], ["id"]
        )
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_signatures_zip_dataset_id_datasets"),
            "datasets",
            ["zip_dataset_id"],
            ["id"],
        )


def downgrade():
    # Only the 119th Congress's rows fit the old one-map, one-row-per-member tables.
    connection = op.get_bind()
    keep = "SELECT id FROM datasets WHERE congress = 119 AND effective_from = '2025-01-03'"
    connection.execute(sa.text(f"DELETE FROM zip_districts WHERE dataset_id NOT IN ({keep})"))
    connection.execute(
        sa.text(
            "DELETE FROM targets WHERE dataset_id IS NOT NULL AND dataset_id NOT IN"
            f" ({keep}) AND id NOT IN (SELECT target_id FROM letter_targets)"
        )
    )
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_constraint("fk_signatures_zip_dataset_id_datasets", type_="foreignkey")
        batch_op.drop_column("zip_dataset_id")
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_column("held_reason")
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.drop_constraint("fk_targets_dataset_id_datasets", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_targets_dataset_id"))
        batch_op.drop_index(batch_op.f("ix_targets_bioguide_id"))
        batch_op.drop_constraint("uq_targets_dataset_id_bioguide_id", type_="unique")
        batch_op.create_unique_constraint("uq_targets_bioguide_id", ["bioguide_id"])
        batch_op.drop_column("dataset_id")
    with op.batch_alter_table("zip_districts", schema=None) as batch_op:
        batch_op.drop_constraint("fk_zip_districts_dataset_id_datasets", type_="foreignkey")
        batch_op.drop_constraint("uq_zip_districts_dataset_id_zcta_state_district", type_="unique")
        batch_op.create_unique_constraint(
            "uq_zip_districts_zcta_state_district", ["zcta", "state", "district"]
        )
        batch_op.drop_column("dataset_id")
    op.drop_table("datasets")
