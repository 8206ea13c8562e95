"""Alembic environment: runs on the connection ``knowledge.db.upgrade`` hands over.

SQLite gets batch mode (ALTER TABLE by copy), so the same revisions run on SQLite and PostgreSQL.
Without a connection (plain ``alembic`` command line), the URL comes from ``sqlalchemy.url``.
"""

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import knowledge.consent_tables  # noqa: F401  (subscription consent, migration 0003)
import knowledge.console_tables  # noqa: F401  (the console's tables, migration 0002)
import knowledge.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: pass a connection in config.attributes or set sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as own_connection:
        _run(own_connection)


run_migrations()
