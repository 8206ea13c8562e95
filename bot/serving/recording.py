"""Recording questions, handoffs and ratings for the administrators' review, personal data masked.

Text is masked with ``bot.matching.pii.mask_personal_data`` before it is stored; openids are stored as keyed
hashes (the raw openid is kept only on question rows, for replying within WeChat's 48 h window,
and cleared after 48 h by ``guidebot purge`` and the console's retention job). While the database is
down, ``bot.serving.spooling.SpoolingRecorder`` keeps questions in a local spool instead.
"""

import datetime as dt
import functools
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, func, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, col, select

from bot.conversation.records import Question, hash_openid


@functools.lru_cache(maxsize=4096)
def _candidates_json(scores: tuple[tuple[str, float], ...]) -> str:
    return json.dumps([[code, round(score, 4)] for code, score in scores], ensure_ascii=False)


def _copy_rows(connection: Any, table: Any, rows: Sequence[dict[str, object]]) -> None:
    """Insert ``rows`` with PostgreSQL's COPY, in the connection's transaction.

    A quarter of the cost of an executemany per row, and these batches carry every question a
    worker sees. Values go through the columns' own bind processing, as an INSERT's would.
    """
    dialect = connection.dialect
    names = list(rows[0])
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        row[name] if process is None else process(row[name])
                        for name, process in zip(names, processors, strict=True)
                    ]
                )
    finally:
        cursor.close()


def _once(table: Any, dialect: str) -> Any:
    """An INSERT into ``question_log`` that skips a row whose MsgId is there already."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing(index_elements=["msg_id"])
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing(index_elements=["msg_id"])
    return insert(table)


class DatabaseRecorder:
    """Writes ``question_log`` and ``rating`` rows."""

    def __init__(self, engine: Engine, *, hash_key: str) -> None:
        self.engine, self.hash_key = engine, hash_key
        self._rows: dict[tuple[str, ...], Any] = {}  # SQLite: one statement per column set

    def _sqlite_insert(self, rows: Sequence[dict[str, object]]) -> None:
        """``rows`` as one multi-row INSERT in autocommit mode (see ``knowledge.driver``)."""
        from knowledge.driver import RowsStatement
        from knowledge.models import QuestionLog

        names = tuple(rows[0])
        statement = self._rows.get(names)
        if statement is None:
            table = QuestionLog.__table__  # type: ignore[attr-defined]
            statement = self._rows[names] = RowsStatement(self.engine, table, _once(table, "sqlite"), names)
        connection = self.engine.raw_connection()
        try:
            statement.run(connection, rows)
        except BaseException as exc:
            from knowledge.db import recover

            if recover(self.engine, exc):
                connection.invalidate()  # read-only or damaged: fresh connections from now on
            else:
                connection.close()
            raise
        connection.close()

    def values(self, question: Question, created_at: dt.datetime | None = None) -> dict[str, object]:
        """The ``question_log`` column values of ``question``, asked at ``created_at`` (default now)."""
        # A plain dict, not a QuestionLog instance: this runs on every push, and building a model
        # (validation, instance state) costs more than inserting the row. Every column is named.
        decision = question.decision
        masked = question.masked
        return {
            "created_at": created_at or dt.datetime.now(dt.UTC),
            "msg_id": question.msg_id,
            "openid": question.openid,
            "openid_hash": hash_openid(question.openid, self.hash_key),
            "text": masked,
            # The raw text is kept only when masking changed nothing: never store personal data.
            "raw_text": question.text if masked == question.text else None,
            "action": decision.action,
            "reason": decision.reason,
            "item_code": decision.item,
            "field": decision.field,
            "score": round(decision.score, 4),
            "candidates": _candidates_json(decision.scores),
            "state": "open",
            "group_key": masked.strip().lower()[:200] or None,
        }

    def question(self, question: Question) -> None:
        self.insert_rows([self.values(question)])

    def insert_rows(self, rows: Sequence[dict[str, object]]) -> None:
        """Insert ``question_log`` rows made by :meth:`values` in one transaction.

        A row whose MsgId is recorded already is skipped (the unique index on ``msg_id``): a retry
        answered twice, because its claim moved between stores in an outage, is recorded once.
        """
        from knowledge.models import QuestionLog

        if not rows:
            return
        if self.engine.dialect.name == "sqlite" and not isinstance(self.engine.pool, StaticPool):
            # One statement, so the write lock is never held across a return to Python while
            # the other workers' pushes wait for it.
            self._sqlite_insert(rows)
            return
        table = QuestionLog.__table__  # type: ignore[attr-defined]
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            # COPY runs on the driver's cursor: its errors come as the driver's own classes.
            duplicate = (IntegrityError, self.engine.dialect.loaded_dbapi.IntegrityError)
            try:
                with self.engine.begin() as connection:
                    _copy_rows(connection, table, rows)
                return
            except duplicate:
                pass  # a MsgId recorded already: the rows again, skipping it
        with self.engine.begin() as connection:
            # Core INSERTs (the ORM's unit of work costs more than the statement on every push).
            connection.execute(_once(table, dialect), list(rows))

    def rating(
        self, *, item_code: str, score: int, openid: str, created_at: dt.datetime | None = None
    ) -> None:
        """Record a rating (at ``created_at``, default now: the spool's copy names the same moment)."""
        from knowledge.db import write_session
        from knowledge.models import Rating

        with write_session(self.engine) as session:
            session.add(
                Rating(
                    item_code=item_code,
                    score=score,
                    openid_hash=hash_openid(openid, self.hash_key),
                    created_at=created_at or dt.datetime.now(dt.UTC),
                )
            )

    def most_asked(self, limit: int) -> list[str]:
        from knowledge.models import QuestionLog

        count = func.count(col(QuestionLog.id))
        query = (
            select(QuestionLog.item_code, count)
            .where(QuestionLog.action == "answer", col(QuestionLog.item_code).is_not(None))
            .group_by(col(QuestionLog.item_code))
            .order_by(count.desc())
            .limit(limit)
        )
        with Session(self.engine) as session:
            return [code for code, _ in session.exec(query) if code]
