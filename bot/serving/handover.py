"""Graceful reload without a dropped push: old gunicorn workers serve until the new ones are warm.

On ``kill -HUP`` (``systemctl reload guidebot``) gunicorn forks new workers and at once sends the old
ones SIGTERM. A new worker takes its first connection only after ``post_worker_init`` has built its
matching index (seconds on a large hall), so for those seconds nobody accepts: pushes queue past
WeChat's 5 s. :func:`install` wraps the arbiter's ``manage_workers`` so that, while there are more
workers than configured, the old ones are stopped only once the newest set has reported ready
(:func:`mark_ready`, a file per pid in a folder of this master) or after ``limit`` seconds.

Runs in the gunicorn master, which keeps its imported modules across reloads: standard library only.
"""

import os
import time
from collections.abc import Callable
from typing import Any


class Handover:
    """Ready markers of one gunicorn master's workers, in ``directory``."""

    def __init__(self, directory: str, *, limit: float = 60.0, poll: float = 0.1) -> None:
        self.directory, self.limit, self.poll = directory, limit, poll
        os.makedirs(directory, exist_ok=True)

    def _path(self, pid: int) -> str:
        return os.path.join(self.directory, str(pid))

    def mark_ready(self, pid: int) -> None:
        """A worker has warmed up and is about to accept connections."""
        with open(self._path(pid), "w", encoding="ascii") as handle:
            handle.write(str(time.time()))

    def is_ready(self, pid: int) -> bool:
        return os.path.exists(self._path(pid))

    def forget(self, pid: int) -> None:
        """A worker has exited."""
        try:
            os.unlink(self._path(pid))
        except FileNotFoundError:
            pass

    def install(self, arbiter: Any, log: Callable[[str], None] | None = None) -> None:
        """Make ``arbiter.manage_workers`` wait for the newest workers before stopping older ones."""
        original = arbiter.manage_workers

        def manage_workers() -> None:
            self.wait_for_newest(arbiter, log)
            original()

        arbiter.manage_workers = manage_workers

    def wait_for_newest(self, arbiter: Any, log: Callable[[str], None] | None = None) -> None:
        """Block (the master) while surplus workers exist and the newest ``num_workers`` are not ready."""
        if len(arbiter.WORKERS) <= arbiter.num_workers:
            return
        deadline = time.monotonic() + self.limit
        while time.monotonic() < deadline:
            workers = sorted(arbiter.WORKERS.items(), key=lambda entry: entry[1].age)
            if len(workers) <= arbiter.num_workers:
                return
            newest = [pid for pid, _ in workers[-arbiter.num_workers :]]
            if all(self.is_ready(pid) for pid in newest):
                if log is not None:
                    log(f"new workers {newest} are warm; stopping the previous ones")
                return
            # A new worker that fails to boot makes reap_workers halt the server, as without this.
            arbiter.reap_workers()
            time.sleep(self.poll)
        if log is not None:
            log(f"new workers not warm after {self.limit:.0f} s; stopping the previous ones anyway")
