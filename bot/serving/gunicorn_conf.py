"""gunicorn settings for guidebot: ``gunicorn -c python:bot.serving.gunicorn_conf -w 4 webhook:app``.

Each worker builds its matching index and starts its index refresher and spool drainer right after
it starts (``post_worker_init``), so the first push never waits for an index build. Questions are
recorded in batches by a background thread in each worker, flushed when the worker exits
(``worker_exit``).
"""

import os
from typing import Any

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


def post_worker_init(worker: Any) -> None:
    from bot.serving import runtime

    runtime.warm_up(worker.wsgi, batch_recording=True, write_behind=True)
    worker.log.info("guidebot worker %s ready", worker.pid)


def worker_exit(_server: Any, worker: Any) -> None:
    from bot.serving import runtime

    runtime.shut_down(worker.wsgi)
