"""Helpers for tests/test_deploy.py: the shipped files with test paths, a self-signed certificate, nginx."""

import contextlib
import datetime as dt
import ipaddress
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
DOMAIN = "guidebot.example.gov.cn"


def environment_file(text: str) -> dict[str, str]:
    """Parse ``KEY=value`` lines as systemd's EnvironmentFile= does for the forms the example uses.

    Comments (# or ;) and blank lines are skipped, whitespace around the value is dropped, and a value
    in matching single or double quotes loses them. Anything else (``export``, spaces in the name,
    a line without "=") is refused: systemd would ignore it with a warning and the setting would be lost.
    """
    values = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        name, equals, value = line.partition("=")
        assert equals and name.strip() == name and name.replace("_", "a").isalnum(), f"line {number}: {raw!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and localhost) with its key, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def nginx_or_skip() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
    if found is None:
        pytest.skip("nginx is not installed (.ci/run installs nginx-light when it can)")
    return found


def server_block(
    folder: Path, *, http: int, https: int, upstream: int, replace: dict[str, str] | None = None
) -> str:
    """The shipped server block with this test's ports, certificate, log and upstream."""
    cert, key = self_signed(folder)
    text = (DEPLOY / "nginx" / "guidebot.conf").read_text(encoding="utf-8")
    for old, new in {
        f"/etc/letsencrypt/live/{DOMAIN}/fullchain.pem": str(cert),
        f"/etc/letsencrypt/live/{DOMAIN}/privkey.pem": str(key),
        "/var/log/nginx/guidebot.access.log": str(folder / "access.log"),
        "/var/www/html;": f"{folder / 'acme'};",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream};",
        "listen 80;": f"listen 127.0.0.1:{http};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        **(replace or {}),
    }.items():
        assert old in text, old
        text = text.replace(old, new)
    # IPv6 listeners may not exist in a container; the IPv4 ones carry the test.
    return "\n".join(line for line in text.splitlines() if "listen [::]" not in line)


def nginx_conf(folder: Path, block: str) -> Path:
    (folder / "guidebot.conf").write_text(block, encoding="utf-8")
    for name in ("body", "proxy", "acme"):
        (folder / name).mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n  client_body_temp_path {folder}/body;\n  proxy_temp_path {folder}/proxy;\n"
        f"  fastcgi_temp_path {folder}/proxy;\n  uwsgi_temp_path {folder}/proxy;\n"
        f"  scgi_temp_path {folder}/proxy;\n"
        f"  access_log off;\n  include {folder}/guidebot.conf;\n}}\n",
        encoding="utf-8",
    )
    return conf


def nginx_test(nginx: str, conf: Path) -> subprocess.CompletedProcess[str]:
    folder = conf.parent
    return subprocess.run(
        [nginx, "-t", "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(conf)],
        capture_output=True,
        text=True,
    )


@contextlib.contextmanager
def nginx_running(nginx: str, conf: Path, port: int) -> Iterator[None]:
    folder = conf.parent
    process = subprocess.Popen(
        [nginx, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        import socket

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert process.poll() is None, (folder / "error.log").read_text(errors="replace")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            time.sleep(0.05)
        yield
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
