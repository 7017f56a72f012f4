"""A four-tier test network in Linux network namespaces (root only).

One namespace per tier router (central, province, city, county), a poller host behind the
centre, a host behind the county, and a "rogue" router that links the county straight to
the province (an unexpected egress). veth pairs join them; static routes make real kernel
forwarding, so probes and traceroutes cross it hop by hop. Used by tests/probe,
tests/security and the demo; every namespace is removed by ``down()`` (also after a crash of
an earlier run: stale namespaces of dead processes are removed on the next ``up()``).

Addresses: management addresses on each router's loopback follow the sample plan
(10.0.0.1 central, 10.1.0.1 province, 10.1.16.1 city, 10.1.17.1 county); links are /30s
in 192.168.100.0/24.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from netmon.lab.procs import Proc, start

PREFIX = "nmh"
# (a, b, a address, b address) — /30 links, a nearer the centre
LINKS = [
    ("central", "poll", "192.168.100.1", "192.168.100.2"),
    ("central", "province", "192.168.100.5", "192.168.100.6"),
    ("province", "city", "192.168.100.9", "192.168.100.10"),
    ("city", "county", "192.168.100.13", "192.168.100.14"),
    ("county", "chost", "192.168.100.17", "192.168.100.18"),
    ("rogue", "county", "192.168.100.21", "192.168.100.22"),  # the unexpected link: rogue .21, county .22
    ("province", "rogue", "192.168.100.25", "192.168.100.26"),
]
MGMT = {"central": "10.0.0.1", "province": "10.1.0.1", "city": "10.1.16.1", "county": "10.1.17.1"}
ROUTES = {
    "poll": ["default via 192.168.100.1"],
    "central": ["10.1.0.0/16 via 192.168.100.6", "192.168.100.0/24 via 192.168.100.6"],
    "province": [
        "default via 192.168.100.5",
        "10.1.16.0/20 via 192.168.100.10",
        "192.168.100.12/30 via 192.168.100.10",
        "192.168.100.16/30 via 192.168.100.10",
        "192.168.100.20/30 via 192.168.100.26",
    ],
    "city": ["default via 192.168.100.9", "10.1.17.0/24 via 192.168.100.14", "192.168.100.16/30 via 192.168.100.14"],
    "county": ["default via 192.168.100.13"],
    "chost": ["default via 192.168.100.17"],
    "rogue": ["default via 192.168.100.25", "10.1.17.0/24 via 192.168.100.22", "192.168.100.16/30 via 192.168.100.22"],
}
ROUTERS = ("central", "province", "city", "county", "rogue")
DEVICES = {  # tier namespace -> inventory device (intranet, 广东/广州/天河 as in the sample inventory)
    "central": ("c-in-core1", "central", "", "国家电子政务内网中心", "core", "huawei_vrp"),
    "province": ("gd-in-core1", "province", "广东", "广东省政务中心", "core", "huawei_vrp"),
    "city": ("gd-gz-in-core1", "city", "广东/广州", "广州市政务中心", "aggregation", "h3c_comware"),
    "county": ("gd-gz-th-in-core1", "county", "广东/广州/天河", "天河政务中心", "aggregation", "huawei_vrp"),
}


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check, timeout=20)


def cleanup_stale() -> None:
    """Remove lab namespaces left by processes that no longer exist (a crashed earlier run)."""
    out = _ip("netns", "list", check=False).stdout
    for line in out.splitlines():
        m = re.match(rf"^({PREFIX}(\d+)x[0-9a-f]+-\w+)", line)
        if m and not Path(f"/proc/{m.group(2)}").exists():
            _ip("netns", "del", m.group(1), check=False)


@dataclass
class TierLab:
    token: str = field(default_factory=lambda: f"{PREFIX}{os.getpid()}x{secrets.token_hex(2)}")
    procs: list[Proc] = field(default_factory=list)
    created: list[str] = field(default_factory=list)

    def ns(self, role: str) -> str:
        return f"{self.token}-{role}"

    def addresses(self, role: str) -> list[str]:
        """Every address of a namespace's router: link ends and management."""
        out = [a for x, y, aa, bb in LINKS for r, a in ((x, aa), (y, bb)) if r == role]
        return ([MGMT[role]] if role in MGMT else []) + out

    def up(self) -> TierLab:
        cleanup_stale()
        try:
            roles = sorted({r for link in LINKS for r in link[:2]})
            for r in roles:
                _ip("netns", "add", self.ns(r))
                self.created.append(self.ns(r))
                self.sh(r, "ip link set lo up")
                for key in ("net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
                            "net.ipv4.icmp_ratelimit=0"):  # fmt: skip
                    self.sh(r, f"sysctl -qw {key}")
            for i, (a, b, aa, ba) in enumerate(LINKS):
                ia, ib = f"{self.token[-6:]}{i}a", f"{self.token[-6:]}{i}b"
                _ip("link", "add", ia, "type", "veth", "peer", "name", ib)
                _ip("link", "set", ia, "netns", self.ns(a))
                _ip("link", "set", ib, "netns", self.ns(b))
                self.sh(a, f"ip addr add {aa}/30 dev {ia}")
                self.sh(b, f"ip addr add {ba}/30 dev {ib}")
                self.sh(a, f"ip link set {ia} up")
                self.sh(b, f"ip link set {ib} up")
            for r, addr in MGMT.items():
                self.sh(r, f"ip addr add {addr}/32 dev lo")
            for r, routes in ROUTES.items():
                for rt in routes:
                    self.sh(r, f"ip route add {rt}")
        except BaseException:
            self.down()
            raise
        return self

    def down(self) -> None:
        for p in self.procs:
            with contextlib.suppress(Exception):
                p.stop(3)
        self.procs.clear()
        for ns in self.created:
            # processes still inside would keep it alive; kill them first
            pids = _ip("netns", "pids", ns, check=False).stdout.split()
            for pid in pids:
                with contextlib.suppress(OSError, ValueError):
                    os.kill(int(pid), 9)
            _ip("netns", "del", ns, check=False)
        self.created.clear()

    def __enter__(self) -> TierLab:
        return self.up()

    def __exit__(self, *exc: object) -> None:
        self.down()

    # -- running things inside -------------------------------------------------------------------
    def sh(self, role: str, cmd: str, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["ip", "netns", "exec", self.ns(role), "sh", "-c", cmd],
            capture_output=True, text=True, check=check, timeout=timeout,
        )  # fmt: skip

    def run(self, role: str, argv: list[str], timeout: float = 120, **kw: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["ip", "netns", "exec", self.ns(role), *argv], capture_output=True, text=True,
                              timeout=timeout, **kw)  # type: ignore[call-overload]  # fmt: skip

    def start(self, role: str, name: str, argv: list[str], log: Path) -> Proc:
        p = start(name, ["ip", "netns", "exec", self.ns(role), *argv], log)
        self.procs.append(p)
        return p

    def iface(self, role: str, peer: str) -> str:
        """Name of the interface in ``role``'s namespace on the link to ``peer``."""
        for i, (a, b, _aa, _ba) in enumerate(LINKS):
            if (a, b) == (role, peer):
                return f"{self.token[-6:]}{i}a"
            if (a, b) == (peer, role):
                return f"{self.token[-6:]}{i}b"
        raise KeyError(f"no link {role}-{peer}")

    # -- scenarios -------------------------------------------------------------------------------
    def county_egress_via_rogue(self) -> None:
        """The county's default route now goes through the rogue router straight to the province."""
        self.sh("county", "ip route replace default via 192.168.100.21")

    def county_egress_normal(self) -> None:
        self.sh("county", "ip route replace default via 192.168.100.13")

    def inventory(self) -> dict[str, object]:
        """An inventory document of the four tier routers, with their hop addresses as tags."""
        devices: list[dict[str, object]] = []
        parent = None
        for role in ("central", "province", "city", "county"):
            name, tier, region, site, devrole, vendor = DEVICES[role]
            d: dict[str, object] = {
                "name": name, "address": MGMT[role], "network": "intranet", "tier": tier, "site": site,
                "role": devrole, "vendor": vendor,
                "tags": {"hop_addresses": ",".join(self.addresses(role)[1:])},
            }  # fmt: skip
            if region:
                d["region"] = region
            if parent:
                d["uplinks"] = [{"device": parent}]
            devices.append(d)
            parent = name
        return {"devices": devices}

    def write_inventory(self, path: Path) -> Path:
        path.write_text(yaml.safe_dump(self.inventory(), allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path
