"""Syslog test helpers: a real `netmon syslog serve` (UDP, TCP, TLS) on loopback, a CA and server
certificate made with openssl, and readers of what reached the SQLite sink."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from netmon.lab.procs import free_port, start, wait_for
from netmon.storage.sqlite import iter_points

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = """
devices:
- {name: c-core, address: 10.0.0.1, network: intranet, tier: central, site: 中心, role: core, vendor: huawei_vrp}
- {name: gd-core, address: 127.0.0.1, network: intranet, tier: province, region: 广东, site: 广东省政务中心, role: core,
   vendor: huawei_vrp, uplinks: [{device: c-core}]}
- {name: gd-ex-fw, address: 10.128.1.1, network: extranet, tier: province, region: 广东, site: 广东省政务中心, role: firewall,
   vendor: cisco_ios}
- {name: c-ex-core, address: 10.128.0.1, network: extranet, tier: central, site: 中心, role: core, vendor: h3c_comware}
"""


def make_tls(d: Path) -> dict[str, Path]:
    """A CA and a server certificate for 127.0.0.1/localhost (openssl CLI); the key is 0600."""
    d.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, csr, crt = (d / n for n in ("ca.key", "ca.crt", "server.key", "server.csr", "server.crt"))

    def run(*a: str) -> None:
        subprocess.run(["openssl", *a], check=True, capture_output=True, timeout=60)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca), "-days", "2",
        "-subj", "/CN=netmon test CA")  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", "/CN=localhost")
    ext = d / "ext.cnf"
    ext.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial", "-out", str(crt),
        "-days", "2", "-extfile", str(ext))  # fmt: skip
    key.chmod(0o600)
    return {"ca": ca, "cert": crt, "key": key}


@dataclass
class Serve:
    """A running `netmon syslog serve` and its files."""

    dir: Path
    config: Path
    db: Path
    archive: Path
    udp: int
    tcp: int
    tls: int
    tls_files: dict[str, Path]
    proc: object = None
    extra: dict[str, object] = field(default_factory=dict)

    def rows(self, measurement: str = "syslog") -> list[dict]:
        """Every stored point of a measurement as {time, tags..., fields...} (read-only SQLite)."""
        if not self.db.exists():
            return []
        con = sqlite3.connect(f"{self.db.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            out = [{"time": p.time_ns, **p.tags, **p.fields} for p in iter_points(con, measurement)]
        except sqlite3.OperationalError:
            return []
        finally:
            con.close()
        return sorted(out, key=lambda r: r["time"])

    def wait_rows(self, pred, timeout: float = 20.0, measurement: str = "syslog") -> list[dict]:
        deadline = time.monotonic() + timeout
        while True:
            rows = [r for r in self.rows(measurement) if pred(r)]
            if rows or time.monotonic() > deadline:
                return rows
            time.sleep(0.2)

    def wait_count(self, pred, n: int, timeout: float = 30.0, measurement: str = "syslog") -> list[dict]:
        deadline = time.monotonic() + timeout
        while True:
            rows = [r for r in self.rows(measurement) if pred(r)]
            if len(rows) >= n or time.monotonic() > deadline:
                return rows
            time.sleep(0.2)


def write_config(d: Path, udp: int, tcp: int, tls: int, tls_files: dict[str, Path], extra: str = "") -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / "inventory.yaml").write_text(INVENTORY, encoding="utf-8")
    cfg = d / "netmon.yaml"
    cfg.write_text(
        f"""
inventory: [inventory.yaml]
sink: sqlite:///{d}/netmon.db
spool: {{dir: spool}}
batch: {{interval: 0.2}}
http: {{listen: ""}}
alerting: {{state: alerts.db}}
syslog:
  udp: 127.0.0.1:{udp}
  tcp: 127.0.0.1:{tcp}
  tls: {{listen: "127.0.0.1:{tls}", cert: {tls_files["cert"]}, key: {tls_files["key"]}, handshake_timeout: 3}}
  device_timezone: Asia/Shanghai
  max_message: 2048
  stats_interval: 1
  archive: {{dir: archive, timezone: Asia/Shanghai}}
{extra}
""",
        encoding="utf-8",
    )
    return cfg


def start_serve(d: Path, tls_files: dict[str, Path], extra: str = "") -> Serve:
    from netmon.lab.procs import tcp_open

    udp, tcp, tls = free_port(__import__("socket").SOCK_DGRAM), free_port(), free_port()
    cfg = write_config(d, udp, tcp, tls, tls_files, extra)
    env = dict(os.environ, COLUMNS="200")
    proc = start(
        "netmon-syslog",
        [sys.executable, "-m", "netmon", "syslog", "serve", "-c", str(cfg)],
        d / "serve.log",
        env=env,
        cwd=ROOT,
    )
    wait_for(lambda: tcp_open("127.0.0.1", tcp) and tcp_open("127.0.0.1", tls), 30, "netmon syslog serve", proc.popen)
    return Serve(d, cfg, d / "netmon.db", d / "archive", udp, tcp, tls, tls_files, proc)


def logger(port: int, *args: str, message: str) -> None:
    """util-linux logger to 127.0.0.1:port with the given options."""
    from tests.conftest import need_binary

    exe = need_binary("logger")
    # The devices' zone is configured as Asia/Shanghai (syslog.device_timezone): logger's RFC 3164
    # timestamps (local time, no zone) are written in it too.
    env = dict(os.environ, TZ="Asia/Shanghai")
    subprocess.run([exe, "--server", "127.0.0.1", "--port", str(port), *args, message], check=True, timeout=10, env=env)
