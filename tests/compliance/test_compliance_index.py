"""The first-word index the rules read lines through: a pattern looks only at lines starting with
a word it names, so the words read off a pattern must include the first word of every line it can
match (else a line that fails a rule would go unseen), and where they cannot be told the pattern
reads every line."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from netmon.compliance import load_rules, read_device_configs
from netmon.compliance.rules import _WORD, Check, Match, first_words
from netmon.errors import InputError

from .conftest import HERE, PUBLIC


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"^snmp-agent community ", ("snmp-agent",)),
        (r"^login$", ("login",)),
        (r"^(cdp|lldp) run$", ("cdp", "lldp")),
        (r"^(service finger|ip finger)$", ("ip", "service")),
        (r"^(enable|username \S+ .*) secret 5 ", ("enable", "username")),
        (r"^(?:ip )?vrf forwarding \S+", ("ip", "vrf")),
        (r"^(?P<kw>undo|no) telnet", ("no", "undo")),
        (r"^telnet[- ]server enable$", ("telnet", "telnet-server")),
        (r"(?:^|^line (?:vty|ssh) )(?:idle|exec)-timeout (?P<m>\d+)$", ("exec-timeout", "idle-timeout", "line")),
        (r"^ip(v6)? address \S+", ("ip", "ipv6")),
        (r"^user-?name admin", ("user-name", "username")),
        # cannot be told: every line is a candidate
        (r"^log", None),  # the line may go on: "logging ..."
        (r"^ab[^cd] ", None),
        (r"^ab\w ", None),
        (r"^(?i:snmp) ", None),
        (r"(?i)^snmp ", None),
        (r"snmp ", None),  # not anchored
        (r"^\S+ password", None),
        (r"^a(?=b)", None),
        (r"^(a|b|c|d|e|f|g|h|i) x", None),  # more alternatives than an index pays for
    ],
)
def test_first_words_read_off_a_pattern(pattern: str, words: tuple[str, ...] | None) -> None:
    assert first_words(re.compile(pattern)) == words


def _matches(c: Check) -> Iterator[Match]:
    yield from (*c.only_if, *c.unless, *c.fail_if, *c.warn_if, *c.review_if, *c.require)
    yield from (m for m in (c.unless_block, c.block) if m is not None)
    yield from (x.match for x in (c.threshold, c.count) if x is not None)


def _lines() -> list[str]:
    out: list[str] = []
    for path in sorted({*HERE.rglob("*.cfg"), *PUBLIC.rglob("*.cfg")}):
        try:
            cfgs = read_device_configs(path)
        except InputError:
            continue
        out.extend(ln.text for cfg in cfgs for ln in cfg.tree.all_lines() if not ln.banner)
    return out


def test_the_words_of_every_shipped_pattern_cover_every_line_it_matches() -> None:
    # The packs' patterns whose words come from reading alternatives (not the plain "^word " form),
    # against every line of every test configuration, whichever platform wrote it.
    pats = {
        m.re
        for rule in load_rules().values()
        for checks in rule.checks.values()
        for c in checks
        for m in _matches(c)
        if m.words is not None and not _WORD.match(m.re.pattern)
    }
    assert len(pats) >= 3  # ^(cdp|lldp) run$ and the like exist in the shipped packs
    lines = _lines()
    assert len(lines) > 5000
    for rx in pats:
        words = set(first_words(rx) or ())
        missed = [t for t in lines if rx.search(t) and t.split(" ", 1)[0] not in words]
        assert not missed, f"/{rx.pattern}/ read off as {sorted(words)} but matches {missed[:3]}"
