"""Migration 0012: letters withdrawn before body_hash was keyed keep no hash of their words."""

import sqlalchemy as sa

from app.extensions import db
from tests.test_migrations import _flask_db


def test_upgrade_forgets_the_hashes_of_withdrawn_letters_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'chorus.sqlite3'}"
    _flask_db(url, "upgrade", "0011")
    engine = sa.create_engine(url)
    # The models' tables, less the columns later migrations add (they are not there yet).
    existing = sa.inspect(engine)
    tables = {
        name: sa.Table(
            name,
            sa.MetaData(),
            *(c.copy() for c in table.columns if c.name in _columns(existing, name)),
        )
        for name, table in db.metadata.tables.items()
        if name in ("campaigns", "signatures", "letters")
    }
    with engine.begin() as connection:
        campaign = connection.execute(
            tables["campaigns"].insert().values(slug="c", title="C", status="open")
        ).inserted_primary_key[0]
        for n, status in enumerate(("withdrawn", "confirmed")):
            signature = connection.execute(
                tables["signatures"]
                .insert()
                .values(campaign_id=campaign, name="", email=f"{n}@example.org", status=status)
            ).inserted_primary_key[0]
            connection.execute(
                tables["letters"]
                .insert()
                .values(
                    signature_id=signature,
                    campaign_id=campaign,
                    subject="",
                    body="",
                    body_hash=f"unkeyed-{status}",
                )
            )
    _flask_db(url, "upgrade")
    with engine.connect() as connection:
        hashes = connection.execute(sa.text("SELECT body_hash FROM letters ORDER BY id")).scalars()
        assert list(hashes) == ["", "unkeyed-confirmed"]
    engine.dispose()


def _columns(inspector, table: str) -> set[str]:
    return {column["name"] for column in inspector.get_columns(table)}
