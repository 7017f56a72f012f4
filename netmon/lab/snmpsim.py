"""The lab's SNMP agents: snmpsim serving recordings of real devices, one UDP port per device.

One snmpsim command-responder process (``netmon.lab.snmpsim_agent``) serves every device:
each device gets its own 127.0.0.1 endpoint, and the data file is picked by the endpoint's
transport ID (``1.3.6.1.6.1.1.N`` for the N-th endpoint). v2c (one community) and v3 authPriv (user
``netmon``, SHA/AES) both work. Recordings come from the ``snmpsim-data`` package; only the
subtrees netmon polls are kept (system, IF-MIB, the health MIBs of the profiles), which keeps
start-up to a second or two for ~60 devices, and the IF-MIB counters are rewritten to
snmpsim's ``numeric`` variation so they move like a live device's.

Faults: with ``faults=True`` (the default) each device's public port is a small UDP relay
(``netmon.lab.snmp_relay``, a process of its own so the devices' network never waits for the
GIL of the process polling them), and ``handle.pause(name)`` makes that one device stop
answering (a provincial uplink going down) while the others keep answering.
"""

from __future__ import annotations

import bz2
import contextlib
import hashlib
import json
import logging
import os
import shutil
import socket
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from ..fsmode import private_dir, replace_private, write_private
from ..inventory import Device
from ..platforms import platforms
from ..platforms.registry import derived
from .procs import Proc, start, wait_for

log = logging.getLogger("netmon.lab")

COMMUNITY = "public"
V3_USER = "netmon"
# Lab-only keys for the simulated agents (not secrets of any real network).
V3_AUTH_KEY = "netmon-lab-auth"
V3_PRIV_KEY = "netmon-lab-priv"

# Subtrees kept from a recording besides the health profiles' columns: what netmon polls of any
# device (system, IF-MIB) and the vendor-neutral health MIBs.
KEEP_PREFIXES: tuple[str, ...] = (
    "1.3.6.1.2.1.1.",  # system
    "1.3.6.1.2.1.2.",  # interfaces (ifNumber, ifTable)
    "1.3.6.1.2.1.31.1.1.",  # ifXTable
    "1.3.6.1.2.1.31.1.5.",  # ifTableLastChange
    "1.3.6.1.2.1.25.2.",  # HOST-RESOURCES hrStorage
    "1.3.6.1.2.1.25.3.3.",  # HOST-RESOURCES hrProcessor
    "1.3.6.1.2.1.99.1.1.",  # ENTITY-SENSOR-MIB
)


@derived
@cache
def recordings() -> dict[str, tuple[str, ...]]:
    """snmpsim-data recordings per platform (its lab.yaml): devices of one platform take them in
    turn, so a lab of many Huawei devices exercises several Huawei firmwares."""
    return {k: tuple(p.lab.recordings) for k, p in platforms().items() if p.lab and p.lab.recordings}


@derived
@cache
def keep_prefixes() -> tuple[str, ...]:
    """KEEP_PREFIXES, each platform's lab.yaml ``keep:`` subtrees, and any health-profile column
    they do not cover (a site platform that lists no ``keep:`` still gets its columns)."""
    keep = list(KEEP_PREFIXES)
    for p in platforms().values():
        keep += [k for k in (p.lab.keep if p.lab else []) if k not in keep]
    cols = {
        o + "."
        for p in platforms().values()
        for sources in (p.health or {}).values()
        for src in sources
        for o in (src.oid, src.where_oid, src.multiply_oid)
        if o
    }
    return tuple(keep) + tuple(sorted(c for c in cols if not c.startswith(tuple(keep))))


# IF-MIB counter columns made to move: (column prefix, snmprec tag, bytes-or-packets factor).
_MOVING = {
    "1.3.6.1.2.1.31.1.1.1.6.": 1.0,  # ifHCInOctets
    "1.3.6.1.2.1.31.1.1.1.10.": 0.6,  # ifHCOutOctets
    "1.3.6.1.2.1.31.1.1.1.7.": 1 / 500,  # ifHCInUcastPkts
    "1.3.6.1.2.1.31.1.1.1.11.": 0.6 / 500,  # ifHCOutUcastPkts
    "1.3.6.1.2.1.2.2.1.10.": 1.0,  # ifInOctets
    "1.3.6.1.2.1.2.2.1.16.": 0.6,  # ifOutOctets
    "1.3.6.1.2.1.2.2.1.11.": 1 / 500,  # ifInUcastPkts
    "1.3.6.1.2.1.2.2.1.17.": 0.6 / 500,  # ifOutUcastPkts
}
_SYSUPTIME = "1.3.6.1.2.1.1.3.0"


