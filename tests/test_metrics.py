"""bot/metrics.py: recording is free while off, label children are cached, multiprocess files add up."""

import os
import subprocess
import sys
import textwrap

from prometheus_client import REGISTRY

from bot import metrics


def test_records_are_counted_once_enabled():
    metrics.enable()
    metrics.enable()  # idempotent: no duplicate registration
    before = REGISTRY.get_sample_value(
        "guidebot_outbox_messages_total", {"result": "failed", "errcode": "45015"}
    )
    metrics.record_outbox("failed", 45015)
    metrics.record_outbox("failed", 45015)
    after = REGISTRY.get_sample_value(
        "guidebot_outbox_messages_total", {"result": "failed", "errcode": "45015"}
    )
    assert (after or 0) - (before or 0) == 2
    found = metrics.instruments()
    assert found is not None
    assert found.child(found.outbox, "failed", "45015") is found.child(found.outbox, "failed", "45015")


def test_unknown_errcodes_become_none():
    metrics.enable()
    before = REGISTRY.get_sample_value(
        "guidebot_token_refreshes_total", {"result": "failed", "errcode": "none"}
    )
    metrics.record_token(False, None)
    after = REGISTRY.get_sample_value(
        "guidebot_token_refreshes_total", {"result": "failed", "errcode": "none"}
    )
    assert (after or 0) - (before or 0) == 1


def test_two_processes_add_up_in_the_multiprocess_folder(tmp_path):
    # What gunicorn's workers do: each records into its own files; the collector sums them. The first
    # process imports prometheus_client before the folder is set (as `guidebot serve` may).
    script = textwrap.dedent(
        """
        import os, sys
        import prometheus_client  # imported before the folder is known
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = sys.argv[1]
        from bot import metrics
        metrics.enable()
        for _ in range(int(sys.argv[2])):
            metrics.record_push("text", "answer", 0.01)
        metrics.record_index(7, 77, 1000.0, 1.5)
        metrics.flush()  # what a worker's exit does
        """
    )
    for count in ("3", "4"):
        subprocess.run([sys.executable, "-c", script, str(tmp_path), count], check=True, cwd=os.getcwd())
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(tmp_path))
    assert registry.get_sample_value("guidebot_pushes_total", {"type": "text", "action": "answer"}) == 7
    assert registry.get_sample_value("guidebot_reply_seconds_count") == 7


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_push_counts_are_buffered_and_land_in_the_buckets_observe_would_pick():
    metrics.enable()
    metrics.flush()
    values = [0.004, 0.005, 0.3, 4.5, 7.0]  # on a bound, between bounds, past the last (+Inf)
    before = {le: sample("guidebot_reply_seconds_bucket", le=le) for le in ("0.005", "0.5", "5.0", "+Inf")}
    count, total = sample("guidebot_reply_seconds_count"), sample("guidebot_reply_seconds_sum")
    late = sample("guidebot_deadline_misses_total")
    for value in values:
        metrics.record_push("voice", "late", value)
    metrics.flush()
    after = {le: sample("guidebot_reply_seconds_bucket", le=le) for le in before}
    assert {le: after[le] - before[le] for le in before} == {"0.005": 2, "0.5": 3, "5.0": 4, "+Inf": 5}
    assert sample("guidebot_reply_seconds_count") - count == 5
    assert abs(sample("guidebot_reply_seconds_sum") - total - sum(values)) < 1e-9
    assert sample("guidebot_deadline_misses_total") - late == 5


def test_the_flusher_writes_within_a_second_or_two():
    import time

    metrics.enable()
    metrics.flush()
    before = sample("guidebot_pushes_total", type="link", action="reply")
    metrics.record_push("link", "reply", 0.01)
    deadline = time.monotonic() + 3 * metrics.FLUSH_INTERVAL
    while (
        time.monotonic() < deadline and sample("guidebot_pushes_total", type="link", action="reply") == before
    ):
        time.sleep(0.05)
    assert sample("guidebot_pushes_total", type="link", action="reply") == before + 1
