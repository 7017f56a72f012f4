"""Service probes: CPU per probe for each kind, netmon against prometheus-blackbox-exporter.

Both probe the same targets in the same run, one probe at a time: an HTTPS server
(`openssl s_server -www` with an RSA chain the bench makes), a plain HTTP server
(`python3 -m http.server`), a TCP port, a TLS certificate check and a DNS name on dnsmasq.
The servers are separate processes, so their CPU is not counted. netmon's CPU is this
process's process_time around its probes; blackbox_exporter's is the utime + stime of its
process (/proc/PID/stat) around the HTTP requests this bench sends to its /probe endpoint.

    .venv/bin/python bench/bench_services.py [--probes 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from collectors.service import ServiceSettings, Target, probe  # noqa: E402
from netmon.lab.procs import Proc, free_port, start, tcp_open, wait_for  # noqa: E402
from tests.services.pki import RsaPki  # noqa: E402
from tests.services.servers import dnsmasq  # noqa: E402

HOST = "portal.gd.gov.test"


def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def servers(d: Path) -> tuple[list[Proc], dict[str, int], Path]:
    pki = RsaPki(d / "pki", "http://127.0.0.1:9/", "http://127.0.0.1:9/x.crl")
    leaf = pki.leaf("bench", [HOST, "127.0.0.1"], days=200)
    procs: list[Proc] = []
    ports = {"https": free_port(), "http": free_port()}
    procs.append(start("s_server", ["openssl", "s_server", "-accept", f"127.0.0.1:{ports['https']}", "-cert", str(leaf.cert), "-key",
                                    str(leaf.key), "-cert_chain", str(pki.d / "inter.pem"), "-www", "-quiet", "-naccept", "100000"],
                       d / "s_server.log"))  # fmt: skip
    www = d / "www"
    www.mkdir()
    (www / "index.html").write_text("<html><body>广东政务服务 ok</body></html>", encoding="utf-8")
    procs.append(start("http.server", [sys.executable, "-m", "http.server", str(ports["http"]), "--bind", "127.0.0.1", "--directory", str(www)],
                       d / "http.log"))  # fmt: skip
    for name in ("https", "http"):
        wait_for(lambda n=name: tcp_open("127.0.0.1", ports[n]), 15, name, procs[-1].popen)
    dm, ports["dns"] = dnsmasq(d, {HOST: "127.0.0.1"}, shutil.which("dnsmasq") or "/usr/sbin/dnsmasq")
    procs.append(dm)
    return procs, ports, pki.d / "root.pem"


def targets(ports: dict[str, int], ca: Path) -> dict[str, tuple[Target, str, str]]:
    """kind -> (netmon target, blackbox module, blackbox target)."""
    h, s, dns = ports["http"], ports["https"], ports["dns"]
    return {
        "http": (Target(name="http", kind="http", url=f"http://127.0.0.1:{h}/"), "http", f"http://127.0.0.1:{h}/"),
        "https": (
            Target(name="https", kind="http", url=f"https://127.0.0.1:{s}/", ca_file=ca),
            "https",
            f"https://127.0.0.1:{s}/",
        ),
        "tcp": (Target(name="tcp", kind="tcp", host="127.0.0.1", port=s), "tcp", f"127.0.0.1:{s}"),
        "tls": (Target(name="tls", kind="tls", host="127.0.0.1", port=s, ca_file=ca), "tls", f"127.0.0.1:{s}"),
        "dns": (
            Target(name="dns", kind="dns", server=f"127.0.0.1:{dns}", query=HOST, expect=["127.0.0.1"]),
            "dns",
            f"127.0.0.1:{dns}",
        ),
    }


def blackbox(d: Path, ca: Path) -> tuple[Proc, int]:
    port = free_port()
    cfg = d / "blackbox.yml"
    cfg.write_text(f"""modules:
  http: {{prober: http, timeout: 5s, http: {{preferred_ip_protocol: ip4, valid_status_codes: [200]}}}}
  https: {{prober: http, timeout: 5s, http: {{preferred_ip_protocol: ip4, fail_if_not_ssl: true, tls_config: {{ca_file: "{ca}"}}}}}}
  tcp: {{prober: tcp, timeout: 5s, tcp: {{preferred_ip_protocol: ip4}}}}
  tls: {{prober: tcp, timeout: 5s, tcp: {{preferred_ip_protocol: ip4, tls: true, tls_config: {{ca_file: "{ca}"}}}}}}
  dns: {{prober: dns, timeout: 5s, dns: {{preferred_ip_protocol: ip4, transport_protocol: udp, query_name: "{HOST}", query_type: A,
         validate_answer_rrs: {{fail_if_not_matches_regexp: ["127.0.0.1"]}}}}}}
