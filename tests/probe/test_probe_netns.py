"""Probes and path checks across real kernel routing in namespaces (root only)."""

from __future__ import annotations

import json
import sys
import textwrap
import time
from pathlib import Path

import pytest

from collectors.probe.netlab import MGMT, TierLab
from netmon.lab.procs import wait_for
from tests.conftest import ROOT, need_binary
from tests.probe.conftest import netmon_in

COUNTY, CENTRAL = "gd-gz-th-in-core1", "c-in-core1"


def points(doc: dict, kind: str) -> dict[str, dict]:
    return {p["tags"]["device"]: p for p in doc["points"] if p["tags"]["kind"] == kind}


def test_probe_cycle_from_central_poller(lab: TierLab, lab_config: Path, tmp_path: Path) -> None:
    """ICMP + TCP to every tier and the county's path, counted against tcpdump/tshark on the wire."""
    need_binary("tcpdump")
    tshark = need_binary("tshark")
    cap = tmp_path / "probe.pcap"
    dump = lab.start("poll", "tcpdump", ["tcpdump", "-U", "--immediate-mode", "-n", "-i", lab.iface("poll", "central"), "-w", str(cap),
                                         "icmp or tcp"], tmp_path / "tcpdump.log")  # fmt: skip
    wait_for(lambda: "listening on" in (tmp_path / "tcpdump.log").read_text(), 10, "tcpdump", dump.popen)
    # no traceroute while counting on the wire: its echo requests/replies would mix in
    r = netmon_in(lab, "poll", "probe", "-c", str(lab_config), "--format", "json", "--no-path")
    time.sleep(0.3)
    dump.stop()
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["events"] == []
    import subprocess

    def wire(flt: str) -> int:
        out = subprocess.run([tshark, "-n", "-r", str(cap), "-Y", flt, "-T", "fields", "-e", "frame.number"],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
        return len(out.split())

    for kind in ("icmp", "tcp"):
        pts = points(doc, kind)
        assert set(pts) == {"c-in-core1", "gd-in-core1", "gd-gz-in-core1", COUNTY}
        for dev, p in pts.items():
            f, tags = p["fields"], p["tags"]
            assert (f["sent"], f["received"], f["loss_pct"]) == (4, 4, 0.0), (dev, f)
            assert 0 < f["rtt_min_ms"] <= f["rtt_avg_ms"] <= f["rtt_max_ms"] < 1000
            assert f["jitter_ms"] >= 0
            assert tags["target"] == MGMT_BY_DEV[dev] and tags["tier"] and tags["region"]
            addr = tags["target"]
            if kind == "icmp":
                sent = wire(f"icmp.type==8 && ip.dst=={addr}")
                got = wire(f"icmp.type==0 && ip.src=={addr}")
            else:
                sent = wire(f"tcp.flags.syn==1 && tcp.flags.ack==0 && ip.dst=={addr} && tcp.dstport==22")
                got = wire(f"(tcp.flags.reset==1 || tcp.flags.syn==1) && ip.src=={addr} && tcp.srcport==22")
            assert (sent, got) == (f["sent"], f["received"]), (dev, kind)
    assert points(doc, "path") == {}
    r = netmon_in(lab, "poll", "probe", "-c", str(lab_config), "--format", "json", "--kind", "icmp", "--count", "1")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["events"] == []
    (path,) = points(doc, "path").values()
    assert path["tags"]["device"] == COUNTY
    assert path["fields"]["path_ok"] == 1
    assert path["fields"]["observed"] == "c-in-core1 > gd-in-core1 > gd-gz-in-core1 > gd-gz-th-in-core1"


MGMT_BY_DEV = {"c-in-core1": MGMT["central"], "gd-in-core1": MGMT["province"], "gd-gz-in-core1": MGMT["city"],
               COUNTY: MGMT["county"]}  # fmt: skip


def test_loss_when_the_county_is_unreachable(lab: TierLab, lab_config: Path) -> None:
    lab.sh("province", f"ip route add blackhole {MGMT['county']}/32")
    try:
        r = netmon_in(lab, "poll", "probe", "-c", str(lab_config), "--format", "json", "--scope", f"device={COUNTY}",
                      "--count", "3")  # fmt: skip
    finally:
        lab.sh("province", f"ip route del blackhole {MGMT['county']}/32")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    for kind in ("icmp", "tcp"):
        f = points(doc, kind)[COUNTY]["fields"]
        assert (f["sent"], f["received"], f["loss_pct"]) == (3, 0, 100.0)
        assert "rtt_avg_ms" not in f
    assert points(doc, "path")[COUNTY]["fields"]["path_ok"] == 0
    (ev,) = doc["events"]
    assert ev["kind"] == "path_incomplete" and ev["device"] == COUNTY


def test_icmp_blocked_tcp_still_answers(lab: TierLab, lab_config: Path) -> None:
    lab.sh("county", "sysctl -qw net.ipv4.icmp_echo_ignore_all=1")
    try:
        r = netmon_in(lab, "poll", "probe", "-c", str(lab_config), "--format", "json", "--scope", f"device={COUNTY}",
                      "--no-path", "--count", "3")  # fmt: skip
    finally:
        lab.sh("county", "sysctl -qw net.ipv4.icmp_echo_ignore_all=0")
    doc = json.loads(r.stdout)
    assert points(doc, "icmp")[COUNTY]["fields"]["received"] == 0
    assert points(doc, "tcp")[COUNTY]["fields"]["received"] == 3
    assert points(doc, "path") == {}


def test_partial_loss_is_counted(lab: TierLab) -> None:
    """The county rate-limits its echo replies (kernel token bucket, burst 6, then 1/s): of 10 echo
    requests in ~1 s some are answered and the rest lost, and loss is counted from what came back."""
    lab.sh("county", "sysctl -qw net.ipv4.icmp_ratelimit=1000 net.ipv4.icmp_ratemask=6169")  # 0x1819: + echo reply
    code = textwrap.dedent(f"""\
        from collectors.probe.active import probe
        r = probe("{MGMT["county"]}", "icmp", 10, 0.1, 0.5)
        print(r.sent, r.received, r.loss_pct)
        """)
    try:
        r = lab.run("poll", [sys.executable, "-c", code], cwd=str(ROOT))
    finally:
        lab.sh("county", "sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_ratemask=6168")
    assert r.returncode == 0, r.stderr
    sent, received, loss = r.stdout.split()
    assert int(sent) == 10 and 0 < int(received) < 10
    assert float(loss) == pytest.approx(100 * (10 - int(received)) / 10)


def test_county_egress_through_unexpected_hop_raises_path_event(lab: TierLab, tmp_path: Path) -> None:
    """A probe agent behind the county traces toward the centre; a rerouted egress is an event."""
    lab.write_inventory(tmp_path / "inv.yaml")
    cfg = tmp_path / "netmon.yaml"
    cfg.write_text(textwrap.dedent(f"""\
        inventory: [inv.yaml]
        probe:
          kinds: [icmp]
          count: 2
          interval: 0.05
          path: {{vantage: {COUNTY}, tiers: [central], max_hops: 8, timeout: 1}}
        """), encoding="utf-8")  # fmt: skip
    args = ("probe", "-c", str(cfg), "--format", "json", "--scope", f"device={CENTRAL}")
    r = netmon_in(lab, "chost", *args)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    p = points(doc, "path")[CENTRAL]["fields"]
    assert p["path_ok"] == 1 and doc["events"] == []
    assert p["observed"] == p["expected"] == f"{COUNTY} > gd-gz-in-core1 > gd-in-core1 > {CENTRAL}"

    lab.county_egress_via_rogue()
    db = f"sqlite:///{tmp_path / 'netmon.db'}"
    try:
        r = netmon_in(lab, "chost", *args, "--sink", db)
        table = netmon_in(lab, "chost", *args[:3], "--scope", f"device={CENTRAL}")
    finally:
        lab.county_egress_normal()
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    p = points(doc, "path")[CENTRAL]
    assert p["fields"]["path_ok"] == 0
    assert p["fields"]["observed"] == f"{COUNTY} > 192.168.100.21 > gd-in-core1 > {CENTRAL}"
    (ev,) = doc["events"]
    assert ev["kind"] == "path_changed" and ev["severity"] == "critical" and ev["device"] == CENTRAL
    assert "hop 2: expected gd-gz-in-core1, got 192.168.100.21" in ev["summary"]
    assert "path_changed" in table.stdout and "NO" in table.stdout
    # the same points reached the sink (what the dashboards and alert rules read)
    import asyncio

    from netmon.storage import open_query

    async def read():
        q = open_query(db)
        try:
            return await q.latest("probe", where={"kind": "path"})
        finally:
            await q.close()

    (stored,) = asyncio.run(read())
    assert stored.tags["device"] == CENTRAL and stored.fields["path_ok"] == 0


JOB_SCRIPT = """\
import asyncio, json, sys
from pathlib import Path
from netmon.config import load_config
from netmon.inventory import Topology, load_inventory
from collectors.probe import ProbeJob

cfg = load_config(Path(sys.argv[1]))
topo = Topology(load_inventory(cfg.inventory))

async def main():
    job = ProbeJob(cfg, topo)
    try:
        batches = await asyncio.gather(*(job.poll(d) for d in topo.inventory))
    finally:
        await job.close()
    print(json.dumps({"unavailable": job.unavailable, "points": [p.to_json() for b in batches for p in b],
                      "events": [e.to_json() for e in job.take_events()]}))

asyncio.run(main())
"""


def test_probe_job_for_the_daemon(lab: TierLab, lab_config: Path) -> None:
    """ProbeJob.poll is what `netmon run` schedules per device: async, points per device."""
    r = lab.run("poll", [sys.executable, "-c", JOB_SCRIPT, str(lab_config)], cwd=str(ROOT))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["unavailable"] is None and doc["events"] == []
    kinds = sorted((p["tags"]["device"], p["tags"]["kind"]) for p in doc["points"])
    assert len(kinds) == 9 and (COUNTY, "path") in kinds
    assert all(p["fields"]["received"] == 4 for p in doc["points"] if p["tags"]["kind"] != "path")
