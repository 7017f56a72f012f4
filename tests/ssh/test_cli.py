"""`netmon backup` and `netmon archive log|show|diff` as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_netmon

from .conftest import ENABLE, LAB_SECRETS, PASSWORD, Lab

ENV = {"LAB_SSH_PW": PASSWORD, "LAB_SSH_ENABLE": ENABLE}


def _write(tmp: Path, lab: Lab, names: list[str], ssh_extra: str = "") -> Path:
    inv = ["devices:"]
    for n in names:
        d = lab.sim.devices[n]
        inv.append(
            f"  - {{name: {n}, address: 127.0.0.1, ssh_port: {lab.sim.ports[n]}, network: intranet, tier: county, "
            f"region: 广东/韶关/乐昌, site: 乐昌政务中心, role: core, vendor: {d.platform}, ssh: lab}}"
        )
    (tmp / "inventory.yaml").write_text("\n".join(inv) + "\n", encoding="utf-8")
    shutil.copy(lab.known_hosts, tmp / "known_hosts")
    cfg = tmp / "netmon.yaml"
    cfg.write_text(
        "inventory: [inventory.yaml]\n"
        "credentials:\n  ssh:\n    lab: {username: netadmin, password: 'env:LAB_SSH_PW', enable_secret: 'env:LAB_SSH_ENABLE'}\n"
        f"ssh:\n  known_hosts: known_hosts\n  command_timeout: 5\n{ssh_extra}"
        "archive:\n  dir: archive\n",
        encoding="utf-8",
    )
    return cfg


@pytest.fixture(scope="module")
def cli_lab(lab: Lab, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("cli")
    cfg = _write(tmp, lab, ["cisco_ios", "huawei_vrp", "zte_zxros"])
    first = run_netmon("backup", "-c", str(cfg), env=ENV)
    return tmp, cfg, first


def test_backup_command(cli_lab) -> None:
    tmp, cfg, first = cli_lab
    assert first.returncode == 0, first.stderr
    assert "3/3 devices backed up, 3 new version(s), 0 failed" in first.stdout
    assert (tmp / "archive" / "configs.git").is_dir()
    again = run_netmon("backup", "-c", str(cfg), "--format", "json", env=ENV)
    assert again.returncode == 0, again.stderr
    doc = json.loads(again.stdout)
    assert doc["changes"] == [] and all(d["ok"] for d in doc["devices"])
    for out in (first, again):
        for s in [*LAB_SECRETS, PASSWORD, ENABLE]:
            assert s not in out.stdout + out.stderr


def test_archive_commands_mask_secrets(cli_lab) -> None:
    _tmp, cfg, _first = cli_lab
    log = run_netmon("archive", "log", "cisco_ios", "-c", str(cfg))
    assert log.returncode == 0, log.stderr
    assert "netadmin" in log.stdout and "+" in log.stdout
    show = run_netmon("archive", "show", "cisco_ios", "-c", str(cfg))
    assert show.returncode == 0, show.stderr
    assert "hostname SG-IN-WAN-ISR4451" in show.stdout
    assert "snmp-server community ****** RO SNMP-NMS" in show.stdout
    diff = run_netmon("archive", "diff", "huawei_vrp", "-c", str(cfg))
    assert diff.returncode == 0, diff.stderr
    assert "+sysname LC-IN-CORE-S7706" in diff.stdout
    for out in (log, show, diff):
        for s in LAB_SECRETS:
            assert s not in out.stdout + out.stderr


def test_scope_and_failures_exit_nonzero(lab: Lab, tmp_path: Path) -> None:
    cfg = _write(tmp_path, lab, ["cisco_ios", "hang"])
    r = run_netmon("backup", "-c", str(cfg), "--scope", "device=hang", env=ENV)
    assert r.returncode == 1
    assert "0/1 devices backed up" in r.stdout and "read_timeout" in r.stdout
    assert "Traceback" not in r.stderr + r.stdout


def test_unknown_device_and_bad_settings(lab: Lab, tmp_path: Path) -> None:
    cfg = _write(tmp_path, lab, ["cisco_ios"], ssh_extra="  concurrency: 0\n  colour: blue\n")
    r = run_netmon("backup", "-c", str(cfg), env=ENV)
    assert r.returncode == 2
    assert "ssh.concurrency" in r.stderr and "ssh.colour: unknown setting" in r.stderr
    assert "Traceback" not in r.stderr
    cfg = _write(tmp_path, lab, ["cisco_ios"])
    r = run_netmon("archive", "log", "nosuch", "-c", str(cfg))
    assert r.returncode == 1 and "no configuration archive" in r.stderr and "Traceback" not in r.stderr


def test_missing_secret_reference(lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAB_SSH_ENABLE", raising=False)
    cfg = _write(tmp_path, lab, ["cisco_ios"])
    r = run_netmon("backup", "-c", str(cfg), env={"LAB_SSH_PW": PASSWORD})
    assert r.returncode == 1
    assert "no_credential" in r.stdout and "LAB_SSH_ENABLE" in r.stdout
    assert "Traceback" not in r.stderr


def test_tofu_flag_onboards_unknown_hosts(lab: Lab, tmp_path: Path) -> None:
    cfg = _write(tmp_path, lab, ["tofu"])
    (tmp_path / "known_hosts").write_text("")
    strict = run_netmon("backup", "-c", str(cfg), env=ENV)
    assert strict.returncode == 1 and "host_key_unknown" in strict.stdout
    onboard = run_netmon("backup", "-c", str(cfg), "--tofu", env=ENV)
    assert onboard.returncode == 0, onboard.stdout + onboard.stderr
    assert (tmp_path / "known_hosts").read_text().split() == lab.sim.known_hosts_lines(["tofu"])[0].split()