""")
    p = start("blackbox", ["prometheus-blackbox-exporter", f"--config.file={cfg}", f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
              d / "blackbox.log")  # fmt: skip
    wait_for(lambda: tcp_open("127.0.0.1", port), 15, "blackbox_exporter", p.popen)
    return p, port


def bb_probe(port: int, module: str, target: str) -> bool:
    url = f"http://127.0.0.1:{port}/probe?module={module}&target={urllib.request.quote(target, safe='')}"
    with urllib.request.urlopen(url, timeout=10) as resp:
        return b"probe_success 1" in resp.read()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--probes", type=int, default=200, help="probes per kind and side")
    args = ap.parse_args()
    if not shutil.which("prometheus-blackbox-exporter"):
        print("prometheus-blackbox-exporter is not installed (make setup installs it as root)")
        return 1
    d = Path(tempfile.mkdtemp(prefix="netmon-bench-svc-"))
    procs, ports, ca = servers(d)
    bb, bb_port = blackbox(d, ca)
    settings = ServiceSettings(timeout=5)
    rows = []
    try:
        for kind, (t, module, bt) in targets(ports, ca).items():
            # warm both (contexts, connections pools, JIT-less but caches)
            res, _ = asyncio.run(probe(t, settings))
            assert res.up, (kind, res.error, res.detail)
            assert bb_probe(bb_port, module, bt), f"blackbox {module} failed: {(d / 'blackbox.log').read_text()[-500:]}"

            async def many(t: Target = t) -> int:
                ok = 0
                for _ in range(args.probes):
                    r, _ = await probe(t, settings)
                    ok += r.up
                return ok

            c0, w0 = time.process_time(), time.perf_counter()
            ok = asyncio.run(many())
            n_cpu, n_wall = time.process_time() - c0, time.perf_counter() - w0
            b0, w0 = proc_cpu(bb.pid), time.perf_counter()
            bok = sum(bb_probe(bb_port, module, bt) for _ in range(args.probes))
            b_cpu, b_wall = proc_cpu(bb.pid) - b0, time.perf_counter() - w0
            rows.append((kind, ok, bok, n_cpu, b_cpu, n_wall, b_wall))
    finally:
        bb.stop()
        for p in procs:
            p.stop()
        shutil.rmtree(d, ignore_errors=True)
    print(
        f"\n{args.probes} probes per kind, one at a time, targets on 127.0.0.1 ({socket.gethostname()}, {os.cpu_count()} CPUs)"
    )
    print(
        f"{'kind':6} {'netmon µs CPU/probe':>20} {'blackbox µs CPU/probe':>22} {'ratio netmon/bb':>16} {'ok netmon/bb':>14}"
    )
    for kind, ok, bok, n_cpu, b_cpu, _nw, _bw in rows:
        n_us, b_us = n_cpu / args.probes * 1e6, b_cpu / args.probes * 1e6
        print(f"{kind:6} {n_us:20.0f} {b_us:22.0f} {n_us / b_us if b_us else float('inf'):15.2f}x {ok:>6}/{bok:<6}")
    print(
        "(blackbox: its whole process, including serving the /probe request Prometheus would send; netmon: the probe and its result fields, in this process)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