def data_root() -> Path:
    return Path(str(resources.files("snmpsim_data"))) / "data"


def recording_for(device: Device, nth: int) -> str:
    """The recording a device of this vendor serves (the nth device of its vendor)."""
    choices = recordings().get(device.vendor)
    if not choices:
        raise ValueError(f"device {device.name}: no snmpsim recording for vendor {device.vendor!r}")
    return choices[nth % len(choices)]


def _bytes_rate(index: str) -> int:
    # A steady, per-interface rate (bytes/s) so rates differ between interfaces but are repeatable.
    digits = int("".join(c for c in index if c.isdigit())[-6:] or "0")
    return 2_000 + (digits * 7919) % 250_000


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "netmon" / "snmpsim"


def cached_recording(name: str, max_interfaces: int | None = None) -> Path:
    """The prepared recording, made once per recording and kept in ~/.cache/netmon/snmpsim.

    The key covers the source file and this module's rules, so a change of either re-prepares.
    """
    src = data_root() / f"{name}.snmprec.bz2"
    st = src.stat()
    rules = repr(
        (
            _PREP_VERSION,
            keep_prefixes(),
            sorted(_MOVING.items()),
            _SYSUPTIME,
            st.st_size,
            st.st_mtime_ns,
            max_interfaces,
        )
    ).encode()
    key = hashlib.sha256(rules).hexdigest()[:16]
    dest = _cache_dir() / f"{name.replace('/', '_')}-{key}.snmprec"
    if not dest.exists():
        tmp = dest.with_suffix(f".tmp{os.getpid()}")
        prepare_recording(name, tmp, max_interfaces=max_interfaces)
        _age(tmp)
        tmp.replace(dest)
    return dest


def _age(path: Path) -> None:
    # snmpsim keeps an index only if it is newer than the data file in whole seconds; a data
    # file written in the same second as its index would be re-indexed on the first request
    # (seconds of latency, a timeout for the first poll). Dating data files in the past avoids it.
    old = time.time() - 120
    os.utime(path, (old, old))


_PREP_VERSION = 2  # bump when prepare_recording's output changes, so caches are rebuilt
_IF_TABLES = ("1.3.6.1.2.1.2.2.1.", "1.3.6.1.2.1.31.1.1.1.")
_IF_NUMBER = "1.3.6.1.2.1.2.1.0"


_NOT_PORTS = (
    "console",
    "null",
    "inloop",
    "loop",
    "lo",
    "vlan",
    "vl",
    "meth",
    "lsi",
    "dsc",
    "tap",
    "gre",
    "ipip",
    "pim",
    "mtun",
    "cbp",
    "mgmt",
    "aux",
)


def is_port_name(name: str) -> bool:
    """A physical/aggregate port name, not a console, loopback, VLAN or tunnel interface."""
    return bool(name) and not name.lower().startswith(_NOT_PORTS)


def _first_if_indexes(src: Path, limit: int) -> set[str]:
    """The ifIndexes to keep: ports that are up first (so lab uplinks land on live ports), in ifIndex order."""
    names: dict[int, str] = {}
    oper: dict[int, str] = {}
    with bz2.open(src, "rt", encoding="utf-8", errors="surrogateescape") as fh:
        for line in fh:
            oid, _, rest = line.partition("|")
            if not oid.startswith(("1.3.6.1.2.1.2.2.1.2.", "1.3.6.1.2.1.2.2.1.8.")):
                continue
            idx = oid.rsplit(".", 1)[1]
            if not idx.isdigit():
                continue
            tag, _, value = rest.rstrip("\n").partition("|")
            if oid.startswith("1.3.6.1.2.1.2.2.1.8."):
                oper[int(idx)] = value
            else:
                names[int(idx)] = bytes.fromhex(value).decode("utf-8", "replace") if tag == "4x" else value
    ranked = sorted(names, key=lambda i: (not (oper.get(i) == "1" and is_port_name(names[i])), i))
    return {str(i) for i in ranked[:limit]}


