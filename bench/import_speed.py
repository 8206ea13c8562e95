"""How long importing a knowledge base takes on SQLite and PostgreSQL.

    python bench/import_speed.py [PATH]   (default: ../shared/kb/guangdong-2021.json)

For each backend: a fresh database migrated through Alembic, a first import (every item new),
a re-import of the same file (every item unchanged), and a re-import where every item changed.
The PostgreSQL run uses a throw-away database on 127.0.0.1:5432 and is skipped when unreachable.
"""

import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlmodel import Session

from knowledge import schema, storage
from knowledge.db import make_engine, upgrade
from knowledge.testing import PostgresUnavailable, postgres_database

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "kb" / "guangdong-2021.json"


def _changed(kb: schema.KnowledgeBase) -> schema.KnowledgeBase:
    items = [item.model_copy(update={"name": item.name + "（新）"}) for item in kb.items]
    return kb.model_copy(update={"items": items})


def _timed(url: str, kb: schema.KnowledgeBase) -> list[tuple[str, float, str]]:
    engine = make_engine(url)
    upgrade(engine)
    rows = []
    for label, document in (("first import", kb), ("re-import, unchanged", kb), ("re-import, all changed",
                                                                                _changed(kb))):
        with Session(engine) as session:
            start = time.perf_counter()
            report = storage.import_kb(session=session, kb=document, author="bench")
            rows.append((label, time.perf_counter() - start, report.summary()))
    engine.dispose()
    return rows


@contextmanager
def _sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{folder}/bench.sqlite3"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    kb = schema.load_kb(path)
    print(f"{path.name}: {len(kb.items)} items")
    backends = {"SQLite (file, WAL)": _sqlite_url, "PostgreSQL": lambda: postgres_database("guidebot_bench")}
    for name, database in backends.items():
        try:
            with database() as url:
                for label, seconds, summary in _timed(url, kb):
                    rate = len(kb.items) / seconds
                    print(f"{name:20} {label:24} {seconds:7.2f} s {rate:9.0f} items/s   {summary}")
        except PostgresUnavailable as exc:
            print(f"{name:20} skipped: {exc}")


if __name__ == "__main__":
    main()
