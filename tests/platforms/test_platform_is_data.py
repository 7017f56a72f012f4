"""A platform is data: a folder for an invented vendor ("Acme OS"), put on NETMON_PLATFORMS_PATH,
is accepted by the inventory, recognised by its sysObjectID over SNMP (net-snmp snmpd playing it)
with its own health profile, backed up over SSH (the simulator playing its CLI) sending only its
allow-listed commands, masked by its secret patterns in the archive, and detected and scanned by
`netmon scan` with its own compliance checks — with no code change."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from netmon import platforms as registry
from netmon.archive import ConfigArchive
from netmon.lab.snmpd import start_snmpd
from netmon.lab.sshsim import SimDevice, SshSim, start_sshsim
from tests.conftest import need_binary, run_netmon

ACME_OID = "1.3.6.1.4.1.99999"
TOKEN = "Acm3-T0ken-Xy9"  # the secret the Acme config carries
PASSWORD = "acme-Lab-Pw1"

FILES = {
    "platform.yaml": f"""\
        # Acme OS: a vendor invented by this test.
        display: Acme OS
        sysobjectid: ["{ACME_OID}"]   # its enterprise number
        """,
    "health.yaml": """\
        # Acme boxes publish their load in HOST-RESOURCES (the test's snmpd does).
        cpu_pct:
          - {oid: 1.3.6.1.2.1.25.3.3.1.2, agg: max}   # busiest CPU, not the average
        mem_total_bytes:
          # hrStorageSize x hrStorageAllocationUnits of the RAM row
          - {oid: 1.3.6.1.2.1.25.2.3.1.5, agg: max, where_oid: 1.3.6.1.2.1.25.2.3.1.2, where_value: 1.3.6.1.2.1.25.2.1.2, multiply_oid: 1.3.6.1.2.1.25.2.3.1.4}
        """,
    "ssh.yaml": """\
        netmiko: cisco_ios            # Acme's CLI logs in like IOS
        enable: false
        session: [terminal width 511, terminal length 0]   # what netmiko's IOS driver sends
        errors: ["^% Acme: "]
        commands:
          running_config: {command: show acme-config}      # Acme's own command
        """,
    "config.yaml": r"""
        grammar:
          comment: ["!"]
          separator: "!"
          config_end: [end]
          negation: ["no"]
          hostname: '^acme-name\s+(\S+)'
          family: ios
        starts: ['^acme-os-version ']
        detect:
          version: {re: '^acme-os-version \d', w: 10}   # only Acme writes it
        volatile:
          clock: '^acme-clock '                        # rewritten every second
        """,
    "secrets.yaml": r"""
        token: '\bacme-token\s+(?P<secret>\S+)'   # Acme's API token
        """,
    "compliance.yaml": r"""
        IA-06:  # No Telnet management
          checks:
            - fail_if: [{re: '^acme-telnet enable$', note: Telnet is on}]
          remediation: [acme-telnet disable]
        """,
    "lab.yaml": """\
        sim:
          config: acme1.cfg
          prompt_user: "{host}#"
          paging_off: ["terminal length 0"]
          accept_silently: ["terminal width 511"]
          more: " --More-- "
          more_erase: "\\b\\b\\b\\b\\b\\b\\b\\b\\b\\b          \\b\\b\\b\\b\\b\\b\\b\\b\\b\\b"
          error: "% Acme: unknown command\\n"
          running_config: show acme-config
          huge_header: "acme-acl BIG"
          huge_rule: " rule {n10} permit 10.{a}.{b}.{c}"
          huge_footer: "!"
        """,
}
CONFIG = f"""\
acme-os-version 4.2.1
acme-clock 12:00:01
acme-name acme1
!
acme-telnet enable
acme-token {TOKEN}
!
end
"""


@dataclass
class Acme:
    root: Path  # holds acme_os/
    env: dict[str, str]
    sim: SshSim
    work: Path


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Acme]:
    root = tmp_path_factory.mktemp("site-platforms")
    folder = root / "acme_os"
    (folder / "lab").mkdir(parents=True)
    for name, text in FILES.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (folder / "lab" / "acme1.cfg").write_text(CONFIG, encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv(registry.ENV_PATH, str(root))
    registry.reload()
    work = tmp_path_factory.mktemp("acme-work")
    sim = start_sshsim([SimDevice("acme1", "acme_os", password=PASSWORD)], work / "sim")
    try:
        yield Acme(root, {registry.ENV_PATH: str(root), "ACME_PW": PASSWORD}, sim, work)
    finally:
        sim.stop()
        mp.undo()
        registry.reload()


def _inventory(acme: Acme, snmp_port: int | None = None) -> Path:
    inv = acme.work / "inventory.yaml"
    port = f", port: {snmp_port}" if snmp_port else ""
    inv.write_text(
        "devices:\n"
        f"  - {{name: acme1, address: 127.0.0.1{port}, ssh_port: {acme.sim.ports['acme1']}, network: intranet, "
        "tier: county, region: 广东/韶关/乐昌, site: 乐昌, role: core, vendor: acme_os, ssh: lab}\n",
        encoding="utf-8",
    )
    return inv


def test_the_inventory_accepts_the_new_vendor_only_with_its_folder(acme: Acme) -> None:
    inv = _inventory(acme)
    ok = run_netmon("inventory", "validate", "-i", str(inv), env=acme.env)
    assert ok.returncode == 0, ok.stderr
    without = run_netmon("inventory", "validate", "-i", str(inv), env={registry.ENV_PATH: ""})
    assert without.returncode == 2 and "unknown vendor 'acme_os'" in without.stderr
    listed = run_netmon("platforms", "list", "-f", "json", env=acme.env)
    acme_row = next(p for p in json.loads(listed.stdout) if p["key"] == "acme_os")
    assert acme_row["compliance_rules"] == 1 and acme_row["ssh"] and acme_row["health"]


def test_snmp_detects_it_by_sysobjectid_and_reads_its_health_profile(acme: Acme) -> None:
    need_binary("snmpd")
    agent = start_snmpd(acme.work, extra=[f"sysObjectID {ACME_OID}.1.7"])
    try:
        inv = _inventory(acme, agent.port)
        r = run_netmon("poll", "acme1", "-i", str(inv), "--community", agent.community, "-f", "json", env=acme.env)
        assert r.returncode == 0, r.stderr
        pts = [json.loads(ln) for ln in r.stdout.splitlines()]
        system = next(p for p in pts if p["measurement"] == "snmp_system")
        assert system["fields"]["sys_object_id"] == f"{ACME_OID}.1.7"
        assert system["fields"]["vendor_detected"] == "acme_os" and system["fields"]["vendor_mismatch"] == 0
        health = next(p for p in pts if p["measurement"] == "health")
        assert health["fields"]["profile"] == "acme_os"  # its own profile, not the generic fallback
        assert health["fields"]["mem_total_bytes"] > 0
    finally:
        agent.stop()


def _netmon_yaml(acme: Acme) -> Path:
    inv = _inventory(acme)
    known = acme.sim.write_known_hosts(acme.work / "known_hosts")
    cfg = acme.work / "netmon.yaml"
    cfg.write_text(
        f"inventory: [{inv.name}]\n"
        "credentials:\n  ssh:\n    lab: {username: netadmin, password: 'env:ACME_PW'}\n"
        f"ssh:\n  known_hosts: {known.name}\n  command_timeout: 8\n  commands: [running_config]\n"
        "archive:\n  dir: archive\n",
        encoding="utf-8",
    )
    return cfg


def test_backup_sends_only_its_commands_and_the_archive_masks_its_secret(acme: Acme) -> None:
    cfg = _netmon_yaml(acme)
    r = run_netmon("backup", "-c", str(cfg), env=acme.env)
    assert r.returncode == 0, r.stdout + r.stderr
    received = acme.sim.received("acme1")
    assert "show acme-config" in received
    assert set(received) <= {"terminal width 511", "terminal length 0", "show acme-config"}, received
    shown = run_netmon("archive", "show", "acme1", "-c", str(cfg), env=acme.env)
    assert shown.returncode == 0, shown.stderr
    assert "acme-token ******" in shown.stdout and TOKEN not in shown.stdout + shown.stderr + r.stdout
    assert "acme-clock" not in shown.stdout  # its volatile line is not archived
    # the archive itself keeps the real value (a restore needs it)
    assert TOKEN in ConfigArchive(acme.work / "archive").show("acme1")


def test_scan_detects_it_and_applies_its_checks(acme: Acme) -> None:
    f = acme.work / "acme1.cfg"
    f.write_text(CONFIG, encoding="utf-8")
    r = run_netmon("scan", str(f), "-f", "json", env=acme.env)
    assert r.returncode == 0, r.stderr
    dev = json.loads(r.stdout)["devices"][0]
    assert dev["device"] == "acme1" and dev["vendor"] == "acme_os" and dev["detection"]["confident"]
    by = {x["rule"]: x for x in dev["findings"]}
    assert by["IA-06"]["result"] == "FAIL" and by["IA-06"]["remediation"] == ["acme-telnet disable"]
    assert by["IA-06"]["evidence"][0]["text"] == "acme-telnet enable"
    assert by["IA-01"]["result"] == "N/A"  # no check for Acme: not scored under another vendor's rules
    fixed = acme.work / "acme2.cfg"
    fixed.write_text(CONFIG.replace("acme-telnet enable", "acme-telnet disable"), encoding="utf-8")
    r2 = run_netmon("scan", str(fixed), "-f", "json", env=acme.env)
    assert {x["rule"]: x["result"] for x in json.loads(r2.stdout)["devices"][0]["findings"]}["IA-06"] == "PASS"
    # ... and from the inventory + archive written by the backup, with the platform's checks too
    cfg = _netmon_yaml(acme)
    run_netmon("backup", "-c", str(cfg), env=acme.env)
    s = run_netmon("scan", "-c", str(cfg), "--scope", "vendor=acme_os", "-f", "json", env=acme.env)
    assert s.returncode == 0, s.stderr
    assert {x["rule"]: x["result"] for x in json.loads(s.stdout)["devices"][0]["findings"]}["IA-06"] == "FAIL"
    assert TOKEN not in s.stdout


def test_a_broken_folder_is_refused_with_file_line_and_field(tmp_path: Path) -> None:
    folder = tmp_path / "bad_os"
    folder.mkdir()
    (folder / "platform.yaml").write_text("display: Bad\nsysobjectid: [not-an-oid]\n", encoding="utf-8")
    (folder / "config.yaml").write_text("detect:\n  x: {re: '(', w: 1}\n", encoding="utf-8")
    r = run_netmon("platforms", "validate", str(tmp_path))
    assert r.returncode == 2
    assert f"{folder / 'platform.yaml'}:2: sysobjectid" in r.stderr, r.stderr
    assert f"{folder / 'config.yaml'}:2: config.detect.x.re" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_platforms_dir_in_netmon_yaml_adds_the_folder(acme: Acme, tmp_path: Path) -> None:
    inv = tmp_path / "inv.yaml"
    inv.write_text(_inventory(acme).read_text(encoding="utf-8"), encoding="utf-8")
    cfg = tmp_path / "netmon.yaml"
    cfg.write_text(f"inventory: [inv.yaml]\nplatforms_dir: {acme.root}\n", encoding="utf-8")
    r = run_netmon("inventory", "validate", "-c", str(cfg), env={registry.ENV_PATH: ""})
    assert r.returncode == 0, r.stderr
    cfg.write_text("inventory: [inv.yaml]\nplatforms_dir: no/such/dir\n", encoding="utf-8")
    bad = run_netmon("inventory", "validate", "-c", str(cfg), env={registry.ENV_PATH: ""})
    assert bad.returncode == 2 and "netmon.yaml:2: platforms_dir: not a directory" in bad.stderr
