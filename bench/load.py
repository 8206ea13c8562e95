"""Load benchmark: guidebot under gunicorn (2 sync workers) on loopback, against a bare Flask app and WeRoBot.

usage: python bench/load.py [--duration 15] [--rounds 1] [--connections 16] [--threads 2] [--rate 50]
                            [--rate-duration 30] [--only sqlite,postgres,flask,werobot,metrics]

Targets, each under ``gunicorn -w 2`` (sync workers) on a free 127.0.0.1 port:
  guidebot-sqlite     the database's published items (county hall), SQLite file; state and dedup in
                      the LMDB store beside it (the default for a SQLite file)
  guidebot-postgres   PostgreSQL (a throw-away database) + Redis (db 15) for state and dedup
  bare-flask          bench/bare_flask.py: signature check, constant XML
  werobot-echo        bench/werobot_echo.py: WeRoBot (signature, parsing, echo reply)
  metrics-on/-off     (``--only metrics``) guidebot on SQLite with ``GUIDEBOT_METRICS=true`` (Prometheus
                      counters in gunicorn's multiprocess files, /metrics scraped every 5 s meanwhile) and
                      ``false``, in turn (the order alternates per round); the target is on ≥ 0.95 × off

Load: ``wrk`` (2 threads, 16 connections) with bench/load.lua posting signed plaintext text pushes:
every request a new MsgId, one of 50 citizens, questions from ../shared/eval (county-dev and
county-real) in turn. Each push is signed with its own nonce, as WeChat signs them: guidebot refuses
a signed query string that comes back with another body (the replay guard), so wrk takes its query
strings from a file signed beforehand (one per request). Without wrk, a Python load generator in a
separate process (threads) is used instead.

Then a fixed-rate run at ``--rate`` pushes/s against guidebot on PostgreSQL + Redis from a separate
Python process (open loop: latency counted from each push's scheduled time).

Prints throughput, p50/p95/p99, errors (non-200 or empty body), RSS and PSS per worker after the run, the
ratios to bare Flask, and the issue's targets.

With ``--rounds N`` every target runs N times, in turn (flask, werobot, sqlite, postgres, flask…),
so a noisy neighbour slows all of them alike; each round's ratios use that round's bare-Flask run,
and the targets are judged on the median ratio and the worst round's p99 and errors.
"""

import argparse
import contextlib
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN, APP_ID = "bench-token", "wxbench000000000"
LUA = Path(__file__).with_name("load.lua")

from bench.webhook import questions  # noqa: E402 (the same mixed eval questions as the WSGI bench)

_nonces = itertools.count(int(time.time() * 1000) % 10**9 * 1000)


