"""bot/serving/handover.py: on a reload, old workers are stopped only once the newest are warm."""

import threading
import time
from dataclasses import dataclass

from bot.serving.handover import Handover


@dataclass
class Worker:
    age: int


class Arbiter:
    """The parts of gunicorn's Arbiter that the handover uses."""

    def __init__(self, workers: dict[int, Worker], num_workers: int) -> None:
        self.WORKERS, self.num_workers = workers, num_workers
        self.killed: list[int] = []
        self.reaped = 0

    def manage_workers(self) -> None:  # gunicorn's: stop the oldest surplus workers
        for pid, _ in sorted(self.WORKERS.items(), key=lambda entry: entry[1].age)[: -self.num_workers]:
            self.killed.append(pid)
            del self.WORKERS[pid]

    def reap_workers(self) -> None:
        self.reaped += 1


def test_old_workers_keep_serving_until_the_new_ones_are_ready(tmp_path):
    handover = Handover(str(tmp_path / "ready"), limit=10, poll=0.01)
    arbiter = Arbiter({101: Worker(1), 102: Worker(2), 201: Worker(3), 202: Worker(4)}, num_workers=2)
    handover.mark_ready(101)
    handover.mark_ready(102)
    handover.install(arbiter)
    done = threading.Event()
    threading.Thread(target=lambda: (arbiter.manage_workers(), done.set()), daemon=True).start()
    time.sleep(0.2)
    assert not done.is_set() and arbiter.killed == []  # the new workers are still building their index
    handover.mark_ready(201)
    time.sleep(0.1)
    assert not done.is_set()
    handover.mark_ready(202)
    assert done.wait(2)
    assert arbiter.killed == [101, 102] and arbiter.reaped > 0


def test_without_surplus_workers_nothing_waits(tmp_path):
    handover = Handover(str(tmp_path / "ready"), limit=10)
    arbiter = Arbiter({201: Worker(3), 202: Worker(4)}, num_workers=2)
    handover.install(arbiter)
    started = time.monotonic()
    arbiter.manage_workers()
    assert time.monotonic() - started < 0.1 and arbiter.killed == []


def test_a_new_worker_that_never_warms_up_does_not_hold_the_old_ones_forever(tmp_path):
    handover = Handover(str(tmp_path / "ready"), limit=0.3, poll=0.01)
    arbiter = Arbiter({101: Worker(1), 201: Worker(2)}, num_workers=1)
    messages: list[str] = []
    handover.install(arbiter, messages.append)
    arbiter.manage_workers()
    assert arbiter.killed == [101] and "anyway" in messages[-1]


def test_markers_are_forgotten_with_their_worker(tmp_path):
    handover = Handover(str(tmp_path / "ready"))
    handover.mark_ready(7)
    assert handover.is_ready(7)
    handover.forget(7)
    handover.forget(7)
    assert not handover.is_ready(7)
