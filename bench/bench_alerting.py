"""Alerting benchmark (about a minute):

1. linkDown trap -> Alertmanager: `snmptrap` sends a linkDown to netmon's receiver, the engine
   fires `uplink_down`, the Alertmanager notifier posts it, and we time until Alertmanager's
   own API holds the alert and until its webhook delivers it (group_wait 0s). Goal < 1 s.
2. Polled link-down -> notification: a whole poll cycle (58 devices x 24 interfaces) with one
   uplink down goes through process() + end_cycle(); time until the webhook has it.
   Goal: one poll interval + 5 s, so this is the part after the poll.
3. Rule evaluation cost with 200 rules, CPU µs per point, against the peer vmalert (VictoriaMetrics'
   rule engine, which queries the database each round) evaluating the same 200 rules over the
   same samples: CPU seconds of vmalert + victoria-metrics per evaluation round vs netmon's.

Run: .venv/bin/python bench/bench_alerting.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import http.server
import json
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from netmon.alerting import AlertEngine  # noqa: E402
from netmon.alerting.config import TrapSettings  # noqa: E402
from netmon.inventory import Topology, load_inventory  # noqa: E402
from netmon.lab.alertmanager import alertmanager_binary, start_alertmanager  # noqa: E402
from netmon.lab.procs import Proc, free_port, start, wait_for  # noqa: E402
from netmon.model import Point  # noqa: E402
from netmon.secrets import SecretStore  # noqa: E402
from netmon.traps import TrapReceiver  # noqa: E402

SMALL = ROOT / "configs" / "inventory" / "small.yaml"
COMMUNITY = "bench-trap"


class Hook:
    """Webhook receiver recording arrival times of Alertmanager/netmon posts."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, dict]] = []
        hook = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                hook.arrivals.append((time.monotonic(), json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *a: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()


def _inventory_with_local_agent(tmp: Path) -> Topology:
    """The sample inventory with gd-in-core1 at 127.0.0.1, so traps from this host are its traps."""
    text = SMALL.read_text(encoding="utf-8")
    inv = load_inventory([SMALL])
    addr = inv["gd-in-core1"].address
    text = text.replace(f"address: {addr}\n", "address: 127.0.0.1\n", 1)
    p = tmp / "inv.yaml"
    p.write_text(text, encoding="utf-8")
    return Topology(load_inventory([p]))


async def trap_to_alertmanager(tmp: Path, rounds: int) -> dict[str, float]:
    hook = Hook()
    am = start_alertmanager(tmp / "am", hook.url + "/am", group_wait="0s", group_interval="1s")
    topo = _inventory_with_local_agent(tmp)
    local_if = topo.device("gd-in-core1").uplinks[0].local_interface or "GigabitEthernet0/0/0"
    section = {
        "rules": [],
        "receivers": {"am": {"type": "alertmanager", "url": am.url}},
        "groups": {"noc": ["am"]},
        "default_groups": ["noc"],
    }
    eng = AlertEngine.from_config(section, topo, tmp / "trap.db", SecretStore(environ={}))
    port = free_port(socket.SOCK_DGRAM)
    rx = TrapReceiver(
        TrapSettings(listen=f"127.0.0.1:{port}", communities=["env:C"]),
        topo.inventory,
        eng.process_now,
        SecretStore(environ={"C": COMMUNITY}),
    )
    rx.start()
    await eng.start()
    api, webhook = [], []
    try:
        for i in range(rounds):
            up = i % 2 == 1  # alternate down/up so each down is a new firing
            trap = "1.3.6.1.6.3.1.1.5.4" if up else "1.3.6.1.6.3.1.1.5.3"
            args = [
                "snmptrap",
                "-v2c",
                "-c",
                COMMUNITY,
                f"127.0.0.1:{port}",
                "",
                trap,
                "1.3.6.1.2.1.2.2.1.1.1",
                "i",
                "1",
                "1.3.6.1.2.1.31.1.1.1.1.1",
                "s",
                local_if,
            ]
            n0 = len(hook.arrivals)
            # snmptrap's own start-up (~10 ms) is inside the measurement: it is the device's send
            t0 = time.monotonic()
            proc = await asyncio.create_subprocess_exec(*args, env={**os.environ, "MIBS": ""})
            await proc.wait()
            if up:
                await asyncio.sleep(1.2)
                continue
            t_api = None
            while time.monotonic() - t0 < 5:
                if t_api is None:
                    held = await asyncio.to_thread(am.alerts)
                    if any(
                        a["labels"].get("alertname") == "uplink_down" and a["status"]["state"] == "active" for a in held
                    ):
                        t_api = time.monotonic() - t0
                if len(hook.arrivals) > n0 and any(
                    a["status"] == "firing" for _, b in hook.arrivals[n0:] for a in b["alerts"]
                ):
                    webhook.append(hook.arrivals[-1][0] - t0)
                    break
                await asyncio.sleep(0.005)
            if t_api is not None:
                api.append(t_api)
            await asyncio.sleep(1.2)  # let the group interval pass before the next round
    finally:
        rx.close()
        await eng.aclose()
        am.stop()
        hook.stop()
    return {
        "api_med": statistics.median(api),
        "api_max": max(api),
        "hook_med": statistics.median(webhook),
        "hook_max": max(webhook),
        "n": len(api),
    }


async def polled_link_down(tmp: Path) -> float:
    hook = Hook()
    topo = Topology(load_inventory([SMALL]))
    section = {
        "rules": [],
        "receivers": {"hook": {"type": "webhook", "url": hook.url + "/w"}},
        "groups": {"noc": ["hook"]},
        "default_groups": ["noc"],
    }
    eng = AlertEngine.from_config(section, topo, tmp / "poll.db", SecretStore(environ={}))
    await eng.start()
    try:
        t = time.time()
        cycle = _cycle(topo, t, down_if=("gd-gz-in-core1", 1))
        t0 = time.monotonic()
        eng.process(cycle)
        eng.end_cycle()
        while not hook.arrivals and time.monotonic() - t0 < 10:
            await asyncio.sleep(0.002)
        return hook.arrivals[0][0] - t0 if hook.arrivals else float("nan")
    finally:
        await eng.aclose()
        hook.stop()


def _cycle(topo: Topology, t: float, down_if: tuple[str, int] | None = None, ifs: int = 24) -> list[Point]:
    pts = []
    ns = int(t * 1e9)
    for d in topo.inventory:
        tags = d.point_tags()
        pts.append(Point("snmp_reach", tags, {"up": 1, "response_ms": 12.0, "error": ""}, ns))
        pts.append(Point("health", tags, {"cpu_pct": 30.0, "mem_pct": 40.0, "temp_c": 45.0}, ns))
        for i in range(1, ifs + 1):
            down = down_if == (d.name, i)
            itags = {**tags, "ifIndex": str(i), "ifName": f"GE0/0/{i}", "uplink": "1" if i == 1 else "0"}
            pts.append(
                Point(
                    "interface",
                    itags,
                    {
                        "oper_status": 2 if down else 1,
                        "admin_status": 1,
                        "in_util_pct": 35.0 + i,
                        "out_util_pct": 20.0,
                        "in_errors_ps": 0.0,
                        "out_errors_ps": 0.0,
                    },
                    ns,
                )
            )
    return pts


def _rules_200(path: Path) -> list[dict]:
    """200 rules a large deployment might have: per-province and per-tier thresholds."""
    provinces = ["广东", "浙江", "四川", "江苏", "山东", "河南", "湖北", "湖南", "福建", "安徽"]
    tiers = ["province", "city", "county", "township"]
    rules = []
    for pi, p in enumerate(provinces):
        for t in tiers:
            base = {"select": [f"region={p}", f"tier={t}"]}
            rules += [
                {
                    **base,
                    "id": f"util_p{pi}_{t}",
                    "measurement": "interface",
                    "when": "in_util_pct > 90 or out_util_pct > 90",
                    "recover": "in_util_pct < 80 and out_util_pct < 80",
                    "for": "5m",
                    "severity": "warning",
                    "promql": f'(in_util_pct{{region=~"{p}.*",tier="{t}"}} > 90) or (out_util_pct{{region=~"{p}.*",tier="{t}"}} > 90)',
                },
                {
                    **base,
                    "id": f"err_p{pi}_{t}",
                    "measurement": "interface",
                    "when": "in_errors_ps > 10",
                    "severity": "warning",
                    "promql": f'in_errors_ps{{region=~"{p}.*",tier="{t}"}} > 10',
                },
                {
                    **base,
                    "id": f"up_p{pi}_{t}",
                    "measurement": "interface",
                    "match": {"uplink": "1"},
                    "when": "oper_status == 2",
                    "severity": "critical",
                    "promql": f'oper_status{{region=~"{p}.*",tier="{t}",uplink="1"}} == 2',
                },
                {
                    **base,
                    "id": f"cpu_p{pi}_{t}",
                    "measurement": "health",
                    "when": "cpu_pct > 85",
                    "severity": "major",
                    "promql": f'cpu_pct{{region=~"{p}.*",tier="{t}"}} > 85',
                },
                {
                    **base,
                    "id": f"reach_p{pi}_{t}",
                    "measurement": "snmp_reach",
                    "when": "up == 0",
                    "severity": "critical",
                    "promql": f'up{{region=~"{p}.*",tier="{t}"}} == 0',
                },
            ]
    assert len(rules) == 200
    netmon_rules = []
    for r in rules:
        nr = {k: v for k, v in r.items() if k != "promql"}
        nr["summary"] = {"en": "{device} " + r["id"], "zh": "{device} " + r["id"]}
        netmon_rules.append(nr)
    import yaml

    path.write_text(yaml.safe_dump({"rules": netmon_rules}, allow_unicode=True), encoding="utf-8")
    return rules


def rule_cost(tmp: Path, cycles: int) -> dict[str, float]:
    topo = Topology(load_inventory([SMALL]))
    rules_file = tmp / "rules200.yaml"
    rules = _rules_200(rules_file)
    eng = AlertEngine.from_config({"rules": [str(rules_file)]}, topo, tmp / "cost.db", SecretStore(environ={}))
    batches = [_cycle(topo, time.time() + i * 60) for i in range(cycles)]
    n = sum(len(b) for b in batches)
    eng.process(batches[0])  # warm the selector caches, as a running daemon has them
    c0, w0 = time.process_time(), time.perf_counter()
    for b in batches:
        eng.process(b)
        eng.end_cycle()
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    eng.store.close()
    return {
        "points": n,
        "cpu_s": cpu,
        "us_per_point": cpu / n * 1e6,
        "points_per_s": n / wall,
        "per_cycle_cpu_s": cpu / cycles,
        "samples_per_cycle": len(batches[0]),
        "rules": rules,
    }


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vmalert_peer(tmp: Path, rules: list[dict], seconds: float) -> dict[str, float] | None:
    """vmalert evaluating the same 200 rules every second over the same samples in victoria-metrics."""
    vm_bin, vma_bin = shutil.which("victoria-metrics"), shutil.which("vmalert")
    if not vm_bin or not vma_bin:
        return None
    topo = Topology(load_inventory([SMALL]))
    vm_port, vma_port = free_port(), free_port()
    procs: list[Proc] = []
    try:
        vm = start(
            "victoria-metrics",
            [
                vm_bin,
                f"-httpListenAddr=127.0.0.1:{vm_port}",
                f"-storageDataPath={tmp / 'vm'}",
                "-search.latencyOffset=0s",
                "-loggerLevel=ERROR",
            ],
            tmp / "vm.log",
        )
        procs.append(vm)
        url = f"http://127.0.0.1:{vm_port}"
        wait_for(
            lambda: urllib.request.urlopen(f"{url}/health", timeout=1).status == 200, 30, "victoria-metrics", vm.popen
        )
        # the same samples, as Influx line protocol (VictoriaMetrics names them measurement_field)
        lines = []
        now = int(time.time() * 1e9)
        for p in _cycle(topo, time.time()):
            tags = ",".join(f"{k}={v.replace(' ', '_').replace(',', '_')}" for k, v in p.tags.items())
            flds = ",".join(
                f"{k}={v}" for k, v in p.fields.items() if isinstance(v, int | float) and not isinstance(v, bool)
            )
            if flds:
                lines.append(f"{p.measurement},{tags} {flds} {now}")
        req = urllib.request.Request(f"{url}/write", data="\n".join(lines).encode(), method="POST")
        urllib.request.urlopen(req, timeout=30).read()
        urllib.request.urlopen(f"{url}/internal/force_flush", timeout=10).read()
        # measurement_field names in the queries
        prefix = {"interface": "interface_", "health": "health_", "snmp_reach": "snmp_reach_"}
        groups = []
        for r in rules:
            q = r["promql"]
            for f in ("in_util_pct", "out_util_pct", "in_errors_ps", "oper_status", "cpu_pct"):
                q = q.replace(f + "{", prefix[r["measurement"]] + f + "{")
            q = q.replace("up{", "snmp_reach_up{")
            groups.append({"alert": r["id"], "expr": q, "for": "0s"})
        import yaml

        rf = tmp / "vmalert.yaml"
        rf.write_text(
            yaml.safe_dump({"groups": [{"name": "bench", "interval": "1s", "rules": groups}]}, allow_unicode=True),
            encoding="utf-8",
        )
        sink = Hook()  # vmalert wants a notifier; nothing fires on these samples anyway
        vma = start(
            "vmalert",
            [
                vma_bin,
                f"-rule={rf}",
                f"-datasource.url={url}",
                f"-notifier.url={sink.url}",
                f"-httpListenAddr=127.0.0.1:{vma_port}",
                "-evaluationInterval=1s",
                "-loggerLevel=ERROR",
            ],
            tmp / "vmalert.log",
        )
        procs.append(vma)
        wait_for(
            lambda: urllib.request.urlopen(f"http://127.0.0.1:{vma_port}/health", timeout=1).status == 200,
            30,
            "vmalert",
            vma.popen,
        )
        time.sleep(2)
        c0 = _cpu_seconds(vma.pid) + _cpu_seconds(vm.pid)
        time.sleep(seconds)
        cpu = _cpu_seconds(vma.pid) + _cpu_seconds(vm.pid) - c0
        with urllib.request.urlopen(f"http://127.0.0.1:{vma_port}/api/v1/rules", timeout=5) as resp:
            loaded = [r for g in json.loads(resp.read())["data"]["groups"] for r in g["rules"]]
        n_rules = len(loaded)
        errors = sum(1 for r in loaded if r.get("lastError"))
        q = urllib.parse.urlencode({"query": 'count({__name__=~".+"})'})
        with urllib.request.urlopen(f"{url}/api/v1/query?{q}", timeout=5) as resp:
            fetched = int(json.loads(resp.read())["data"]["result"][0]["value"][1])
        sink.stop()
        return {
            "cpu_s": cpu,
            "rounds": seconds,
            "per_round_cpu_s": cpu / seconds,
            "rules_loaded": n_rules,
            "errors": errors,
            "series_fetched": fetched,
        }
    finally:
        for p in procs:
            p.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer rounds")
    args = ap.parse_args()
    rounds = 6 if args.quick else 20
    with tempfile.TemporaryDirectory(prefix="netmon-bench-alerting-") as d:
        tmp = Path(d)
        print("== alerting benchmark (netmon vs peers, same work, same run)")
        if alertmanager_binary() and shutil.which("snmptrap"):
            r = asyncio.run(trap_to_alertmanager(tmp, rounds))
            print(
                f"linkDown trap -> Alertmanager API holds it: median {r['api_med'] * 1000:.0f} ms, "
                f"max {r['api_max'] * 1000:.0f} ms over {r['n']} traps (goal < 1000 ms)"
            )
            print(
                f"linkDown trap -> Alertmanager webhook delivered (group_wait 0s): median {r['hook_med'] * 1000:.0f} ms, "
                f"max {r['hook_max'] * 1000:.0f} ms"
            )
        else:
            print("linkDown trap -> Alertmanager: skipped (prometheus-alertmanager or snmptrap missing)")
        lat = asyncio.run(polled_link_down(tmp))
        print(
            f"polled uplink down -> webhook, after the poll returns (58 devices x 24 ifs in the cycle): "
            f"{lat * 1000:.1f} ms (goal: interval + 5 s)"
        )
        cyc = 5 if args.quick else 20
        c = rule_cost(tmp, cyc)
        print(
            f"rule evaluation, 200 rules: {c['us_per_point']:.2f} µs CPU per point "
            f"({c['points']} points, {c['cpu_s']:.3f} CPU s, {c['points_per_s']:.0f} points/s), "
            f"{c['per_cycle_cpu_s'] * 1000:.1f} ms CPU per cycle of {c['samples_per_cycle']} points"
        )
        peer = vmalert_peer(tmp, c["rules"], 5 if args.quick else 10)
        if peer is None:
            print("peer vmalert: skipped (victoria-metrics/vmalert not installed)")
        else:
            ratio = peer["per_round_cpu_s"] / c["per_cycle_cpu_s"] if c["per_cycle_cpu_s"] else float("inf")
            print(
                f"peer vmalert + victoria-metrics, same 200 rules ({peer['rules_loaded']} loaded) over the same "
                f"{c['samples_per_cycle']} samples: {peer['per_round_cpu_s'] * 1000:.1f} ms CPU per evaluation round "
                f"(rule errors {peer['errors']}, series in VictoriaMetrics {peer['series_fetched']})"
            )
            print(f"ratio peer/netmon CPU per round: {ratio:.1f}x")


if __name__ == "__main__":
    main()
