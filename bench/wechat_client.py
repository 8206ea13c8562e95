"""Figures for the WeChat client against the fake server on loopback.

    .venv/bin/python bench/wechat_client.py [--sends 500]

Prints cached token reads per second for each store (memory, Redis, SQLite, PostgreSQL where
reachable), customer-service sends per second through the real client, and outbox drain throughput.
"""

import argparse
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fake_wechat import FakeWeChat  # noqa: E402

from bot.wechat.client import WeChatClient  # noqa: E402
from bot.wechat.outbox import DatabaseOutboxStore, MemoryOutboxStore, Outbox, OutboxStore  # noqa: E402
from bot.wechat.token import DatabaseTokenStore, MemoryTokenStore, RedisTokenStore, TokenProvider, TokenStore  # noqa: E402


def _rate(label: str, count: int, run: Callable[[], None]) -> None:
    start = time.perf_counter()
    for _ in range(count):
        run()
    elapsed = time.perf_counter() - start
    print(f"{label:<44} {count / elapsed:>10,.0f} /s   ({elapsed * 1000 / count:.3f} ms each)")


def _stores(tmp: Path) -> dict[str, TokenStore]:
    from knowledge.db import make_engine, upgrade

    stores: dict[str, TokenStore] = {"memory": MemoryTokenStore()}
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1)
        client.ping()
        stores["redis"] = RedisTokenStore(client, prefix=f"guidebot-bench:{secrets.token_hex(4)}:")
    except Exception as exc:  # noqa: BLE001 (a bench skips what is not there)
        print(f"(Redis skipped: {exc})")
    engine = make_engine(f"sqlite:///{tmp / 'bench.sqlite3'}")
    upgrade(engine)
    stores["sqlite"] = DatabaseTokenStore(engine)
    return stores


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sends", type=int, default=500)
    args = parser.parse_args()
    with FakeWeChat() as wechat, tempfile.TemporaryDirectory() as tmp:
        for name, store in _stores(Path(tmp)).items():
            for local_ttl, how in [(0.0, "store read"), (30.0, "local copy")]:
                provider = TokenProvider(
                    store,
                    app_id=wechat.app_id,
                    app_secret=wechat.app_secret,
                    api_base=wechat.url,
                    local_ttl=local_ttl,
                )
                provider.get()
                _rate(f"token get, {how} ({name})", 2000, provider.get)
        provider = TokenProvider(
            MemoryTokenStore(), app_id=wechat.app_id, app_secret=wechat.app_secret, api_base=wechat.url
        )
        client = WeChatClient(provider, api_base=wechat.url)
        _rate("send_text round trip (loopback fake)", args.sends, lambda: client.send_text("o-bench", "你好"))

        from knowledge.db import make_engine, upgrade

        engine = make_engine(f"sqlite:///{Path(tmp) / 'outbox.sqlite3'}")
        upgrade(engine)
        stores: dict[str, OutboxStore] = {
            "memory": MemoryOutboxStore(),
            "sqlite": DatabaseOutboxStore(engine),
        }
        for name, store in stores.items():
            outbox = Outbox(store, client.send_message, batch=100)
            start = time.perf_counter()
            for n in range(args.sends):
                outbox.enqueue("o-bench", f"消息 {n}", None)
            queued = time.perf_counter() - start
            start = time.perf_counter()
            sent = 0
            while (report := outbox.drain()).sent:
                sent += report.sent
            drained = time.perf_counter() - start
            print(
                f"outbox ({name}): enqueue {args.sends / queued:,.0f} /s, "
                f"drain+send {sent / drained:,.0f} /s ({sent} sent)"
            )
        print(f"token fetches during the whole run: {wechat.token_fetches}")


if __name__ == "__main__":
    main()
