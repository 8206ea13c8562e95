"""CPU per WeChat push, in process: the webhook's own cost, without HTTP, gunicorn or the load generator.

usage: python bench/push_cpu.py [--shared ../shared] [--pushes 3000] [--only flask,sqlite,postgres]

A target may end in ``:off`` (``GUIDEBOT_METRICS=false``) or ``:mp`` (Prometheus counters in multiprocess
files, as under gunicorn); ``--only sqlite:off,sqlite:mp`` is the metrics on/off comparison.

Each target runs in its own process, set up as a gunicorn worker is (``bot.serving.runtime.warm_up`` with
batched recording and write-behind; the same signed plaintext text pushes as ``bench/load.py``)
and called through its WSGI entry point. Prints process CPU (all threads: answer, recorder and
write-behind threads included) and wall time per push, and the ratio to the bare Flask app of
``bench/bare_flask.py``. ``bench/load.py`` measures throughput over real sockets; this one is
steadier on a noisy machine and shows where a change moved the cost.
"""

import argparse
import contextlib
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402
from bench.webhook import questions  # noqa: E402


def measure(target: str, shared: Path, pushes: int) -> tuple[float, float]:
    """(CPU µs, wall µs) per push for ``target``, in this process."""
    target, _, metrics = target.partition(":")
    texts = questions(shared)
    stack = contextlib.ExitStack()
    if target == "flask":
        os.environ["BENCH_TOKEN"] = load.TOKEN
        from bench.bare_flask import app
    else:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="guidebot-cpu-")))
        if target == "postgres":
            from knowledge.testing import postgres_database

            url = stack.enter_context(postgres_database("guidebot_bench_cpu"))
            env = load.guidebot_env(url, tmp / "spool", "redis://127.0.0.1:6379/15")
        else:
            url = f"sqlite:///{tmp}/cpu.sqlite3"
            env = load.guidebot_env(url, tmp / "spool")
        load.seed(url, shared / "kb" / "county-hall.json")
        if metrics == "off":
            env["GUIDEBOT_METRICS"] = "false"
        elif metrics == "mp":
            env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp / "metrics")
            os.makedirs(env["PROMETHEUS_MULTIPROC_DIR"])
        os.environ.update(env)
        from bot.serving import runtime
        from webhook import create_app

        app = create_app()
        runtime.warm_up(app, batch_recording=True, write_behind=True)
        stack.callback(runtime.shut_down, app)

    def body(n: int) -> bytes:
        return (
            "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName>"
            f"<FromUserName><![CDATA[oBench{n % 50:02d}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{texts[n % len(texts)]}]]></Content>"
            f"<MsgId>{9 * 10**17 + os.getpid() * 10**7 + n}</MsgId></xml>"
        ).encode()

    def call(data: bytes, query: str) -> None:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/wechat",
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_TYPE": "text/xml",
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            if not status.startswith("200"):
                raise SystemExit(f"{target}: push answered {status}")

        b"".join(app(environ, start_response))

    with stack:
        for n in range(len(texts)):  # warm-up: caches, the index, connections
            call(body(n), load.signed_query())
        # A nonce per push, as WeChat signs them (a nonce used again with another body is refused).
        pushes_signed = [(body(n), load.signed_query()) for n in range(10**6, 10**6 + pushes)]
        cpu, wall = time.process_time(), time.perf_counter()
        for data, query in pushes_signed:
            call(data, query)
        wall = time.perf_counter() - wall
        time.sleep(0.3)  # let the background writers finish this run's batches
        cpu = time.process_time() - cpu
    return cpu / pushes * 1e6, wall / pushes * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--pushes", type=int, default=3000)
    parser.add_argument("--only", default="flask,sqlite,postgres")
    parser.add_argument("--target", help=argparse.SUPPRESS)  # one target, in a child process
    options = parser.parse_args()
    if options.target:
        cpu, wall = measure(options.target, options.shared, options.pushes)
        print(f"{cpu:.1f} {wall:.1f}")
        return
    print(f"CPU per push in process ({options.pushes} signed text pushes, gunicorn worker set-up)")
    results: dict[str, float] = {}
    for target in options.only.split(","):
        command = [sys.executable, __file__, "--target", target, "--shared", str(options.shared)]
        command += ["--pushes", str(options.pushes)]
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        if done.returncode:
            print(f"{target:<10} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        cpu, wall = (float(x) for x in done.stdout.split())
        results[target] = cpu
        ratio = ""
        if "flask" in results and target != "flask":
            ratio = f"  {cpu / results['flask']:.1f}× bare Flask"
        print(f"{target:<10} {cpu:7.0f} µs CPU  {wall:7.0f} µs wall{ratio}", flush=True)


if __name__ == "__main__":
    main()
