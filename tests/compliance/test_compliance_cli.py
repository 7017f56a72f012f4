"""`netmon scan` and `netmon rules` as a user runs them: files, inventory + archive, exit codes."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.conftest import run_netmon

from .conftest import CONFIGS, PUBLIC

INVENTORY = textwrap.dedent("""\
    devices:
    - name: zj-core1
      address: 10.0.0.1
      network: intranet
      tier: province
      region: 浙江
      site: 浙江省政务中心
      role: core
      vendor: huawei_vrp
    - name: zj-hz-edge1
      address: 10.0.0.2
      network: extranet
      tier: city
      region: 浙江/杭州
      site: 杭州市政务中心
      role: egress
      vendor: cisco_ios
    - name: zj-hz-acc9
      address: 10.0.0.3
      network: extranet
      tier: county
      region: 浙江/杭州/西湖
      site: 西湖区
      role: access
      vendor: h3c_comware
""")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An inventory and a plain archive directory of <device>.cfg (the third device has none)."""
    d = tmp_path_factory.mktemp("site")
    (d / "inventory.yaml").write_text(INVENTORY, encoding="utf-8")
    arc = d / "backups"
    arc.mkdir()
    (arc / "zj-core1.cfg").write_bytes((CONFIGS / "huawei_noncompliant.cfg").read_bytes())
    (arc / "zj-hz-edge1.cfg").write_bytes((CONFIGS / "cisco_compliant.cfg").read_bytes())
    return d


def test_scan_files_table() -> None:
    r = run_netmon("scan", str(CONFIGS / "huawei_noncompliant.cfg"), str(CONFIGS / "cisco_compliant.cfg"))
    assert r.returncode == 0, r.stderr
    assert "hb-wh-jx-in-acc1" in r.stdout and "zj-hz-ex-edge1" in r.stdout
    assert "IA-05" in r.stdout and "FAIL" in r.stdout
    assert "SECRET-" not in r.stdout + r.stderr


def test_fail_on_gates_ci(tmp_path) -> None:
    bad = run_netmon(
        "scan", str(CONFIGS / "cisco_noncompliant.cfg"), "--fail-on", "high", "-o", str(tmp_path / "r.json")
    )
    assert bad.returncode == 1, bad.stderr
    assert "--fail-on high" in bad.stderr
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))  # format from the suffix
    assert doc["summary"]["high_fail"] == sum(
        1 for f in doc["devices"][0]["findings"] if f["result"] == "FAIL" and f["severity"] == "high"
    )
    ok = run_netmon("scan", str(CONFIGS / "cisco_compliant.cfg"), "--fail-on", "high", "-f", "json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["summary"]["counts"]["FAIL"] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8, "binary file"),
        (b"hello\nthis is a shopping list\n", "cannot tell the vendor"),
        (b"#\n#\n#\n", "cannot tell the vendor"),
    ],
    ids=["empty", "binary", "not-a-config", "only-separators"],
)
def test_bad_input_is_a_clear_message(tmp_path, content, message) -> None:
    f = tmp_path / "device.cfg"
    f.write_bytes(content)
    r = run_netmon("scan", str(f), str(CONFIGS / "cisco_compliant.cfg"), "-f", "json")
    assert r.returncode == 2
    assert message in r.stderr and "device.cfg" in r.stderr
    assert "Traceback" not in r.stderr
    doc = json.loads(r.stdout)  # the good file is still reported
    assert [d["device"] for d in doc["devices"]] == ["zj-hz-ex-edge1"]
    assert doc["not_scanned"][0]["source"].endswith("device.cfg")


def test_wrong_vendor_is_refused() -> None:
    r = run_netmon("scan", "--vendor", "cisco_ios", str(CONFIGS / "huawei_compliant.cfg"), "-f", "json")
    assert r.returncode == 2
    assert "looks like a Huawei VRP configuration, not Cisco IOS" in r.stderr


