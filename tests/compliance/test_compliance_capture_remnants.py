"""A configuration saved from a terminal session keeps the pager's remnants at the head of the
line after each page break (issue 14): the `---- More ----` / `--More--` prompt and the escapes,
backspaces or spaces that erased it. netmon reads such a capture as the device's configuration:
every configuration of the hand-judged sets, paged in each form its platform's terminal leaves,
gets the verdicts and evidence lines of the clean file (a line that held only a remnant stays as
an empty line, so evidence still points at the stored file's lines)."""

from __future__ import annotations

from pathlib import Path

import pytest

from netmon.compliance import load_rules, read_device_configs
from netmon.compliance.engine import evaluate_rule
from netmon.compliance.scanner import ArchiveReader
from netmon.compliance.source import decode, load_device_config

from .conftest import HERE, one_config

EVERY = 23  # a 24-row terminal pauses after 23 lines

# What the pager leaves in front of the line it paused at, as real captures show it.
_VRP_MORE = "  ---- More ----"
_IOS_MORE = " --More-- "
HUAWEI_FORMS = {
    "esc42": _VRP_MORE + "\x1b[42D" + " " * 42 + "\x1b[42D",  # VRP5 (netmon's lab: huawei_vrp/lab.yaml)
    "esc16": _VRP_MORE + "\x1b[16D" + " " * 16 + "\x1b[16D",  # VRP8/CE, Comware
    "backspace": _VRP_MORE + "\b" * 16 + " " * 16 + "\b" * 16,
    "esc_dropped": _VRP_MORE + "[42D" + " " * 42 + "[42D",  # a logger dropped the ESC bytes
    "spaces42": _VRP_MORE + " " * 42,  # a logger dropped the whole escape sequences
    "spaces16": _VRP_MORE + " " * 16,
}
IOS_FORMS = {
    "backspace9": _IOS_MORE + "\b" * 9 + " " * 9 + "\b" * 9,
    "backspace8": _IOS_MORE + "\b" * 8 + " " * 8 + "\b" * 8,
}
# A line holding only the prompt (the capture tool broke the line after it).
OWN_LINE = {"huawei": (_VRP_MORE, _VRP_MORE + "\x1b[42D" + " " * 42 + "\x1b[42D"), "ios": (_IOS_MORE, " --More--")}
FAMILY = {
    "huawei_vrp": "huawei",
    "huawei_ce": "huawei",
    "huawei_usg": "huawei",
    "h3c_comware": "huawei",
    "cisco_ios": "ios",
    "ruijie_rgos": "ios",
    "zte_zxros": "ios",
}
FILES = sorted(p for plat in FAMILY for p in HERE.glob(f"*/{plat}/*.cfg"))


@pytest.fixture(scope="module")
def rules():
    return load_rules()


_clean: dict[Path, list[tuple[str, list[tuple[str, list[tuple[int, str]], list[str]]]]]] = {}


def _verdicts(path: Path, rules) -> list[tuple[str, list[tuple[str, list[tuple[int, str]], list[str]]]]]:
    """Per configuration of the file: its name and, per rule, the verdict, evidence (line, text), notes."""
    out = []
    for cfg in read_device_configs(path):
        per_rule = []
        for rid, rule in rules.items():
            o = evaluate_rule(rule, cfg)
            per_rule.append((o.result, [(e.line, e.text) for e in o.evidence], list(o.notes)))
        out.append((cfg.name, per_rule))
        cfg.tree.release()
    return out


def _clean_verdicts(path: Path, rules):
    if path not in _clean:
        _clean[path] = _verdicts(path, rules)
    return _clean[path]


def _paged(lines: list[str], prefix: str) -> list[str]:
    return [prefix + ln if i % EVERY == EVERY - 1 else ln for i, ln in enumerate(lines)]


def _own_lines(lines: list[str], prompt: str) -> tuple[list[str], dict[int, int]]:
    """A prompt-only line before every 23rd line; the clean file's line numbers -> the paged file's."""
    out: list[str] = []
    where: dict[int, int] = {0: 0}  # 0: an absent line, the whole file
    for i, ln in enumerate(lines):
        if i % EVERY == EVERY - 1:
            out.append(prompt)
        out.append(ln)
        where[i + 1] = len(out)
    return out, where


def _shifted(verdicts, where: dict[int, int] | None):
    """Verdicts and evidence (without the notes, which may name lines), lines mapped by ``where``."""
    return [
        (name, [(res, [(where[line] if where else line, text) for line, text in ev]) for res, ev, _ in per_rule])
        for name, per_rule in verdicts
    ]


def _write(tmp_path: Path, path: Path, lines: list[str], eol: str = "\n") -> Path:
    out = tmp_path / path.name  # same file name: the device name of a configuration without hostname
    out.write_bytes((eol.join(lines) + eol).encode("utf-8"))
    return out


def _case_id(p: Path) -> str:
    return "/".join(p.relative_to(HERE).parts)


@pytest.mark.parametrize("path", FILES, ids=_case_id)
def test_paged_capture_reads_as_the_clean_configuration(path: Path, rules, tmp_path: Path) -> None:
    family = FAMILY[path.parent.name]
    lines = decode(path.read_bytes(), str(path))[0].splitlines()
    clean = _clean_verdicts(path, rules)
    forms = HUAWEI_FORMS if family == "huawei" else IOS_FORMS
    for form, prefix in forms.items():
        got = _verdicts(_write(tmp_path, path, _paged(lines, prefix)), rules)
        assert got == clean, form
    # CRLF line ends with the remnants (a capture saved on Windows)
    prefix = next(iter(forms.values()))
    got = _verdicts(_write(tmp_path, path, _paged(lines, prefix), "\r\n"), rules)
    assert got == clean, "crlf"
    for prompt in OWN_LINE[family]:
        paged, where = _own_lines(lines, prompt)
        got = _verdicts(_write(tmp_path, path, paged), rules)
        assert _shifted(got, None) == _shifted(clean, where), f"own line {prompt!r}"


