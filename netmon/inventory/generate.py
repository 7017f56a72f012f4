"""Generate a realistic sample inventory: one centre, provinces, cities, counties, townships.

Deterministic (same output every run). ``small`` (~60 devices) is committed in configs/ and
used by the demo and the tests; ``national`` (~31,800 devices) is generated on demand for
benchmarks. Address plan (documented in README): intranet 10.0.0.0/9, extranet 10.128.0.0/9,
``10.<province>.<city*16+county>.<n>``; the centre is province 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from ..platforms import platforms

# Real place names for the small network; the national one numbers cities/counties.
SMALL = {
    "广东": {"广州": ["天河", "番禺"], "深圳": ["南山", "福田"]},
    "浙江": {"杭州": ["西湖", "余杭"], "宁波": ["鄞州", "海曙"]},
    "四川": {"成都": ["武侯", "双流"], "绵阳": ["涪城", "江油"]},
}
PROVINCES = [
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆",
    "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆",
]  # fmt: skip
PINYIN = {
    "广东": "gd", "浙江": "zj", "四川": "sc", "广州": "gz", "深圳": "sz", "杭州": "hz", "宁波": "nb",
    "成都": "cd", "绵阳": "my", "天河": "th", "番禺": "py", "南山": "ns", "福田": "ft", "西湖": "xh",
    "余杭": "yh", "鄞州": "yz", "海曙": "hs", "武侯": "wh", "双流": "sl", "涪城": "fc", "江油": "jy",
}  # fmt: skip


def vendor_cycle() -> dict[str, list[str]]:
    """The vendor mix per tier, cycled: each platform folder's ``sample.slots`` gives its
    positions in a tier's cycle (Huawei and H3C dominate, Cisco at some cores, Ruijie and ZTE
    in counties and townships)."""
    cycles: dict[str, dict[int, str]] = {}
    for key, p in platforms().items():
        for tier, slots in (p.sample.slots if p.sample else {}).items():
            for slot in slots:
                other = cycles.setdefault(tier, {}).setdefault(slot, key)
                if other != key:
                    raise ValueError(f"sample slot {tier}[{slot}] claimed by both {other} and {key}")
    out: dict[str, list[str]] = {}
    for tier, by_slot in cycles.items():
        if sorted(by_slot) != list(range(1, len(by_slot) + 1)):
            raise ValueError(f"sample slots of tier {tier} are not 1..{len(by_slot)}: {sorted(by_slot)}")
        out[tier] = [by_slot[i] for i in sorted(by_slot)]
    return out


def uplink_interface(vendor: str, n: int) -> str:
    sample = platforms()[vendor].sample
    assert sample is not None  # only sampled platforms are generated
    return sample.uplink_interface.format(n=n)


@dataclass
class _Gen:
    devices: list[dict[str, Any]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    cycle: dict[str, list[str]] = field(default_factory=vendor_cycle)

    def vendor(self, tier: str) -> str:
        i = self.counters.get(tier, 0)
        self.counters[tier] = i + 1
        vs = self.cycle[tier]
        return vs[i % len(vs)]

    def port(self, parent: dict[str, Any]) -> str:
        n = self.ports.get(parent["name"], 0) + 1
        self.ports[parent["name"]] = n
        return uplink_interface(parent["vendor"], n)

    def add(
        self, name: str, addr: str, net: str, tier: str, region: str, site: str, role: str,
        parent: dict[str, Any] | None, group: str,
    ) -> dict[str, Any]:  # fmt: skip
        d: dict[str, Any] = {"name": name, "address": addr, "group": group, "region": region, "site": site,
                             "role": role, "vendor": self.vendor(tier)}  # fmt: skip
        if tier == "central":
            del d["region"]
        if parent is not None:
            first = platforms()[d["vendor"]].sample.first_port  # type: ignore[union-attr]
            d["uplinks"] = [
                {
                    "device": parent["name"],
                    "interface": self.port(parent),
                    "local_interface": uplink_interface(d["vendor"], first),
                }
            ]
        d["_tier"], d["_net"] = tier, net
        self.devices.append(d)
        return d


def _groups() -> dict[str, dict[str, Any]]:
    g: dict[str, dict[str, Any]] = {}
    for net in ("intranet", "extranet"):
        for tier in ("central", "province", "city", "county", "township"):
            g[f"{net}-{tier}"] = {"network": net, "tier": tier, "snmp": f"v3-{net}", "ssh": "ops"}
    return g


def _net_prefix(net: str, prov: int) -> int:
    return prov if net == "intranet" else 128 + prov


def generate(size: str = "small") -> dict[str, Any]:
    """The inventory document (defaults, groups, devices) as a plain mapping."""
    gen = _Gen()
    if size == "small":
        layout = {p: {c: list(cs) for c, cs in cities.items()} for p, cities in SMALL.items()}
        townships_per_county, access_every = 1, 2
    elif size == "national":
        layout = {
            p: {f"{p}市{ci:02d}": [f"{p}县{ci:02d}{co}" for co in range(1, 9)] for ci in range(1, 11)}
            for p in PROVINCES
        }
        townships_per_county, access_every = 3, 1
    else:
        raise ValueError(f"unknown size {size!r}: small or national")

    def code(name: str, i: int) -> str:
        return PINYIN.get(name, f"{i:02d}")

    for net in ("intranet", "extranet"):
        n = "in" if net == "intranet" else "ex"
        b = _net_prefix(net, 0)
        core = gen.add(f"c-{n}-core1", f"10.{b}.0.1", net, "central", "", "国家政务外网中心" if net == "extranet" else "国家电子政务内网中心", "core", None, f"{net}-central")  # fmt: skip
        if net == "intranet":
            gen.add(f"c-{n}-fw1", f"10.{b}.0.2", net, "central", "", "国家电子政务内网中心", "firewall", core, f"{net}-central")  # fmt: skip
        else:
            gen.add(f"c-{n}-egress1", f"10.{b}.0.2", net, "central", "", "国家政务外网中心", "egress", core, f"{net}-central")  # fmt: skip
        for pi, (prov, cities) in enumerate(layout.items(), start=1):
            pc = code(prov, pi)
            b = _net_prefix(net, pi)
            pcore = gen.add(f"{pc}-{n}-core1", f"10.{b}.0.1", net, "province", prov, f"{prov}省政务中心", "core", core, f"{net}-province")  # fmt: skip
            if net == "intranet":
                gen.add(f"{pc}-{n}-fw1", f"10.{b}.0.2", net, "province", prov, f"{prov}省政务中心", "firewall", pcore, f"{net}-province")  # fmt: skip
            for ci, (city, counties) in enumerate(cities.items(), start=1):
                cc = code(city, ci)
                ccore = gen.add(f"{pc}-{cc}-{n}-core1", f"10.{b}.{ci * 16}.1", net, "city", f"{prov}/{city}", f"{city}市政务中心", "aggregation", pcore, f"{net}-city")  # fmt: skip
                for ki, county in enumerate(counties, start=1):
                    kc = code(county, ki)
                    region = f"{prov}/{city}/{county}"
                    site = f"{county}政务中心"
                    third = ci * 16 + ki
                    kcore = gen.add(f"{pc}-{cc}-{kc}-{n}-core1", f"10.{b}.{third}.1", net, "county", region, site, "aggregation", ccore, f"{net}-county")  # fmt: skip
                    if net == "intranet" and ki % access_every == 0:
                        gen.add(f"{pc}-{cc}-{kc}-{n}-acc1", f"10.{b}.{third}.2", net, "county", region, site, "access", kcore, f"{net}-county")  # fmt: skip
                    if net == "intranet" or size == "national":
                        for ti in range(1, townships_per_county + 1):
                            if size == "small" and not (ci == 1 and ki == 1):
                                continue
                            gen.add(f"{pc}-{cc}-{kc}-t{ti}-{n}-acc1", f"10.{b}.{third}.{10 + ti}", net, "township", f"{region}/{county}镇{ti}", f"{county}镇{ti}便民服务中心", "access", kcore, f"{net}-township")  # fmt: skip
                    if size == "national":
                        gen.add(f"{pc}-{cc}-{kc}-{n}-acc2", f"10.{b}.{third}.3", net, "county", region, site, "access", kcore, f"{net}-county")  # fmt: skip
                        gen.add(f"{pc}-{cc}-{kc}-{n}-fw1", f"10.{b}.{third}.4", net, "county", region, site, "firewall", kcore, f"{net}-county")  # fmt: skip
    for d in gen.devices:
        d.pop("_tier")
        d.pop("_net")
    return {"groups": _groups(), "devices": gen.devices}


def generate_chain(length: int) -> dict[str, Any]:
    """A centre, a province core and ``length`` access switches daisy-chained behind it at one
    site: the worst case for drawing and walking the topology (bench_inventory.py, the tests)."""
    gen = _Gen()
    core = gen.add("c-in-core1", "10.0.0.1", "intranet", "central", "", "国家电子政务内网中心", "core", None, "intranet-central")  # fmt: skip
    prev = gen.add("gd-in-core1", "10.1.0.1", "intranet", "province", "广东", "广东省政务中心", "core", core, "intranet-province")  # fmt: skip
    for i in range(length):
        addr = f"10.{2 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}"
        prev = gen.add(f"gd-in-acc{i + 1}", addr, "intranet", "province", "广东", "广东省政务中心", "access", prev, "intranet-province")  # fmt: skip
    for d in gen.devices:
        d.pop("_tier")
        d.pop("_net")
    return {"groups": _groups(), "devices": gen.devices}


def dump(doc: dict[str, Any]) -> str:
    header = (
        "# Sample four-tier e-government network, generated by `netmon inventory generate`.\n"
        "# Intranet 10.0.0.0/9, extranet 10.128.0.0/9; credentials are references defined in netmon.yaml.\n"
    )
    return header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=200)


CSV_COLUMNS = ["name", "address", "network", "tier", "region", "site", "role", "vendor", "uplinks", "snmp", "ssh"]


def dump_csv(doc: dict[str, Any]) -> str:
    """The same network as a spreadsheet (groups expanded), as network teams keep it."""
    from ..csvsafe import csv_text

    rows = []
    for d in doc["devices"]:
        row = {**doc["groups"][d["group"]], **{k: v for k, v in d.items() if k != "group"}}
        row["uplinks"] = ";".join(f"{u['device']}:{u['interface']}" for u in d.get("uplinks", []))
        rows.append([row.get(k, "") for k in CSV_COLUMNS])
    return csv_text(CSV_COLUMNS, rows)
