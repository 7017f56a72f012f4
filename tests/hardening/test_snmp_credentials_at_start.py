"""Issue 16: an unset or unknown SNMP secret reference (or credential name) refuses `netmon run`
at start with exit 2, naming the credential and the reference, instead of polling nothing."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import run_netmon

INV = """devices:
- {name: c-in-core1, address: 10.0.0.1, network: intranet, tier: central, site: 中心, role: core, vendor: huawei_vrp,
   snmp: v3-intranet}
- {name: c-ex-core1, address: 10.128.0.1, network: extranet, tier: central, site: 中心, role: core, vendor: cisco_ios,
   snmp: v2-extranet}
- {name: c-in-fw1, address: 10.0.0.2, network: intranet, tier: central, site: 中心, role: firewall, vendor: cisco_ios,
   snmp: v3-missing}
"""


def _config(tmp_path: Path) -> Path:
    (tmp_path / "inv.yaml").write_text(INV, encoding="utf-8")
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("other: x\n", encoding="utf-8")
    os.chmod(secrets, 0o600)
    cfg = tmp_path / "netmon.yaml"
    cfg.write_text(
        "inventory: [inv.yaml]\nsecrets_file: secrets.yaml\nsnmp: {timeout: 0.3, retries: 0}\n"
        f"spool: {{dir: {tmp_path / 'spool'}}}\nsink: 'sqlite:///{tmp_path / 'x.db'}'\nhttp: {{listen: ''}}\n"
        "credentials:\n  snmp:\n"
        "    v3-intranet: {version: '3', user: u, auth_protocol: sha, auth_key: 'env:HR_NOT_SET_AUTH',\n"
        "                  priv_protocol: aes, priv_key: 'env:HR_NOT_SET_AUTH'}\n"
        "    v2-extranet: {version: '2c', community: 'secret:ex_community'}\n",
        encoding="utf-8",
    )
    return cfg


def test_run_refuses_unresolvable_snmp_credentials(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HR_NOT_SET")}
    r = run_netmon("run", "-c", str(cfg), "--cycles", "1", env=env, timeout=60)
    out = r.stdout + r.stderr
    assert r.returncode == 2, out
    assert "Traceback" not in out
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error")]
    assert len(errors) == 3, errors
    text = "\n".join(errors)
    assert "credentials.snmp.v3-intranet" in text and "env:HR_NOT_SET_AUTH" in text and "c-in-core1" in text
    assert "no secret named 'ex_community'" in text and "v2-extranet" in text and "c-ex-core1" in text
    assert "no SNMP credential named 'v3-missing'" in text and "c-in-fw1" in text
    assert not (tmp_path / "x.db").exists()  # nothing started


def test_scope_without_the_bad_credentials_runs(tmp_path: Path) -> None:
    """Only the credentials of devices in scope matter (one poller per province)."""
    cfg = _config(tmp_path)
    r = run_netmon("run", "-c", str(cfg), "--cycles", "1", "--scope", "device=c-in-core1", timeout=60,
                   env={"HR_NOT_SET_AUTH": "lab-auth-key-123"})  # fmt: skip
    assert r.returncode == 0, r.stderr
