"""How long hostile or random pushes take: max and p99 per kind, through the whole WSGI app.

usage: python bench/fuzz_timing.py [--count 2000] [--seed 1]

Kinds (each ``--count`` requests, random data from a seeded generator):
  unsigned     random query string and random body (refused before parsing)
  signed-body  valid plaintext signature, random bytes / XML-ish text up to 64 KiB
  signed-text  valid signature, a text message with random Content (parsed and answered)
  aes-garbage  安全模式 envelope with a signed random Encrypt (decryption attempted)
  aes-inner    well-encrypted random inner XML (decrypted, screened, parsed)
  oversize     bodies of 64–70 KiB (413)
  deep         deeply nested XML and entity declarations (refused by the screen)

The issue's budget: every request under 1 s, never a 500. Prints per kind: statuses, p50, p99, max.
"""

import argparse
import random
import statistics
import string
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.wechat import protocol as wechat  # noqa: E402
from knowledge.schema import load_kb  # noqa: E402
from webhook import create_app  # noqa: E402

TOKEN, APP_ID = "bench-token", "wxbench000000000"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
CREDS = wechat.Credentials(token=TOKEN, app_id=APP_ID, aes_key=AES_KEY)
TAGS = ["xml", "ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event", "Encrypt"]


def signed() -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), str(random.randrange(10**9))
    return {"signature": wechat.sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}


def random_text(size: int) -> str:
    pieces = []
    while sum(map(len, pieces)) < size:
        choice = random.random()
        if choice < 0.3:
            pieces.append(f"<{random.choice(TAGS)}>")
        elif choice < 0.5:
            pieces.append(f"</{random.choice(TAGS)}>")
        elif choice < 0.6:
            pieces.append(random.choice(["]]>", "<![CDATA[", "&amp;", "&#0;", "\x00"]))
        else:
            pieces.append(
                "".join(chr(random.randrange(0x20, 0x9FFF)) for _ in range(random.randrange(1, 30)))
            )
    return "".join(pieces)[:size]


def make(kind: str) -> tuple[str, bytes]:
    size = random.choice([10, 200, 2000, 20000, 64 * 1024 - 100])
    if kind == "unsigned":
        query = "".join(random.choice(string.printable[:94]) for _ in range(random.randrange(200)))
        return urllib.parse.quote(query, safe="=&"), random.randbytes(size)
    if kind == "signed-body":
        body = random.randbytes(size) if random.random() < 0.5 else random_text(size // 3).encode()
        return urllib.parse.urlencode(signed()), body[: 64 * 1024]
    if kind == "signed-text":
        content = random_text(random.randrange(1, 600)).replace("]]>", "")
        xml = (
            "<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[oBench]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{random.randrange(10**17)}</MsgId></xml>"
        )
        return urllib.parse.urlencode(signed()), xml.encode("utf-8", "replace")
    if kind == "aes-garbage":
        args = signed()
        encrypt = "".join(random.choice(string.ascii_letters + "+/=") for _ in range(min(size, 60000)))
        args |= {
            "encrypt_type": "aes",
            "msg_signature": wechat.sign(TOKEN, args["timestamp"], args["nonce"], encrypt),
        }
        return urllib.parse.urlencode(args), f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>".encode()
    if kind == "aes-inner":
        args = signed()
        body, signature = wechat.encrypt_push(
            CREDS, random_text(min(size, 40000)), nonce=args["nonce"], timestamp=args["timestamp"]
        )
        return urllib.parse.urlencode(
            args | {"encrypt_type": "aes", "msg_signature": signature}
        ), body.encode()[: 64 * 1024]
    if kind == "oversize":
        return urllib.parse.urlencode(signed()), b"<xml>" + b"a" * random.randrange(64 * 1024, 70 * 1024)
    if kind == "deep":
        depth = random.choice([7, 100, 5000])
        body = "<a>" * depth + "</a>" * depth
        if random.random() < 0.5:
            body = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><xml>&a;&a;</xml>'
        return urllib.parse.urlencode(signed()), body.encode()
    raise ValueError(kind)


KINDS = ["unsigned", "signed-body", "signed-text", "aes-garbage", "aes-inner", "oversize", "deep"]


def main() -> None:
    import logging

    logging.disable(logging.WARNING)  # refusals are logged one per request
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    options = parser.parse_args()
    random.seed(options.seed)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "KB": load_kb(options.shared / "kb" / "county-hall.json"),
                "DATABASE_URL": f"sqlite:///{folder}/unused.sqlite3",
                "WECHAT_TOKEN": TOKEN,
                "WECHAT_APP_ID": APP_ID,
                "WECHAT_AES_KEY": AES_KEY,
                "WECHAT_COMPAT_MODE": True,  # time the plaintext reader as well as 安全模式
                "SEND_LATER": lambda *args: None,
            }
        )
        client = app.test_client()
        client.post("/wechat?" + make("signed-text")[0], data=make("signed-text")[1])  # warm-up
        worst = 0.0
        print(f"{'kind':<12} {'statuses':<34} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for kind in KINDS:
            durations, statuses = [], Counter()
            for _ in range(options.count):
                query, body = make(kind)
                started = time.perf_counter()
                response = client.post("/wechat?" + query, data=body, content_type="text/xml")
                durations.append(time.perf_counter() - started)
                statuses[response.status_code] += 1
            durations.sort()
            p99 = durations[int(len(durations) * 0.99) - 1]
            worst = max(worst, durations[-1])
            shown = " ".join(f"{code}×{n}" for code, n in sorted(statuses.items()))
            print(
                f"{kind:<12} {shown:<34} {statistics.median(durations) * 1000:8.2f} {p99 * 1000:8.2f}"
                f" {durations[-1] * 1000:8.2f}"
            )
            if any(code >= 500 for code in statuses):
                print(f"  ERROR: {kind} produced a 5xx")
        print(f"slowest request overall: {worst * 1000:.1f} ms (budget 1000 ms)")


if __name__ == "__main__":
    main()
