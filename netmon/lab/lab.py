"""The built-in lab: the sample inventory mapped onto real simulated devices on 127.0.0.1.

``Lab.start(dir)`` starts snmpsim (recordings of real Huawei, H3C, Cisco, Ruijie and ZTE
devices, one UDP port per device) and, when the SSH collector is present, SSH device
simulators, then writes into ``dir``:

- ``inventory.yaml`` — the sample network with every address rewritten to 127.0.0.1 and the
  device's lab ports;
- ``secrets.yaml`` (mode 0600) — the lab agents' SNMP keys (lab-only values);
- ``netmon.yaml`` — a daemon config referencing both, with an SQLite sink and spool in ``dir``;
- ``state.json`` — pids and ports, for ``netmon lab status|down``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..fsmode import private_dir, write_private
from ..inventory import Device, Inventory, load_inventory
from .calibrate import LabTiming
from .extra import require_lab
from .snmpsim import SnmpsimLab, cached_recording, is_port_name, start_snmpsim

log = logging.getLogger("netmon.lab")

# The lab trims each recording to its first interfaces so 58 devices fit in what snmpsim (pure
# Python) answers per second on a 2-core machine; the polling path is the same as for all ports.
LAB_MAX_INTERFACES = 12

DEFAULT_INVENTORY = Path(__file__).resolve().parents[2] / "configs" / "inventory" / "small.yaml"


def default_inventory() -> Path:
    if DEFAULT_INVENTORY.exists():
        return DEFAULT_INVENTORY
    # Installed without the repo: generate the same sample network.
    from ..inventory.generate import dump, generate

    p = Path(os.environ.get("TMPDIR", "/tmp")) / "netmon-small-inventory.yaml"
    p.write_text(dump(generate("small")), encoding="utf-8")
    return p


@dataclass
class Lab:
    dir: Path
    inventory: Inventory
    snmp: SnmpsimLab
    ssh: Any = None
    config_path: Path = field(default_factory=Path)
    extra_procs: list[Any] = field(default_factory=list)
    timing: LabTiming | None = None  # the simulator's measured speed and the settings fitted to it

    @classmethod
    def start(
        cls, directory: Path, inventory_path: Path | None = None, *, ssh: bool = True, http_listen: str = ""
    ) -> Lab:
        require_lab()
        directory = private_dir(directory.resolve())  # the lab's state holds its credentials
        inv = load_inventory([inventory_path or default_inventory()])
        snmp = start_snmpsim(list(inv), directory / "snmpsim", max_interfaces=LAB_MAX_INTERFACES, processes=2)
        lab = cls(directory, inv, snmp)
        try:
            if ssh:
                lab.ssh = _start_ssh(list(inv), directory / "ssh")
            lab.timing = lab._calibrate()
            lab.config_path = lab._write_files(http_listen)
        except BaseException:
            lab.stop()
            raise
        return lab

    def _calibrate(self) -> LabTiming | None:
        """Measure the simulator (netmon.lab.calibrate); None when it cannot be measured (the
        defaults then apply)."""
        from pydantic import SecretStr

        from ..config import SnmpCredential
        from .calibrate import calibration_targets, measure

        cred = SnmpCredential(
            version="3", user=self.snmp.v3_user, auth_protocol="sha", auth_key=SecretStr(self.snmp.v3_auth_key),
            priv_protocol="aes", priv_key=SecretStr(self.snmp.v3_priv_key),
        )  # fmt: skip
        devices = list(self.inventory)
        ports = {d.name: self.snmp.port(d.name) for d in devices}
        try:
            kinds = [self.snmp.recording(d.name) for d in devices]
            return asyncio.run(measure(devices, calibration_targets(devices, ports, cred), kinds))
        except Exception as exc:  # a lab that cannot be timed still runs, on the defaults
            log.warning("could not time the simulator (%s); default SNMP time-outs apply", exc)
            return None

    def _up_interfaces(self) -> dict[str, list[str]]:
        """Per device, the names of interfaces its recording shows up (oper 1), in ifIndex order."""
        out: dict[str, list[str]] = {}
        by_rec: dict[str, list[str]] = {}
        for name, sim in self.snmp.devices.items():
            if sim.recording not in by_rec:
                by_rec[sim.recording] = _recorded_up_interfaces(cached_recording(sim.recording, LAB_MAX_INTERFACES))
            out[name] = by_rec[sim.recording]
        return out

    def _uplinks_on_live_ports(self) -> dict[str, list[dict[str, Any]]]:
        """Uplinks re-pointed at interfaces that are up in the recordings, so the lab's uplinks
        start healthy (the generated names may be ports a recorded device had down)."""
        ups = self._up_interfaces()
        used: dict[str, int] = {}
        out: dict[str, list[dict[str, Any]]] = {}
        for dev in self.inventory:
            links = []
            for up in dev.uplinks:
                parent_ifs = ups.get(up.device) or [up.interface or ""]
                i = used.get(up.device, 1)  # the parent's first up port stays its own uplink
                used[up.device] = i + 1
                mine = ups.get(dev.name) or [up.local_interface or ""]
                links.append(
                    {"device": up.device, "interface": parent_ifs[i % len(parent_ifs)], "local_interface": mine[0]}
                )
            out[dev.name] = links
        return out

    def _write_files(self, http_listen: str) -> Path:
        d = self.dir
        devices: list[dict[str, Any]] = []
        uplinks = self._uplinks_on_live_ports()
        for dev in self.inventory:
            raw = dev.model_dump(mode="json", exclude_defaults=True)
            if dev.uplinks:
                raw["uplinks"] = uplinks[dev.name]
            raw["address"] = "127.0.0.1"
            raw["port"] = self.snmp.port(dev.name)
            raw["tags"] = {**dev.tags, "lab_recording": self.snmp.recording(dev.name), "real_address": dev.address}
            if self.ssh is not None and dev.name in getattr(self.ssh, "ports", {}):
                raw["ssh_port"] = self.ssh.ports[dev.name]
            devices.append(raw)
        write_private(
            d / "inventory.yaml",
            "# The sample network mapped onto the lab's simulated devices (written by netmon lab).\n"
            + yaml.safe_dump({"devices": devices}, allow_unicode=True, sort_keys=False),
        )
        secrets = d / "secrets.yaml"
        fd = os.open(secrets, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            os.fchmod(fh.fileno(), 0o600)
            sec = {
                "lab_auth": self.snmp.v3_auth_key,
                "lab_priv": self.snmp.v3_priv_key,
                "lab_community": self.snmp.community,
            }
            if self.ssh is not None:
                sec["lab_ssh_password"] = self.ssh.password
            yaml.safe_dump(sec, fh)
        v3 = {"version": "3", "user": self.snmp.v3_user, "auth_protocol": "sha", "auth_key": "secret:lab_auth",
              "priv_protocol": "aes", "priv_key": "secret:lab_priv"}  # fmt: skip
        cfg: dict[str, Any] = {
            "inventory": ["inventory.yaml"],
            "secrets_file": "secrets.yaml",
            "credentials": {
                "snmp": {
                    "v3-intranet": v3,
                    "v3-extranet": v3,
                    "lab-v2c": {"version": "2c", "community": "secret:lab_community"},
                },
            },
            "sink": f"sqlite:///{d / 'netmon.db'}",
            "spool": {"dir": str(d / "spool"), "fsync": "batch"},
            "intervals": {"snmp": 10, "health": 10, "jitter": 0.2},
            "snmp": {"timeout": 1.0, "retries": 1, "device_budget": 8},
            "http": {"listen": http_listen},
        }
        if self.timing is not None:
            # Time-outs and concurrency the simulator can meet on this machine, as measured.
            t = self.timing
            cfg["snmp"] = {"timeout": t.timeout, "retries": 1, "device_budget": t.device_budget,
                           "concurrency": t.concurrency, "per_site_concurrency": min(8, t.concurrency)}  # fmt: skip
            interval = max(10.0, t.min_interval)
            cfg["intervals"] = {"snmp": interval, "health": interval, "jitter": 0.2}
        if self.ssh is not None:
            cfg["credentials"]["ssh"] = {"ops": {"username": self.ssh.username, "password": "secret:lab_ssh_password"}}
            cfg["ssh"] = dict(getattr(self.ssh, "ssh_settings", {}) or {})
            cfg["archive"] = {"dir": str(d / "archive")}
        path = d / "netmon.yaml"
        write_private(
            path,
            "# netmon.yaml for the built-in lab (written by netmon lab; see configs/netmon.yaml for production).\n"
            + yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False),
        )
        state = {
            "pid": os.getpid(),
            "config": str(path),
            "snmpsim_pid": self.snmp.proc.pid,
            "devices": {n: {"snmp_port": s.port, "recording": s.recording} for n, s in self.snmp.devices.items()},
            "timing": self.timing.as_dict() if self.timing is not None else None,
        }
        write_private(d / "state.json", json.dumps(state, ensure_ascii=False, indent=1))
        return path

    def fault(self, device: str) -> list[str]:
        """Take a device's uplink down: it and everything behind it stop answering. Returns the names."""
        from ..inventory import Topology

        topo = Topology(self.inventory)
        names = [device, *(n for n in topo.descendants(device) if topo.cut_off_by({device}, n))]
        self.snmp.pause(*names)
        if self.ssh is not None and hasattr(self.ssh, "pause"):
            self.ssh.pause(*names)
        return names

    def heal(self) -> None:
        self.snmp.resume()
        if self.ssh is not None and hasattr(self.ssh, "resume"):
            self.ssh.resume()

    def devices(self) -> list[Device]:
        return list(self.inventory)

    def stop(self) -> None:
        for stopper in (getattr(self.ssh, "stop", None), self.snmp.stop):
            if stopper is not None:
                with contextlib.suppress(Exception):
                    stopper()
        with contextlib.suppress(FileNotFoundError):
            (self.dir / "state.json").unlink()