def test_every_affected_platform_has_files() -> None:
    assert {p.parent.name for p in FILES} == set(FAMILY)


IOS = """hostname r1
!
interface GigabitEthernet0/1
 description uplink --More-- to core
 ip address 192.0.2.1 255.255.255.0
!
banner motd ^C
 --More-- is printed by the pager
^C
line vty 0 4
 transport input ssh
end
"""


def test_more_inside_a_line_is_text() -> None:
    cfg = one_config(IOS, "cisco_ios")
    texts = {ln.number: ln.text for ln in cfg.tree.walk()}
    assert texts[4] == "description uplink --More-- to core"
    assert not any("pager" in n for n in cfg.notes)


def test_a_prompt_line_becomes_empty_and_is_noted() -> None:
    paged = IOS.replace("interface GigabitEthernet0/1\n", " --More-- \ninterface GigabitEthernet0/1\n")
    paged = paged.replace(" ip address", " --More-- " + "\b" * 9 + " " * 9 + "\b" * 9 + " ip address")
    cfg = one_config(paged, "cisco_ios")
    texts = {ln.number: ln.text for ln in cfg.tree.walk()}
    assert texts[4] == "interface GigabitEthernet0/1"
    addr = next(ln for ln in cfg.tree.walk() if ln.text.startswith("ip address"))
    assert addr.number == 6 and addr.parent is not None and addr.parent.text.startswith("interface")
    assert any("pager remnants" in n and "2 line(s), first at line 3" in n for n in cfg.notes), cfg.notes


VRP = """#
sysname core1
#
interface Vlanif10
 ip address 192.0.2.1 255.255.255.0
#
user-interface vty 0 4
 authentication-mode aaa
 protocol inbound ssh
#
return
"""


def test_crlf_vrp_capture_with_remnants_and_ansi(rules) -> None:
    more = "  ---- More ----\x1b[42D" + " " * 42 + "\x1b[42D"
    lines = VRP.splitlines()
    lines[4] = more + lines[4]
    lines[7] = "\x1b[K" + lines[7]  # an erase-line escape a terminal sent before the line
    lines[8] = more + "\x1b[0m" + lines[8]
    cfg = one_config("\r\n".join(lines) + "\r\n")
    clean = one_config(VRP)
    assert cfg.vendor == clean.vendor == "huawei_vrp"
    assert [(ln.number, ln.indent, ln.text) for ln in cfg.tree.walk()] == [
        (ln.number, ln.indent, ln.text) for ln in clean.tree.walk()
    ]
    for rule in rules.values():
        a, b = evaluate_rule(rule, cfg), evaluate_rule(rule, clean)
        assert (a.result, a.evidence) == (b.result, b.evidence), rule.id


def test_backspace_remnants_are_not_a_binary_file() -> None:
    """Backspaces are control bytes: a short capture paged often must not be refused as garbled."""
    erase = " --More-- " + "\b" * 9 + " " * 9 + "\b" * 9
    lines = [f"{erase}interface Loopback{i}" if i % 2 else f"interface Loopback{i}" for i in range(40)]
    cfg = one_config("hostname r1\n" + "\n".join(lines) + "\nend\n", "cisco_ios")
    assert sum(ln.text.startswith("interface Loopback") for ln in cfg.tree.top) == 40


def test_archive_directory_is_read_the_same_way(tmp_path: Path) -> None:
    """`netmon compliance scan --archive DIR`: the <device>.cfg files go through the same reader."""
    more = "  ---- More ----\x1b[16D" + " " * 16 + "\x1b[16D"
    lines = VRP.splitlines()
    lines[4] = more + lines[4]
    (tmp_path / "core1.cfg").write_text("\n".join(lines) + "\n", encoding="utf-8")
    data, source = ArchiveReader(tmp_path).read("core1")
    cfg = load_device_config(data, source, "huawei_vrp", "core1")
    addr = next(ln for ln in cfg.tree.walk() if ln.text.startswith("ip address"))
    assert addr.number == 5 and addr.parent is not None and addr.parent.text == "interface Vlanif10"


def test_line_numbers_are_the_files_whatever_the_separators(rules, tmp_path: Path) -> None:
    """Evidence line N is line N as `grep -n` counts it (the auditor's truth): `\\r\\r\\n` line ends
    (some Windows session loggers), a form feed and a U+0085 inside a description add no line."""
    import subprocess

    odd = VRP.replace("interface Vlanif10\n", "interface Vlanif10\n description a\x0cb\x85c\u2028d\n")
    path = tmp_path / "core1.cfg"
    path.write_bytes(odd.replace("\n", "\r\r\n").encode("utf-8"))
    cfg = read_device_configs(path)[0]
    assert cfg.vendor == "huawei_vrp"
    seen = 0
    for rule in rules.values():
        for e in evaluate_rule(rule, cfg).evidence:
            if not e.line:
                continue
            grep = subprocess.run(["grep", "-nF", e.text.strip(), str(path)], capture_output=True, text=True)
            numbers = {int(hit.split(":", 1)[0]) for hit in grep.stdout.split("\n") if hit}
            assert e.line in numbers, (rule.id, e.line, e.text, grep.stdout)
            seen += 1
    assert seen >= 3  # vty, ssh, address lines at least
    addr = next(ln for ln in cfg.tree.walk() if ln.text.startswith("ip address"))
    assert addr.number == 6