def prepare_recording(
    name: str, dest: Path, prefixes: Sequence[str] | None = None, max_interfaces: int | None = None
) -> int:
    """Write the kept subtrees of recording ``name`` to ``dest`` with moving counters; return lines.

    ``max_interfaces`` keeps only the rows of the first N ifIndexes (and sets ifNumber to
    match): the lab's 58 devices then fit in one snmpsim's budget on a 2-core machine, where
    some recordings (a Ruijie N18010, a ZTE with 222 ports) hold hundreds of interfaces.
    """
    src = data_root() / f"{name}.snmprec.bz2"
    keep = tuple(prefixes) if prefixes is not None else keep_prefixes()
    keep_ifs = _first_if_indexes(src, max_interfaces) if max_interfaces else None
    out: list[str] = []
    with bz2.open(src, "rt", encoding="utf-8", errors="surrogateescape") as fh:
        for line in fh:
            oid, sep, rest = line.partition("|")
            if not sep or (not oid.startswith(keep) and oid != _SYSUPTIME):
                continue
            if keep_ifs is not None:
                if oid.startswith(_IF_TABLES) and oid.rsplit(".", 1)[1] not in keep_ifs:
                    continue
                if oid == _IF_NUMBER:
                    line = f"{oid}|2|{len(keep_ifs)}\n"
            tag, _, value = rest.rstrip("\n").partition("|")
            if oid == _SYSUPTIME and tag == "67":
                line = f"{oid}|67:numeric|rate=100,initial={value}\n"
            else:
                for col, factor in _MOVING.items():
                    if oid.startswith(col) and tag in ("65", "70") and value.isdigit():
                        rate = max(1, int(_bytes_rate(oid[len(col) :]) * factor))
                        wrap = ",wrap=1" if tag == "65" else ""
                        line = f"{oid}|{tag}:numeric|rate={rate},initial={value}{wrap}\n"
                        break
            out.append(line if line.endswith("\n") else line + "\n")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text("".join(out), encoding="utf-8", errors="surrogateescape")
    return len(out)


@dataclass
class SimDevice:
    name: str
    port: int  # the port pollers use
    recording: str  # snmpsim_data path, e.g. network/switch/cisco-c3560
    agent_port: int  # snmpsim's own endpoint (same as port without the fault relay)
    transport_id: str


class _RelayProc:
    """The fault relay's process (``netmon.lab.snmp_relay``) and the paused file it reads."""

    def __init__(self, routes: dict[str, int], workdir: Path, timeout: float = 30.0) -> None:
        self._paused_file = workdir / "relay-paused.json"
        self.paused: frozenset[str] = frozenset()
        self._write_paused()
        routes_file = write_private(workdir / "relay-routes.json", json.dumps(routes))
        ports_file = workdir / "relay-ports.json"
        ports_file.unlink(missing_ok=True)
        argv = [
            sys.executable,
            "-m",
            "netmon.lab.snmp_relay",
            str(routes_file),
            str(ports_file),
            str(self._paused_file),
        ]
        self.proc = start("snmp-relay", argv, workdir / "relay.log")
        try:
            wait_for(ports_file.exists, timeout, "snmp relay", self.proc.popen)
        except RuntimeError:
            self.proc.stop()
            raise
        self.ports: dict[str, int] = json.loads(ports_file.read_text(encoding="utf-8"))

    def set_paused(self, names: Iterable[str]) -> None:
        self.paused = frozenset(names)
        self._write_paused()

    def _write_paused(self) -> None:
        # Replaced, never rewritten in place: the relay sees a new inode, and never half a file.
        replace_private(self._paused_file, json.dumps(sorted(self.paused)))

    @property
    def errors(self) -> int:
        """Datagrams the relay could not forward (each logged in relay.log)."""
        return sum(ln.startswith("snmp relay:") for ln in self.proc.log_tail(10_000).splitlines())

    def close(self) -> None:
        self.proc.stop()


