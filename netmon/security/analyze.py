"""Traffic analysis: stream a capture through the rules and aggregate findings per flow.

Memory is bounded whatever the capture size: the reader holds ~2 MiB, finding flows are
capped (``max_flows``; overflow merges per rule), scan/brute-force state is capped per source
and reset every window. Only packets that can matter (listed ports, zone crossings, SYNs,
pings, port-unreachables) touch any state.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..inventory import Device, Inventory
from ..model import Point
from . import snmpwire
from .capture import CaptureError, CaptureReader, Record
from .decode import ICMP, ICMP6, TCP, UDP, decode
from .findings import SEVERITY_ORDER, Event, Finding
from .settings import CleartextRule, IsolationRule, RuleSet, SecuritySettings

Z_OTHER, Z_INTRANET, Z_EXTRANET, Z_EGRESS, Z_INTERNET, Z_IGNORE = range(6)
ZONE_CODES = {"intranet": Z_INTRANET, "extranet": Z_EXTRANET, "egress": Z_EGRESS, "internet": Z_INTERNET}
PROTO_NAMES = {TCP: "tcp", UDP: "udp", ICMP: "icmp", ICMP6: "icmpv6"}
SYN, RST, ACK = 0x02, 0x04, 0x10
_CACHE_MAX = 200_000  # address -> zone cache entries before it is cleared


def ntoa(b: bytes) -> str:
    if not b:
        return "*"  # many destinations (a sweep)
    return socket.inet_ntop(socket.AF_INET if len(b) == 4 else socket.AF_INET6, b)


@dataclass
class Stats:
    """Packet counts by kind; compared with tshark in the tests."""

    packets: int = 0
    bytes: int = 0
    ipv4: int = 0
    ipv6: int = 0
    non_ip: int = 0
    tcp: int = 0
    udp: int = 0
    icmp: int = 0
    other_ip: int = 0
    snmp_v1v2c: int = 0
    flows_merged: int = 0  # finding flows beyond max_flows, merged per rule
    sources_untracked: int = 0  # sources beyond max_sources, not counted for scans/brute force

    def to_json(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class Report:
    findings: list[Finding]
    stats: Stats
    files: list[str] = field(default_factory=list)
    problems: list[CaptureError] = field(default_factory=list)  # truncated/corrupt files, after their good part

    def points(self) -> list[Point]:
        """``security_finding`` points for the sink and the alert engine."""
        return [f.to_point() for f in self.findings]

    def events(self) -> list[Event]:
        return [f.to_event() for f in self.findings]


class _Zones:
    """Address -> zone, most specific plan first (ignore > egress > intranet/extranet > internet)."""

    def __init__(self, s: SecuritySettings, extra_egress: list[str] | None = None) -> None:
        n = s.networks

        def nets(xs: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
            return [ipaddress.ip_network(x) for x in xs]

        self.order = [
            (Z_IGNORE, nets(n.ignore)), (Z_EGRESS, nets(n.egress + (extra_egress or []))), (Z_INTRANET, nets(n.intranet)),
            (Z_EXTRANET, nets(n.extranet)), (Z_INTERNET, nets(n.internet)),
        ]  # fmt: skip
        self.cache: dict[bytes, int] = {}

    def __call__(self, b: bytes) -> int:
        z = self.cache.get(b)
        if z is not None:
            return z
        ip = ipaddress.ip_address(b)
        z = Z_OTHER
        for code, ns in self.order:
            if any(ip in net for net in ns):
                z = code
                break
        else:
            if ip.is_global:
                z = Z_INTERNET
        if len(self.cache) >= _CACHE_MAX:
            self.cache.clear()
        self.cache[b] = z
        return z


class _Management:
    def __init__(self, devices: dict[bytes, Device], prefixes: list[str]) -> None:
        self.devices = devices
        self.nets = [ipaddress.ip_network(p) for p in prefixes]
        self.cache: dict[bytes, bool] = {}

    def __contains__(self, b: bytes) -> bool:
        if b in self.devices:
            return True
        hit = self.cache.get(b)
        if hit is None:
            ip = ipaddress.ip_address(b)
            hit = any(ip in n for n in self.nets)
            if len(self.cache) >= _CACHE_MAX:
                self.cache.clear()
            self.cache[b] = hit
        return hit


class Analyzer:
    """Feed records (from one or more captures, or a live sniffer) and collect findings."""

    def __init__(self, rules: RuleSet, settings: SecuritySettings, inventory: Inventory | None = None) -> None:
        self.rules, self.settings = rules, settings
        self.stats = Stats()
        # devices with role "egress" (the unified Internet egress) may talk to the Internet
        egress_devs = [d.address for d in inventory or () if d.role == "egress"]
        self.zone = _Zones(settings, egress_devs)
        devs: dict[bytes, Device] = {}
        for d in inventory or ():
            devs[ipaddress.ip_address(d.address).packed] = d
        self.devices = devs
        self.mgmt = _Management(devs, settings.management)
        self.tcp_rules: dict[int, CleartextRule] = {}
        self.udp_rules: dict[int, CleartextRule] = {}
        for r in rules.cleartext:
            table = self.tcp_rules if r.proto == "tcp" else self.udp_rules
            for p in r.ports:
                table.setdefault(p, r)
        self.isolation: dict[tuple[int, int], IsolationRule] = {}
        for ir in rules.isolation:
            for a in ir.between[0]:
                for b in ir.between[1]:
                    self.isolation.setdefault((ZONE_CODES[a], ZONE_CODES[b]), ir)
                    self.isolation.setdefault((ZONE_CODES[b], ZONE_CODES[a]), ir)
        self.ssh_ports = frozenset(rules.bruteforce.ssh.ports)
        self.flows: dict[tuple[object, ...], Finding] = {}
        # cleartext sessions seen without data so far: flow key -> [packets, bytes, first, last]
        self.pending: dict[tuple[object, ...], list[int]] = {}
        self.details: dict[tuple[object, ...], set[str]] = {}
        # scan state per source: [window start, {dst: {ports}}, {port: {dsts}}]
        self.scan: dict[bytes, list[object]] = {}
        # ssh state per (src, dst): [window start, count in window, max in any window, first, last]
        self.ssh: dict[tuple[bytes, bytes], list[int]] = {}
        # snmp per (manager, agent): [pending request ids, failures(v3 reports), requests, first, last]
        self.snmp: dict[tuple[bytes, bytes], list[object]] = {}

    def plan_mismatches(self) -> list[Device]:
        """Inventory devices whose address is outside their own network's plan (isolation would misfire)."""
        want = {"intranet": (Z_INTRANET,), "extranet": (Z_EXTRANET, Z_EGRESS)}
        out = []
        for d in self.devices.values():
            z = self.zone(ipaddress.ip_address(d.address).packed)
            if z != Z_IGNORE and z not in want.get(d.network.value, (z,)):
                out.append(d)
        return out

    # -- entry points -------------------------------------------------------------------------------
    def analyse_files(self, paths: Iterable[Path], progress: Callable[[int, int], None] | None = None) -> Report:
        report = Report([], self.stats)
        for path in paths:
            reader = CaptureReader(path)
            report.files.append(str(path))
            try:
                self.feed_all(reader, progress)
            except CaptureError as exc:
                report.problems.append(exc)
        report.findings = self.findings()
        return report

    def feed_all(self, records: Iterable[Record], progress: Callable[[int, int], None] | None = None) -> None:
        feed = self.feed
        n = 0
        for rec in records:
            feed(*rec)
            n += 1
            if progress is not None and not n & 0xFFFF:
                progress(n, self.stats.bytes)

    # -- the per-packet path ------------------------------------------------------------------------
    def feed(self, ts: int, linktype: int, buf: bytes, off: int, caplen: int) -> None:
        st = self.stats
        st.packets += 1
        st.bytes += caplen
        d = decode(linktype, buf, off, caplen)
        if d is None:
            st.non_ip += 1
            return
        if d.version == 4:
            st.ipv4 += 1
        else:
            st.ipv6 += 1
        proto = d.proto
        src, dst = d.src, d.dst
        zc = self.zone.cache  # inline hit path: two dict lookups instead of two method calls
        zs = zc.get(src)
        if zs is None:
            zs = self.zone(src)
        zd = zc.get(dst)
        if zd is None:
            zd = self.zone(dst)
        if zs == Z_IGNORE or zd == Z_IGNORE:
            self._count_proto(proto)
            return
        if zs != zd:
            ir = self.isolation.get((zs, zd))
            if ir is not None:
                sp, dp = (d.sport, d.dport) if proto == TCP or proto == UDP else (0, 0)  # ICMP: type/code aren't ports
                self._flow(ir.id, "isolation", ir.severity, src, dst, proto, sp, dp, d.length, ts, None, True)
        if proto == TCP:
            st.tcp += 1
            sport, dport, flags = d.sport, d.dport, d.flags
            r = self.tcp_rules.get(dport)
            if r is not None:
                # Cleartext *use* is a session that carries data: a client segment with payload on
                # an established connection (ACK set). A bare SYN (a scan), an RST or a handshake
                # without data only adds to a finding that real use already opened.
                used = flags & (SYN | ACK) == ACK and d.l4 >= 0 and d.end > d.l4
                self._cleartext(r, src, dst, proto, sport, dport, d.length, ts, open_flow=used)
            else:
                r = self.tcp_rules.get(sport)
                if r is not None:
                    # the server speaking (a login banner, a response) is use; SYN-ACK and RST are not
                    used = not flags & (SYN | RST) and d.l4 >= 0 and d.end > d.l4
                    self._cleartext(r, dst, src, proto, dport, sport, d.length, ts, open_flow=used)
            if flags & (SYN | ACK) == SYN:
                self._syn(src, dst, dport, ts)
        elif proto == UDP:
            st.udp += 1
            sport, dport = d.sport, d.dport
            r = self.udp_rules.get(dport)
            client_side = True
            if r is None:
                r = self.udp_rules.get(sport)
                client_side = False
            if (dport == 161 or sport == 161 or dport == 162 or sport == 162) and d.l4 >= 0:
                # SNMP is cleartext only for v1/v2c: decode before judging (v3 traps/requests are fine)
                self._snmp(d.l4, d.end, buf, src, dst, sport, dport, d.length, ts, r)
            elif r is not None:
                if client_side:
                    self._cleartext(r, src, dst, proto, sport, dport, d.length, ts)
                else:
                    self._cleartext(r, dst, src, proto, dport, sport, d.length, ts)
        elif proto == ICMP or proto == ICMP6:
            st.icmp += 1
            t = d.sport
            if t == 8 or t == 128:  # echo request: host sweep
                self._scan_hit(src, dst, -1, ts)
            elif (t == 3 and d.dport == 3) or (t == 1 and d.dport == 4):  # port unreachable: UDP port probed
                port = _embedded_dport(buf, d.l4 + 4, d.end, d.version)
                if port is not None:
                    self._scan_hit(dst, src, port, ts)
        else:
            st.other_ip += 1

    def _count_proto(self, proto: int) -> None:
        st = self.stats
        if proto == TCP:
            st.tcp += 1
        elif proto == UDP:
            st.udp += 1
        elif proto in (ICMP, ICMP6):
            st.icmp += 1
        else:
            st.other_ip += 1

    # -- rules --------------------------------------------------------------------------------------
    def _cleartext(
        self, r: CleartextRule, client: bytes, server: bytes, proto: int, cport: int, sport: int, length: int, ts: int,
        detail: str | None = None, open_flow: bool = True,
    ) -> None:  # fmt: skip
        if r.to == "management" and server not in self.mgmt:
            return
        key = (r.id, client, server, proto, 0, sport)
        if not open_flow and key not in self.flows:
            # No data on this service yet: a probe (the scan rule judges it) or the handshake of a
            # session that will carry data; held aside so a finding counts its whole session.
            held = self.pending.get(key)
            if held is None:
                if len(self.pending) >= self.settings.max_flows:
                    return
                held = self.pending[key] = [0, 0, ts, ts]
            held[0] += 1
            held[1] += length
            held[2], held[3] = min(held[2], ts), max(held[3], ts)
            return
        # one finding per client, server and service (not per connection): 1000 telnet sessions are one habit
        f = self._flow(r.id, "cleartext", r.severity, client, server, proto, cport, sport, length, ts, detail, False, 0)
        held = self.pending.pop(key, None)
        if held is not None:
            f.packets += held[0]
            f.bytes += held[1]
            f.first_ns, f.last_ns = min(f.first_ns, held[2]), max(f.last_ns, held[3])

    def _flow(
        self, rule: str, category: str, severity: str, a: bytes, b: bytes, proto: int, pa: int, pb: int,
        length: int, ts: int, detail: str | None, either_way: bool, key_pa: int | None = None,
    ) -> Finding:  # fmt: skip
        key: tuple[object, ...] = (rule, a, b, proto, pa if key_pa is None else key_pa, pb)
        f = self.flows.get(key)
        if f is None and either_way:
            rkey: tuple[object, ...] = (rule, b, a, proto, pb, pa)
            f = self.flows.get(rkey)
            if f is not None:
                key = rkey
        if f is None:
            if len(self.flows) >= self.settings.max_flows:
                self.stats.flows_merged += 1
                key = (rule, "*")
                f = self.flows.get(key)
            if f is None:
                merged = key[1] == "*"
                dev = None if merged else (self.devices.get(b) or self.devices.get(a))
                f = Finding(
                    rule, category, severity, "*" if merged else ntoa(a), "*" if merged else ntoa(b),
                    PROTO_NAMES.get(proto, str(proto)), 0 if merged else pa, 0 if merged else pb,
                    first_ns=ts, device=dev,
                )  # fmt: skip
                if merged:
                    f.detail = f"flows beyond max_flows={self.settings.max_flows}, merged"
                self.flows[key] = f
        f.packets += 1
        f.bytes += length
        if ts < f.first_ns:
            f.first_ns = ts
        if ts > f.last_ns:
            f.last_ns = ts
        if detail:
            ds = self.details.setdefault(key, set())
            if len(ds) < 5:
                ds.add(detail)
        return f

    def _snmp(
        self, l4: int, end: int, buf: bytes, src: bytes, dst: bytes, sport: int, dport: int, length: int, ts: int,
        r: CleartextRule | None,
    ) -> None:  # fmt: skip
        msg = snmpwire.parse(buf, l4, end)
        to_agent = dport == 161 or dport == 162  # the side with the well-known port is the "server"
        manager, agent = (src, dst) if to_agent else (dst, src)
        if msg is not None and msg.version in (0, 1):
            self.stats.snmp_v1v2c += 1
            if r is not None and msg.community is not None:
                ver = "v1" if msg.version == 0 else "v2c"
                detail = f"SNMP{ver} community {snmpwire.mask(msg.community)}"
                if to_agent:
                    self._cleartext(r, src, dst, UDP, sport, dport, length, ts, detail)
                else:
                    self._cleartext(r, dst, src, UDP, dport, sport, length, ts, detail)
        if msg is None or (dport != 161 and sport != 161):
            return  # authentication failures are counted on requests to agents (161) only
        key = (manager, agent)
        s = self.snmp.get(key)
        if s is None:
            if len(self.snmp) >= self.settings.max_sources:
                self.stats.sources_untracked += 1
                return
            s = self.snmp[key] = [set(), 0, 0, ts, ts]
        pending = s[0]
        assert isinstance(pending, set)
        s[4] = ts
        if to_agent and msg.pdu in snmpwire.REQUESTS and msg.version in (0, 1):
            s[2] = int(s[2]) + 1  # type: ignore[call-overload]
            if len(pending) < 10_000:
                pending.add(msg.request_id)
        elif not to_agent and msg.pdu == snmpwire.PDU_RESPONSE:
            pending.discard(msg.request_id)
        elif not to_agent and msg.pdu == snmpwire.PDU_REPORT and msg.first_oid in snmpwire.USM_AUTH_FAILURES:
            s[1] = int(s[1]) + 1  # type: ignore[call-overload]

    def _syn(self, src: bytes, dst: bytes, dport: int, ts: int) -> None:
        if dport in self.ssh_ports:
            rule = self.rules.bruteforce.ssh
            key = (src, dst)
            s = self.ssh.get(key)
            if s is None:
                if len(self.ssh) >= self.settings.max_sources:
                    self.stats.sources_untracked += 1
                else:
                    self.ssh[key] = [ts, 1, 1, ts, ts, dport]
            else:
                if ts - s[0] > rule.window_s * 1e9:
                    s[0], s[1] = ts, 0
                s[1] += 1
                s[2] = max(s[2], s[1])
                s[4] = ts
        self._scan_hit(src, dst, dport, ts)

    def _scan_hit(self, src: bytes, dst: bytes, port: int, ts: int) -> None:
        rule = self.rules.scan
        s = self.scan.get(src)
        if s is None or ts - s[0] > rule.window_s * 1e9:  # type: ignore[operator]
            if s is None and len(self.scan) >= self.settings.max_sources:
                self.stats.sources_untracked += 1
                return
            s = self.scan[src] = [ts, {}, {}]
        by_dst: dict[bytes, set[int]] = s[1]  # type: ignore[assignment]
        by_port: dict[int, set[bytes]] = s[2]  # type: ignore[assignment]
        if port >= 0:
            ports = by_dst.get(dst)
            if ports is None and len(by_dst) < 4 * rule.hosts_per_port:
                ports = by_dst[dst] = set()
            if ports is not None and len(ports) < rule.ports_per_host and port not in ports:
                ports.add(port)
                if len(ports) == rule.ports_per_host:
                    self._flow(rule.id, "scan", rule.severity, src, dst, TCP if port else UDP, 0, 0, 0, ts,
                               f"port scan: {rule.ports_per_host}+ ports in {rule.window_s:g}s", False)  # fmt: skip
        hosts = by_port.get(port)
        if hosts is None and len(by_port) < 4 * rule.ports_per_host:
            hosts = by_port[port] = set()
        if hosts is not None and len(hosts) < rule.hosts_per_port and dst not in hosts:
            hosts.add(dst)
            if len(hosts) == rule.hosts_per_port:
                what = "ping sweep" if port < 0 else f"host sweep on port {port}"
                self._flow(rule.id, "scan", rule.severity, src, b"", ICMP if port < 0 else TCP, 0, max(port, 0), 0, ts,
                           f"{what}: {rule.hosts_per_port}+ hosts in {rule.window_s:g}s", False)  # fmt: skip

    # -- results ------------------------------------------------------------------------------------
    def findings(self) -> list[Finding]:
        out: list[Finding] = []
        for key, f in self.flows.items():
            ds = self.details.get(key)
            if ds:
                f.detail = "; ".join(sorted(ds))
            out.append(f)
        ssh = self.rules.bruteforce.ssh
        for (src, dst), s in self.ssh.items():
            if s[2] >= ssh.connections:
                out.append(Finding(
                    ssh.id, "bruteforce", ssh.severity, ntoa(src), ntoa(dst), "tcp", 0, s[5], s[2], 0, s[3], s[4],
                    f"{s[2]} SSH connections within {ssh.window_s:g}s", self.devices.get(dst),
                ))  # fmt: skip
        sn = self.rules.bruteforce.snmp
        for (manager, agent), v in self.snmp.items():
            pending = v[0]
            assert isinstance(pending, set)
            unanswered, reports = len(pending), int(v[1])  # type: ignore[call-overload]
            if unanswered + reports >= sn.failures:
                parts = []
                if unanswered:
                    parts.append(f"{unanswered} of {v[2]} v1/v2c requests unanswered (wrong community)")
                if reports:
                    parts.append(f"{reports} v3 authentication-failure reports")
                out.append(Finding(
                    sn.id, "bruteforce", sn.severity, ntoa(manager), ntoa(agent), "udp", 0, 161,
                    unanswered + reports, 0, int(v[3]), int(v[4]), "; ".join(parts),  # type: ignore[call-overload]
                    self.devices.get(agent),
                ))  # fmt: skip
        out.sort(key=lambda f: (-SEVERITY_ORDER.get(f.severity, 0), f.category, f.rule, f.first_ns))
        return out


def _embedded_dport(buf: bytes, off: int, end: int, version: int) -> int | None:
    """Destination UDP port of the datagram quoted in an ICMP port-unreachable."""
    if version == 4:
        if end - off < 20:
            return None
        ihl = (buf[off] & 0x0F) * 4
        if buf[off + 9] != UDP or end - off < ihl + 4:
            return None
        return int.from_bytes(buf[off + ihl + 2 : off + ihl + 4], "big")
    if end - off < 44 or buf[off + 6] != UDP:
        return None
    return int.from_bytes(buf[off + 42 : off + 44], "big")


def analyse(
    paths: Iterable[Path], settings: SecuritySettings, rules: RuleSet, inventory: Inventory | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:  # fmt: skip
    """Analyse capture files; truncated/corrupt files keep the findings of their readable part."""
    return Analyzer(rules, settings, inventory).analyse_files(paths, progress)
