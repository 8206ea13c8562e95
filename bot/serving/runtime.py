"""Wiring the conversation into the app: knowledge source, state store, recorder, deliverer.

``init_app(app)`` is called by ``webhook.create_app``; everything is built lazily on the first push
so creating the app needs neither the database nor the index. No Flask import here: only
``app.config``, ``app.extensions`` and ``app.logger`` are used.

Knowledge: ``app.config["KB"]`` (a ``KnowledgeBase``, for tests), else ``KB_FILE`` (a guidebot-kb/1
JSON file), else the database's published items (re-indexed when they change).
State store (``STATE_STORE``): ``memory``, ``database`` or ``redis``; ``auto`` picks Redis when
``REDIS_URL`` is set, the database when answering from it, and memory otherwise.
``send_later`` (late answers): ``app.extensions["guidebot.send_later"]`` or ``app.config["SEND_LATER"]``,
a callable ``(openid, text, source_msg_id)``, looked up when a late answer is ready; by default the
database's customer-service outbox (``bot.wechat.outbox.outbox_for_app(app).enqueue``).
"""

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import IO, Any

from bot import metrics
from bot.conversation import consent
from bot.conversation.engine import Context
from bot.conversation.hours import CHINA, HoursError, Schedule, parse_hours
from bot.conversation.knowledge import KnowledgeSource, SemanticSetup, StaticKnowledge
from bot.conversation.messages import Message, Reply
from bot.conversation.records import MemoryRecorder, Recorder
from bot.conversation.state import MemoryStore, StateStore
from bot.serving import observe, understanding
from bot.serving.bodies import SlowBody, read_body, stop_reading
from bot.serving.dbstore import DatabaseStore
from bot.serving.delivery import Deliverer, Outcome, fallback_text
from bot.serving.fallback import FallbackStore
from bot.serving.kbcache import DatabaseKnowledge
from bot.serving.redisstore import RedisStore
from bot.serving.writebehind import WriteBehindStore
from bot.wechat import protocol as wechat
from knowledge.schema import KnowledgeBase, load_kb

log = logging.getLogger(__name__)

DELIVERER_KEY = "guidebot.deliverer"
SEND_LATER_KEY = "guidebot.send_later"


def init_app(app: Any, *, send_later: Callable[[str, str, str | None], object] | None = None) -> None:
    """Register the webhook's parts (built on first use); ``send_later`` plugs in late delivery."""
    if send_later is not None:
        app.extensions[SEND_LATER_KEY] = send_later


def flag(value: object) -> bool:
    """A yes/no setting, whether the environment gave a JSON boolean or a word."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def credentials(app: Any) -> wechat.Credentials:
    config = app.config
    return wechat.Credentials(
        token=str(config["WECHAT_TOKEN"] or ""),
        app_id=config["WECHAT_APP_ID"],
        aes_key=config["WECHAT_AES_KEY"],
        previous_aes_key=config["WECHAT_PREVIOUS_AES_KEY"],
        timestamp_window=int(config["TIMESTAMP_WINDOW"]),
        allow_plaintext=flag(config.get("WECHAT_COMPAT_MODE", False)),
    )


REPLAYED = "signed query string already used with another body"


def verify_url(app: Any, args: Mapping[str, str]) -> tuple[int, str]:
    """HTTP status and body for a GET URL verification: the ``echostr``, or a refusal."""
    try:
        echo = wechat.verify_url(credentials(app), args)
    except wechat.PushError as exc:
        log.warning("URL verification refused (%d): %s", exc.status, exc.message)
        return exc.status, refusal(exc.status)
    if not _first_use(app, args, echo.encode("utf-8", "replace")):
        log.warning("URL verification refused (403): %s", REPLAYED)
        return 403, refusal(403)
    return 200, echo


def _first_use(app: Any, args: Mapping[str, str], payload: bytes) -> bool:
    from bot.serving.nonces import first_use

    store = deliverer(app).context.store
    return first_use(store, timestamp=args.get("timestamp", ""), nonce=args.get("nonce", ""), payload=payload)


def _uses_database(config: Mapping[str, Any]) -> bool:
    return config.get("KB") is None and not config.get("KB_FILE")


def uses_database(config: Mapping[str, Any]) -> bool:
    """True when the app answers from the database's items (not a KB file or object)."""
    return _uses_database(config)


