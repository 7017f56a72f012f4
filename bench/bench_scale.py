"""Province scale: `netmon run` vs snmp_exporter + vmagent + VictoriaMetrics, same agents, same run.

N "devices" are N UDP ports of net-snmp ``snmpd`` (one process per ``--agent-ports``, 1,000) serving ~48 interfaces (as root: a fresh
network namespace with lo + 47 dummy interfaces; otherwise the host's interfaces). Both stacks
poll every device every ``--interval`` seconds for the same 15 IF-MIB columns (ifTable status
and error counters, ifXTable HC counters, ifCounterDiscontinuityTime):

* peer: Debian ``prometheus-snmp-exporter`` (one module walking the 15 columns), ``vmagent``
  scraping every device through it, remote-writing into ``victoria-metrics``;
* netmon: ``python -m netmon run`` with its embedded SQLite sink, spool and built-in alert rules.

After one warm-up interval, the CPU seconds (utime+stime, children included, from
/proc/<pid>/stat; snmpd excluded) of each stack over ``--cycles`` intervals are divided by the
device-polls each completed in that window (netmon: ``snmp_reach`` rows in SQLite; peer: ``up``
samples in VictoriaMetrics). Printed: CPU ms per device-poll, the ratio netmon/peer, and how
many device-polls succeeded within the interval.

    sudo .venv/bin/python bench/bench_scale.py [--devices 200] [--interval 30] [--cycles 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from netmon.lab.procs import Proc, free_port, start, tcp_open, wait_for  # noqa: E402
from netmon.lab.snmpd import snmpd_binary  # noqa: E402
from netmon.lab.victoria import Victoria, start_victoria  # noqa: E402

_IF = "1.3.6.1.2.1.2.2.1."
_IFX = "1.3.6.1.2.1.31.1.1.1."
# The 15 columns a routine netmon interface poll reads (collectors/snmp/poller.py STATUS + HC).
COLUMNS = {
    "ifAdminStatus": (_IF + "7", "gauge"), "ifOperStatus": (_IF + "8", "gauge"),
    "ifInDiscards": (_IF + "13", "counter"), "ifInErrors": (_IF + "14", "counter"),
    "ifOutDiscards": (_IF + "19", "counter"), "ifOutErrors": (_IF + "20", "counter"),
    "ifCounterDiscontinuityTime": (_IFX + "19", "gauge"),
    "ifHCInOctets": (_IFX + "6", "counter"), "ifHCInUcastPkts": (_IFX + "7", "counter"),
    "ifHCInMulticastPkts": (_IFX + "8", "counter"), "ifHCInBroadcastPkts": (_IFX + "9", "counter"),
    "ifHCOutOctets": (_IFX + "10", "counter"), "ifHCOutUcastPkts": (_IFX + "11", "counter"),
    "ifHCOutMulticastPkts": (_IFX + "12", "counter"), "ifHCOutBroadcastPkts": (_IFX + "13", "counter"),
}  # fmt: skip
COMMUNITY = "bench-scale"


# --- network namespace --------------------------------------------------------------------------


def in_namespace(args: argparse.Namespace) -> int | None:
    """As root: run this script again inside a new netns with lo + 47 dummy interfaces."""
    if args.inner or args.no_netns or os.geteuid() != 0 or not shutil.which("ip"):
        return None
    ns = f"nmscale{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"], check=True)
        kind = "dummy"
        if subprocess.run(
            ["ip", "netns", "exec", ns, "ip", "link", "add", "d0", "type", kind], capture_output=True
        ).returncode:
            kind = "ifb"
        first = 1 if kind == "dummy" else 0
        batch = "".join(f"link add d{i} type {kind}\n" for i in range(first, args.interfaces - 1))
        subprocess.run(["ip", "netns", "exec", ns, "ip", "-batch", "-"], input=batch, text=True, check=True)
        print(f"network namespace {ns}: lo + {args.interfaces - 1} {kind} interfaces", flush=True)
        return subprocess.run(
            ["ip", "netns", "exec", ns, sys.executable, __file__, "--inner", *sys.argv[1:]]
        ).returncode
    finally:
        subprocess.run(["ip", "netns", "delete", ns], check=False)


# --- measuring ----------------------------------------------------------------------------------


_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (field 3 onwards), None once gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_of(pid: int) -> float:
    """utime + stime + cutime + cstime of a process, seconds (/proc/<pid>/stat fields 14-17)."""
    f = _stat(pid)
    return sum(int(x) for x in f[11:15]) / _TICK if f else 0.0


def cpu_self(pid: int) -> float:
    """utime + stime of the process itself (its threads, not its children)."""
    f = _stat(pid)
    return (int(f[11]) + int(f[12])) / _TICK if f else 0.0


def _live() -> dict[int, list[str]]:
    """Every live process's stat fields, by pid."""
    return {int(d.name): f for d in Path("/proc").iterdir() if d.name.isdigit() and (f := _stat(d.name))}


