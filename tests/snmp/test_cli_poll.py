"""`netmon poll` as a user runs it: each output format, v2c/v3, inventory mode, and bad input."""

from __future__ import annotations

import json
import re
import time

import pytest
import yaml

from tests.conftest import need_binary, run_netmon
from tests.snmp import truth

LINE_RE = re.compile(r"^(?P<m>[^, ]+)(?P<tags>(?:,[^ ]+)?) (?P<fields>.+) (?P<ts>\d+)$")


def parse_line(line: str) -> tuple[str, dict[str, str], dict[str, object], int]:
    """InfluxDB line protocol back to (measurement, tags, fields, time) — enough for our values."""
    # Split on unescaped spaces outside quotes.
    parts, cur, quoted, esc = [], "", False, False
    for ch in line:
        if esc:
            cur += ch
            esc = False
        elif ch == "\\":
            cur += ch
            esc = True
        elif ch == '"':
            quoted = not quoted
            cur += ch
        elif ch == " " and not quoted:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    head, fields_s, ts = parts
    name, *tag_parts = re.split(r"(?<!\\),", head)
    unesc = lambda s: re.sub(r"\\(.)", r"\1", s)  # noqa: E731
    tags = dict(unesc(t).split("=", 1) for t in tag_parts)
    fields: dict[str, object] = {}
    for kv in re.findall(r'((?:[^,="\\]|\\.)+)=("(?:[^"\\]|\\.)*"|[^,]+)', fields_s):
        k, v = kv
        if v.startswith('"'):
            fields[unesc(k)] = v[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        elif v.endswith("i"):
            fields[unesc(k)] = int(v[:-1])
        elif v in ("true", "false"):
            fields[unesc(k)] = v == "true"
        else:
            fields[unesc(k)] = float(v)
    return name, tags, fields, int(ts)


def test_json_format_against_snmpget(lab):
    port = lab.port("h3c-wx")
    r = run_netmon("poll", "--host", f"127.0.0.1:{port}", "--community", lab.community, "--format", "json")
    assert r.returncode == 0, r.stderr
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    assert {o["measurement"] for o in objs} == {"snmp_reach", "snmp_system", "interface", "health"}
    assert all(set(o) == {"measurement", "tags", "fields", "time"} for o in objs)
    sysp = next(o for o in objs if o["measurement"] == "snmp_system")
    t = truth.get(port, truth.v2c("public"), "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.2.0")
    assert sysp["fields"]["sys_name"] == t["1.3.6.1.2.1.1.5.0"].decode()  # type: ignore[union-attr]
    assert sysp["fields"]["sys_object_id"] == t["1.3.6.1.2.1.1.2.0"]
    assert sysp["tags"]["vendor"] == "h3c_comware"  # detected, no inventory
    health = next(o for o in objs if o["measurement"] == "health")
    assert health["fields"]["profile"] == "h3c_comware" and "cpu_pct" in health["fields"]


def test_line_format_parses_back_and_two_polls_give_rates(lab, monkeypatch):
    port = lab.port("hw-s5720")
    r = run_netmon(
        "poll", "--host", f"127.0.0.1:{port}", "--format", "line", "--count", "2", "--interval", "1", "--no-health",
        env={"NETMON_SNMP_COMMUNITY": lab.community},
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    parsed = [parse_line(line) for line in r.stdout.splitlines()]
    assert [m for m, *_ in parsed].count("snmp_reach") == 2
    sysp = [p for p in parsed if p[0] == "snmp_system"]
    assert sysp[0][2]["sys_object_id"] == "1.3.6.1.4.1.2011.2.23.276"
    ifs = [p for p in parsed if p[0] == "interface"]
    names = {p[1]["ifName"] for p in ifs}
    assert "GigabitEthernet0/0/1" in names
    with_rates = [p for p in ifs if "in_bps" in p[2]]
    assert with_rates and len(with_rates) == len(ifs) // 2  # only the second poll has rates
    assert all(isinstance(p[2]["in_octets"], int) for p in ifs if "in_octets" in p[2])
    assert lab.community not in r.stdout + r.stderr


def test_table_format_renders(lab):
    r = run_netmon("poll", "--host", f"127.0.0.1:{lab.port('cisco-3560')}", "--community", lab.community, "--no-health")
    assert r.returncode == 0, r.stderr
    assert "snmp_system" in r.stdout and "interface" in r.stdout and "Gi0/1" in r.stdout


def test_v3_authpriv_keys_from_environment(lab):
    r = run_netmon(
        "poll", "--host", f"127.0.0.1:{lab.port('juniper-mx')}", "--v3-user", lab.v3_user, "--auth-proto", "sha",
        "--priv-proto", "aes", "--format", "json", "--no-health",
        env={"NETMON_SNMP_AUTH_KEY": lab.v3_auth_key, "NETMON_SNMP_PRIV_KEY": lab.v3_priv_key},
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    reach = json.loads(r.stdout.splitlines()[0])
    assert reach["measurement"] == "snmp_reach" and reach["fields"]["up"] == 1
    assert lab.v3_auth_key not in r.stdout + r.stderr


def test_inventory_mode(lab, tmp_path):
    inv = {
        "devices": [
            {"name": "gd-core1", "address": "127.0.0.1", "port": lab.port("cisco-3560"), "network": "intranet",
             "tier": "province", "region": "广东", "site": "广州", "role": "core", "vendor": "cisco_ios"}
        ]
    }  # fmt: skip
    (tmp_path / "inv.yaml").write_text(yaml.safe_dump(inv, allow_unicode=True))
    r = run_netmon("poll", "gd-core1", "-i", str(tmp_path / "inv.yaml"), "--community", lab.community, "-f", "json")
    assert r.returncode == 0, r.stderr
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    assert all(o["tags"]["device"] == "gd-core1" and o["tags"]["province"] == "广东" for o in objs)
    assert next(o for o in objs if o["measurement"] == "snmp_system")["fields"]["vendor_mismatch"] == 0


def test_failing_device_exits_1_with_one_classified_line(lab):
    t0 = time.monotonic()
    r = run_netmon(
        "poll", "--host", f"127.0.0.1:{lab.port('hw-s5720')}", "--community", "wrong-community",
        "--timeout", "0.5", "--retries", "0", "-f", "json",
    )  # fmt: skip
    assert time.monotonic() - t0 < 30
    assert r.returncode == 1
    err = [ln for ln in r.stderr.splitlines() if ln.startswith("error")]
    assert len(err) == 1 and "timeout" in err[0] and "Traceback" not in r.stderr
    assert "wrong-community" not in r.stdout + r.stderr
    assert json.loads(r.stdout.splitlines()[0])["fields"]["error"] == "timeout"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "127.0.0.1", "--community", "x", "--format", "xml"], "unknown format"),
        (["--host", "127.0.0.1"], "--community"),
        (["--host", "127.0.0.1", "--community", "x", "--vendor", "nokia"], "unknown platform"),
        (["--host", "127.0.0.1:99999", "--community", "x"], "not a UDP port"),
        (["--host", "127.0.0.1", "--v3-user", "u", "--auth-key", "short", "--priv-key", "longenough"], "at least 8"),
        (["--host", "127.0.0.1", "--community", "x", "--engine", "turbo"], "unknown SNMP engine"),
        ([], "either a DEVICE"),
        (["--host", "127.0.0.1", "--community", "x", "--snmp-version", "3"], "use 1 or 2c"),
    ],
)
def test_bad_options_exit_2(args, message):
    r = run_netmon(
        "poll", *args, env={"NETMON_SNMP_COMMUNITY": "", "NETMON_SNMP_AUTH_KEY": "", "NETMON_SNMP_PRIV_KEY": ""}
    )
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr and "Traceback" not in r.stderr


