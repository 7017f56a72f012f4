"""`netmon lab up|status|down`: a background lab whose devices answer real SNMP clients."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import need_binary, run_netmon


def test_lab_up_status_down(tmp_path: Path) -> None:
    snmpget = need_binary("snmpget")
    d = tmp_path / "lab"
    r = run_netmon("lab", "up", "--dir", str(d), timeout=180)
    try:
        assert r.returncode == 0, r.stderr[-2000:]
        assert f"netmon run -c {d / 'netmon.yaml'}" in r.stdout
        state = json.loads((d / "state.json").read_text(encoding="utf-8"))
        port = state["devices"]["gd-in-core1"]["snmp_port"]
        # net-snmp's own client, v3 authPriv with the lab's keys, as netmon would poll it
        sec = (d / "secrets.yaml").read_text()
        assert (d / "secrets.yaml").stat().st_mode & 0o077 == 0
        auth = sec.split("lab_auth: ")[1].split()[0]
        priv = sec.split("lab_priv: ")[1].split()[0]
        out = subprocess.run(
            [snmpget, "-v3", "-l", "authPriv", "-u", "netmon", "-a", "SHA", "-A", auth, "-x", "AES", "-X", priv,
             "-On", f"127.0.0.1:{port}", "1.3.6.1.2.1.1.5.0"],
            capture_output=True, text=True, timeout=20,
        )  # fmt: skip
        assert out.returncode == 0 and ".1.3.6.1.2.1.1.5.0 = STRING" in out.stdout, out.stderr
        st = run_netmon("lab", "status", "--dir", str(d))
        assert st.returncode == 0 and "running" in st.stdout and "gd-in-core1" in st.stdout
        again = run_netmon("lab", "up", "--dir", str(d))
        assert again.returncode == 1 and "already running" in again.stderr
    finally:
        down = run_netmon("lab", "down", "--dir", str(d), timeout=60)
    assert down.returncode == 0 and "lab stopped" in down.stdout
    assert run_netmon("lab", "status", "--dir", str(d)).returncode == 3
