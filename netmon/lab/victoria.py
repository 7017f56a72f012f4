"""VictoriaMetrics (Debian ``victoria-metrics``) on 127.0.0.1.

It accepts influxdb-client's v2 write (``/api/v2/write``, line protocol), so the
``influxdb://`` sink's WriteApi is exercised against a real server here, where InfluxDB 2.x
itself cannot be installed. Points are read back with ``/api/v1/export`` (JSON lines).
Fields are stored as ``<measurement>_<field>`` series in milliseconds; string fields become 0.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .procs import Proc, free_port, start, wait_for


def victoria_binary() -> str | None:
    return shutil.which("victoria-metrics")


@dataclass
class Victoria(Proc):
    url: str = ""
    data_dir: Path = field(default_factory=Path)

    def flush(self) -> None:
        """Make just-written samples searchable now (VictoriaMetrics buffers them ~1 s)."""
        with urllib.request.urlopen(f"{self.url}/internal/force_flush", timeout=10):  # noqa: S310 (loopback)
            pass

    def export(self, match: str = '{__name__=~".+"}') -> list[dict[str, object]]:
        """Every stored series matching ``match`` as dicts: metric (labels), values, timestamps (ms)."""
        self.flush()
        q = urllib.parse.urlencode({"match[]": match})
        with urllib.request.urlopen(f"{self.url}/api/v1/export?{q}", timeout=30) as resp:  # noqa: S310 (loopback)
            return [json.loads(line) for line in resp.read().decode().splitlines() if line.strip()]


def start_victoria(
    data_dir: Path | None = None, *, user: str = "", password: str = "", timeout: float = 30.0
) -> Victoria:
    """Start victoria-metrics on a free loopback port; with ``user`` it demands HTTP basic auth
    (influxdb-client's token then gets 401, which is how the bad-token path is tested)."""
    binary = victoria_binary()
    if binary is None:
        raise RuntimeError("victoria-metrics is not installed (Debian package 'victoria-metrics')")
    data_dir = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="netmon-vm-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [
        binary,
        f"-httpListenAddr=127.0.0.1:{port}",
        f"-storageDataPath={data_dir / 'data'}",
        "-retentionPeriod=100y",  # test points carry old timestamps on purpose
        "-search.latencyOffset=0s",
        "-selfScrapeInterval=0",
        "-loggerLevel=ERROR",
    ]
    if user:
        argv += [f"-httpAuth.username={user}", f"-httpAuth.password={password}"]
    log = data_dir / "victoria.log"
    proc = start("victoria-metrics", argv, log)
    url = f"http://127.0.0.1:{port}"
    handle = Victoria("victoria-metrics", proc.popen, log, url=url, data_dir=data_dir)

    def ready() -> bool:
        with urllib.request.urlopen(f"{url}/health", timeout=1) as resp:  # noqa: S310 (loopback)
            return int(resp.status) == 200

    try:
        wait_for(ready, timeout, f"victoria-metrics at {url}", handle.popen)
    except BaseException:
        handle.stop()
        raise
    return handle
