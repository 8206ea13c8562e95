"""Prometheus instruments every room may record into, like a logger; imports no guidebot module.

Off until :func:`enable`, which a worker calls when it starts or first serves (never the gunicorn
master: its gauges would count as a live worker's), unless ``GUIDEBOT_METRICS=false``; until then
every ``record_*`` function returns at once. Under gunicorn each worker records into memory-mapped
files in ``PROMETHEUS_MULTIPROC_DIR`` (``bot.serving.gunicorn_conf`` sets it up in the master) and
``/metrics`` adds them up (``bot.serving.ops``), so a scrape sees every worker, not just the one that
answered it. Label values come from small fixed sets only (kinds, actions, WeChat error codes), never
from citizens' text or openids.
"""

import bisect
import os
import threading
import time
from typing import Any

_lock = threading.Lock()
_instruments: "Instruments | None" = None

#: Reply latency buckets (seconds): WeChat gives up at 5 s, the deadline is 4 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0)
REBUILD_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


class Instruments:
    """The metric objects of this process (built once, after the multiprocess choice is made)."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Gauge, Histogram, values

        if multiprocess_dir() and values.ValueClass is values.MutexValue:
            # prometheus_client picks its value class when first imported; a process that imported
            # it before PROMETHEUS_MULTIPROC_DIR was set would otherwise count in its own memory only.
            values.ValueClass = values.get_value_class()
        self.pushes = Counter(
            "guidebot_pushes",
            "WeChat pushes answered, by message type and what the bot did",
            ["type", "action"],
        )
        self.refused = Counter(
            "guidebot_pushes_refused", "Pushes refused (bad signature, body, XML)", ["status"]
        )
        self.latency = Histogram(
            "guidebot_reply_seconds", "Seconds from a push's arrival to its reply", buckets=LATENCY_BUCKETS
        )
        self.deadline_misses = Counter(
            "guidebot_deadline_misses", "Answers later than ANSWER_DEADLINE (sent through the outbox)"
        )
        self.dedup_hits = Counter("guidebot_dedup_hits", "WeChat retries answered from the remembered reply")
        self.outbox = Counter(
            "guidebot_outbox_messages",
            "Customer-service message attempts by result (sent, retried, failed) and WeChat errcode",
            ["result", "errcode"],
        )
        self.token = Counter(
            "guidebot_token_refreshes",
            "access_token fetches by result and WeChat errcode",
            ["result", "errcode"],
        )
        self.fallbacks = Counter(
            "guidebot_store_fallbacks", "State-store calls answered by the fallback store", ["store"]
        )
        self.database_errors = Counter(
            "guidebot_database_errors",
            "Database operations that failed, by what was being done",
            ["operation"],
        )
        self.index_version = Gauge(
            "guidebot_index_version",
            "Knowledge-base version of the matching index (the lowest among live workers)",
            multiprocess_mode="livemin",
        )
        self.index_built = Gauge(
            "guidebot_index_built_timestamp_seconds",
            "When the oldest index among live workers was built (Unix time)",
            multiprocess_mode="livemin",
        )
        self.index_items = Gauge(
            "guidebot_index_items", "Items in the matching index", multiprocess_mode="livemax"
        )
        self.rebuild = Histogram(
            "guidebot_index_rebuild_seconds", "Seconds to build the matching index", buckets=REBUILD_BUCKETS
        )
        self._children: dict[tuple[Any, ...], Any] = {}

    def child(self, metric: Any, *labels: str) -> Any:
        """``metric.labels(*labels)``, cached (prometheus_client's lookup costs more than the increment)."""
        key = (id(metric), *labels)
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = metric.labels(*labels)
        return found


def multiprocess_dir() -> str:
    """The folder shared by gunicorn's workers, or "" in a single process."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir") or ""


#: Seconds between writes of the buffered push counts to the instruments (see :class:`_PushBuffer`).
FLUSH_INTERVAL = 1.0


def enable() -> None:
    """Turn recording on in this process (idempotent); starts the flusher of the push counts."""
    global _instruments
    with _lock:
        if _instruments is None:
            _instruments = Instruments()
            _BUFFER.start(_instruments)


def flush() -> None:
    """Write the push counts buffered in this process (before a scrape, at a worker's exit)."""
    found = _instruments
    if found is not None:
        _BUFFER.flush(found)


def enabled() -> bool:
    return _instruments is not None


def instruments() -> Instruments | None:
    """This process's instruments, or None while metrics are off."""
    return _instruments


class _PushBuffer:
    """Push counts and latencies added up in plain Python and written out once a second.

    Under gunicorn every increment of a prometheus_client value is a locked write into a memory-mapped
    file: a push's four of them cost about 20 µs, a few percent of the push itself. Here a push costs
    one lock and a few dict and list additions; a thread writes the sums every ``FLUSH_INTERVAL``
    seconds, and :func:`flush` writes them at once (a scrape, a worker's exit). A worker killed hard
    loses at most that second's counts.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset()
        self._thread: threading.Thread | None = None

    def _reset(self) -> None:
        self.pushes: dict[tuple[str, str], int] = {}
        self.buckets = [0] * (len(LATENCY_BUCKETS) + 1)  # the last one is +Inf
        self.total = 0.0

    def add(self, kind: str, action: str, seconds: float) -> None:
        # bisect_left: the first bound ≥ seconds, the bucket prometheus_client's observe() would pick.
        index = bisect.bisect_left(LATENCY_BUCKETS, seconds)
        with self._lock:
            key = (kind, action)
            self.pushes[key] = self.pushes.get(key, 0) + 1
            self.buckets[index] += 1
            self.total += seconds

    def flush(self, found: Instruments) -> None:
        with self._lock:
            pushes, buckets, total = self.pushes, self.buckets, self.total
            self._reset()
        for (kind, action), count in pushes.items():
            found.child(found.pushes, kind, action).inc(count)
            if action == "late":
                found.deadline_misses.inc(count)
            elif action == "duplicate":
                found.dedup_hits.inc(count)
        if any(buckets):
            _add_observations(found.latency, buckets, total)

    def start(self, found: Instruments) -> None:
        def loop() -> None:
            while True:
                time.sleep(FLUSH_INTERVAL)
                try:
                    self.flush(found)
                except Exception:  # a full disk must not stop counting for good
                    continue

        self._thread = threading.Thread(target=loop, name="guidebot-metrics", daemon=True)
        self._thread.start()


def _add_observations(histogram: Any, buckets: list[int], total: float) -> None:
    """Add per-bucket counts and their sum to ``histogram`` (what that many ``observe`` calls would add)."""
    parts = getattr(histogram, "_buckets", None)
    if parts is None or len(parts) != len(buckets) or not hasattr(histogram, "_sum"):
        # prometheus_client changed its insides: observe one value per bucket (its upper bound).
        bounds = [*LATENCY_BUCKETS, LATENCY_BUCKETS[-1] * 2]
        for bound, count in zip(bounds, buckets, strict=True):
            for _ in range(count):
                histogram.observe(bound)
        return
    histogram._sum.inc(total)
    for part, count in zip(parts, buckets, strict=True):
        if count:
            part.inc(count)


_BUFFER = _PushBuffer()


def record_push(kind: str, action: str, seconds: float) -> None:
    """One answered push: its type, what the bot did, and how long the reply took."""
    if _instruments is not None:
        _BUFFER.add(kind, action, seconds)


def record_refused(status: int) -> None:
    found = _instruments
    if found is not None:
        found.child(found.refused, str(status)).inc()


def record_outbox(result: str, errcode: int | None) -> None:
    """One customer-service send attempt: sent, retried or failed, with WeChat's errcode (0 when sent)."""
    found = _instruments
    if found is not None:
        found.child(found.outbox, result, _code(errcode)).inc()


def record_token(ok: bool, errcode: int | None = None) -> None:
    found = _instruments
    if found is not None:
        found.child(found.token, "ok" if ok else "failed", "0" if ok else _code(errcode)).inc()


def record_fallback(store: str) -> None:
    found = _instruments
    if found is not None:
        found.child(found.fallbacks, store).inc()


def record_database_error(operation: str) -> None:
    found = _instruments
    if found is not None:
        found.child(found.database_errors, operation).inc()


def record_index(version: int, items: int, built_at: float, seconds: float) -> None:
    """A matching index built (at start or after a publish)."""
    found = _instruments
    if found is None:
        return
    found.index_version.set(version)
    found.index_items.set(items)
    found.index_built.set(built_at)
    found.rebuild.observe(seconds)


def _code(errcode: int | None) -> str:
    # WeChat's codes are a small documented set; anything else (no answer at all) is "none".
    return str(errcode) if isinstance(errcode, int) else "none"