def signed_query() -> str:
    """A signed query string with a fresh nonce (the replay guard refuses a nonce used with another body)."""
    from bot.wechat import protocol as wechat

    timestamp, nonce = str(int(time.time())), str(next(_nonces))
    return urllib.parse.urlencode(
        {"signature": wechat.sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    )


def signed_queries(path: Path, count: int) -> Path:
    """``count`` signed query strings, one a line, for wrk (it cannot compute SHA-1 itself)."""
    with path.open("w", encoding="ascii") as handle:
        for _ in range(count):
            handle.write(signed_query() + "\n")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def worker_pids(master: int) -> list[int]:
    try:
        text = Path(f"/proc/{master}/task/{master}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in text.split()]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pss_mib(pid: int) -> float:
    """Proportional set size: pages shared between workers (the LMDB state map, the code) counted
    once across them, where RSS counts them in every worker."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0.0
    for line in lines:
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def memory(master: int) -> dict[str, list[float]]:
    pids = worker_pids(master)
    return {"rss": [round(rss_mib(pid), 1) for pid in pids], "pss": [round(pss_mib(pid), 1) for pid in pids]}


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], log: Path, *, guidebot: bool) -> Iterator[tuple[str, int]]:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync"]
    command += ["--bind", f"127.0.0.1:{port}", "--backlog", "2048", "--no-control-socket"]
    if guidebot:
        command += ["-c", "python:bot.serving.gunicorn_conf"]
    handle = open(log, "wb")
    process = subprocess.Popen(command + [app], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{app} exited:\n{log.read_text(errors='replace')[-3000:]}")
            ready = log.read_text(errors="replace").count("guidebot worker") >= 2 if guidebot else True
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                if ready and len(worker_pids(process.pid)) >= 2:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{app} did not start")
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        handle.close()


# -- load generators -----------------------------------------------------------------------------


def run_wrk(base: str, texts: Path, *, duration: int, threads: int, connections: int) -> dict[str, float]:
    # Enough for 30 000 pushes/s; a query string used twice would be refused (and counted as an error).
    queries = signed_queries(texts.with_name("queries.txt"), max(100_000, duration * 30_000))
    env = dict(
        os.environ,
        GUIDEBOT_BENCH_QUERIES=str(queries),
        GUIDEBOT_BENCH_THREADS=str(threads),
        GUIDEBOT_BENCH_QUESTIONS=str(texts),
    )
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{duration}s",
        "--latency",
        "-s",
        str(LUA),
    ]
    output = subprocess.run(
        command + [base + "/wechat"], env=env, capture_output=True, text=True, check=True
    ).stdout
    result = json.loads(output[output.index("JSON ") + 5 :].splitlines()[0])
    return result  # type: ignore[no-any-return]


def python_client(argv: list[str]) -> None:
    """``load.py _client BASE QUESTIONS DURATION CONCURRENCY RATE``: a load generator process.

    RATE 0: closed loop with CONCURRENCY threads; RATE > 0: open loop at RATE pushes/s.
    Prints one JSON line with requests, errors, seconds and latency percentiles (ms).
    """
    import http.client
    import itertools

    base, texts_path, duration, concurrency, rate = (
        argv[0],
        argv[1],
        float(argv[2]),
        int(argv[3]),
        float(argv[4]),
    )
    texts = Path(texts_path).read_text(encoding="utf-8").splitlines()
    parsed = urllib.parse.urlsplit(base)
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0
    start = time.monotonic()
    stop_at = start + duration

    def one(scheduled: float) -> None:
        nonlocal errors
        n = next(counter)
        body = (
            "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName>"
            f"<FromUserName><![CDATA[oBench{n % 50:02d}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{texts[n % len(texts)]}]]></Content>"
            f"<MsgId>{7 * 10**17 + os.getpid() * 10**7 + n}</MsgId></xml>"
        ).encode()
        ok = False
        try:
            connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
            query = signed_query()  # a fresh nonce per push, as WeChat
            connection.request("POST", "/wechat?" + query, body=body, headers={"Content-Type": "text/xml"})
            response = connection.getresponse()
            ok = response.status == 200 and bool(response.read())
            connection.close()
        except OSError:
            ok = False
        elapsed = time.monotonic() - scheduled
        with lock:
            latencies.append(elapsed)
            errors += 0 if ok else 1

    if rate > 0:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=64) as pool:
            index = 0
            while True:
                scheduled = start + index / rate
                if scheduled >= stop_at:
                    break
                delay = scheduled - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(one, scheduled)
                index += 1
    else:

        def loop() -> None:
            while time.monotonic() < stop_at:
                one(time.monotonic())

        workers = [threading.Thread(target=loop) for _ in range(concurrency)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    seconds = time.monotonic() - start
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else 0.0

    print(
        json.dumps(
            {
                "requests": len(latencies),
                "errors": errors,
                "seconds": seconds,
                "p50": pct(0.50),
                "p95": pct(0.95),
                "p99": pct(0.99),
                "max": latencies[-1] * 1000 if latencies else 0.0,
            }
        )
    )


def run_python(
    base: str, texts: Path, *, duration: float, concurrency: int, rate: float = 0
) -> dict[str, float]:
    command = [
        sys.executable,
        __file__,
        "_client",
        base,
        str(texts),
        str(duration),
        str(concurrency),
        str(rate),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


# -- the run -------------------------------------------------------------------------------------


@contextlib.contextmanager
def scraping(base: str, every: float = 5.0) -> Iterator[list[int]]:
    """GET /metrics every ``every`` seconds while the block runs, as Prometheus would; yields the statuses."""
    import urllib.request

    statuses: list[int] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                with urllib.request.urlopen(base + "/metrics", timeout=5) as response:
                    response.read()
                    statuses.append(response.status)
            except OSError:
                statuses.append(0)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield statuses
    finally:
        stop.set()
        thread.join(10)


def guidebot_env(database_url: str, spool: Path, redis_url: str | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUIDEBOT_")}
    env.update(
        GUIDEBOT_DATABASE_URL=database_url,
        GUIDEBOT_WECHAT_TOKEN=TOKEN,
        GUIDEBOT_WECHAT_APP_ID=APP_ID,
        GUIDEBOT_LOAD_DEMO="false",
        GUIDEBOT_SPOOL_DIR=str(spool),
        PYTHONPATH=str(ROOT),
    )
    if redis_url:
        env["GUIDEBOT_REDIS_URL"] = redis_url
    return env


def seed(url: str, kb: Path) -> None:
    from sqlmodel import Session

    from knowledge import storage
    from knowledge.db import make_engine, upgrade
    from knowledge.schema import load_kb

    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        storage.import_kb(session=session, kb=load_kb(kb), author="bench", publish=True)
    engine.dispose()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_client":
        python_client(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=1, help="run every target this many times, in turn")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--rate-duration", type=float, default=30.0)
    parser.add_argument("--only", default="sqlite,postgres,flask,werobot")
    parser.add_argument("--python-client", action="store_true", help="use the Python generator even with wrk")
    options = parser.parse_args()
    only = set(options.only.split(","))
    use_wrk = shutil.which("wrk") is not None and not options.python_client
    generator = (
        f"wrk ({options.threads} threads, {options.connections} connections)"
        if use_wrk
        else f"Python threads ({options.connections}) in a separate process"
    )
    print(f"load: {generator}, {options.duration} s per target after a 3 s warm-up; gunicorn 2 sync workers")

    rounds: list[dict[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory(prefix="guidebot-load-") as folder:
        tmp = Path(folder)
        texts = tmp / "questions.txt"
        texts.write_text("\n".join(questions(options.shared)), encoding="utf-8")
        kb = options.shared / "kb" / "county-hall.json"

        def measure(
            results: dict[str, dict[str, float]], name: str, app: str, env: dict[str, str], guidebot: bool
        ) -> None:
            scrape = name == "metrics-on"
            with (
                gunicorn(app, env, tmp / f"{name}.log", guidebot=guidebot) as (base, master),
                scraping(base) if scrape else contextlib.nullcontext([]) as scraped,
            ):
                if use_wrk:
                    run_wrk(base, texts, duration=3, threads=options.threads, connections=options.connections)
                    result = run_wrk(
                        base,
                        texts,
                        duration=options.duration,
                        threads=options.threads,
                        connections=options.connections,
                    )
                else:
                    run_python(base, texts, duration=3, concurrency=options.connections)
                    result = run_python(
                        base, texts, duration=options.duration, concurrency=options.connections
                    )
                result.update(memory(master))  # type: ignore[arg-type]
                if scrape:
                    result["scrapes"] = len(scraped)
                    result["scrape_errors"] = sum(1 for status in scraped if status != 200)
                results[name] = result
                report(name, result)
                if name == "guidebot-postgres" and options.rate > 0 and not rounds:
                    fixed = run_python(
                        base, texts, duration=options.rate_duration, concurrency=0, rate=options.rate
                    )
                    fixed.update(memory(master))  # type: ignore[arg-type]
                    results["fixed-rate"] = fixed
                    report(f"{options.rate:.0f}/s pg+redis", fixed)

        plain = {key: value for key, value in os.environ.items() if not key.startswith("GUIDEBOT_")}
        plain |= {"BENCH_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
        for number in range(options.rounds):
            if options.rounds > 1:
                print(f"-- round {number + 1} of {options.rounds}", flush=True)
            results: dict[str, dict[str, float]] = {}
            if "flask" in only:
                measure(results, "bare-flask", "bench.bare_flask:app", plain, False)
            if "werobot" in only:
                try:
                    measure(results, "werobot-echo", "bench.werobot_echo:app", plain, False)
                except RuntimeError as exc:
                    print(f"werobot-echo failed to run: {exc}")
            if "sqlite" in only:
                url = f"sqlite:///{tmp}/guidebot-{number}.sqlite3"
                seed(url, kb)
                env = guidebot_env(url, tmp / f"spool-sqlite-{number}")
                measure(results, "guidebot-sqlite", "webhook:app", env, True)
            if "postgres" in only:
                from knowledge.testing import PostgresUnavailable, postgres_database

                try:
                    with postgres_database("guidebot_bench_load") as url:
                        seed(url, kb)
                        env = guidebot_env(url, tmp / f"spool-pg-{number}", "redis://127.0.0.1:6379/15")
                        measure(results, "guidebot-postgres", "webhook:app", env, True)
                except PostgresUnavailable as exc:
                    print(f"guidebot-postgres skipped: {exc}")
            if "metrics" in only:
                url = f"sqlite:///{tmp}/guidebot-metrics-{number}.sqlite3"
                seed(url, kb)
                order = ("metrics-on", "metrics-off") if number % 2 == 0 else ("metrics-off", "metrics-on")
                for name in order:
                    env = guidebot_env(url, tmp / f"spool-{name}-{number}")
                    env["GUIDEBOT_METRICS"] = "true" if name == "metrics-on" else "false"
                    measure(results, name, "webhook:app", env, True)
            rounds.append(results)

    summary(rounds, options.rate)


def report(name: str, result: dict[str, float]) -> None:
    rps = result["requests"] / result["seconds"]
    print(
        f"{name:<18} {rps:8.0f} req/s  p50 {result['p50']:6.1f} ms  p95 {result['p95']:6.1f} ms"
        f"  p99 {result['p99']:6.1f} ms  max {result['max']:7.1f} ms  errors {int(result['errors'])}"
        f"/{int(result['requests'])}  RSS/worker {result.get('rss')} MiB  PSS {result.get('pss')} MiB",
        flush=True,
    )


def summary(rounds: list[dict[str, dict[str, float]]], rate: float) -> None:
    def rps(results: dict[str, dict[str, float]], name: str) -> float:
        return results[name]["requests"] / results[name]["seconds"]

    def ratios(name: str) -> list[float]:
        return [
            rps(results, name) / rps(results, "bare-flask")
            for results in rounds
            if name in results and "bare-flask" in results
        ]

    print("\nratios (throughput):")
    for name in ("guidebot-sqlite", "guidebot-postgres", "werobot-echo"):
        found = ratios(name)
        if found:
            each = f"  (rounds: {', '.join(f'{ratio:.2f}' for ratio in found)})" if len(found) > 1 else ""
            print(f"  {name} / bare-flask = {statistics.median(found):.2f}{each}")
    print("targets:" + (" (median ratio, worst round's p99 and errors)" if len(rounds) > 1 else ""))
    if any("metrics-on" in results for results in rounds):
        for name in ("metrics-on", "metrics-off"):
            found = [rps(results, name) for results in rounds if name in results]
            each = ", ".join(f"{value:.0f}" for value in found)
            print(f"  {name}: median {statistics.median(found):.0f} req/s (rounds: {each})")
    for name in ("guidebot-sqlite", "guidebot-postgres"):
        found = ratios(name)
        if not found:
            continue
        ratio = statistics.median(found)
        p99 = max(results[name]["p99"] for results in rounds if name in results)
        errors = sum(int(results[name]["errors"]) for results in rounds if name in results)
        print(
            f"  {name}: ≥ 0.5× bare Flask: {'met' if ratio >= 0.5 else 'MISSED'} ({ratio:.2f});"
            f" p99 < 50 ms: {'met' if p99 < 50 else 'MISSED'} ({p99:.1f} ms);"
            f" zero errors: {'met' if not errors else 'MISSED'}"
        )
    compared = [
        rps(results, "metrics-on") / rps(results, "metrics-off")
        for results in rounds
        if "metrics-on" in results and "metrics-off" in results
    ]
    if compared:
        ratio = statistics.median(compared)
        on = [results["metrics-on"] for results in rounds if "metrics-on" in results]
        scrapes = sum(int(result.get("scrapes", 0)) for result in on)
        bad = sum(int(result.get("scrape_errors", 0)) for result in on)
        print(
            f"  /metrics on within 5% of off: {'met' if ratio >= 0.95 else 'MISSED'} (on/off {ratio:.3f};"
            f" rounds: {', '.join(f'{value:.3f}' for value in compared)}; {scrapes} scrapes, {bad} failed)"
        )
    fixed = rounds[0].get("fixed-rate") if rounds else None
    if fixed is not None:
        print(
            f"  {rate:.0f} msg/s on PostgreSQL + Redis: p99 < 300 ms: "
            f"{'met' if fixed['p99'] < 300 else 'MISSED'}"
            f" ({fixed['p99']:.1f} ms), errors {int(fixed['errors'])}"
        )


if __name__ == "__main__":
    main()
