"""Write-behind for the state store: replies and states written in batches, off the request path.

A push needs the shared store twice: to claim it (and load the citizen's state) before answering,
and to remember the reply and save the new state after. Only the first decides anything; the
second is for WeChat's retries (which come 5 s later at the earliest) and the citizen's next
message (seconds later). :class:`WriteBehindStore` queues the second write and a background
thread sends everything queued in one round trip every ``interval`` seconds, so under load a push
costs the shared store one round trip instead of two.

Until its batch is written, this process answers ``load`` and ``reply_for`` from what is queued, so
it never reads its own writes stale. Another worker sees them ``interval`` seconds later at most.
A worker that is killed outright loses at most that much: replies for retries (the retry then
waits for nothing and gets an empty body) and the newest state of a few citizens (they lose the
context of their last question). Used in gunicorn workers (``bot.serving.runtime.warm_up``); the CLI and
tests use stores directly.
"""

import logging
import threading
from typing import Any

from bot.conversation.state import Finish, StateStore

log = logging.getLogger(__name__)


def copy_state(value: Any) -> Any:
    """A deep copy of a state (JSON data: dicts, lists, strings, numbers), several times faster than
    ``copy.deepcopy``: a reader may change what it loaded, the queued original goes to the store."""
    if isinstance(value, dict):
        return {key: copy_state(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_state(item) for item in value]
    return value


class WriteBehindStore:
    """``store`` with :meth:`finish` and :meth:`save` queued and written in batches.

    Writers hand their state dicts over: a dict saved here must not be changed afterwards.
    """

    def __init__(self, store: StateStore, *, interval: float = 0.02) -> None:
        self.store, self.interval = store, interval
        self._lock = threading.Lock()
        self._queue: list[Finish] = []
        # What is queued, for this process's own reads until it is written.
        self._replies: dict[str, str] = {}
        self._states: dict[str, dict[str, Any] | None] = {}  # None: forgotten
        self._wake = threading.Event()
        self._stopping = False
        self._halt = threading.Event()  # cuts the gathering pause short on stop
        self._thread: threading.Thread | None = None
        self._flush_lock = threading.Lock()

    # -- writes: queued --

    def finish(self, dedup_key: str, reply: str, key: str, data: dict[str, Any] | None) -> None:
        self.finish_many([(dedup_key, reply, key, data)])

    def finish_many(self, entries: list[Finish]) -> None:
        with self._lock:
            # The caller hands ``data`` over (a push's state is not touched after its save), so no
            # copy here; reads get copies. Identity tells, after a write, whether a newer value
            # for the key came meanwhile.
            for dedup_key, reply, key, data in entries:
                if dedup_key is not None:
                    self._replies[dedup_key] = reply
                if data is not None:
                    self._states[key] = data
                self._queue.append((dedup_key, reply, key, data))
        if self._thread is not None:
            self._wake.set()
        else:
            self.flush()

    def save(self, key: str, data: dict[str, Any]) -> None:
        self.finish_many([(None, "", key, data)])

    def remember_reply(self, dedup_key: str, reply: str) -> None:
        self.finish_many([(dedup_key, reply, "", None)])

    def forget(self, key: str) -> None:
        # Written at once, after what is queued, so an older queued state cannot bring it back.
        with self._lock:
            self._states[key] = None
        self.flush()
        self.store.forget(key)
        with self._lock:
            if key in self._states and self._states[key] is None:
                del self._states[key]

    # -- reads: what is queued first --

    def load(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            if key in self._states:
                queued = self._states[key]
                return copy_state(queued) if queued is not None else None
        return self.store.load(key)

    def reply_for(self, dedup_key: str) -> str | None:
        with self._lock:
            queued = self._replies.get(dedup_key)
        return queued if queued is not None else self.store.reply_for(dedup_key)

    def claim(self, dedup_key: str) -> bool:
        return self.store.claim(dedup_key)

    def claim_and_load(self, dedup_key: str, key: str) -> tuple[bool, dict[str, Any] | None]:
        first, found = self.store.claim_and_load(dedup_key, key)
        if first:
            with self._lock:
                if key in self._states:
                    queued = self._states[key]
                    found = copy_state(queued) if queued is not None else None
        return first, found

    # -- the writer --

    def flush(self) -> int:
        """Write everything queued now, in order; returns how many entries were written."""
        with self._flush_lock:
            with self._lock:
                batch, self._queue = self._queue, []
            if not batch:
                return 0
            try:
                self.store.finish_many(batch)
            except Exception:
                # The stores below fall back (Redis → database → memory) before raising, so this
                # is rare; the batch is lost, never retried out of order.
                log.exception("cannot write %d queued replies and states", len(batch))
            with self._lock:
                # Drop what this batch wrote, unless a newer write for the same key is queued.
                for dedup_key, reply, key, data in batch:
                    if dedup_key is not None and self._replies.get(dedup_key) is reply:
                        del self._replies[dedup_key]
                    if data is not None and self._states.get(key) is data:
                        del self._states[key]
            return len(batch)

    def start(self) -> None:
        """Write from a background thread every ``interval`` seconds while anything is queued."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping = False
        self._halt.clear()

        def loop() -> None:
            while not self._stopping:
                self._wake.wait()
                self._wake.clear()
                if not self._stopping:
                    # Let a batch gather: one round trip for every push of the interval.
                    self._halt.wait(self.interval)
                self.flush()

        self._thread = threading.Thread(target=loop, name="guidebot-state-writer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is queued and go back to writing at once (a worker's exit, tests)."""
        thread = self._thread
        self._thread = None
        if thread is not None:
            self._stopping = True
            self._halt.set()
            self._wake.set()
            thread.join(timeout)
        self.flush()
