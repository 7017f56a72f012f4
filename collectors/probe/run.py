"""One probe cycle over the selected devices: ICMP/TCP runs and path checks → Points + Events."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from netmon.errors import InputError
from netmon.inventory import Device, Topology
from netmon.model import Point
from netmon.security.findings import Event

from .active import ProbeResult, check_raw_sockets, probe
from .path import PathResult, compare, expected_path, hop_index, traceroute
from .settings import ProbeSettings


@dataclass
class ProbeCycle:
    points: list[Point] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    results: list[ProbeResult] = field(default_factory=list)
    paths: list[PathResult] = field(default_factory=list)


def probe_point(dev: Device, res: ProbeResult, t_ns: int) -> Point:
    tags = dev.point_tags()
    tags.update(target=res.target, kind=res.kind)
    return Point("probe", tags, res.fields(), t_ns)


def path_point(res: PathResult, t_ns: int) -> Point:
    tags = res.target.point_tags()
    tags.update(target=res.target.address, kind="path")
    fields: dict[str, float | int | str | bool] = {
        "path_ok": int(res.ok), "hops": len(res.observed), "reached": int(res.reached),
        "expected": " > ".join(res.expected), "observed": " > ".join(res.observed), "detail": res.detail,
    }  # fmt: skip
    return Point("probe", tags, fields, t_ns)


def path_event(res: PathResult, t_ns: int) -> Event:
    changed = res.detail != "destination not reached"
    return Event(
        kind="path_changed" if changed else "path_incomplete",
        rule="path-check",
        severity="critical" if changed else "warning",
        device=res.target.name,
        summary=f"path to {res.target.name} ({res.target.address}) {'changed' if changed else 'incomplete'}: "
        f"{res.detail}; expected {' > '.join(res.expected)}, observed {' > '.join(res.observed)}",
        time_ns=t_ns,
        labels={"expected": " > ".join(res.expected), "observed": " > ".join(res.observed)},
    )


def check_vantage(settings: ProbeSettings, topo: Topology) -> None:
    v = settings.path.vantage
    if v is not None and v not in topo.inventory.devices:
        raise InputError.one("netmon.yaml", f"no device named {v!r} in the inventory", field="probe.path.vantage")


def probe_device(
    settings: ProbeSettings, topo: Topology, index: dict[str, str], dev: Device
) -> tuple[list[ProbeResult], PathResult | None]:
    """Blocking: every probe kind, then the path check when the device's tier asks for one."""
    out = [probe(dev.address, k, settings.count, settings.interval, settings.timeout, settings.tcp_port)
           for k in settings.kinds]  # fmt: skip
    p = settings.path
    if not (p.enabled and dev.tier in p.tiers and dev.name != p.vantage):
        return out, None
    exp = expected_path(topo, p.vantage, dev.name)
    hops = traceroute(dev.address, p.max_hops, p.timeout, p.retries)
    return out, compare(dev, exp, hops, index)


def device_output(
    dev: Device, results: list[ProbeResult], pr: PathResult | None, now: int
) -> tuple[list[Point], list[Event]]:
    points = [probe_point(dev, r, now) for r in results]
    events: list[Event] = []
    if pr is not None:
        points.append(path_point(pr, now))
        if not pr.ok:
            events.append(path_event(pr, now))
    return points, events


def run_cycle(
    settings: ProbeSettings, topo: Topology, devices: Iterable[Device],
    progress: Callable[[str], None] | None = None,
) -> ProbeCycle:  # fmt: skip
    """Probe every device (each kind), trace the path of those in ``settings.path.tiers``."""
    check_raw_sockets()
    check_vantage(settings, topo)
    devs = list(devices)
    cycle = ProbeCycle()
    index = hop_index(topo.inventory, settings.hop_addresses)

    def one(dev: Device) -> tuple[list[ProbeResult], PathResult | None]:
        res = probe_device(settings, topo, index, dev)
        if progress:
            progress(dev.name)
        return res

    with ThreadPoolExecutor(max_workers=min(settings.concurrency, max(len(devs), 1))) as pool:
        for dev, (results, pr) in zip(devs, pool.map(one, devs), strict=True):
            points, events = device_output(dev, results, pr, time.time_ns())
            cycle.results.extend(results)
            cycle.points.extend(points)
            cycle.events.extend(events)
            if pr is not None:
                cycle.paths.append(pr)
    return cycle
