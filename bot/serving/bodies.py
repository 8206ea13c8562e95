"""Reading a push's body within a time limit, so a slow sender cannot hold a worker.

gunicorn's sync worker serves one request at a time and reads the body only when asked, so a body
trickled a byte a second would stall every citizen behind it. ``read_body`` gives up after
``seconds``: on the main thread (gunicorn's sync worker) a real-time timer interrupts the read
however the bytes arrive; elsewhere each socket read waits at most the time left, and the time is
checked between reads (``read1`` where the stream has it, so one read is one ``recv``).

``stop_reading`` ends a request whose body is refused unread: gunicorn otherwise lingers up to 2 s
on the socket for the sender to finish before closing it, which a slow sender never does.
"""

import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

#: Seconds a push's body may take to arrive: WeChat sends its few hundred bytes with the headers
#: (and a proxy in front sends the whole body at once), and the whole answer must be out within 5 s.
BODY_SECONDS = 1.0
_CHUNK = 16 * 1024


class SlowBody(Exception):
    """The body did not arrive within the time limit."""

    def __init__(self, seconds: float, received: int) -> None:
        super().__init__(f"body not complete after {seconds:.1f} s ({received} bytes received)")
        self.seconds, self.received = seconds, received


class _Expired(Exception):
    """Raised by the timer's signal handler inside a blocked read."""


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Interrupt the main thread after ``seconds`` (restoring any timer and handler set before)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(_signum: int, _frame: Any) -> None:
        raise _Expired()

    previous = signal.signal(signal.SIGALRM, expired)
    started = time.monotonic()
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_delay:
            left = max(old_delay - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, old_interval)


def read_body(
    stream: IO[bytes], *, limit: int, seconds: float = BODY_SECONDS, sock: socket.socket | None = None
) -> bytes:
    """Up to ``limit + 1`` bytes of ``stream`` (one more than allowed tells the caller it is too big).

    Raises :class:`SlowBody` when the body has not arrived after ``seconds``. ``sock`` is the client
    socket when the server exposes it (gunicorn's ``gunicorn.socket``).
    """
    deadline = time.monotonic() + seconds
    previous = sock.gettimeout() if sock is not None else None
    chunks: list[bytes] = []
    received = 0
    read = getattr(stream, "read1", None) or stream.read
    try:
        with _alarm(seconds):
            while received <= limit:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SlowBody(seconds, received)
                if sock is not None:
                    sock.settimeout(left)
                chunk = read(min(_CHUNK, limit + 1 - received))
                if not chunk:
                    break
                chunks.append(chunk)
                received += len(chunk)
    except (_Expired, TimeoutError) as exc:
        raise SlowBody(seconds, received) from exc
    finally:
        if sock is not None:
            try:
                sock.settimeout(previous)
            except OSError:
                pass  # the client went away meanwhile
    return b"".join(chunks)


def stop_reading(sock: socket.socket | None) -> None:
    """Read nothing more from ``sock``: the server closes it at once after the answer (a refusal)."""
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RD)
    except OSError:
        pass  # already gone