def _recorded_up_interfaces(recording: Path) -> list[str]:
    names: dict[int, str] = {}
    descr: dict[int, str] = {}
    oper: dict[int, str] = {}
    for line in recording.read_text(encoding="utf-8", errors="replace").splitlines():
        oid, _, rest = line.partition("|")
        tag, _, value = rest.partition("|")
        if tag == "4x":  # snmprec writes non-printable or odd strings as hex
            value = bytes.fromhex(value).decode("utf-8", "replace")
        elif tag != "4" and not oid.startswith("1.3.6.1.2.1.2.2.1.8."):
            continue
        idx = oid.rsplit(".", 1)[-1]
        if not idx.isdigit():
            continue
        if oid.startswith("1.3.6.1.2.1.31.1.1.1.1."):
            names[int(idx)] = value
        elif oid.startswith("1.3.6.1.2.1.2.2.1.2."):
            descr[int(idx)] = value
        elif oid.startswith("1.3.6.1.2.1.2.2.1.8."):
            oper[int(idx)] = value.partition(":")[0] if ":" in value else value
    return [
        names.get(i) or descr[i]
        for i in sorted(set(names) | set(descr))
        if oper.get(i) == "1" and is_port_name(names.get(i) or descr.get(i) or "")
    ]


def _start_ssh(devices: list[Device], workdir: Path) -> Any:
    """SSH device simulators, when the SSH collector's lab module is present."""
    try:
        from .sshsim import start_lab_ssh  # type: ignore[attr-defined]
    except ImportError:
        return None
    return start_lab_ssh(devices, workdir)
