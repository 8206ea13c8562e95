"""Webhook latency and throughput: signed text pushes through the whole WSGI stack.

usage: python bench/webhook.py [--shared ../shared] [--via client|http] [--threads 1] [--rounds 2]
                               [--store memory|database] [--aes]

Each push is a WeChat text message built as WeChat builds it (token signature over timestamp and
nonce; with --aes, WeChatCrypto encryption and msg_signature), with a fresh MsgId and one of 50
citizens, carrying a question from county-dev.jsonl and county-real.jsonl in turn. The app is
``webhook.create_app`` answering from ../shared/kb/county-hall.json (KB_FILE).

--via client   Flask's test client: the WSGI app called in process (no sockets).
--via http     a threaded wsgiref HTTP server on 127.0.0.1 and http.client over real sockets.
--store        conversation state and dedup in memory, or in an SQLite file (DatabaseStore).

Prints p50/p90/p99/max latency per push and throughput (pushes per second over the whole run);
the first round warms caches and is not counted. WeChat needs an answer within 5 s (guidebot
aims to stay well inside 4 s).
"""

import argparse
import http.client
import itertools
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.wechat import protocol as wechat  # noqa: E402
from webhook import create_app  # noqa: E402

TOKEN, APP_ID = "bench-token", "wxbench000000000"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
_ids = itertools.count(10**15)


def questions(shared: Path) -> list[str]:
    texts = []
    for name in ("county-dev.jsonl", "county-real.jsonl"):
        with open(shared / "eval" / name, encoding="utf-8") as handle:
            texts += [json.loads(line)["question"] for line in handle if line.strip()]
    return texts


def push(text: str, openid: str, encrypted: bool) -> tuple[str, bytes]:
    """Query string and body of one push."""
    timestamp, nonce = str(int(time.time())), str(next(_ids) % 10**9)
    xml = (
        f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{text}]]></Content><MsgId>{next(_ids)}</MsgId></xml>"
    )
    args = {"signature": wechat.sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    if encrypted:
        creds = wechat.Credentials(token=TOKEN, app_id=APP_ID, aes_key=AES_KEY)
        xml, msg_signature = wechat.encrypt_push(creds, xml, nonce=nonce, timestamp=timestamp)
        args |= {"encrypt_type": "aes", "msg_signature": msg_signature}
    return urllib.parse.urlencode(args), xml.encode("utf-8")


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--via", choices=("client", "http"), default="client")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--rounds", type=int, default=2, help="passes over the questions after a warm-up pass"
    )
    parser.add_argument("--store", choices=("memory", "database"), default="memory")
    parser.add_argument("--aes", action="store_true", help="安全模式 pushes (encrypted)")
    options = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="guidebot-bench-")
    config = {
        "KB_FILE": str(options.shared / "kb" / "county-hall.json"),
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_AES_KEY": AES_KEY if options.aes else "",  # 安全模式 refuses plaintext pushes
        "STATE_STORE": options.store,
        "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
    }
    app = create_app(config)
    if options.store == "database":
        from knowledge.db import get_engine, upgrade

        upgrade(get_engine(app))
    texts = questions(options.shared)
    local = threading.local()

    if options.via == "http":
        server = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]

        def send(query: str, body: bytes) -> int:
            connection = getattr(local, "connection", None)
            if connection is None:
                connection = local.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("POST", f"/wechat?{query}", body=body, headers={"Content-Type": "text/xml"})
            response = connection.getresponse()
            response.read()
            local.connection = None  # wsgiref speaks HTTP/1.0: one request per connection
            connection.close()
            return response.status
    else:

        def send(query: str, body: bytes) -> int:
            client = getattr(local, "client", None) or app.test_client()
            local.client = client
            return client.post(f"/wechat?{query}", data=body, content_type="text/xml").status_code

    def one(index: int) -> float:
        query, body = push(texts[index % len(texts)], f"oBench{index % 50:04d}", options.aes)
        start = time.perf_counter()
        status = send(query, body)
        elapsed = time.perf_counter() - start
        if status != 200:
            raise SystemExit(f"push {index} got HTTP {status}")
        return elapsed

    for index in range(len(texts)):  # warm-up: index, jieba, caches
        one(index)
    total = len(texts) * options.rounds
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=options.threads) as pool:
        latencies = sorted(pool.map(one, range(total)))
    wall = time.perf_counter() - started

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    mode = "安全模式 (aes)" if options.aes else "plaintext"
    print(
        f"webhook bench: {total} {mode} text pushes via {options.via}, {options.threads} thread(s), "
        f"{options.store} store, county-hall.json ({len(texts)} distinct questions)"
    )
    print(
        f"latency ms: p50 {pct(0.50):.2f}  p90 {pct(0.90):.2f}  p99 {pct(0.99):.2f}"
        f"  max {latencies[-1] * 1000:.2f}"
        f"  mean {statistics.fmean(latencies) * 1000:.2f}"
    )
    print(f"throughput: {total / wall:.0f} pushes/s")


if __name__ == "__main__":
    main()
