"""One SSH simulator process for the whole area: every platform plus the fault devices."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pytest
from pydantic import SecretStr

from collectors.ssh import SshSettings
from netmon.config import SshCredential
from netmon.inventory import Device
from netmon.lab.sshsim import SimDevice, SshSim, default_config, start_sshsim

PASSWORD = "lab-Passw0rd"
ENABLE = "lab-En4ble"
PLATFORMS = ["huawei_vrp", "h3c_comware", "cisco_ios", "ruijie_rgos", "zte_zxros"]
# Secrets in the lab configs (independent truth for the leak checks).
LAB_SECRETS = [
    "Sg-Ro-2026",  # cisco snmp community
    "Gd$h@oGuan-2026!vpn",  # cisco isakmp key
    "0822455D0A16544541",  # cisco type-7 password
    "$9$Zq4lF0cHwG6vVE",  # cisco enable secret hash
    "%^%#Kd9'Ck6pW7E",  # huawei PSK cipher
    "$1a$G8uTN$z%lj",  # huawei local-user hash
    "$h$6$1PZPy9iRdC4vJc2e",  # h3c password hash
    "$c$3$jA4dVxXfH2",  # h3c community cipher
    "0720315e3b261a0d",  # ruijie tacacs key
    "2b8ef2c4a7d93b51",  # zte password
    "%^%#p=Hf4Qh[MK7z8",  # huawei township AR local-user cipher
    "%^%#3VJ9Y0wR'P~o",  # huawei console password cipher
    "0822455D0A165B",  # cisco legacy enable password 7
    "rh-private",  # cisco legacy RW community
    "02050D480809",  # cisco legacy line password
]


@dataclass
class Lab:
    sim: SshSim
    root: Path
    known_hosts: Path
    client_key: Path  # authorised on "ios-key"
    other_key: Path  # authorised nowhere

    def device(self, name: str, ssh: str = "lab", port: int | None = None) -> Device:
        d = self.sim.devices[name]
        return Device(
            name=name,
            address="127.0.0.1",
            ssh_port=port or self.sim.ports[name],
            network="intranet",
            tier="county",
            region="广东/韶关/乐昌",
            site="乐昌政务中心",
            role="core",
            vendor=d.platform,
            ssh=ssh,
        )

    def settings(self, **kw: object) -> SshSettings:
        base: dict[str, object] = {
            "known_hosts": self.known_hosts,
            "command_timeout": 8.0,
            "device_budget": 30.0,
            "retry_delay": 0.2,
        }
        base.update(kw)
        return SshSettings.model_validate(base)


def cred(password: str = PASSWORD, key: Path | None = None) -> SshCredential:
    return SshCredential(
        username="netadmin",
        password=SecretStr(password) if password else None,
        key_file=key,
        enable_secret=SecretStr(ENABLE),
    )


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("sshlab")
    configs = root / "configs"
    configs.mkdir()

    def copy(platform: str, name: str) -> str:
        dst = configs / f"{name}.cfg"
        shutil.copy(default_config(platform), dst)
        return str(dst)

    keys = []
    for n in ("client", "other"):
        k = asyncssh.generate_private_key("ssh-ed25519")
        path = root / f"{n}_ed25519"
        k.write_private_key(str(path))
        path.chmod(0o600)
        keys.append((path, k.export_public_key("openssh").decode()))
    devices = [SimDevice(p, p, config=copy(p, p)) for p in PLATFORMS]
    devices += [
        SimDevice("ios-key", "cisco_ios", authorized_keys=[keys[0][1]]),
        SimDevice("hang", "cisco_ios", faults=["hang"]),
        SimDevice("noprompt", "huawei_vrp", faults=["no_prompt"]),
        SimDevice("huge", "huawei_vrp", faults=["huge"]),
        SimDevice("gbk", "huawei_vrp", faults=["non_utf8"]),
        SimDevice("nolldp", "huawei_vrp", faults=["reject:display lldp neighbor"]),
        SimDevice(
            "rejcfg",
            "h3c_comware",
            config=copy("h3c_comware", "rejcfg"),
            faults=["reject:display current-configuration"],
        ),
        SimDevice("changing", "cisco_ios", config=copy("cisco_ios", "changing")),
        SimDevice("tofu", "zte_zxros"),
        SimDevice("rekeyed", "h3c_comware"),
    ]
    sim = start_sshsim(devices, root / "sim")
    known = sim.write_known_hosts(root / "known_hosts", [d.name for d in devices if d.name not in ("tofu",)])
    try:
        yield Lab(sim, root, known, keys[0][0], keys[1][0])
    finally:
        sim.stop()