@dataclass
class SnmpsimLab:
    """Handle on the running simulator: per-device ports and recordings, faults, stop()."""

    proc: Proc
    devices: dict[str, SimDevice]
    workdir: Path
    community: str = COMMUNITY
    v3_user: str = V3_USER
    v3_auth_key: str = V3_AUTH_KEY
    v3_priv_key: str = V3_PRIV_KEY
    _relay: _RelayProc | None = field(default=None, repr=False)
    extra_procs: list[Proc] = field(default_factory=list)

    def port(self, name: str) -> int:
        return self.devices[name].port

    def recording(self, name: str) -> str:
        return self.devices[name].recording

    def pause(self, *names: str) -> None:
        """These devices stop answering (as if their link were down) until resume()."""
        if self._relay is None:
            raise RuntimeError("the lab was started with faults=False; pause() needs the relay")
        for n in names:
            if n not in self.devices:
                raise KeyError(f"no simulated device {n!r}")
        self._relay.set_paused(self._relay.paused | set(names))

    def resume(self, *names: str) -> None:
        if self._relay is not None:
            self._relay.set_paused(self._relay.paused - set(names) if names else ())

    @property
    def paused(self) -> frozenset[str]:
        return self._relay.paused if self._relay else frozenset()

    @property
    def relay_errors(self) -> int:
        """Datagrams the fault relay could not forward (0 without the relay)."""
        return self._relay.errors if self._relay is not None else 0

    def serving(self) -> list[str]:
        """What is not serving (a dead simulator or relay process); empty when all is."""
        return [f"{p.name} pid {p.pid} exited {p.popen.returncode}" for p in self._procs() if not p.alive()]

    def _procs(self) -> list[Proc]:
        return [self.proc, *self.extra_procs, *([self._relay.proc] if self._relay is not None else [])]

    def set_priority(self, niceness: int) -> None:
        """Renice the simulated devices (simulator and relay processes; root may go below 0).

        A test that loads this machine's CPU models netmon's host under load; the devices it
        polls run on hardware of their own, so they should not queue behind the load."""
        for p in self._procs():
            if p.alive():
                with contextlib.suppress(ProcessLookupError):
                    os.setpriority(os.PRIO_PROCESS, p.pid, niceness)

    def stop(self) -> None:
        if self._relay is not None:
            self._relay.close()
            self._relay = None
        for p in (self.proc, *self.extra_procs):
            p.stop()


