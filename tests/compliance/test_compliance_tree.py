"""The config tree against hier_config's parse of the same files, plus the cases hier_config
does not handle (line numbers, '#' separators closing blocks, banners, CRLF, truncation)."""

from __future__ import annotations

import gc
import re
from pathlib import Path

import pytest
from hier_config import Platform, get_hconfig
from hypothesis import given, settings
from hypothesis import strategies as st

from netmon.compliance import parse_config, read_device_config, read_device_configs
from netmon.compliance.engine import scan_config
from netmon.compliance.tree import Line
from netmon.errors import InputError

from .conftest import CONFIGS, HERE, PUBLIC

FILES = sorted(PUBLIC.glob("*/*.cfg")) + sorted(CONFIGS.glob("*.cfg"))
_PLATFORM = {
    "cisco_ios": Platform.CISCO_IOS,
    "ruijie_rgos": Platform.CISCO_IOS,  # RGOS writes the IOS shape
    "huawei_vrp": Platform.HUAWEI_VRP,
    "h3c_comware": Platform.HUAWEI_VRP,
}
_BANNER_RE = re.compile(r"^ ?(banner|header) \S+( information)? (\^C|\S)")
# hier_config's own rewrites of IOS lines (it normalises, we keep the file's text):
_HIER_ONLY_NOISE = {"return", "end"}
_OURS_ONLY_NOISE = re.compile(r"^(version |exit-address-family$|no ip address$)")


def _hier_input(text: str, vendor: str) -> str:
    """The same configuration in the one shape hier_config reads unambiguously: banners dropped
    (hier_config knows only IOS ^C banners) and, for VRP/Comware, '#' separators turned into what
    they mean (the global lines after one are top level), since hier_config ignores them."""
    out: list[str] = []
    lines = text.splitlines()
    i, shift = 0, 0
    while i < len(lines):
        raw = lines[i]
        i += 1
        m = _BANNER_RE.match(raw)
        if m:
            delim = m.group(3)
            if delim not in raw[m.end() :]:
                while i < len(lines) and delim not in lines[i]:
                    i += 1
                i += 1
            continue
        stripped = raw.strip()
        ios = vendor in ("cisco_ios", "ruijie_rgos")
        if not stripped or stripped.startswith("!") or (stripped.startswith("#") and ios):
            continue
        if not ios:
            if raw.startswith("#"):
                shift = -1
                continue
            if stripped.startswith("#"):
                continue
            indent = len(raw) - len(raw.lstrip())
            if indent == 0:
                shift = 0
            elif shift == -1:
                shift = indent
            raw = raw[min(shift, indent) :] if shift > 0 else raw
        out.append(raw)
    return "\n".join(out)


