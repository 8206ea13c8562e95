"""gunicorn settings for guidebot: ``gunicorn -c python:bot.serving.gunicorn_conf -w 4 webhook:app``.

Each worker first checks that the database's schema is the one this version needs (a worker on an
unmigrated database would answer every push with an apology: it refuses to start instead, with a line
saying to run ``guidebot db upgrade``, and gunicorn stops). Then it builds its matching index and
starts its index refresher and spool drainer (``post_worker_init``), so the first push never waits for
an index build; only then does it accept connections, and on a reload (``kill -HUP``) the previous
workers keep serving until the new ones are warm (``bot.serving.handover``). Questions are recorded
in batches by a background thread in each worker, flushed when the worker exits (``worker_exit``).

The master sets up what its workers share: ``PROMETHEUS_MULTIPROC_DIR`` for ``/metrics`` across
workers and the ready markers of the handover, in a fresh folder removed when it exits. Log lines
(gunicorn's own too) carry time, level, process and event; ``GUIDEBOT_LOG_FORMAT=json`` makes them
JSON. This module is imported by every ``guidebot`` command (``guidebot serve`` reuses it): nothing
happens at import beyond defining settings.
"""

import os
import shutil
import sys
import tempfile
import time
from typing import Any

from bot.serving.logs import logconfig_dict as _logconfig

# The embedding engine's OpenMP: one thread per worker (more spin and stall under load), and never a
# pool in the master (a forked worker would hang on it). Read when the engine loads, in each worker.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

worker_class = "sync"
timeout = 30
graceful_timeout = 20
# WeChat gives up after 5 s; a request queued longer than that is useless, so keep the backlog short.
backlog = 256
# gunicorn 23+ opens a control socket in ~/.gunicorn; several instances on one host would share it.
control_socket_disable = True
logconfig_dict = _logconfig(
    os.environ.get("GUIDEBOT_LOG_FORMAT", "text"), os.environ.get("GUIDEBOT_LOG_LEVEL", "INFO")
)

#: gunicorn's exit code for a worker that could not boot: the master then stops instead of respawning.
WORKER_BOOT_ERROR = 3

_run_dir: str | None = None  # this master's folder (inherited by its forked workers)
_created_metrics_dir = False


def _metrics_on() -> bool:
    return os.environ.get("GUIDEBOT_METRICS", "true").strip().lower() not in ("0", "false", "no", "off")


def _handover() -> Any:
    from bot.serving.handover import Handover

    assert _run_dir is not None
    return Handover(os.path.join(_run_dir, "ready"))


def on_starting(server: Any) -> None:
    """The master, before any worker: the shared folder, the metrics folder, the reload handover."""
    global _run_dir, _created_metrics_dir
    if _run_dir is None:
        _run_dir = tempfile.mkdtemp(prefix="guidebot-")
    if _metrics_on():
        directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if not directory:
            directory = os.path.join(_run_dir, "metrics")
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
            _created_metrics_dir = True
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):  # a previous run's counters are not this run's
            if name.endswith(".db"):
                os.unlink(os.path.join(directory, name))
    _handover().install(server, server.log.info)


def post_worker_init(worker: Any) -> None:
    from bot.serving import health, runtime

    try:
        health.check_schema(worker.wsgi)
    except health.SchemaNotReady as exc:
        worker.log.error("%s", exc)
        _refuse_to_boot(worker)
    runtime.warm_up(worker.wsgi, batch_recording=True, write_behind=True)
    if _run_dir is not None:
        _handover().mark_ready(worker.pid)
    worker.log.info("guidebot worker %s ready", worker.pid)


def _refuse_to_boot(worker: Any) -> None:
    """Exit with WORKER_BOOT_ERROR, so that the master stops; one worker only. Two workers exiting so at the
    same moment make gunicorn's arbiter raise again while halting, and it exits with status 1 instead of 3
    (which the systemd unit would then restart). The others wait for the master's stop and leave quietly."""
    if _run_dir is not None:
        try:
            os.close(os.open(os.path.join(_run_dir, "refused"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            deadline = time.monotonic() + graceful_timeout
            while worker.alive and time.monotonic() < deadline:
                time.sleep(0.05)  # SIGTERM from the halting master clears ``alive``
            if not worker.alive:
                sys.exit(0)
    sys.exit(WORKER_BOOT_ERROR)


def worker_exit(_server: Any, worker: Any) -> None:
    from bot import metrics
    from bot.serving import runtime
    from bot.serving.logs import flush_repeats

    runtime.shut_down(worker.wsgi)
    metrics.flush()  # the last second's push counts (a reload must not lose them)
    flush_repeats()


def child_exit(_server: Any, worker: Any) -> None:
    """The master, after a worker exited: its live gauges and its ready marker go."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
    if _run_dir is not None:
        _handover().forget(worker.pid)


def on_exit(_server: Any) -> None:
    if _run_dir is not None:
        shutil.rmtree(_run_dir, ignore_errors=True)
    if _created_metrics_dir:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