def _free_udp_ports(n: int) -> list[int]:
    """n distinct free UDP ports (held open together while chosen, so none repeats)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            socks.append(s)
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _responder_argv() -> list[str]:
    return [sys.executable, "-m", "netmon.lab.snmpsim_agent"]


def _answers(port: int, community: str) -> bool:
    # A v2c GET sysUpTime.0, hand-encoded: enough to know the endpoint is serving its data.
    comm = community.encode()
    oid = bytes([0x06, 0x08, 0x2B, 6, 1, 2, 1, 1, 3, 0])
    vb = bytes([0x30, len(oid) + 2]) + oid + b"\x05\x00"
    vbl = bytes([0x30, len(vb)]) + vb
    pdu_body = b"\x02\x01\x01\x02\x01\x00\x02\x01\x00" + vbl
    pdu = bytes([0xA0, len(pdu_body)]) + pdu_body
    msg = b"\x02\x01\x01" + bytes([0x04, len(comm)]) + comm + pdu
    pkt = bytes([0x30, len(msg)]) + msg
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        s.sendto(pkt, ("127.0.0.1", port))
        data, _ = s.recvfrom(65535)
        return len(data) > 0


def start_snmpsim(
    devices: Iterable[Device],
    workdir: Path,
    *,
    community: str = COMMUNITY,
    faults: bool = True,
    recordings: dict[str, str] | None = None,
    timeout: float = 60.0,
    max_interfaces: int | None = None,
    processes: int = 1,
) -> SnmpsimLab:
    """Serve each inventory device on its own 127.0.0.1 UDP port from a recording of its vendor.

    ``recordings`` overrides the choice per device name (a path under snmpsim_data/data).
    ``max_interfaces`` trims each recording's IF-MIB tables to its first N interfaces;
    ``processes`` spreads the devices over that many snmpsim processes (snmpsim is
    single-threaded: one per core doubles what a 2-core lab can answer).
    """
    devs = list(devices)
    private_dir(workdir)  # a data file is named after the lab community
    data = workdir / "data"
    if data.exists():
        shutil.rmtree(data)
    per_vendor: dict[str, int] = {}
    prepared: dict[str, str] = {}  # recording -> data file name (each indexed once)
    sims: dict[str, SimDevice] = {}
    groups = max(1, min(processes, len(devs) or 1))
    endpoints: list[list[str]] = [[] for _ in range(groups)]
    mappings: list[dict[str, str]] = [{} for _ in range(groups)]
    data.mkdir(parents=True, exist_ok=True)
    ports = _free_udp_ports(len(devs))
    for i, dev in enumerate(devs):
        nth = per_vendor.get(dev.vendor, 0)
        per_vendor[dev.vendor] = nth + 1
        rec = (recordings or {}).get(dev.name) or recording_for(dev, nth)
        fname = prepared.get(rec)
        if fname is None:
            # Short names: snmpsim registers names over 32 characters only by their hash.
            fname = prepared[rec] = f"rec{len(prepared)}"
            shutil.copy2(cached_recording(rec, max_interfaces), data / f"{fname}.snmprec")  # keeps the old mtime
            os.chmod(data / f"{fname}.snmprec", 0o600)  # copy2 copied the shared cache's 0644
        g = i % groups
        # snmpsim numbers each process's endpoints from 0: the transport ID is per process.
        tid = f"1.3.6.1.6.1.1.{len(endpoints[g])}"
        mappings[g][tid] = fname
        agent_port = ports[i]
        endpoints[g].append(f"--agent-udpv4-endpoint=127.0.0.1:{agent_port}")
        sims[dev.name] = SimDevice(dev.name, agent_port, rec, agent_port, tid)
    # The community itself must name a data file for snmpsim to accept it.
    write_private(data / f"{community}.snmprec", "1.3.6.1.2.1.1.1.0|4|netmon lab community\n")
    _age(data / f"{community}.snmprec")
    procs: list[Proc] = []
    try:
        for g in range(groups):
            suffix = "" if g == 0 else f"-{g}"
            mapfile = workdir / f"endpoints{suffix}.json"
            write_private(mapfile, json.dumps(mappings[g], indent=1))
            cache = workdir / f"cache{suffix}"
            cache.mkdir(exist_ok=True)
            argv = [
                *_responder_argv(),
                f"--data-dir={data}",
                f"--cache-dir={cache}",
                "--log-level=error",  # info logging would print the v3 keys
                *endpoints[g],
            ]
            # The v3 keys go by the environment (readable by this user only), not the command line
            # (every account sees it in `ps`); snmpsim_agent adds them to snmpsim's own argv.
            v3 = [f"--v3-user={V3_USER}", "--v3-auth-proto=SHA", f"--v3-auth-key={V3_AUTH_KEY}",
                  "--v3-priv-proto=AES", f"--v3-priv-key={V3_PRIV_KEY}"]  # fmt: skip
            env = dict(
                os.environ, SNMPSIM_ALLOW_ROOT="true", NETMON_SNMPSIM_MAP=str(mapfile), NETMON_SNMPSIM_V3=json.dumps(v3)
            )
            procs.append(start("snmpsim", argv, workdir / f"snmpsim{suffix}.log", env=env))
        deadline = time.monotonic() + timeout
        # snmpsim binds every endpoint before it serves any: the first and last of each process is enough.
        order = list(sims)
        for g, proc in enumerate(procs):
            mine = order[g::groups]
            for name in dict.fromkeys([mine[0], mine[-1]]) if mine else []:
                sim = sims[name]

                def ready(port: int = sim.agent_port) -> bool:
                    return _answers(port, community)

                wait_for(ready, max(1.0, deadline - time.monotonic()), "snmpsim", proc.popen)
    except Exception as exc:
        tail = "\n".join(p.log_tail(5) for p in procs)
        for p in procs:
            p.stop()
        raise RuntimeError(f"snmpsim did not start ({exc}); logs in {workdir}:\n{tail}") from None
    relay = None
    if faults:
        try:
            relay = _RelayProc({sim.name: sim.agent_port for sim in sims.values()}, workdir)
        except (OSError, RuntimeError):
            for p in procs:
                p.stop()
            raise
        for sim in sims.values():
            sim.port = relay.ports[sim.name]
    return SnmpsimLab(procs[0], sims, workdir, community, _relay=relay, extra_procs=procs[1:])