def test_truncated_crlf_gbk_and_huge_configs_give_results(tmp_path) -> None:
    lines = (CONFIGS / "cisco_compliant.cfg").read_text(encoding="utf-8").splitlines()
    (tmp_path / "trunc.cfg").write_text("\n".join(lines[:60]) + "\n", encoding="utf-8")
    crlf = (CONFIGS / "huawei_noncompliant.cfg").read_bytes().replace(b"\n", b"\r\n")
    (tmp_path / "crlf.cfg").write_bytes(crlf)
    gbk = (
        "#\n sysname gbk-sw1\n#\n# 县政务外网接入交换机 (comment in GBK)\n"
        + (CONFIGS / "h3c_noncompliant.cfg").read_text(encoding="utf-8").split("\n", 3)[3]
    )
    (tmp_path / "gbk.cfg").write_bytes(gbk.encode("gbk"))
    base = (CONFIGS / "huawei_compliant.cfg").read_text(encoding="utf-8")
    head, tail = base.split("#\nfirewall zone trust", 1)
    ifs = "".join(
        f"#\ninterface GigabitEthernet1/0/{i}\n description user {i}\n port link-type access\n"
        f" port default vlan {10 + i % 200}\n stp edged-port enable\n"
        for i in range(8400)
    )
    (tmp_path / "huge.cfg").write_text(head + ifs + "#\nfirewall zone trust" + tail, encoding="utf-8")
    assert (tmp_path / "huge.cfg").read_text().count("\n") > 50_000
    r = run_netmon("scan", *(str(tmp_path / n) for n in ("trunc.cfg", "crlf.cfg", "gbk.cfg", "huge.cfg")), "-f", "json")
    assert r.returncode == 0, r.stderr
    devs = {d["source"].rsplit("/", 1)[1]: d for d in json.loads(r.stdout)["devices"]}
    assert any("truncated" in n for n in devs["trunc.cfg"]["notes"])
    assert any("GB18030" in n for n in devs["gbk.cfg"]["notes"])
    crlf_r = {f["rule"]: f["result"] for f in devs["crlf.cfg"]["findings"]}
    assert crlf_r["IA-05"] == "FAIL" and crlf_r["IA-06"] == "FAIL"
    assert all(not e["text"].endswith("\r") for f in devs["crlf.cfg"]["findings"] for e in f["evidence"])
    gbk_r = {f["rule"]: f["result"] for f in devs["gbk.cfg"]["findings"]}
    assert devs["gbk.cfg"]["vendor"] == "h3c_comware" and gbk_r["IA-06"] == "FAIL"
    huge_r = {f["rule"]: f["result"] for f in devs["huge.cfg"]["findings"]}
    assert huge_r["IA-05"] == "PASS" and huge_r["MG-01"] == "PASS"  # blocks after 50k lines still found


def test_broken_rule_pack_is_rejected_with_rule_and_field(tmp_path) -> None:
    (tmp_path / "site.yaml").write_text(
        textwrap.dedent("""\
        rules:
          - id: ST-01
            title: {zh: 站点规则, en: Site rule}
            clauses: [4.4b]
            severity: critical
            category: site
            rationale: test
            checks:
              cisco_ios:
                - threshold: {match: '^exec-timeout (?P<m>\\d+)', weights: {x: 1}, max: 5}
          - id: ST-02
            title: {zh: 站点规则, en: Site rule}
            clauses: [4.4b]
            severity: low
            category: site
            rationale: test
            checks:
              cisco_ios:
                - fail_if: ['^ip http (server']
        """),
        encoding="utf-8",
    )
    r = run_netmon("scan", str(CONFIGS / "cisco_compliant.cfg"), "--rules-dir", str(tmp_path))
    assert r.returncode == 2
    assert "site.yaml:5: rule ST-01: severity" in r.stderr
    assert "rule ST-01: checks.cisco_ios.0.threshold" in r.stderr and "weights name group" in r.stderr
    assert "rule ST-02: checks.cisco_ios.0.fail_if.0" in r.stderr
    assert "Traceback" not in r.stderr


