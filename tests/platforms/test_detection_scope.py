"""No silent wrong scope: Ruijie and ZTE are told from IOS, an unsure file is refused, a file of
several configurations is split into devices, text after the last line is reported with its line,
and a platform without a compliance pack is scanned N/A with a note instead of failing the scope."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from netmon.compliance import load_device_config, load_device_configs
from netmon.errors import InputError
from netmon.platforms import mask_line
from netmon.platforms.detect import detect
from tests.conftest import run_netmon

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = ROOT / "tests/fixtures/configs"
COMPLIANCE = ROOT / "tests/compliance/configs"
RUIJIE = PUBLIC / "ruijie_rgos/r2lab-switch-radio.cfg"
ZTE = PUBLIC / "zte_zxros/net-maestro-zxan-c620.cfg"


@pytest.mark.parametrize(
    ("path", "platform"),
    [
        (RUIJIE, "ruijie_rgos"),
        (ZTE, "zte_zxros"),
        (ROOT / "netmon/platforms/ruijie_rgos/lab/township-access.cfg", "ruijie_rgos"),
        (ROOT / "netmon/platforms/zte_zxros/lab/county-router.cfg", "zte_zxros"),
        (PUBLIC / "cisco_ios/netutils-ios-full.cfg", "cisco_ios"),
        (PUBLIC / "cisco_ios/batfish-as2core1.cfg", "cisco_ios"),
        (PUBLIC / "huawei_vrp/iyifanx-s-series-vrp5.cfg", "huawei_vrp"),
        (PUBLIC / "h3c_comware/netutils-comware7-full.cfg", "h3c_comware"),
    ],
    ids=lambda x: x.name if isinstance(x, Path) else x,
)
def test_detection_is_confident_and_right(path: Path, platform: str) -> None:
    d = detect(path.read_text(encoding="utf-8"))
    assert d.platform == platform, d.scores
    assert d.margin >= 3 and d.runner_up is not None


def test_ruijie_and_zte_are_scored_with_their_own_packs_not_as_cisco() -> None:
    r = run_netmon("scan", str(RUIJIE), str(ZTE), "-f", "json")
    assert r.returncode == 0, r.stderr
    devs = {d["device"]: d for d in json.loads(r.stdout)["devices"]}
    assert devs["switch-radio"]["vendor"] == "ruijie_rgos" and devs["ZTE"]["vendor"] == "zte_zxros"
    for dev in ("switch-radio", "ZTE"):
        d = devs[dev]
        assert d["detection"]["confident"] and d["detection"]["margin"] >= 3
        assert not any("no compliance pack" in n for n in d["notes"])
    assert devs["switch-radio"]["release"] == "11.0(5)B9P66S2"
    # Scored by the RGOS pack: its findings cite RGOS lines and give RGOS remediation, never IOS's.
    f = {x["rule"]: x for x in devs["switch-radio"]["findings"]}
    assert f["IA-06"]["result"] == "FAIL" and "no enable service telnet-server" in f["IA-06"]["remediation"]
    assert f["AU-01"]["remediation"] == ["logging server LOGHOST"]  # IOS would say 'logging host'
    assert f["IA-10"]["result"] == "FAIL" and any(e["text"] == "line console 0" for e in f["IA-10"]["evidence"])


AMBIGUOUS = "hostname r1\n!\nservice password-encryption\nenable secret 5 $1$abc$def\n!\nline vty 0 4\n!\nend\n"


def test_a_config_of_no_telling_vendor_is_refused_naming_the_choices(tmp_path: Path) -> None:
    f = tmp_path / "r1.cfg"
    f.write_text(AMBIGUOUS, encoding="utf-8")
    d = detect(AMBIGUOUS)
    assert d.platform is None and d.best in ("cisco_ios", "ruijie_rgos") and d.margin < 3
    r = run_netmon("scan", str(f), "-f", "json")
    assert r.returncode == 2, r.stdout
    assert "cannot tell the vendor confidently" in r.stderr and "pass --vendor" in r.stderr
    assert json.loads(r.stdout)["devices"] == []  # nothing scored under a guessed vendor
    ok = run_netmon("scan", str(f), "--vendor", "cisco_ios", "-f", "json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["devices"][0]["vendor"] == "cisco_ios"


def test_two_configs_in_one_file_are_two_devices_with_their_own_lines(tmp_path: Path) -> None:
    vrp = (COMPLIANCE / "huawei_noncompliant.cfg").read_text(encoding="utf-8")
    ios = (COMPLIANCE / "cisco_compliant.cfg").read_text(encoding="utf-8")
    f = tmp_path / "both.cfg"
    f.write_text(vrp + ios, encoding="utf-8")
    r = run_netmon("scan", str(f), "-f", "json")
    assert r.returncode == 0, r.stderr
    devs = json.loads(r.stdout)["devices"]
    assert [(d["device"], d["vendor"], d["source"]) for d in devs] == [
        ("hb-wh-jx-in-acc1", "huawei_vrp", str(f)),
        ("zj-hz-ex-edge1", "cisco_ios", f"{f}#2"),
    ]
    second_start = len(vrp.splitlines()) + 1
    assert any(f"this is #2, lines {second_start}-" in n for n in devs[1]["notes"])
    # evidence of the second configuration cites lines of the whole file, not of the piece
    lines = f.read_text(encoding="utf-8").splitlines()
    cited = [e for fd in devs[1]["findings"] for e in fd["evidence"] if e["line"]]
    assert cited and all(e["line"] >= second_start for e in cited)
    assert all(e["text"] == mask_line(lines[e["line"] - 1].strip(), "cisco_ios") for e in cited)
    # alone, each configuration scores the same as inside the pair
    alone = json.loads(run_netmon("scan", str(COMPLIANCE / "cisco_compliant.cfg"), "-f", "json").stdout)
    assert [x["result"] for x in alone["devices"][0]["findings"]] == [x["result"] for x in devs[1]["findings"]]


def test_one_config_pasted_twice_is_one_device_with_the_repeat_noted(tmp_path: Path) -> None:
    """The same configuration twice (or a second display stopped at the pager, round 28) is one
    device: the repeat is named by its lines, not scored as a second device."""
    ios = (COMPLIANCE / "cisco_noncompliant.cfg").read_text(encoding="utf-8")
    f = tmp_path / "twice.cfg"
    f.write_text(ios + "\n" + ios, encoding="utf-8")
    (cfg,) = load_device_configs(f.read_bytes(), str(f))
    start = len(ios.splitlines()) + 2
    assert any(n.startswith(f"lines {start}-") and "(a second display)" in n for n in cfg.notes), cfg.notes
    head = ios.split("\ninterface", 1)[0]  # stopped at the pager before the interfaces
    f.write_text(ios + "\n" + head + "\n ---- More ----\n", encoding="utf-8")
    (cfg,) = load_device_configs(f.read_bytes(), str(f))
    assert any("up to where a second display stopped" in n for n in cfg.notes), cfg.notes
    # ... while a second configuration that differs stays a device of its own
    f.write_text(ios + "\n" + ios.replace("hostname ", "hostname other-"), encoding="utf-8")
    assert len(load_device_configs(f.read_bytes(), str(f))) == 2


def test_text_after_the_last_line_is_reported_with_its_line(tmp_path: Path) -> None:
    ios = (COMPLIANCE / "cisco_compliant.cfg").read_text(encoding="utf-8")
    f = tmp_path / "tail.cfg"
    f.write_text(ios + "\ninterface GigabitEthernet0/9\n shutdown\n", encoding="utf-8")
    line = len(ios.splitlines()) + 2
    r = run_netmon("scan", str(f), "-f", "json")
    assert r.returncode == 2
    assert f"{f}:{line}: more text after the configuration's last line" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_a_cli_prompt_after_the_last_line_is_not_a_second_config(tmp_path: Path) -> None:
    vrp = (COMPLIANCE / "huawei_compliant.cfg").read_text(encoding="utf-8")
    f = tmp_path / "capture.cfg"
    f.write_text(vrp + "\n<gd-gz-th-in-core1>\n", encoding="utf-8")
    assert len(load_device_configs(f.read_bytes(), str(f))) == 1


def test_a_device_archive_holding_two_configs_is_refused_with_the_line() -> None:
    ios = (COMPLIANCE / "cisco_compliant.cfg").read_text(encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_device_config((ios + ios).encode(), "archive:edge1@abc", "cisco_ios", "edge1")
    p = exc.value.problems[0]
    assert p.line == len(ios.splitlines()) + 1 and "holds 2 configurations" in p.reason


def test_a_scope_with_a_platform_without_pack_is_not_exit_2(tmp_path: Path) -> None:
    inv = tmp_path / "inventory.yaml"
    inv.write_text(
        textwrap.dedent("""\
        devices:
        - {name: zte-pe1, address: 10.0.0.1, network: intranet, tier: county, region: 广东/韶关/仁化, site: 仁化, role: core, vendor: zte_zxros}
        - {name: rg-acc1, address: 10.0.0.2, network: intranet, tier: township, region: 广东/韶关/仁化, site: 华兴, role: access, vendor: ruijie_rgos}
        - {name: vrp-core1, address: 10.0.0.3, network: intranet, tier: county, region: 广东/韶关/乐昌, site: 乐昌, role: core, vendor: huawei_vrp}
        - {name: jn-pe1, address: 10.0.0.4, network: intranet, tier: county, region: 广东/韶关/乐昌, site: 乐昌, role: core, vendor: juniper_junos}
        """),
        encoding="utf-8",
    )
    arc = tmp_path / "backups"
    arc.mkdir()
    (arc / "zte-pe1.cfg").write_bytes((ROOT / "netmon/platforms/zte_zxros/lab/county-router.cfg").read_bytes())
    (arc / "rg-acc1.cfg").write_bytes((ROOT / "netmon/platforms/ruijie_rgos/lab/township-access.cfg").read_bytes())
    (arc / "vrp-core1.cfg").write_bytes((COMPLIANCE / "huawei_compliant.cfg").read_bytes())
    (arc / "jn-pe1.cfg").write_text("system {\n    host-name jn-pe1;\n}\n", encoding="utf-8")
    r = run_netmon("scan", "-i", str(inv), "--archive", str(arc), "--scope", "region=广东", "-f", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["not_scanned"] == []
    by = {d["device"]: d for d in doc["devices"]}
    # ZTE and Ruijie are scored by their own packs; Junos has none yet: N/A with a note, not exit 2.
    for dev in ("zte-pe1", "rg-acc1", "vrp-core1"):
        assert {f["result"] for f in by[dev]["findings"]} - {"N/A"}, dev
        assert not any("no compliance pack" in n for n in by[dev]["notes"]), dev
    assert {f["result"] for f in by["jn-pe1"]["findings"]} == {"N/A"}
    assert any("no compliance pack" in n for n in by["jn-pe1"]["notes"])
    # the table a user reads says so too
    t = run_netmon("scan", "-i", str(inv), "--archive", str(arc), "--scope", "vendor=juniper_junos")
    assert t.returncode == 0 and "no compliance pack for Juniper" in t.stdout, t.stdout + t.stderr


def test_the_signature_index_changes_no_score(monkeypatch: pytest.MonkeyPatch) -> None:
    # Signatures are looked up by the first word(s) a line needs (alternatives included, e.g.
    # ^(interface Aux\d|user-interface aux \d)): every score must be what searching every signature
    # over the whole window gives, on every configuration the tests hold.
    from netmon.platforms import detect as det

    real = det._signatures()
    # Brute force: each signature searched over the whole window, as the loose ones are (MULTILINE);
    # indexed ones are compiled for one line and carry the texts a line must start with.
    every = {
        e[1]: (e[0], e[1], re.compile(e[2].pattern, re.MULTILINE), e[3])
        for bucket in (*real.keyed.values(), *real.prefixed.values(), real.loose)
        for e in bucket
    }
    assert len(every) > len(real.loose) + 40
    brute = det._Sigs({}, {}, list(every.values()), real.separators, real.scored)
    texts = [
        p.read_text(encoding="utf-8", errors="replace")
        for p in sorted({*ROOT.glob("tests/**/*.cfg"), *ROOT.glob("netmon/platforms/*/lab/*.cfg")})
    ]
    for lines in (["user-interface aux 0", " interface Aux1"], [" user-interface aux 0", "interface Aux1"]):
        texts.append("\n".join(["sysname x", "#", *lines, " authentication-mode scheme", "#", "return", ""]))
    assert len(texts) > 40
    indexed = [det.detect_scores(t) for t in texts]
    monkeypatch.setattr(det, "_signatures", lambda: brute)
    assert [det.detect_scores(t) for t in texts] == indexed
