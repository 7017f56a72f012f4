"""Expected paths and hop comparison, on the topology alone (no root needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from collectors.probe.active import ProbeResult
from collectors.probe.path import compare, expected_path, hop_index
from netmon.errors import InputError
from netmon.inventory import Topology, load_inventory
from tests.conftest import run_netmon

INV = """\
devices:
  - {name: c, address: 10.0.0.1, network: intranet, tier: central, site: C, role: core, vendor: huawei_vrp,
     tags: {hop_addresses: "192.168.0.1"}}
  - {name: p, address: 10.1.0.1, network: intranet, tier: province, region: 广东, site: P, role: core, vendor: huawei_vrp,
     uplinks: [{device: c}], tags: {hop_addresses: "192.168.0.6, 192.168.0.9"}}
  - {name: m, address: 10.1.16.1, network: intranet, tier: city, region: 广东/广州, site: M, role: core, vendor: huawei_vrp,
     uplinks: [{device: p}]}
  - {name: k, address: 10.1.17.1, network: intranet, tier: county, region: 广东/广州/天河, site: K, role: core,
     vendor: huawei_vrp, uplinks: [{device: m}]}
  - {name: k2, address: 10.1.18.1, network: intranet, tier: county, region: 广东/广州/番禺, site: K2, role: core,
     vendor: huawei_vrp, uplinks: [{device: m}]}
"""


@pytest.fixture
def topo(tmp_path: Path) -> Topology:
    p = tmp_path / "inv.yaml"
    p.write_text(INV, encoding="utf-8")
    return Topology(load_inventory([p]))


def test_expected_paths(topo: Topology) -> None:
    assert expected_path(topo, None, "k") == ["c", "p", "m", "k"]  # central poller toward a county
    assert expected_path(topo, "k", "c") == ["k", "m", "p", "c"]  # county agent toward the centre
    assert expected_path(topo, "k", "k2") == ["k", "m", "k2"]  # sibling counties meet at the city


def test_compare(topo: Topology) -> None:
    inv = topo.inventory
    idx = hop_index(inv, {"m": ["192.168.0.10"]})
    assert idx["192.168.0.9"] == "p" and idx["192.168.0.10"] == "m" and idx["10.1.17.1"] == "k"
    exp = ["c", "p", "m", "k"]
    ok = compare(
        inv["k"], exp, [("192.168.0.1", False), (None, False), ("192.168.0.10", False), ("10.1.17.1", True)], idx
    )
    assert ok.ok and ok.observed == ["c", "*", "m", "k"]  # a silent hop matches anything
    rogue = compare(inv["k"], exp, [("192.168.0.1", False), ("203.0.113.9", False), ("192.168.0.10", False),
                                    ("10.1.17.1", True)], idx)  # fmt: skip
    assert not rogue.ok and rogue.detail == "hop 2: expected p, got 203.0.113.9"
    extra = compare(inv["k"], exp, [("192.168.0.1", False), ("192.168.0.6", False), ("192.168.0.10", False),
                                    ("198.51.100.1", False), ("10.1.17.1", True)], idx)  # fmt: skip
    assert not extra.ok and "hop 4" in extra.detail
    short = compare(inv["k"], exp, [("192.168.0.1", False), ("10.1.17.1", True)], idx)
    assert not short.ok and "hop 2: expected p, got k" == short.detail
    lost = compare(inv["k"], exp, [("192.168.0.1", False), (None, False)], idx)
    assert not lost.ok and lost.detail == "destination not reached"


def test_probe_result_math() -> None:
    r = ProbeResult("10.0.0.1", "icmp", 5, [1.0, 3.0, 2.0, 2.0])
    f = r.fields()
    assert (f["sent"], f["received"], f["loss_pct"]) == (5, 4, 20.0)
    assert (f["rtt_min_ms"], f["rtt_avg_ms"], f["rtt_max_ms"]) == (1.0, 2.0, 3.0)
    assert f["jitter_ms"] == pytest.approx((2 + 1 + 0) / 3, abs=1e-4)
    none = ProbeResult("10.0.0.1", "tcp", 3).fields()
    assert none["loss_pct"] == 100.0 and "rtt_avg_ms" not in none and none["jitter_ms"] == 0.0


def test_vantage_must_share_a_root(tmp_path: Path) -> None:
    p = tmp_path / "inv.yaml"
    x = "  - {name: x, address: 10.200.0.1, network: extranet, tier: central, site: X, role: core, vendor: huawei_vrp}\n"
    p.write_text(INV + x, encoding="utf-8")
    topo = Topology(load_inventory([p]))
    with pytest.raises(InputError, match="share no path"):
        expected_path(topo, "x", "k")


def test_bad_probe_section_names_line(tmp_path: Path) -> None:
    (tmp_path / "inv.yaml").write_text(INV, encoding="utf-8")
    cfg = tmp_path / "netmon.yaml"
    cfg.write_text("inventory: [inv.yaml]\nprobe:\n  count: 0\n  kinds: [udp]\n  hop_addresses: {m: [not-an-ip]}\n")
    r = run_netmon("probe", "-c", str(cfg))
    assert r.returncode == 2
    assert "netmon.yaml:3: probe.count" in r.stderr
    assert "probe.kinds.0" in r.stderr and "not-an-ip" in r.stderr and "Traceback" not in r.stderr


def test_no_raw_socket_permission_is_a_clear_error(tmp_path: Path) -> None:
    """Without CAP_NET_RAW (dropped even for root with setpriv) the probe stops with the remedy."""
    import os
    import shutil
    import subprocess
    import sys

    from tests.conftest import ROOT

    (tmp_path / "inv.yaml").write_text(INV, encoding="utf-8")
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("setpriv (util-linux) is needed to drop CAP_NET_RAW as root")
        argv = ["setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw", sys.executable]
    else:
        argv = [sys.executable]
    r = subprocess.run([*argv, "-m", "netmon", "probe", "-i", str(tmp_path / "inv.yaml")],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)  # fmt: skip
    assert r.returncode == 1
    assert "CAP_NET_RAW" in r.stderr and "Traceback" not in r.stderr


def test_probe_job_without_raw_sockets_yields_nothing(tmp_path: Path) -> None:
    """The daemon's job disables itself with the remedy logged, instead of failing every cycle."""
    import os
    import shutil
    import subprocess
    import sys

    from tests.conftest import ROOT

    (tmp_path / "inv.yaml").write_text(INV, encoding="utf-8")
    (tmp_path / "netmon.yaml").write_text("inventory: [inv.yaml]\n")
    code = (
        "import asyncio, sys; from pathlib import Path\n"
        "from netmon.config import load_config; from netmon.inventory import Topology, load_inventory\n"
        "from collectors.probe import ProbeJob\n"
        "cfg = load_config(Path(sys.argv[1])); topo = Topology(load_inventory(cfg.inventory))\n"
        "job = ProbeJob(cfg, topo)\n"
        "print(job.unavailable is not None, asyncio.run(job.poll(topo.inventory['k'])))\n"
    )
    argv = [sys.executable]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("setpriv (util-linux) is needed to drop CAP_NET_RAW as root")
        argv = ["setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw", sys.executable]
    r = subprocess.run([*argv, "-c", code, str(tmp_path / "netmon.yaml")], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["True", "[]"]
    assert "CAP_NET_RAW" in r.stderr
