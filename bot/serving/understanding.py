"""The app's semantic stage and holiday calendar, each built once per process from the settings.

``GUIDEBOT_SEMANTIC`` (auto / off / module:factory) names the embedding model, ``GUIDEBOT_EMBED_THREADS`` its
threads per worker, ``GUIDEBOT_VECTOR_CACHE`` the folder of passage (and question) vectors shared by a
host's workers (default ``vectors/`` in the instance folder). The model is loaded in the worker that uses
it (after gunicorn forks), never in the master. ``GUIDEBOT_HOLIDAYS_FILE`` adds staff's own holiday dates.
"""

import logging
import os
import threading
from typing import Any

from bot.conversation.holidays import Calendar, HolidayFileError, load_calendar
from bot.conversation.knowledge import SemanticSetup
from bot.matching.embedding import Loaded, load
from bot.matching.querycache import QUERY_ENTRIES, SharedQueries
from bot.matching.vectorcache import LmdbQueryStore, LmdbVectorCache

log = logging.getLogger(__name__)

SEMANTIC_KEY = "guidebot.semantic"
STATUS_KEY = "guidebot.semantic_status"
CALENDAR_KEY = "guidebot.calendar"
_LOCK = threading.Lock()


def vector_cache_path(app: Any) -> str:
    return str(app.config.get("VECTOR_CACHE") or os.path.join(app.instance_path, "vectors"))


def loaded(app: Any) -> Loaded:
    """The embedding model named by the settings (loading it on first use; never raises)."""
    config = app.config
    return load(str(config.get("SEMANTIC") or "auto"), threads=int(config.get("EMBED_THREADS") or 1))


def semantic_setup(app: Any) -> SemanticSetup | None:
    """The semantic stage's model and vector cache, or None when it is off or cannot load."""
    with _LOCK:
        if SEMANTIC_KEY not in app.extensions:
            model = loaded(app)
            setup = None
            if model.embedder is not None:
                path = vector_cache_path(app)
                # Each distinct question embedded once per host, not once per worker.
                embedder = SharedQueries(model.embedder, LmdbQueryStore(path, QUERY_ENTRIES))
                setup = SemanticSetup(embedder, LmdbVectorCache(path))
            app.extensions[SEMANTIC_KEY] = setup
        return app.extensions[SEMANTIC_KEY]  # type: ignore[no-any-return]


def semantic_status(app: Any) -> dict[str, str]:
    """For /readyz, ``guidebot doctor`` and the start-up lines: loaded, off or failed, and the model."""
    return loaded(app).status()


def init_app(app: Any) -> None:
    """Let readiness checks ask for the semantic stage's status (``app.extensions``)."""
    app.extensions[STATUS_KEY] = lambda: semantic_status(app)


def calendar(app: Any) -> Calendar | None:
    """Public holidays and make-up working days, with ``HOLIDAYS_FILE``'s dates (read once)."""
    with _LOCK:
        if CALENDAR_KEY not in app.extensions:
            path = str(app.config.get("HOLIDAYS_FILE") or "") or None
            try:
                app.extensions[CALENDAR_KEY] = load_calendar(path)
            except HolidayFileError as exc:
                log.error("节假日文件有误，暂用内置节假日：%s", exc)
                app.extensions[CALENDAR_KEY] = load_calendar(None)
        return app.extensions[CALENDAR_KEY]  # type: ignore[no-any-return]
