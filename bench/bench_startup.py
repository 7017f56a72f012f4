"""`netmon run` with the ~33,000-device national inventory: start-up to first poll, memory per device.

The devices' addresses are rewritten into 127.0.0.0/8 (nothing listens on their SNMP port, so
polls fail fast and no packet leaves the machine). Goal: first poll within 5 s of start.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def write_inventory(d: Path, size: str) -> int:
    from netmon.inventory.generate import dump_csv, generate

    rows = list(csv.DictReader(io.StringIO(dump_csv(generate(size)))))
    for i, r in enumerate(rows):
        r["address"] = f"127.{1 + i // 65536}.{(i // 256) % 256}.{i % 256}"
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    (d / f"{size}.csv").write_text(buf.getvalue(), encoding="utf-8")
    return len(rows)


def run_once(d: Path, size: str, watch: float) -> tuple[float, float, int]:
    n = write_inventory(d, size)
    (d / "secrets.yaml").write_text("c: bench-community\n")
    os.chmod(d / "secrets.yaml", 0o600)
    cfg = d / f"{size}.yaml"
    cfg.write_text(
        f"inventory: [{size}.csv]\nsecrets_file: secrets.yaml\n"
        "credentials:\n  snmp:\n    v3-intranet: {version: 2c, community: 'secret:c'}\n    v3-extranet: {version: 2c, community: 'secret:c'}\n"
        f"sink: sqlite:///{d}/{size}.db\nspool: {{dir: {d}/spool-{size}}}\n"
        "intervals: {snmp: 60, health: 300, jitter: 0.1}\nsnmp: {timeout: 0.5, retries: 0}\nhttp: {listen: ''}\n"
        f"alerting: {{state: {d}/alerts-{size}.db}}\n",
        encoding="utf-8",
    )
    log = d / f"{size}.log"
    t0 = time.monotonic()
    with log.open("wb") as fh:
        p = subprocess.Popen([sys.executable, "-m", "netmon", "run", "-c", str(cfg)], stderr=fh)
    first = None
    peak = 0.0
    deadline = t0 + watch
    while time.monotonic() < deadline:
        if first is None and b"first snmp poll started" in log.read_bytes():
            first = time.monotonic() - t0
        if p.poll() is not None:
            raise SystemExit(f"netmon run exited: {log.read_text(errors='replace')[-2000:]}")
        peak = max(peak, rss_mb(p.pid))
        time.sleep(0.05)
    p.terminate()
    p.wait(120)
    return first or float("nan"), peak, n


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t_small, rss_small, n_small = run_once(d, "small", 15)
        t_nat, rss_nat, n_nat = run_once(d, "national", 40)
    print(f"start-up to first poll: {n_small} devices {t_small:.2f} s; {n_nat} devices {t_nat:.2f} s (goal < 5 s)")
    per_dev = (rss_nat - rss_small) * 1024 / (n_nat - n_small)
    print(
        f"peak RSS: {rss_small:.0f} MB with {n_small} devices, {rss_nat:.0f} MB with {n_nat} devices "
        f"-> {per_dev:.1f} KB per device polled"
    )


if __name__ == "__main__":
    main()
