"""Databases for tests: a migrated in-memory SQLite engine, and a throw-away PostgreSQL database.

Used by the test suite and by ``bench/``; nothing in the product imports it.
"""

import contextlib
import os
import uuid
from collections.abc import Iterator

from sqlalchemy import Engine

from knowledge.db import make_engine, upgrade

#: Server for PostgreSQL tests and benchmarks (a libpq connection string without a database name).
POSTGRES_SERVER = os.environ.get("GUIDEBOT_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres")


class PostgresUnavailable(Exception):
    """The PostgreSQL test server could not be reached."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"PostgreSQL at '{POSTGRES_SERVER}' is not reachable: {reason}")
        self.reason = reason


def memory_engine() -> Engine:
    """A fresh in-memory SQLite database, migrated through Alembic like a real one."""
    engine = make_engine("sqlite://")
    upgrade(engine)
    return engine


def _admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    try:
        return psycopg.connect(POSTGRES_SERVER + " dbname=postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        raise PostgresUnavailable(str(exc).strip().splitlines()[0]) from exc


@contextlib.contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """Create a uniquely named empty database, yield its SQLAlchemy URL, and drop it afterwards.

    Raises PostgresUnavailable when the server cannot be reached (tests turn that into a skip).
    """
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with _admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    params = dict(part.split("=", 1) for part in POSTGRES_SERVER.split())
    auth = params.get("user", "postgres") + (f":{params['password']}" if "password" in params else "")
    url = f"postgresql+psycopg://{auth}@{params.get('host', '127.0.0.1')}:{params.get('port', '5432')}/{name}"
    try:
        yield url
    finally:
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