def test_site_rule_dir_adds_a_rule(tmp_path) -> None:
    (tmp_path / "site.yaml").write_text(
        textwrap.dedent("""\
        rules:
          - id: ST-10
            title: {zh: 必须配置位置, en: SNMP location set}
            severity: low
            category: site
            rationale: the NOC finds devices by location
            checks:
              cisco_ios: {require: ['^snmp-server location \\S+'], note: no location}
        """),
        encoding="utf-8",
    )
    r = run_netmon("rules", "show", "ST-10", "--rules-dir", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert (
        "必须配置位置" in r.stdout
        and "N/A on: h3c_comware, huawei_ce, huawei_usg, huawei_vrp, ruijie_rgos, zte_zxros" in r.stdout
    )  # registry order (alphabetical)


def test_rules_list_and_show() -> None:
    r = run_netmon("rules", "list", "-f", "json")
    assert r.returncode == 0, r.stderr
    rules = json.loads(r.stdout)
    assert len(rules) >= 40 and len({x["id"] for x in rules}) == len(rules)
    assert sum(len(x["vendors"]) for x in rules) >= 120
    r2 = run_netmon("rules", "list", "--standard", "mlps-l2")
    assert r2.returncode == 0 and "7.1.4.1 b" in r2.stdout and "IA-09" not in r2.stdout
    s = run_netmon("rules", "show", "ia-06")
    assert s.returncode == 0 and "L3-CES1-03" in s.stdout and "transport input ssh" in s.stdout
    bad = run_netmon("rules", "show", "XX-99")
    assert bad.returncode == 2 and "no such rule" in bad.stderr


def test_scope_scan_over_archive_directory(site) -> None:
    r = run_netmon(
        "scan",
        "-i",
        str(site / "inventory.yaml"),
        "--scope",
        "region=浙江",
        "--archive",
        str(site / "backups"),
        "-f",
        "json",
    )
    assert r.returncode == 2  # zj-hz-acc9 has no archived config: named, not fatal
    assert "zj-hz-acc9" in r.stderr and "no archived configuration" in r.stderr
    doc = json.loads(r.stdout)
    devs = {d["device"]: d for d in doc["devices"]}
    assert set(devs) == {"zj-core1", "zj-hz-edge1"}
    assert devs["zj-core1"]["tags"]["tier"] == "province" and devs["zj-core1"]["vendor"] == "huawei_vrp"
    tiers = {g["key"]: g for g in doc["scores"]["by_tier"]}
    assert set(tiers) == {"province", "city"} and tiers["city"]["score_pct"] > tiers["province"]["score_pct"]
    # role from the inventory: BD-07 (access ports) does not apply to a core switch
    assert {f["rule"]: f["result"] for f in devs["zj-core1"]["findings"]}["BD-07"] == "N/A"
    r2 = run_netmon(
        "scan",
        "-i",
        str(site / "inventory.yaml"),
        "--scope",
        "tier=city",
        "--archive",
        str(site / "backups"),
        "-f",
        "json",
    )
    assert r2.returncode == 0 and [d["device"] for d in json.loads(r2.stdout)["devices"]] == ["zj-hz-edge1"]


def test_scope_scan_over_git_archive(site, tmp_path) -> None:
    from netmon.archive import ConfigArchive

    arc = ConfigArchive(tmp_path / "archive")
    arc.store("zj-hz-acc9", (CONFIGS / "h3c_noncompliant.cfg").read_text(encoding="utf-8"), "h3c_comware")
    r = run_netmon(
        "scan",
        "-i",
        str(site / "inventory.yaml"),
        "--scope",
        "device=zj-hz-acc9",
        "--archive",
        str(tmp_path / "archive"),
        "-f",
        "json",
    )
    assert r.returncode == 0, r.stderr
    assert "git archive" in r.stderr
    dev = json.loads(r.stdout)["devices"][0]
    assert dev["source"].startswith("archive:zj-hz-acc9@")
    assert {f["rule"]: f["result"] for f in dev["findings"]}["IA-06"] == "FAIL"


def test_state_file_raises_only_new_high_failures(tmp_path) -> None:
    state = tmp_path / "state.json"
    cfg = tmp_path / "r1.cfg"
    cfg.write_bytes((CONFIGS / "cisco_compliant.cfg").read_bytes())
    first = run_netmon("scan", str(cfg), "--state", str(state), "-f", "json")
    assert first.returncode == 0 and "NEW HIGH FAIL" not in first.stderr
    cfg.write_text((CONFIGS / "cisco_compliant.cfg").read_text().replace("ip ssh version 2\n", ""), encoding="utf-8")
    second = run_netmon("scan", str(cfg), "--state", str(state), "-f", "json")
    assert second.stderr.count("NEW HIGH FAIL") == 1 and "IA-07" in second.stderr
    third = run_netmon("scan", str(cfg), "--state", str(state), "-f", "json")
    assert "NEW HIGH FAIL" not in third.stderr
    assert json.loads(state.read_text())["zj-hz-ex-edge1"] == ["IA-07"]


def test_public_fixtures_scan_clean_exit() -> None:
    files = sorted(PUBLIC.glob("*/*.cfg"))
    assert len(files) >= 6  # Huawei, H3C, two Cisco, Ruijie, ZTE
    r = run_netmon("scan", *(str(p) for p in files), "--standard", "baseline", "-f", "csv")
    assert r.returncode == 0, r.stderr  # Ruijie and ZTE have no pack yet: N/A rows, not exit 2
    assert r.stdout.count("\n") == 1 + len(files) * 23  # header + devices x baseline rules


def test_compliance_section_of_netmon_yaml(tmp_path) -> None:
    from netmon.compliance.settings import load_compliance_settings
    from netmon.errors import InputError

    s = load_compliance_settings({"standard": "mlps-l2", "waivers": "w.yaml", "fail_on": "high"}, base=tmp_path)
    assert s.standard == "mlps-l2" and s.waivers == tmp_path / "w.yaml" and s.fail_on == "high"
    with pytest.raises(InputError) as exc:
        load_compliance_settings({"standrad": "mlps-l3", "fail_on": "sometimes"})
    msg = str(exc.value)
    assert "compliance.standrad: unknown setting" in msg and "compliance.fail_on" in msg