def test_help_teaches():
    r = run_netmon("poll", "--help")
    assert r.returncode == 0
    for word in ("--community", "--v3-user", "NETMON_SNMP_AUTH_KEY", "ps", "--interval", "json"):
        assert word in r.stdout


def test_against_netsnmp_snmpd_v3_authpriv(tmp_path):
    """net-snmp's own agent (real kernel interfaces) over v3 authPriv, checked with snmpget."""
    need_binary("snmpd")
    from netmon.lab.snmpd import start_snmpd

    agent = start_snmpd(tmp_path)
    try:
        u = agent.user("sha", "aes")
        r = run_netmon(
            "poll", "--host", f"{agent.host}:{agent.port}", "--v3-user", u.name, "--auth-proto", "sha",
            "--priv-proto", "aes", "-f", "json",
            env={"NETMON_SNMP_AUTH_KEY": u.auth_key, "NETMON_SNMP_PRIV_KEY": u.priv_key},
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        objs = [json.loads(line) for line in r.stdout.splitlines()]
        sysp = next(o for o in objs if o["measurement"] == "snmp_system")
        t = truth.get(agent.port, truth.v2c(agent.community), "1.3.6.1.2.1.1.5.0")
        assert sysp["fields"]["sys_name"] == t["1.3.6.1.2.1.1.5.0"].decode()  # type: ignore[union-attr]
        assert sysp["tags"]["vendor"] == "linux_netsnmp"
        lo = [o for o in objs if o["measurement"] == "interface" and o["tags"]["ifName"] == "lo"]
        assert lo and lo[0]["fields"]["hc"] == 1
        health = next(o for o in objs if o["measurement"] == "health")
        assert health["fields"]["profile"] == "host_resources" and health["fields"]["mem_total_bytes"] > 0
        assert u.auth_key not in r.stdout + r.stderr
    finally:
        agent.stop()


def test_inventory_device_with_config_credential(lab, tmp_path):
    """`netmon poll DEVICE -c netmon.yaml`: address, port and v3 credential from the config."""
    inv = {
        "devices": [
            {"name": "bj-core1", "address": "127.0.0.1", "port": lab.port("zte-9900"), "network": "intranet",
             "tier": "central", "site": "北京", "role": "core", "vendor": "zte_zxros", "snmp": "v3-lab"}
        ]
    }  # fmt: skip
    (tmp_path / "inv.yaml").write_text(yaml.safe_dump(inv, allow_unicode=True))
    cfg = {
        "inventory": ["inv.yaml"],
        "credentials": {
            "snmp": {
                "v3-lab": {"version": "3", "user": lab.v3_user, "auth_protocol": "sha", "auth_key": "env:LAB_AUTH",
                           "priv_protocol": "aes", "priv_key": "env:LAB_PRIV"}
            }
        },
    }  # fmt: skip
    (tmp_path / "netmon.yaml").write_text(yaml.safe_dump(cfg))
    env = {"LAB_AUTH": lab.v3_auth_key, "LAB_PRIV": lab.v3_priv_key}
    r = run_netmon("poll", "bj-core1", "-c", str(tmp_path / "netmon.yaml"), "-f", "json", env=env)
    assert r.returncode == 0, r.stderr
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    health = next(o for o in objs if o["measurement"] == "health")
    assert health["tags"]["device"] == "bj-core1" and health["fields"]["profile"] == "zte_zxros"
    # A device that is not in the inventory is a clear input error.
    r = run_netmon("poll", "nope", "-c", str(tmp_path / "netmon.yaml"), env=env)
    assert r.returncode == 2 and "no device named 'nope'" in r.stderr