def _norm(path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(re.sub(r"\s+", " ", p) for p in path)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_tree_matches_hier_config(path: Path) -> None:
    cfg = read_device_config(path)
    if cfg.vendor not in _PLATFORM:
        pytest.skip(
            f"hier_config has no {cfg.vendor} driver ('$' block ends); tests/platforms/test_config_grammar.py covers it"
        )
    hier = get_hconfig(_PLATFORM[cfg.vendor], _hier_input(path.read_text(encoding="utf-8"), cfg.vendor))
    theirs = set()
    for c in hier.all_children():
        p = _norm(c.path())
        if p[-1] in _HIER_ONLY_NOISE:
            continue
        if p[0].startswith("ip access-list") and len(p) == 2:
            p = (p[0], re.sub(r"^\d+ ", "", p[1]))  # hier_config numbers IOS ACL entries
        theirs.add(p)
    ours = {
        _norm(ln.path()) for ln in cfg.tree.walk() if not ln.banner and not ln.text.startswith(("banner ", "header "))
    }
    ours = {p for p in ours if not _OURS_ONLY_NOISE.match(p[-1])}
    theirs = {p for p in theirs if not _OURS_ONLY_NOISE.match(p[-1])}
    assert ours == theirs
    assert len(ours) > 20


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_line_keeps_its_number(path: Path) -> None:
    raw = path.read_text(encoding="utf-8").splitlines()
    cfg = read_device_config(path)
    n = 0
    for ln in cfg.tree.walk():
        assert raw[ln.number - 1].strip() == ln.text
        n += 1
    assert n > 20


_ALL_CONFIGS = sorted({*FILES, *HERE.rglob("*.cfg")})


@pytest.mark.parametrize("path", _ALL_CONFIGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_all_lines_is_every_line_in_walk_order(path: Path) -> None:
    # The parser hands its lines over in the order it made them; rules and facts read them as
    # the tree's depth-first order, so the two must never differ (banners, flattened captures).
    try:
        cfgs = read_device_configs(path)
    except InputError:
        pytest.skip("not a readable configuration on its own (a refusal case)")
    for cfg in cfgs:
        assert cfg.tree.all_lines() == list(cfg.tree.walk())
        # The smallest whole file (heldout10 urpf: sysname and one interface) has five lines.
        assert len(cfg.tree.all_lines()) >= 5


def test_a_released_tree_is_freed_without_the_cycle_collector(l3) -> None:
    # Lines point to their parent and parents to their children: the scan loops unlink them once
    # the rules are done, so each tree goes at once rather than at the next full GC pass.
    def lines_alive() -> int:
        return sum(1 for o in gc.get_objects() if type(o) is Line)

    gc.collect()
    before = lines_alive()
    gc.disable()
    try:
        cfg = read_device_config(CONFIGS / "huawei_compliant.cfg")
        scan_config(cfg, l3)  # indexes and facts built, as in a real scan
        assert lines_alive() - before > 100
        kept = lines_alive()
        cfg.tree.release()
        del cfg
        assert lines_alive() == before, f"{kept - before} lines made, {lines_alive() - before} never freed"
    finally:
        gc.enable()


def test_hash_separator_closes_blocks_where_hier_config_does_not() -> None:
    # hier_config (3.x) nests this route under the qos block; '#' at column 0 ends that block.
    cfg = read_device_config(PUBLIC / "huawei_vrp" / "iyifanx-s-series-vrp5.cfg")
    route = [ln for ln in cfg.tree.walk() if ln.text.startswith("ip route-static")]
    assert len(route) == 1 and route[0].parent is None
    hier = get_hconfig(Platform.HUAWEI_VRP, (PUBLIC / "huawei_vrp" / "iyifanx-s-series-vrp5.cfg").read_text())
    nested = [c for c in hier.all_children() if c.text.startswith("ip route-static")]
    assert nested and nested[0].parent.text.startswith("qos map-table")


def test_banners_hold_separators_and_commands() -> None:
    vrp = parse_config((CONFIGS / "huawei_compliant.cfg").read_text())
    header = next(t for t in vrp.top if t.text.startswith("header login"))
    assert [c.banner for c in header.children] == [True] * 4
    assert header.children[0].text.startswith("####")
    # the block after the banner is intact
    vty = [t for t in vrp.top if t.text.startswith("user-interface vty")]
    assert [len(t.children) for t in vty] == [4, 4]
    ios = parse_config((CONFIGS / "cisco_compliant.cfg").read_text())
    assert not any(t.text.startswith("interface access") for t in ios.top)  # a banner line, not a block
    assert [t.text for t in ios.top if t.text.startswith("line ")] == ["line con 0", "line vty 0 4", "line vty 5 15"]
    cw = parse_config((PUBLIC / "h3c_comware" / "netutils-comware7-full.cfg").read_text())
    motd = next(t for t in cw.top if t.text.startswith("header motd"))
    assert len(motd.children) == 5 and motd.children[-1].text == "%"


def test_multi_range_vty_blocks_are_separate_instances() -> None:
    t = parse_config((PUBLIC / "cisco_ios" / "netutils-ios-full.cfg").read_text())
    vtys = [x for x in t.top if x.text.startswith("line vty")]
    assert [v.text for v in vtys] == ["line vty 0 4", "line vty 5 15"]
    assert all("transport input all" in [c.text for c in v.children] for v in vtys)


def test_undo_and_no_forms_are_kept_and_flagged() -> None:
    t = parse_config("#\n undo telnet server enable\n#\ninterface X\n undo shutdown\n#\nreturn\n")
    assert [ln.negated for ln in t.walk()] == [True, False, True]
    t2 = parse_config("no ip http server\nip http secure-server\nend\n")
    assert [ln.negated for ln in t2.top] == [True, False]


def test_crlf_tabs_and_truncation() -> None:
    t = parse_config("hostname r1\r\n!\r\nline vty 0 4\r\n\ttransport input ssh\r\n")
    assert t.top[1].children[0].text == "transport input ssh"
    assert t.top[1].children[0].number == 4
    assert not t.ended
    t2 = parse_config("banner motd ^C\nnever closed\n")
    assert t2.problems and "never ends" in t2.problems[0][1]


_FRAGMENTS = [
    "#",
    "!",
    " ",
    "  ",
    "\t",
    "banner motd ^C",
    "^C",
    'header login information "',
    '"',
    "return",
    "end",
    "interface X",
    " ip address 1.1.1.1 255.0.0.0",
    "line vty 0 4",
    " transport input all",
    "sysname a",
    "hostname b",
    "undo telnet server enable",
    "\r",
    "\x00",
    "中文",
    "\x03",
    "aaa",
    " local-user a password simple x",
]


_BASELINE: list = []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_FRAGMENTS), max_size=4).map("".join), max_size=40))
def test_fuzz_never_crashes(lines: list[str]) -> None:
    """Any text: parse_config never raises; the full reader raises InputError or gives a config."""
    from netmon.compliance import load_device_config, load_standard
    from netmon.compliance.engine import scan_config
    from netmon.errors import InputError

    if not _BASELINE:
        _BASELINE.append(load_standard("baseline"))
    text = "\n".join(lines)
    tree = parse_config(text)
    assert all(ln.number >= 1 for ln in tree.walk())
    assert tree.all_lines() == list(tree.walk())
    for vendor in (None, "cisco_ios", "huawei_vrp"):
        try:
            cfg = load_device_config(text.encode("utf-8"), "fuzz.cfg", vendor)
        except InputError:
            continue
        scan_config(cfg, _BASELINE[0])
