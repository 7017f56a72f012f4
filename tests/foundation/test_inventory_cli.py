"""Bad input to the inventory: each case names file, line, field and reason, exit code 2."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_netmon

GOOD_HEAD = """\
groups:
  in-county: {network: intranet, tier: county, vendor: huawei_vrp, snmp: v3, region: 广东/广州/天河, site: 天河政务中心}
devices:
  - {name: c-core, address: 10.0.0.1, network: intranet, tier: central, site: 中心, role: core, vendor: cisco_ios}
  - {name: gd-core, address: 10.1.0.1, network: intranet, tier: province, region: 广东, site: 广东省政务中心, role: core,
     vendor: h3c_comware, uplinks: [{device: c-core, interface: Gi0/1}]}
"""


def write(tmp_path: Path, text: str, name: str = "inv.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def validate(path: Path) -> tuple[int, str]:
    r = run_netmon("inventory", "validate", "-i", str(path))
    return r.returncode, r.stdout + r.stderr


def test_good_inventory_validates(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        GOOD_HEAD
        + "  - {name: th-core, address: 10.1.17.1, group: in-county, role: aggregation, uplinks: [{device: gd-core}]}\n",
    )
    code, out = validate(p)
    assert code == 0, out
    assert "3 devices valid" in out


@pytest.mark.parametrize(
    ("device_line", "expect_line", "expect"),
    [
        (
            "  - {name: gd-core, address: 10.1.0.9, group: in-county, role: access}",
            7,
            "duplicate device name 'gd-core'",
        ),
        (
            "  - {name: x1, address: 10.1.0.9, group: in-county, role: access, tier: villlage}",
            7,
            "tier: device x1: 'villlage' is not one of",
        ),
        (
            "  - {name: x1, address: 10.1.0.9, group: in-county, role: access, vendor: nokia_sros}",
            7,
            "vendor: device x1: unknown vendor 'nokia_sros'",
        ),
        (
            "  - {name: x1, address: 10.1.0.9, group: in-county, role: access, network: darknet}",
            7,
            "network: device x1: 'darknet' is not one of",
        ),
        (
            "  - {name: x1, address: 10.1.0.999, group: in-county, role: access}",
            7,
            "address: device x1: '10.1.0.999' is not an IPv4 or IPv6 address",
        ),
        (
            "  - {name: x1, address: 10.1.0.9, group: in-county, role: access, uplinks: [{device: nowhere}]}",
            7,
            "uplinks[0].device: device x1: uplink to 'nowhere', which is not in the inventory",
        ),
        (
            "  - {name: x1, address: 10.1.0.9, group: in-county, role: access, community: public}",
            7,
            "inline secrets are not allowed",
        ),
        ("  - {name: x1, address: 10.1.0.9, group: in-county}", 7, "role: device x1: required field is missing"),
    ],
)
def test_bad_device(tmp_path: Path, device_line: str, expect_line: int, expect: str) -> None:
    p = write(tmp_path, GOOD_HEAD + device_line + "\n")
    code, out = validate(p)
    assert code == 2, out
    assert f"{p}:{expect_line}" in out, out
    assert expect in out, out
    assert "Traceback" not in out


def test_tier_inversion(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        GOOD_HEAD
        + "  - {name: th-core, address: 10.1.17.1, group: in-county, role: aggregation, uplinks: [{device: gd-core}]}\n"
        + "  - {name: gd-core2, address: 10.1.0.2, network: intranet, tier: province, region: 广东, site: 广东省政务中心, role: core, vendor: huawei_vrp, uplinks: [{device: th-core}]}\n",
    )
    code, out = validate(p)
    assert code == 2
    assert (
        f"{p}:8: uplinks[0].device: device gd-core2: tier inversion: a province device cannot uplink to th-core (county)"
        in out
    )


def test_cycle(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        GOOD_HEAD
        + "  - {name: a1, address: 10.1.17.1, group: in-county, role: access, uplinks: [{device: a2}]}\n"
        + "  - {name: a2, address: 10.1.17.2, group: in-county, role: access, uplinks: [{device: a1}]}\n",
    )
    code, out = validate(p)
    assert code == 2
    assert "uplink cycle: a1 -> a2 -> a1" in out or "uplink cycle: a2 -> a1 -> a2" in out


def test_all_errors_of_a_file_at_once(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        GOOD_HEAD
        + "  - {name: x1, address: bad, group: in-county, role: access}\n"
        + "  - {name: x2, address: 10.1.0.9, group: in-county, role: access, vendor: foo}\n",
    )
    code, out = validate(p)
    assert code == 2
    assert f"{p}:7: address" in out and f"{p}:8: vendor" in out
    assert "2 problem(s)" in out


def test_yaml_syntax_error(tmp_path: Path) -> None:
    p = write(tmp_path, "devices:\n  - {name: a, address: 10.0.0.1\n  - oops: [\n")
    code, out = validate(p)
    assert code == 2
    assert f"{p}:3: YAML syntax error" in out


def test_non_utf8_file(tmp_path: Path) -> None:
    p = tmp_path / "gbk.yaml"
    p.write_bytes(GOOD_HEAD.encode("utf-8") + "  # 注释\n".encode("gbk"))
    code, out = validate(p)
    assert code == 2
    assert f"{p}:7: not UTF-8" in out


def test_csv_inventory_with_rows(tmp_path: Path) -> None:
    p = tmp_path / "inv.csv"
    p.write_text(
        "name,address,network,tier,region,site,role,vendor,uplinks,tags\n"
        "c-core,10.0.0.1,intranet,central,,中心,core,cisco_ios,,\n"
        "gd-core,10.1.0.1,intranet,province,广东,广东省中心,core,huawei_vrp,c-core:Gi0/1,rack=A1;owner=省网络中心\n"
        "gd-bad,10.1.0.x,intranet,province,广东,广东省中心,core,huawei_vrp,c-core,\n",
        encoding="utf-8",
    )
    code, out = validate(p)
    assert code == 2
    assert f"{p}:4: address: device gd-bad" in out
    p.write_text("\n".join(p.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    r = run_netmon("inventory", "show", "-i", str(p), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert '"owner": "省网络中心"' in r.stdout
    assert '"interface": "Gi0/1"' in r.stdout


def test_secrets_file_readable_by_others(tmp_path: Path) -> None:
    inv = write(tmp_path, GOOD_HEAD)
    sec = tmp_path / "secrets.yaml"
    sec.write_text("auth: s3cr3t-value\n", encoding="utf-8")
    os.chmod(sec, 0o644)
    cfg = tmp_path / "netmon.yaml"
    cfg.write_text(
        f"inventory: [{inv.name}]\nsecrets_file: secrets.yaml\ncredentials:\n  snmp:\n"
        "    v3: {version: 3, user: u, auth_protocol: sha, auth_key: 'secret:auth'}\n",
        encoding="utf-8",
    )
    from netmon.config import load_config
    from netmon.errors import InputError

    conf = load_config(cfg)
    with pytest.raises(InputError) as ei:
        conf.snmp_credential("v3")
    assert "readable by others (mode 0644); run: chmod 600" in str(ei.value)
    os.chmod(sec, 0o600)
    cred = conf.snmp_credential("v3")
    assert cred.auth_key is not None and cred.auth_key.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t" not in repr(cred) and "s3cr3t" not in str(cred)


def test_inline_secret_in_config_rejected(tmp_path: Path) -> None:
    inv = write(tmp_path, GOOD_HEAD)
    cfg = tmp_path / "netmon.yaml"
    cfg.write_text(
        f"inventory: [{inv.name}]\ncredentials:\n  snmp:\n    v2:\n      version: 2c\n      community: public\n",
        encoding="utf-8",
    )
    r = run_netmon("inventory", "validate", "-c", str(cfg))
    assert r.returncode == 2
    assert f"{cfg}:6: credentials.snmp.v2.community: inline secrets are not allowed" in r.stderr
    assert "env:VARIABLE" in r.stderr and "secret:NAME" in r.stderr


def test_unknown_setting_and_env_override(tmp_path: Path) -> None:
    inv = write(tmp_path, GOOD_HEAD)
    cfg = tmp_path / "netmon.yaml"
    cfg.write_text(f"inventory: [{inv.name}]\nintervals:\n  snmp: 60\n  snmmp: 5\n", encoding="utf-8")
    r = run_netmon("inventory", "validate", "-c", str(cfg))
    assert r.returncode == 2 and f"{cfg}:4: intervals.snmmp: unknown setting" in r.stderr
    cfg.write_text(f"inventory: [{inv.name}]\n", encoding="utf-8")
    from netmon.config import load_config

    c = load_config(cfg, {"NETMON__INTERVALS__SNMP": "15", "NETMON__SINK": "influxdb1://127.0.0.1:8086/x"})
    assert c.intervals.snmp == 15 and c.sink == "influxdb1://127.0.0.1:8086/x"
