"""The lab's SSH side (netmon lab / netmon demo): start_lab_ssh, privileged logins, pause/resume."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import SecretStr

from collectors.ssh import ErrorKind, SshCollector, SshSettings
from netmon.config import SshCredential
from netmon.inventory import Device
from netmon.lab.sshsim import start_lab_ssh

from .conftest import Lab, cred


def _dev(name: str, vendor: str, port: int | None = None) -> Device:
    return Device(
        name=name,
        address="127.0.0.1",
        ssh_port=port,
        network="extranet",
        tier="city",
        region="浙江/杭州",
        site="lab",
        role="core",
        vendor=vendor,
        ssh="ops",
    )


def test_start_lab_ssh(tmp_path: Path) -> None:
    inv = [_dev("zj-hz-core1", "cisco_ios"), _dev("zj-hz-agg1", "huawei_vrp"), _dev("fw1", "juniper_junos")]
    lab = start_lab_ssh(inv, tmp_path / "ssh")
    try:
        assert set(lab.ports) == {"zj-hz-core1", "zj-hz-agg1"}  # no simulator for junos
        settings = SshSettings.model_validate(lab.ssh_settings)
        creds = SshCredential(username=lab.username, password=SecretStr(lab.password))  # no enable secret
        devs = [_dev(n, v, lab.ports[n]) for n, v in (("zj-hz-core1", "cisco_ios"), ("zj-hz-agg1", "huawei_vrp"))]
        res = asyncio.run(SshCollector(settings, lambda n: creds).collect(devs))
        assert all(r.ok for r in res), [r.error for r in res]
        assert "hostname zj-hz-core1" in res[0].config  # named as the inventory device
        lab.pause("zj-hz-core1")
        res = asyncio.run(SshCollector(settings.model_copy(update={"retries": 0}), lambda n: creds).collect(devs))
        assert res[0].error is not None and res[0].error.kind in (ErrorKind.ssh_error, ErrorKind.connect_timeout)
        assert res[1].ok
        lab.resume()
        res = asyncio.run(SshCollector(settings, lambda n: creds).collect(devs[:1]))
        assert res[0].ok
    finally:
        lab.stop()
    assert not lab.alive()


def test_unprivileged_account_without_enable_secret(lab: Lab) -> None:
    c = cred()
    c.enable_secret = None
    res = asyncio.run(SshCollector(lab.settings(), lambda n: c).collect([lab.device("cisco_ios")]))
    assert res[0].error is not None and res[0].error.kind is ErrorKind.enable_failed
    assert "enable_secret" in res[0].error.message
