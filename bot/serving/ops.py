"""``GET /healthz``, ``/readyz`` and ``/metrics``: a small WSGI middleware in front of the Flask app.

Like the push shortcut, these answer without Flask's request context: a load balancer probes
``/healthz`` every few seconds and it must stay cheap. ``/readyz`` is :func:`bot.serving.health.readiness`
as JSON (200 or 503). ``/metrics`` is the Prometheus text format, summed over every gunicorn worker
(``prometheus_client`` multiprocess mode), plus what is read at scrape time (readiness of each part,
spool and outbox backlogs, the database's knowledge-base version); it answers loopback addresses and
those listed in ``METRICS_ALLOW`` only. Behind a proxy the address checked is the one the proxy saw
(the last ``X-Forwarded-For`` entry) as well as the proxy's own.
"""

import ipaddress
import json
import logging
import os
from collections.abc import Iterable, Iterator
from typing import Any

from bot import metrics
from bot.serving import health, runtime
from bot.serving.settings import SettingError, SettingsError

log = logging.getLogger(__name__)

PATHS = ("/healthz", "/readyz", "/metrics")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_allow(text: str) -> list[Network]:
    """``METRICS_ALLOW`` ("10.0.0.5, 192.168.1.0/24") as networks; raises ``SettingsError`` naming it."""
    networks = []
    for entry in text.replace(";", ",").replace(" ", ",").split(","):
        if entry:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError as exc:
                expected = "逗号分隔的 IP 地址或网段（如 10.0.0.5, 192.168.1.0/24）"
                raise SettingsError([SettingError("METRICS_ALLOW", expected)]) from exc
    return networks


def _allowed(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or any(ip in network for network in networks)


def metrics_client_allowed(environ: dict[str, Any], networks: list[Network]) -> bool:
    """True when the peer, and the client a proxy names for it, are loopback or listed."""
    if not _allowed(str(environ.get("REMOTE_ADDR") or ""), networks):
        return False
    forwarded = str(environ.get("HTTP_X_FORWARDED_FOR") or "")
    if forwarded:
        # The last entry is what the nearest proxy (nginx) saw; earlier ones are the client's word.
        return _allowed(forwarded.split(",")[-1], networks)
    return True


class _ScrapeTime:
    """Gauges read when Prometheus scrapes: readiness per part, backlogs, the database's KB version."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        _, body = health.readiness(self.app)
        checks = body["checks"]
        ready = GaugeMetricFamily(
            "guidebot_ready", "1 when the part is ready in this worker", labels=["part"]
        )
        for name, check in checks.items():
            ready.add_metric([name], 1.0 if check.get("ok") else 0.0)
        yield ready
        spool = checks["spool"]
        yield GaugeMetricFamily(
            "guidebot_spool_records",
            "Questions waiting in the spool for the database",
            value=spool.get("records", 0),
        )
        backlog = GaugeMetricFamily(
            "guidebot_outbox_backlog",
            "Customer-service messages waiting to be sent, by the errcode of their last attempt",
            labels=["errcode"],
        )
        for code, count in sorted((checks["outbox"].get("by_errcode") or {}).items()):
            backlog.add_metric([code], float(count))
        yield backlog
        version = _kb_version(self.app) if checks["database"].get("ok") else None
        if version is not None:
            yield GaugeMetricFamily(
                "guidebot_kb_version",
                "Knowledge-base version in the database (compare guidebot_index_version)",
                value=version,
            )


def _kb_version(app: Any) -> int | None:
    if not runtime.uses_database(app.config):
        return None
    from sqlmodel import Session

    from knowledge import storage
    from knowledge.db import get_engine

    try:
        with Session(runtime.guard_engine(get_engine(app))) as session:
            return storage.kb_version(session=session)
    except Exception:
        return None


class _Collectors:
    def __init__(self, parts: Iterable[Any]) -> None:
        self.parts = list(parts)

    def collect(self) -> Iterator[Any]:
        for part in self.parts:
            yield from part.collect()


def exposition(app: Any) -> bytes:
    """The Prometheus text for this process, or for every worker of this gunicorn master."""
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest

    if metrics.multiprocess_dir():
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        source: Any = _Collectors([registry, _ScrapeTime(app)])
    else:
        source = _Collectors([REGISTRY, _ScrapeTime(app)])
    return bytes(generate_latest(source))


class OpsEndpoints:
    """WSGI middleware answering the operations paths; everything else goes to ``wsgi_app``."""

    def __init__(self, app: Any, wsgi_app: Any) -> None:
        self.app, self.wsgi_app = app, wsgi_app
        self.networks = parse_allow(str(app.config.get("METRICS_ALLOW") or ""))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO")
        if path not in PATHS:
            return self.wsgi_app(environ, start_response)
        answer = self._answer(path, environ, start_response)
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else answer

    def _answer(self, path: str, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _respond(
                start_response, 405, b"method not allowed\n", "text/plain", [("Allow", "GET, HEAD")]
            )
        if path == "/healthz":
            body = json.dumps({"status": "alive", "pid": os.getpid()}).encode()
            return _respond(start_response, 200, body, "application/json")
        if path == "/readyz":
            status, data = health.readiness(self.app)
            return _respond(
                start_response, status, json.dumps(data, ensure_ascii=False).encode(), "application/json"
            )
        return self._metrics(environ, start_response)

    def _metrics(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if not self.app.config.get("METRICS", True):
            return _respond(start_response, 404, b"metrics are off (GUIDEBOT_METRICS=false)\n", "text/plain")
        if not metrics_client_allowed(environ, self.networks):
            return _respond(start_response, 403, b"forbidden: see GUIDEBOT_METRICS_ALLOW\n", "text/plain")
        metrics.enable()
        metrics.flush()  # this worker's latest pushes (the others' are at most a second old)
        from prometheus_client import CONTENT_TYPE_LATEST

        return _respond(start_response, 200, exposition(self.app), CONTENT_TYPE_LATEST)


_REASONS = {
    200: "OK",
    403: "FORBIDDEN",
    404: "NOT FOUND",
    405: "METHOD NOT ALLOWED",
    503: "SERVICE UNAVAILABLE",
}


def _respond(
    start_response: Any, status: int, body: bytes, mimetype: str, headers: list[tuple[str, str]] | None = None
) -> list[bytes]:
    content_type = mimetype if "charset" in mimetype else f"{mimetype}; charset=utf-8"
    start_response(
        f"{status} {_REASONS[status]}",
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
            *(headers or []),
        ],
    )
    return [body]