def spool_dir(app: Any) -> str:
    """Where questions wait while the database is down: SPOOL_DIR, else spool/ in the instance folder."""
    import os

    return str(app.config.get("SPOOL_DIR") or os.path.join(app.instance_path, "spool"))


#: Indexes of knowledge bases given as objects (tests build many apps over the same one).
_STATIC: dict[int, tuple[KnowledgeBase, StaticKnowledge, str]] = {}


def _static(kb: KnowledgeBase, semantic: SemanticSetup | None) -> StaticKnowledge:
    model = semantic.embedder.model_id if semantic else ""
    cached = _STATIC.get(id(kb))
    if cached is not None and cached[0] is kb and cached[2] == model:
        return cached[1]
    if len(_STATIC) >= 4:
        _STATIC.clear()
    knowledge = StaticKnowledge(kb, semantic)
    _STATIC[id(kb)] = (kb, knowledge, model)
    return knowledge


def knowledge_source(app: Any, *, kb_file: str | None = None) -> KnowledgeSource:
    """What the app answers from: ``KB`` (tests), a knowledge-base file, or the database's items."""
    config = app.config
    kb: KnowledgeBase | None = None if kb_file else config.get("KB")
    path = kb_file or config.get("KB_FILE")
    if kb is None and path:
        kb = load_kb(path)
    if kb is not None:
        return _static(kb, understanding.semantic_setup(app))
    from knowledge.db import get_engine

    return DatabaseKnowledge(
        guard_engine(get_engine(app)),
        interval=float(config["INDEX_CHECK_INTERVAL"]),
        semantic=lambda: understanding.semantic_setup(app),
    )


#: Seconds a starting worker waits for the semantic stage (well within gunicorn's 30 s worker timeout).
SEMANTIC_WARM_UP = 15.0
#: Seconds to wait for a PostgreSQL connection: a database that is down must not eat the 5 s budget.
CONNECT_TIMEOUT = 2


