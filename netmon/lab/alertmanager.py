"""Prometheus Alertmanager on 127.0.0.1 (Debian ``prometheus-alertmanager``), clustering off.

Its only receiver is a webhook (the test's or the demo's HTTP server); group_wait and
group_interval are short so a lab alert arrives within a second.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from .procs import Proc, free_port, start, wait_for

BINARIES = ("prometheus-alertmanager", "alertmanager")


def alertmanager_binary() -> str | None:
    for name in BINARIES:
        path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
        if path:
            return path
    return None


@dataclass
class Alertmanager:
    proc: Proc
    port: int
    workdir: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alerts(self) -> list[dict[str, object]]:
        """The alerts Alertmanager holds now (GET /api/v2/alerts)."""
        resp = httpx.get(f"{self.url}/api/v2/alerts", timeout=5)
        resp.raise_for_status()
        return list(resp.json())

    def stop(self) -> None:
        self.proc.stop()


def start_alertmanager(
    workdir: Path,
    webhook_url: str,
    *,
    group_by: tuple[str, ...] = ("alertname",),
    group_wait: str = "0s",
    group_interval: str = "1s",
    repeat_interval: str = "1h",
    resolve_timeout: str = "5m",
    timeout: float = 30.0,
) -> Alertmanager:
    """Start alertmanager with one webhook receiver; raises RuntimeError if it does not come up."""
    binary = alertmanager_binary()
    if binary is None:
        raise RuntimeError("prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager)")
    workdir.mkdir(parents=True, exist_ok=True)
    cfg = {
        "global": {"resolve_timeout": resolve_timeout},
        "route": {
            "receiver": "hook",
            "group_by": list(group_by),
            "group_wait": group_wait,
            "group_interval": group_interval,
            "repeat_interval": repeat_interval,
        },
        "receivers": [{"name": "hook", "webhook_configs": [{"url": webhook_url, "send_resolved": True}]}],
    }
    (workdir / "alertmanager.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    port = free_port()
    proc = start(
        "alertmanager",
        [
            binary,
            f"--config.file={workdir / 'alertmanager.yml'}",
            f"--storage.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",  # no gossip: a lab instance is alone
            "--log.level=warn",
        ],
        workdir / "alertmanager.log",
    )
    am = Alertmanager(proc, port, workdir)
    try:
        wait_for(
            lambda: httpx.get(f"{am.url}/-/ready", timeout=1).status_code == 200, timeout, "alertmanager", proc.popen
        )
    except RuntimeError as exc:
        proc.stop()
        raise RuntimeError(f"{exc}\n{proc.log_tail()}") from None
    return am