_ROLES = {"netmon.storage.sinkproc": "sink process", "netmon.runtime.workers": "SNMP workers"}


def cpu_children(pid: int) -> dict[str, float]:
    """utime + stime of the live children of ``pid`` by role (the sink process, the SNMP
    workers, other), from their command lines: which child costs what."""
    out: dict[str, float] = {}
    for kid, f in _live().items():
        if int(f[1]) != pid:
            continue
        try:
            argv = Path(f"/proc/{kid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        role = next((r for m, r in _ROLES.items() if m.encode() in argv), "other children")
        out[role] = out.get(role, 0.0) + (int(f[11]) + int(f[12])) / _TICK
    return out


def cpu_tree(pid: int) -> float:
    """cpu_of(pid) plus the CPU of its live descendants (`netmon run --workers`: cutime only
    counts children that have exited)."""
    live = _live()
    kids: dict[int, list[int]] = {}
    for k, f in live.items():
        kids.setdefault(int(f[1]), []).append(k)
    total, todo = cpu_of(pid), list(kids.get(pid, []))
    while todo:
        k = todo.pop()
        total += (int(live[k][11]) + int(live[k][12])) / _TICK
        todo += kids.get(k, [])
    return total


def metric(port: int, name: str) -> float:
    """Sum of a Prometheus metric's samples on 127.0.0.1:<port>/metrics (0 when absent)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
            text = r.read().decode()
    except OSError:
        return 0.0
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and line[len(name) : len(name) + 1] in (" ", "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


# --- the agents -----------------------------------------------------------------------------------


def start_agents(work: Path, devices: int) -> tuple[Proc, list[int]]:
    """One snmpd listening on `devices` UDP ports of 127.0.0.1. The ports are chosen free, then
    released for snmpd to bind: another process can take one meanwhile, so a failed start is
    tried again on fresh ports."""
    work.mkdir(exist_ok=True)
    for attempt in range(3):
        try:
            return _start_agents(work / f"agents{attempt}", devices)
        except RuntimeError as exc:
            print(f"snmpd did not start ({exc}); again on other ports", file=sys.stderr)
    return _start_agents(work / "agents3", devices)


def _start_agents(work: Path, devices: int) -> tuple[Proc, list[int]]:
    work.mkdir()
    binary = snmpd_binary()
    if binary is None:
        raise SystemExit("snmpd is not installed (Debian package snmpd)")
    ports: list[int] = []
    socks = []
    for _ in range(devices):  # hold each until all are chosen, so no port comes twice
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    persist = work / "snmpd-persist"
    persist.mkdir()
    conf = work / "snmpd.conf"
    conf.write_text(f"rocommunity {COMMUNITY} default\n[snmp] serverRecvBuf 4194304\n[snmp] persistentDir {persist}\n")
    log = work / "snmpd.log"
    env = {"PATH": "/usr/sbin:/usr/bin:/bin", "SNMP_PERSISTENT_DIR": str(persist), "MIBS": ""}
    proc = start(
        "snmpd",
        [binary, "-f", "-Lf", str(log), "-C", "-c", str(conf), *(f"udp:127.0.0.1:{p}" for p in ports)],
        work / "snmpd.out",
        env=env,
    )
    try:
        wait_for(lambda: answers(ports[0]) and answers(ports[-1]), 30, "snmpd", proc.popen)
    except BaseException:
        proc.stop()  # not yet in the caller's list of processes to stop
        raise
    return proc, ports


def answers(port: int) -> bool:
    out = subprocess.run(["snmpget", "-v2c", "-c", COMMUNITY, "-t", "0.5", "-r", "0", "-m", "", f"udp:127.0.0.1:{port}",
                          "1.3.6.1.2.1.1.3.0"], capture_output=True, text=True)  # fmt: skip
    return out.returncode == 0


# --- peer stack -----------------------------------------------------------------------------------


def start_peer(work: Path, ports: list[int], interval: float, vm: Victoria) -> list[Proc]:
    conf = work / "snmp.yml"
    mod: dict[str, object] = {
        "walk": sorted({oid for oid, _ in COLUMNS.values()}),
        "version": 2, "max_repetitions": 25, "retries": 1, "timeout": "2s",
        "auth": {"community": COMMUNITY},
        "metrics": [{"name": n, "oid": oid, "type": kind, "indexes": [{"labelname": "ifIndex", "type": "gauge"}]}
                    for n, (oid, kind) in COLUMNS.items()],
    }  # fmt: skip
    conf.write_text(yaml.safe_dump({"bench": mod}))
    eport = free_port()
    exporter = start("snmp_exporter", ["prometheus-snmp-exporter", f"--config.file={conf}",
                                       f"--web.listen-address=127.0.0.1:{eport}", "--log.level=warn"],
                     work / "exporter.log")  # fmt: skip
    wait_for(lambda: tcp_open("127.0.0.1", eport), 20, "snmp_exporter", exporter.popen)
    scrape = {
        "global": {"scrape_interval": f"{interval:g}s", "scrape_timeout": f"{max(1.0, interval * 0.8):g}s"},
        "scrape_configs": [{
            "job_name": "snmp", "metrics_path": "/snmp", "params": {"module": ["bench"]},
            "static_configs": [{"targets": [f"127.0.0.1:{p}" for p in ports]}],
            "relabel_configs": [
                {"source_labels": ["__address__"], "target_label": "__param_target"},
                {"source_labels": ["__param_target"], "target_label": "instance"},
                {"target_label": "__address__", "replacement": f"127.0.0.1:{eport}"},
            ],
        }],
    }  # fmt: skip
    sconf = work / "scrape.yml"
    sconf.write_text(yaml.safe_dump(scrape))
    aport = free_port()
    vmagent = start("vmagent", ["vmagent", f"-promscrape.config={sconf}", f"-remoteWrite.url={vm.url}/api/v1/write",
                                f"-remoteWrite.tmpDataPath={work / 'vmagent-data'}", f"-httpListenAddr=127.0.0.1:{aport}",
                                "-loggerLevel=ERROR"], work / "vmagent.log")  # fmt: skip
    wait_for(lambda: tcp_open("127.0.0.1", aport), 20, "vmagent", vmagent.popen)
    return [exporter, vmagent]


def peer_polls(vm: Victoria, t0: float, t1: float, interval: float) -> tuple[int, int]:
    """(scrapes, scrapes that succeeded within the interval) with timestamps in [t0, t1)."""
    vm.flush()
    q = urllib.parse.urlencode({"match[]": '{__name__=~"up|scrape_duration_seconds",job="snmp"}',
                                "start": f"{t0:.3f}", "end": f"{t1 - 0.001:.3f}"})  # fmt: skip
    with urllib.request.urlopen(f"{vm.url}/api/v1/export?{q}", timeout=60) as r:
        series = [json.loads(line) for line in r.read().decode().splitlines() if line.strip()]
    up: dict[tuple[str, int], float] = {}
    dur: dict[tuple[str, int], float] = {}
    for s in series:
        inst = str(s["metric"]["instance"])
        target = up if s["metric"]["__name__"] == "up" else dur
        for v, ts in zip(s["values"], s["timestamps"], strict=True):
            target[(inst, ts)] = float(v)
    ok = sum(1 for k, v in up.items() if v == 1 and dur.get(k, interval) < interval)
    return len(up), ok


# --- netmon ---------------------------------------------------------------------------------------


def netmon_config(work: Path, ports: list[int], interval: float, jitter: float, gather_ms: float | None = None) -> Path:
    devices = [
        {"name": f"dev{i:05d}", "address": "127.0.0.1", "port": p, "network": "intranet", "tier": "county",
         "region": "bench", "site": f"site{i // 10}", "role": "access", "vendor": "linux_netsnmp", "snmp": "bench"}
        for i, p in enumerate(ports)
    ]  # fmt: skip
    (work / "inventory.yaml").write_text(yaml.safe_dump({"devices": devices}))
    doc: dict[str, object] = {
        "inventory": [str(work / "inventory.yaml")],
        "credentials": {"snmp": {"bench": {"version": "2c", "community": "env:BENCH_COMMUNITY"}}},
        "sink": f"sqlite:///{work / 'netmon.db'}",
        "spool": {"dir": str(work / "spool")},
        "intervals": {"snmp": interval, "health": 86400, "jitter": jitter},
        "snmp": {"timeout": 2, "retries": 1, "max_repetitions": 25}
        | ({} if gather_ms is None else {"gather_ms": gather_ms}),
        "http": {"listen": f"127.0.0.1:{free_port()}"},
        "alerting": {"state": str(work / "alerts.db")},
        "topology": {"lldp": False, "isolation_check": False},
        "log": {"level": "warning"},
    }
    path = work / "netmon.yaml"
    path.write_text(yaml.safe_dump(doc))
    path.chmod(0o600)
    return path


def start_netmon(
    work: Path, cfg: Path, workers: int | None, profile: bool = False
) -> tuple[subprocess.Popen[bytes], int]:
    port = int(yaml.safe_load(cfg.read_text())["http"]["listen"].rsplit(":", 1)[1])
    env = dict(os.environ, BENCH_COMMUNITY=COMMUNITY, PYTHONUNBUFFERED="1")
    argv = [sys.executable, *(["-m", "cProfile", "-o", str(work / "netmon.prof")] if profile else []),
            "-m", "netmon", "run", "-c", str(cfg)]  # fmt: skip
    if workers is not None:
        argv += ["--workers", str(workers)]
    log = (work / "netmon.log").open("wb")
    p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    wait_for(lambda: tcp_open("127.0.0.1", port), 60, "netmon run", p)
    return p, port


def netmon_polls(db: Path, t0: float, t1: float, interval: float) -> tuple[int, int, int]:
    """(polls, polls up within the interval, interface rows) with timestamps in [t0, t1)."""
    from netmon.storage import open_query

    async def q() -> tuple[int, int, int]:
        s = open_query(f"sqlite:///{db}")
        reach = await s.range("snmp_reach", int(t0 * 1e9), int(t1 * 1e9))
        ifs = await s.range("interface", int(t0 * 1e9), int(t1 * 1e9))
        await s.close()
        ok = sum(
            1 for p in reach if p.fields.get("up") == 1 and float(p.fields.get("response_ms", 0)) < interval * 1000
        )
        return len(reach), ok, len(ifs)

    return asyncio.run(q())


# --- the run ----------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devices", type=int, default=200)
    ap.add_argument("--agent-ports", type=int, default=1000, help="UDP ports (devices) per snmpd process")
    ap.add_argument("--interval", type=float, default=30.0)
    ap.add_argument("--cycles", type=int, default=3, help="measured intervals (after one warm-up interval)")
    ap.add_argument("--interfaces", type=int, default=48)
    ap.add_argument(
        "--jitter",
        type=float,
        default=0.9,
        help="netmon spreads starts over jitter x interval (vmagent spreads over all of it)",
    )
    ap.add_argument("--workers", type=int, default=None, help="netmon run --workers (default: netmon's own default)")
    ap.add_argument("--gather-ms", type=float, default=None, help="netmon's snmp.gather_ms (default: its own)")
    ap.add_argument("--only", choices=("both", "netmon", "peer"), default="both")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--profile", action="store_true", help="run netmon under cProfile; print its top functions")
    ap.add_argument("--no-netns", action="store_true")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    rc = in_namespace(args)
    if rc is not None:
        return rc
    work = Path(tempfile.mkdtemp(prefix="netmon-scale-"))
    os.chmod(work, 0o700)
    procs: list[Proc] = []
    nm: subprocess.Popen[bytes] | None = None
    try:
        # One snmpd per --agent-ports ports: an snmpd walks all its sockets for every datagram, so
        # one agent with 5,000 ports spent ~10 ms CPU per poll (3.5 with 1,000) and was the limit.
        agents: list[Proc] = []
        ports = []
        for i in range(0, args.devices, args.agent_ports):
            agent, some = start_agents(work / f"a{i}", min(args.agent_ports, args.devices - i))
            agents.append(agent)
            ports += some
        procs.extend(agents)
        print(f"{args.devices} devices = UDP ports of {len(agents)} snmpd; interval {args.interval:g}s; "
              f"{args.cycles} measured cycles after 1 warm-up", flush=True)  # fmt: skip
        peer: list[Proc] = []
        vm: Victoria | None = None
        if args.only in ("both", "peer"):
            vm = start_victoria(work / "vm")
            procs.append(vm)
            peer = [vm, *start_peer(work, ports, args.interval, vm)]
            procs += peer[1:]
        nm_port = 0
        if args.only in ("both", "netmon"):
            cfg = netmon_config(work, ports, args.interval, args.jitter, args.gather_ms)
            nm, nm_port = start_netmon(work, cfg, args.workers, args.profile)
        # warm-up: one interval (netmon's first poll reads static columns, health, and sets up rate baselines)
        time.sleep(args.interval)
        t0 = time.time()
        c0_peer = sum(cpu_tree(p.pid) for p in peer)
        c0_nm = cpu_tree(nm.pid) if nm else 0.0
        c0_parent = cpu_self(nm.pid) if nm else 0.0
        c0_kids = cpu_children(nm.pid) if nm else {}
        c0_snmpd = sum(cpu_of(a.pid) for a in agents)
        time.sleep(args.cycles * args.interval)
        t1 = time.time()
        c1_peer = sum(cpu_tree(p.pid) for p in peer)
        c1_nm = cpu_tree(nm.pid) if nm else 0.0
        c1_parent = cpu_self(nm.pid) if nm else 0.0
        c1_kids = cpu_children(nm.pid) if nm else {}
        snmpd_cpu = sum(cpu_of(a.pid) for a in agents) - c0_snmpd
        spool = metric(nm_port, "netmon_spool_bytes") if nm else 0.0
        overruns = metric(nm_port, "netmon_cycle_overruns_total") if nm else 0.0
        expected = args.devices * args.cycles
        print(
            f"\nwindow {t1 - t0:.1f}s, expected {expected} device-polls per stack; snmpd {snmpd_cpu:.1f}s CPU (excluded)"
        )
        ms_peer = ms_nm = None
        if vm is not None:
            polls, ok = peer_polls(vm, t0, t1, args.interval)
            ms_peer = (c1_peer - c0_peer) * 1000 / max(polls, 1)
            print(f"  peer (snmp_exporter+vmagent+victoria-metrics): {c1_peer - c0_peer:7.2f}s CPU, {polls} polls, "
                  f"{ok} on time, {ms_peer:6.2f} ms CPU/device-poll")  # fmt: skip
        if nm is not None:
            nm.send_signal(signal.SIGTERM)
            nm.wait(120)
            polls, ok, ifs = netmon_polls(work / "netmon.db", t0, t1, args.interval)
            ms_nm = (c1_nm - c0_nm) * 1000 / max(polls, 1)
            print(f"  netmon run (SQLite sink):                       {c1_nm - c0_nm:7.2f}s CPU, {polls} polls, "
                  f"{ok} on time, {ms_nm:6.2f} ms CPU/device-poll ({ifs} interface rows; "
                  f"spool backlog {spool / 1e6:.1f} MB, {overruns:g} cycle overruns)")  # fmt: skip
            parent = (c1_parent - c0_parent) * 1000 / max(polls, 1)
            kids = ", ".join(
                f"{role} {(c1_kids[role] - c0_kids.get(role, 0.0)) * 1000 / max(polls, 1):.2f} ms"
                for role in sorted(c1_kids)
            )
            print(f"    of which the daemon process {parent:.2f} ms, worker processes {ms_nm - parent:.2f} ms"
                  f"{f' ({kids})' if kids else ''}")  # fmt: skip
        if ms_peer and ms_nm:
            print(f"  ratio netmon/peer: {ms_nm / ms_peer:.2f}x")
        if args.profile and (work / "netmon.prof").exists():
            import pstats

            st = pstats.Stats(str(work / "netmon.prof"))
            st.sort_stats("tottime").print_stats(30)
            st.sort_stats("cumulative").print_stats(40)
        return 0
    finally:
        if nm is not None and nm.poll() is None:
            nm.kill()
            nm.wait()
        for p in reversed(procs):
            p.stop()
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