def guard_engine(engine: Any) -> Any:
    """Give ``engine`` a short PostgreSQL connect timeout (once; SQLite fails fast by itself)."""
    if engine.dialect.name != "postgresql" or getattr(engine, "_guidebot_guarded", False):
        return engine
    from sqlalchemy import event

    @event.listens_for(engine, "do_connect")
    def _short_timeout(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        cparams.setdefault("connect_timeout", CONNECT_TIMEOUT)

    engine._guidebot_guarded = True
    return engine


def _database_store(app: Any, ttl: int) -> DatabaseStore:
    from knowledge.db import get_engine

    return DatabaseStore(guard_engine(get_engine(app)), ttl=ttl)


def _sqlite_file(app: Any) -> str | None:
    """The database's file when it is a SQLite file (not in memory), else None."""
    from sqlalchemy.engine import make_url

    url = make_url(app.config["DATABASE_URL"])
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return None
    return database


def lmdb_path(app: Any) -> str:
    """Where the LMDB state store lives: STATE_PATH, else beside the SQLite database file."""
    import os

    if app.config.get("STATE_PATH"):
        return str(app.config["STATE_PATH"])
    database = _sqlite_file(app)
    return database + "-state" if database else os.path.join(app.instance_path, "state")


def state_store_kind(app: Any) -> str:
    """The store ``STATE_STORE`` names; ``auto`` resolved.

    auto: Redis with ``REDIS_URL``; for answers from the database, LMDB beside a SQLite file (one
    host: SQLite's single write lock would queue every worker's per-push claim) and the database
    itself on PostgreSQL; memory otherwise (a KB file, one process).
    """
    config = app.config
    kind = str(config["STATE_STORE"]).lower()
    if kind != "auto":
        return kind
    if config.get("REDIS_URL"):
        return "redis"
    if not _uses_database(config):
        return "memory"
    return "lmdb" if _sqlite_file(app) else "database"


def state_store(app: Any) -> StateStore:
    config = app.config
    kind = state_store_kind(app)
    ttl = int(config["STATE_TTL"])
    # Shared stores fall back (Redis or LMDB → database → this process's memory) so an outage
    # never turns dedup off and never stops answers.
    memory = MemoryStore(ttl=ttl)
    if kind == "memory":
        return memory
    if kind not in ("redis", "lmdb", "database"):
        raise ValueError(f"STATE_STORE must be auto, memory, lmdb, database or redis, not {kind!r}")
    backup: StateStore = memory
    if kind == "database" or _uses_database(config):
        backup = FallbackStore(_database_store(app, ttl), memory, name="database")
    if kind == "database":
        return backup
    if kind == "redis":
        primary: StateStore = RedisStore.from_url(config["REDIS_URL"], ttl=ttl)
    else:
        from bot.serving.lmdbstore import LmdbStore

        primary = LmdbStore(lmdb_path(app), ttl=ttl)
    return FallbackStore(primary, backup, name=kind)


def hash_key(config: Mapping[str, Any]) -> str:
    """The key for openid hashes: OPENID_HASH_KEY, else derived from the account's token and AppID."""
    if config.get("OPENID_HASH_KEY"):
        return str(config["OPENID_HASH_KEY"])
    seed = f"guidebot|{config.get('WECHAT_APP_ID', '')}|{config.get('WECHAT_TOKEN', '')}"
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def recorder(app: Any) -> Recorder:
    if not _uses_database(app.config):
        return MemoryRecorder(hash_key=hash_key(app.config))
    from bot.serving.spooling import spooling_recorder
    from knowledge.db import get_engine

    built = spooling_recorder(
        guard_engine(get_engine(app)), hash_key=hash_key(app.config), directory=spool_dir(app)
    )
    built.start_drainer(float(app.config.get("SPOOL_DRAIN_INTERVAL", 5.0)))
    return built


def service_hours(app: Any) -> Schedule | str:
    """When people answer handoffs: ``SERVICE_HOURS``, else the hall's own hours ("hall")."""
    config = app.config
    hours = None
    if config.get("SERVICE_HOURS"):
        try:
            hours = parse_hours(config["SERVICE_HOURS"])
        except HoursError:
            log.error(
                "SERVICE_HOURS %r has no recognisable times: handoffs will give the phone number",
                config["SERVICE_HOURS"],
            )
    return hours if hours is not None else "hall"


def context(app: Any) -> Context:
    """The conversation context configured for ``app``."""
    config = app.config
    clock: Callable[[], dt.datetime] = config.get("CLOCK") or (lambda: dt.datetime.now(CHINA))
    return Context(
        knowledge=knowledge_source(app),
        store=state_store(app),
        recorder=recorder(app),
        service_hours=service_hours(app),
        clock=clock,
        calendar=understanding.calendar(app),
        consents=consent_book(app),
        subscribe_page=consent.subscribe_page(config),
    )


def trial_context(
    app: Any, *, kb_file: str | None = None, clock: Callable[[], dt.datetime] | None = None
) -> Context:
    """A context answering exactly like the webhook, with state in memory and nothing recorded
    (``guidebot ask/chat/converse``)."""
    return Context(
        knowledge=knowledge_source(app, kb_file=kb_file),
        service_hours=service_hours(app),
        clock=clock or app.config.get("CLOCK") or (lambda: dt.datetime.now(CHINA)),
        calendar=understanding.calendar(app),
        subscribe_page=consent.subscribe_page(app.config),
    )


def consent_book(app: Any) -> consent.ConsentBook | None:
    """The app's consent book: the database when the app has one, else None (no replies go out then)."""
    from knowledge.db import get_engine

    if not _uses_database(app.config):
        return None
    return consent.DatabaseConsents(guard_engine(get_engine(app)), hash_key=hash_key(app.config))


def deliverer(app: Any) -> Deliverer:
    """The app's deliverer, built on first use."""
    # The late-answer hook runs in another thread: hold the app itself, not a context-bound proxy.
    app = getattr(app, "_get_current_object", lambda: app)()
    existing = app.extensions.get(DELIVERER_KEY)
    if existing is not None:
        return existing  # type: ignore[no-any-return]

    def send_later(openid: str, text: str, source_msg_id: str | None) -> object:
        hook = app.extensions.get(SEND_LATER_KEY) or app.config.get("SEND_LATER")
        if hook is None and _uses_database(app.config):
            from bot.wechat.outbox import outbox_for_app

            hook = outbox_for_app(app).enqueue  # the customer-service outbox, sent with retries
        if hook is None:
            raise RuntimeError("no send_later hook configured")
        return hook(openid, text, source_msg_id)

    built = Deliverer(
        context=context(app),
        render=wechat.render_reply,
        send_later=send_later,
        deadline=float(app.config["ANSWER_DEADLINE"]),
    )
    return app.extensions.setdefault(DELIVERER_KEY, built)  # type: ignore[no-any-return]


#: What a refused request is told: fixed, neutral texts (the reason goes to the log, never to the sender).
REFUSALS: dict[int, str] = {
    400: "请求无效", 403: "拒绝访问", 408: "请求超时", 413: "请求过大", 503: wechat.NO_TOKEN,
}


def refusal(status: int) -> str:
    """The fixed body of a refusal with HTTP ``status``."""
    return REFUSALS.get(status, REFUSALS[400])


def handle_push(
    app: Any,
    args: Mapping[str, str],
    content_length: int | None,
    stream: IO[bytes],
    *,
    sock: Any = None,
) -> tuple[int, str]:
    """HTTP status and body for a POSTed push: refusals get 400/403/408/413, everything else 200.

    The query string's signature is checked before the body is read, and the body is read within
    ``bot.serving.bodies.BODY_SECONDS`` (``sock``: the client socket, when the server exposes it).
    Each push is counted and logged on one line (``bot.serving.observe``).
    """
    started = time.monotonic()
    outcome = Outcome()
    status, body, message = _handle_push(app, args, content_length, stream, outcome, sock)
    observe.push(app, status, message, outcome, time.monotonic() - started, hash_key=hash_key)
    return status, body


def _handle_push(
    app: Any,
    args: Mapping[str, str],
    content_length: int | None,
    stream: IO[bytes],
    outcome: Outcome,
    sock: Any,
) -> tuple[int, str, Message | None]:
    """Status, body and the push's message (None when refused)."""
    creds = credentials(app)
    try:
        wechat.check_query(creds, args)
    except wechat.PushError as exc:
        log.warning("push refused before its body (%d): %s", exc.status, exc.message)
        stop_reading(sock)
        return exc.status, refusal(exc.status), None
    except Exception as exc:
        # e.g. a timestamp of Unicode digits such as "²" passes str.isdigit but not int().
        log.warning("push refused (400): %s: %s", type(exc).__name__, exc)
        stop_reading(sock)
        return 400, refusal(400), None
    if content_length is not None and content_length > wechat.MAX_BODY:
        log.warning("push refused: body of %d bytes", content_length)
        stop_reading(sock)
        return 413, refusal(413), None
    try:
        body = read_body(stream, limit=wechat.MAX_BODY, sock=sock)
    except SlowBody as exc:
        log.warning("push refused (408): %s", exc)
        stop_reading(sock)
        return 408, refusal(408), None
    except OSError as exc:
        log.warning("push refused (400): the body could not be read (%s)", exc)
        return 400, refusal(400), None
    try:
        push = wechat.read_push(creds, args, body)
    except wechat.PushError as exc:
        log.warning("push refused (%d): %s", exc.status, exc.message)
        return exc.status, refusal(exc.status), None
    except Exception as exc:
        # Anything else raised while reading a push is still bad input: refuse it, never answer 500.
        log.warning("push refused (400): %s: %s", type(exc).__name__, exc)
        return 400, refusal(400), None
    try:
        fresh = _first_use(app, args, body)
    except Exception:
        # The stores fall back to memory before raising: this is the set-up failing. Dedup will
        # fail the same way just below and answer politely; do not refuse a genuine push for it.
        log.exception("cannot check the nonce of %s", push.message.log_ref)
        fresh = True
    if not fresh:
        log.warning("push refused (403): %s (%s)", REPLAYED, push.message.log_ref)
        return 403, refusal(403), None
    try:
        xml = deliverer(app).handle(push.message, outcome)
    except Exception:
        # Deliverer.handle catches answering errors itself; this is the set-up failing (database down…).
        log.exception("cannot answer %s", push.message.log_ref)
        outcome.action = "error"
        xml = wechat.render_reply(
            Reply.say(fallback_text(app.config.get("FALLBACK_PHONE") or None)), push.message
        )
    try:
        return 200, wechat.seal(creds, xml, push), push.message
    except Exception:
        log.exception("cannot encrypt the reply to %s: replying empty", push.message.log_ref)
        return 200, "", push.message


def warm_up(app: Any, *, batch_recording: bool = False, write_behind: bool = False) -> None:
    """Build the webhook's parts and the matching index before the first push (a worker's start).

    Also starts the background index refresher, so a publish reaches this worker within
    ``INDEX_CHECK_INTERVAL`` seconds without waiting for a push to notice it. With
    ``batch_recording`` (gunicorn workers), questions are written to the database in batches by a
    background thread instead of on the request path; with ``write_behind``, replies and states
    reach the store in batches too (``bot.serving.writebehind``). :func:`shut_down` flushes both.
    """
    if app.config.get("METRICS", True):
        metrics.enable()  # before the index is built: its version and build time are metrics too
    if not app.config.get("WECHAT_TOKEN"):
        log.warning("%s；管理后台照常可用。", wechat.NO_TOKEN)
    built = deliverer(app)
    if batch_recording and hasattr(built.context.recorder, "start_batching"):
        built.context.recorder.start_batching()
    if write_behind and not isinstance(built.context.store, (MemoryStore, WriteBehindStore)):
        store = WriteBehindStore(built.context.store, interval=float(app.config["STATE_WRITE_INTERVAL"]))
        store.start()
        built.context.store = store
    if batch_recording and write_behind:
        built.inline = _cannot_block(built.context)
    try:
        knowledge = built.context.knowledge()
        knowledge.matcher.decide("你好", None)  # loads the segmenter's dictionaries too
    except Exception:
        log.exception("warm-up could not build the knowledge index; the first push will try again")
    source = built.context.knowledge
    if isinstance(source, DatabaseKnowledge):
        # The model loads and cached passage vectors are read in the background: give it a little time,
        # within gunicorn's worker timeout; a cold cache (first start) keeps embedding while we answer.
        source.wait_for_semantic(timeout=SEMANTIC_WARM_UP)
        source.start_refresher()


def _cannot_block(context: Context) -> Callable[[Message], bool]:
    """Which pushes the deliverer may answer on the request thread: nothing in their answer does I/O.

    A text message, while the index is in memory with its refresher running and the recorder
    queues its writes (the state comes preloaded and goes out with the reply). Events (consent,
    unsubscribe) and everything while the index or recorder would reach the database keep the
    deadline thread.
    """
    from bot.serving.spooling import SpoolingRecorder

    source, recorder = context.knowledge, context.recorder

    def cannot_block(message: Message) -> bool:
        return (
            message.kind == "text"
            and bool(getattr(source, "ready", False))
            and (not isinstance(recorder, SpoolingRecorder) or recorder.batching)
        )

    return cannot_block


def shut_down(app: Any) -> None:
    """Flush the questions, replies and states still queued (a worker's exit)."""
    existing = app.extensions.get(DELIVERER_KEY)
    if existing is None:
        return
    if isinstance(existing.context.store, WriteBehindStore):
        existing.context.store.stop()
    recorder = existing.context.recorder
    if hasattr(recorder, "stop_batching"):
        recorder.stop_batching()
