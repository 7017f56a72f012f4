"""The shortcuts that make a scan fast must not change what it finds: the texts read off a pattern
(a hint made of plain strings, the texts a signature's line starts with) must be found in every
line the pattern finds, and a scan must leave the garbage collector as it found it."""

from __future__ import annotations

import gc
import re
from pathlib import Path
from typing import Any

import pytest

from netmon import platforms
from netmon.compliance import DeviceConfig, load_standard, read_device_configs, scan_files, scan_text, scanner
from netmon.compliance.facts import _containing
from netmon.errors import InputError
from netmon.platforms.detect import _signatures, detect_scores
from netmon.platforms.words import literal_alternatives, literal_prefixes

from .conftest import HERE
from .test_compliance_index import _lines


@pytest.mark.parametrize(
    ("pattern", "strings"),
    [
        (r"acl|packet-filter|nat outbound", ("acl", "packet-filter", "nat outbound")),
        (r"match |nat ", ("match ", "nat ")),
        (r"snmp-server", ("snmp-server",)),
        (r"a\.b", ("a.b",)),
        (r"a.b", None),  # any character: not a plain string
        (r"acl|\bnat\b", None),
        (r"ac|ab", None),  # the parser folds the shared "a": not read, the regex runs
        (r"(?i)acl", None),
        (r"^acl", None),
    ],
)
def test_literal_alternatives(pattern: str, strings: tuple[str, ...] | None) -> None:
    assert literal_alternatives(re.compile(pattern)) == strings


@pytest.mark.parametrize(
    ("pattern", "prefixes"),
    [
        (r"^interface Aux\d", ("interface Aux",)),
        (r"^(interface Aux\d|user-interface aux \d)", ("interface Aux", "user-interface aux ")),
        (r"^port link-type (access|trunk)", ("port link-type access", "port link-type trunk")),
        (r"^[ab]c", ("ac", "bc")),
        (r"^(a|)b", ("ab", "b")),
        (r"^ab*", ("a",)),  # b may repeat zero times
        (r"^abc?", ("ab",)),
        (r"^ ?sysname ", ("",)),  # no text is certain: every line is tried
        (r"^a*b", ("",)),
        (r"^a|b", ("",)),  # the second branch is not anchored
        (r"x^a", ("",)),
        (r"(?i)^abc", ("",)),
        (r"^(?i:a)b", ("",)),
    ],
)
def test_literal_prefixes(pattern: str, prefixes: tuple[str, ...]) -> None:
    assert literal_prefixes(re.compile(pattern)) == prefixes


def test_every_signature_matches_only_lines_starting_with_its_prefixes() -> None:
    sigs = _signatures()
    entries = [e for d in (sigs.keyed, sigs.prefixed) for v in d.values() for e in v]
    assert any(e[4] != ("",) for e in entries)
    raw = [ln for p in sorted(HERE.rglob("*.cfg")) for ln in p.read_text(errors="replace").splitlines()]
    assert len(raw) > 5000
    for _key, _idx, rx, _w, prefixes in entries:
        missed = [t for t in raw if rx.search(t) and not t.startswith(prefixes)]
        assert not missed, f"/{rx.pattern}/ read off as {prefixes} but matches {missed[:3]}"


def test_every_acl_hint_finds_what_its_strings_find() -> None:
    lines = _lines()
    hints = {p.dialect.acl.ref_hint for p in platforms.platforms().values()} - {None}
    assert hints
    read = 0
    for hint in hints:
        assert hint is not None
        strings = literal_alternatives(hint)
        if strings is None:
            continue
        read += 1
        assert [t for t in lines if hint.search(t)] == [t for t in lines if any(s in t for s in strings)]
    assert read  # the shipped hints are plain strings


def test_detection_unchanged_on_a_repeated_line() -> None:
    text = sorted((HERE / "public" / "cisco_ios").glob("*.cfg"))[0].read_text(errors="replace")
    lines = text.splitlines()
    # Every line twice: each second copy is skipped, separators are still counted per line (their
    # ranking, all the scores depend on, is the same), so the scores are those of the file.
    doubled = [ln for ln in lines for _ in range(2)]
    assert detect_scores(doubled) == detect_scores(lines)
    assert max(detect_scores(lines).values()) > 0


def test_no_cycle_collection_while_scanning(monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted((HERE / "public" / "huawei_vrp").glob("*.cfg"))[:2]
    assert files
    std = load_standard("mlps-l3")
    during: list[bool] = []
    real = scanner.scan_config

    def spy(*a: Any) -> Any:
        during.append(gc.isenabled())
        return real(*a)

    monkeypatch.setattr(scanner, "scan_config", spy)
    assert gc.isenabled()
    try:
        run = scan_files(files, std)
        assert during == [False, False] and gc.isenabled()  # off while scanning, back on after
        gc.disable()
        scan_text(files[0].read_text(errors="replace"), std)
        assert not gc.isenabled()  # left off when the caller had it off
    finally:
        gc.enable()
    assert run.results and not run.problems


def test_lines_containing_strings_found_in_the_joined_text() -> None:
    cfgs = [c for p in sorted((HERE / "public").rglob("*.cfg"))[:12] for c in read_device_configs_or_none(p)]
    assert len(cfgs) >= 5
    for cfg in cfgs:
        lines = cfg.tree.all_lines()
        for strings in (("acl", "packet-filter", "nat outbound"), ("access-", "match "), ("e", "x"), (" ",), ("zzz",)):
            want = [ln for ln in lines if any(s in ln.text for s in strings)]
            assert _containing(lines, strings) == want
    assert _containing([], ("acl",)) == []


def read_device_configs_or_none(path: Path) -> list[DeviceConfig]:
    try:
        return read_device_configs(path)
    except InputError:
        return []
