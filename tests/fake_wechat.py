"""A fake WeChat API server on loopback: real HTTP in a thread, recorded calls, scripted errors.

It behaves like ``api.weixin.qq.com`` where guidebot needs it: ``cgi-bin/stable_token`` hands out
tokens (normal mode repeats the current one), every other ``cgi-bin/...`` path checks the
``access_token`` query parameter (40001 when unknown) and answers ``{"errcode": 0}``. Tests push
scripted answers per path (consumed in order) or set a permanent answer, and may add a delay per path.
"""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

OK = {"errcode": 0, "errmsg": "ok"}


@dataclass(frozen=True)
class Call:
    """One request the fake server received."""

    path: str
    params: dict[str, str]
    body: Any
    raw: bytes
    at: float


class FakeWeChat:
    """Start with ``with FakeWeChat() as wechat:``; point clients at ``wechat.url``."""

    def __init__(
        self, *, app_id: str = "wxfake", app_secret: str = "fake-secret", token_ttl: int = 7200
    ) -> None:
        self.app_id, self.app_secret = app_id, app_secret
        self.token_ttl = token_ttl
        self.calls: list[Call] = []
        self.valid_tokens: set[str] = set()
        self.delays: dict[str, float] = {}
        self._scripts: dict[str, list[dict[str, Any]]] = {}
        self._always: dict[str, dict[str, Any]] = {}
        self._current: tuple[str, float] | None = None
        self._issued = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "FakeWeChat":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- scripting ----------------------------------------------------------------------------------

    def script(self, path: str, *responses: dict[str, Any]) -> None:
        """Answer the next calls to ``path`` (e.g. ``/cgi-bin/menu/create``) with these, in order."""
        with self._lock:
            self._scripts.setdefault(path, []).extend(responses)

    def always(self, path: str, response: dict[str, Any]) -> None:
        """Answer every call to ``path`` with ``response`` (after any scripted answers)."""
        with self._lock:
            self._always[path] = response

    def expire_tokens(self) -> None:
        """Forget every token handed out, as when they expire on WeChat's side."""
        with self._lock:
            self.valid_tokens.clear()
            self._current = None

    def calls_to(self, path: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.path == path]

    @property
    def token_fetches(self) -> int:
        return len(self.calls_to("/cgi-bin/stable_token"))

    # --- behaviour ----------------------------------------------------------------------------------

    def _answer(self, path: str, params: dict[str, str], body: Any, raw: bytes) -> dict[str, Any]:
        with self._lock:
            self.calls.append(Call(path=path, params=params, body=body, raw=raw, at=time.time()))
            scripted = self._scripts.get(path)
            if scripted:
                return scripted.pop(0)
            if path in self._always:
                return self._always[path]
            if path == "/cgi-bin/stable_token":
                return self._stable_token(body)
            if params.get("access_token") not in self.valid_tokens:
                return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
            return OK

    def _stable_token(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or body.get("grant_type") != "client_credential":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        if body.get("appid") != self.app_id or body.get("secret") != self.app_secret:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        now = time.time()
        if self._current is None or body.get("force_refresh") or self._current[1] - now < 300:
            self._issued += 1
            self._current = (f"TOKEN-{self._issued}", now + self.token_ttl)
            self.valid_tokens.add(self._current[0])
        token, expires_at = self._current
        return {"access_token": token, "expires_in": int(expires_at - now)}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                parts = urlsplit(self.path)
                params = {key: values[0] for key, values in parse_qs(parts.query).items()}
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body: Any = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    body = raw
                delay = fake.delays.get(parts.path, 0.0)
                answer = dict(fake._answer(parts.path, params, body, raw))
                delay += float(answer.pop("_delay", 0.0))
                if delay:
                    time.sleep(delay)
                status = int(answer.pop("_status", 200))
                payload = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler


def token_worker(url: str, app_id: str, secret: str, where: tuple[str, str], barrier: Any, out: Any) -> None:
    """A worker process for the multi-process token tests: wait for the others, then ask for the token.

    Kept here, with lazy imports, so that spawned processes start fast: ``where`` is
    ``("redis", key_prefix)`` or ``("database", sqlalchemy_url)``.
    """
    from bot.wechat.token import DatabaseTokenStore, RedisTokenStore, TokenProvider, TokenStore

    kind, address = where
    store: TokenStore
    if kind == "redis":
        import redis

        store = RedisTokenStore(redis.Redis(host="127.0.0.1", port=6379), prefix=address)
    else:
        from knowledge.db import make_engine

        store = DatabaseTokenStore(make_engine(address))
    provider = TokenProvider(store, app_id=app_id, app_secret=secret, api_base=url, wait=10.0)
    barrier.wait()
    out.put(provider.get())
