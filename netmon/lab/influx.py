"""InfluxDB 1.x (Debian ``influxdb`` 1.6.7) on 127.0.0.1 for tests, the demo and benchmarks.

1.6 has no ``/api/v2/*`` (influxdb-client's writes get 404 there): it serves the v1 HTTP API
(``/write``, ``/query``, ``/ping``) that the ``influxdb1://`` sink and every query helper use.
"""

from __future__ import annotations

import shutil
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .procs import Proc, free_port, start, wait_for

_CONF = """\
reporting-enabled = false
bind-address = "127.0.0.1:{rpc_port}"

[meta]
  dir = "{dir}/meta"
  logging-enabled = false

[data]
  dir = "{dir}/data"
  wal-dir = "{dir}/wal"
  query-log-enabled = false
  # The test and demo servers hold little; keep influxd's own memory use modest.
  cache-snapshot-memory-size = 26214400

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:{http_port}"
  auth-enabled = {auth}
  log-enabled = false
  pprof-enabled = false

[admin]
  enabled = false

[continuous_queries]
  enabled = false

[[graphite]]
  enabled = false

[[udp]]
  enabled = false

[[collectd]]
  enabled = false

[[opentsdb]]
  enabled = false
"""


def influxd_binary() -> str | None:
    return shutil.which("influxd") or (str(Path("/usr/bin/influxd")) if Path("/usr/bin/influxd").exists() else None)


@dataclass
class Influxd(Proc):
    """A running influxd; ``restart()`` starts it again on the same data dir and ports."""

    url: str = ""
    data_dir: Path = field(default_factory=Path)
    conf: Path = field(default_factory=Path)
    binary: str = "influxd"

    def restart(self, timeout: float = 30.0) -> None:
        self.stop()
        fresh = start(
            self.name, [self.binary, "run", "-config", str(self.conf)], self.log or self.data_dir / "influxd.log"
        )
        self.popen = fresh.popen
        _wait_ping(self.url, timeout, self)

    def query(self, q: str, db: str | None = None) -> dict[str, object]:
        """Run InfluxQL through /query (the independent truth in tests); returns the decoded JSON."""
        import json
        import urllib.parse

        params = {"q": q, "epoch": "ns"}
        if db:
            params["db"] = db
        data = urllib.parse.urlencode(params).encode()
        with urllib.request.urlopen(f"{self.url}/query", data=data, timeout=30) as resp:  # noqa: S310 (our own loopback URL)
            return dict(json.loads(resp.read()))


def _ping(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/ping", timeout=1) as resp:  # noqa: S310 (our own loopback URL)
        return int(resp.status) == 204


def _wait_ping(url: str, timeout: float, proc: Proc) -> None:
    try:
        wait_for(lambda: _ping(url), timeout, f"influxd at {url}", proc.popen)
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}\n{proc.log_tail()}") from None


def start_influxd(data_dir: Path | None = None, *, auth: bool = False, timeout: float = 30.0) -> Influxd:
    """Start ``influxd run -config`` on free loopback ports with meta/data/wal under ``data_dir``.

    Reporting, UDP, graphite, collectd, opentsdb, the _internal monitor store and continuous
    queries are off, so the server is quiet and touches nothing outside ``data_dir``.
    """
    binary = influxd_binary()
    if binary is None:
        raise RuntimeError("influxd is not installed (Debian package 'influxdb')")
    data_dir = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="netmon-influxd-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    http_port, rpc_port = free_port(), free_port()
    conf = data_dir / "influxd.conf"
    conf.write_text(
        _CONF.format(dir=data_dir, http_port=http_port, rpc_port=rpc_port, auth="true" if auth else "false")
    )
    log = data_dir / "influxd.log"
    proc = start("influxd", [binary, "run", "-config", str(conf)], log)
    url = f"http://127.0.0.1:{http_port}"
    handle = Influxd("influxd", proc.popen, log, url=url, data_dir=data_dir, conf=conf, binary=binary)
    try:
        _wait_ping(url, timeout, handle)
    except BaseException:
        handle.stop()
        raise
    return handle
