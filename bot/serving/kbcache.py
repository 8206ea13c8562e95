"""The database's knowledge, rebuilt on change.

:class:`DatabaseKnowledge`
serves the published items of the database and rebuilds the Matcher when ``storage.kb_version``
changes (or the China date does, for items with an effective date), without a restart: the version
is checked at most every ``interval`` seconds, the rebuild runs in a background thread, and the
old index keeps answering meanwhile.
"""

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine
from sqlmodel import Session

from bot import metrics
from bot.conversation.hours import CHINA
from bot.conversation.knowledge import Knowledge, SemanticSetup, build, with_semantic
from knowledge.schema import Hall

log = logging.getLogger(__name__)

class DatabaseKnowledge:
    """The database's published items, re-indexed in the background when they change."""

    def __init__(
        self,
        engine: Engine,
        *,
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        semantic: Callable[[], SemanticSetup | None] = lambda: None,
    ) -> None:
        self.engine, self.interval, self.clock = engine, interval, clock
        #: The semantic stage's setup, asked for in the worker (the model loads after the fork).
        self.semantic = semantic
        self._embedding: threading.Thread | None = None
        self._lock = threading.Lock()
        self._current: Knowledge | None = None
        self._checked = float("-inf")
        self._building = False
        self._refresher: threading.Thread | None = None
        self._stop = threading.Event()
        #: When the index in memory was built (Unix time), how long that took, and its item count.
        self.built_at: float | None = None
        self.build_seconds = 0.0
        self.items = 0

    def _key(self) -> tuple[int, str]:
        from knowledge import storage

        with Session(self.engine) as session:
            return storage.kb_version(session=session), dt.datetime.now(CHINA).date().isoformat()

    def _load(self, key: tuple[int, str]) -> Knowledge:
        """The lexical index of version ``key``; the semantic stage is attached in the background (the model
        loads there, and passages the vector cache lacks are embedded) while the bot answers lexically."""
        from knowledge import storage

        started = time.monotonic()
        with Session(self.engine) as session:
            today = dt.date.fromisoformat(key[1])
            items = storage.published_items(session=session, today=today)
            hall = storage.get_hall(session=session) or Hall(name="政务服务中心")
            synonyms = {row.word: row.canonical for row in storage.list_synonyms(session=session)}
            extra = storage.resolved_questions(session=session)
        knowledge = build(items, hall, synonyms=synonyms, version=key)
        self.build_seconds, self.built_at, self.items = time.monotonic() - started, time.time(), len(items)
        metrics.record_index(key[0], len(items), self.built_at, self.build_seconds)
        log.info(
            "knowledge index built: version %s, %d items in %.2f s", key, len(items), self.build_seconds,
            extra={"event": "index_built", "kb_version": key[0], "items": len(items)},
        )
        thread = threading.Thread(
            target=self._embed, args=(knowledge, extra), name="guidebot-embed", daemon=True
        )
        self._embedding = thread
        thread.start()
        return knowledge

    def _embed(self, knowledge: Knowledge, extra: dict[str, list[str]]) -> None:
        """Embed what the cache lacks for ``knowledge``, then serve it with the semantic stage, unless a
        newer version has replaced it meanwhile."""
        try:
            setup = self.semantic()
            if setup is None:
                return
            replaced = lambda: self._current_version() != knowledge.version  # noqa: E731
            done = with_semantic(knowledge, setup, extra=extra, should_stop=replaced)
        except Exception:
            log.exception("semantic stage for version %s failed; answering lexically", knowledge.version)
            return
        if done is None:
            return
        with self._lock:
            if self._current is not None and self._current.version == knowledge.version:
                self._current = done
                log.info("semantic stage ready for version %s", knowledge.version)

    def _current_version(self) -> object:
        current = self._current
        return current.version if current is not None else None

    def wait_for_semantic(self, timeout: float = 600.0) -> None:
        """Block until a background embedding has finished (tests, the CLI)."""
        thread = self._embedding
        if thread is not None:
            thread.join(timeout)

    def _rebuild(self, key: tuple[int, str]) -> None:
        try:
            knowledge = self._load(key)
            with self._lock:
                self._current = knowledge
        except Exception:
            metrics.record_database_error("index")
            log.exception(
                "knowledge index rebuild failed; keeping version %s",
                self._current.version if self._current else None,
            )
        finally:
            with self._lock:
                self._building = False

    @property
    def _refreshing(self) -> bool:
        return self._refresher is not None and self._refresher.is_alive() and not self._stop.is_set()

    @property
    def current(self) -> Knowledge | None:
        """The index in memory, or None before the first build."""
        return self._current

    @property
    def ready(self) -> bool:
        """True when a call returns the index in memory without touching the database."""
        return self._current is not None and self._refreshing

    def __call__(self) -> Knowledge:
        current = self._current
        if current is not None and self._refreshing and threading.current_thread() is not self._refresher:
            return current  # the refresher checks the version; a push never waits for that query
        if current is None:
            with self._lock:
                if self._current is None:
                    self._current = self._load(self._key())
                    self._checked = self.clock()
                return self._current
        now = self.clock()
        if now - self._checked < self.interval:
            return current
        with self._lock:
            if now - self._checked < self.interval or self._building:
                return current
            self._checked = now
        try:
            key = self._key()
        except Exception:
            metrics.record_database_error("index")
            log.exception("cannot read the knowledge-base version; serving version %s", current.version)
            return current
        if key != current.version:
            with self._lock:
                if self._building:
                    return current
                self._building = True
            threading.Thread(target=self._rebuild, args=(key,), name="guidebot-reindex", daemon=True).start()
        return current

    def start_refresher(self) -> None:
        """Check for a changed knowledge base every ``interval`` seconds in a daemon thread.

        Without it the check runs only when a push arrives, so that push still gets the old index.
        """
        if self._refresher is not None and self._refresher.is_alive():
            return

        def loop() -> None:
            while not self._stop.wait(self.interval):
                try:
                    self()
                except Exception:
                    log.exception("knowledge index refresh failed")

        self._refresher = threading.Thread(target=loop, name="guidebot-index-refresh", daemon=True)
        self._refresher.start()

    def stop_refresher(self) -> None:
        self._stop.set()

    def wait_for_rebuild(self, timeout: float = 10.0) -> None:
        """Block until a background rebuild has finished (tests, the CLI)."""
        deadline = time.monotonic() + timeout
        while self._building and time.monotonic() < deadline:
            time.sleep(0.01)
