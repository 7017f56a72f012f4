"""Evaluate rules on a configuration: every instance (each matching block), evidence kept."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from operator import attrgetter

from .. import platforms as registry
from ..platforms import mask_line
from ..platforms.model import ReleaseDefault
from .checks import CHECKS
from .facts import FACTS, GROUP_NOTE, acl_facts, blocked_accounts, effective_entries, unreachable
from .results import DeviceResult, Evidence, Finding, Outcome, worst
from .rules import Check, Match, Result, Rule, Standard, Threshold, first_words
from .source import DeviceConfig
from .tree import ConfigTree, Line


def ev(line: Line, note: str = "") -> Evidence:
    """Evidence as the line reads; evaluate_rule masks every secret before it leaves the engine."""
    return Evidence(line.number, line.text, note)


def _by_words(index: Callable[[str], list[Line]], words: tuple[str, ...]) -> list[Line]:
    """The lines an index gives for any of the words, in file order."""
    if len(words) == 1:
        return index(words[0])
    return sorted((ln for w in words for ln in index(w)), key=_number)


_number = attrgetter("number")


def _top_candidates(tree: ConfigTree, m: Match) -> list[Line]:
    """Top-level blocks ``m`` may match; a class view the blocks of its kind speak for is left out
    (they are judged with what they inherit from it)."""
    words = m.words
    cands = _by_words(tree.top_by_word, words) if words is not None else tree.top
    skip = tree.absorbed()
    return [b for b in cands if id(b) not in skip] if skip else cands


def _lines(tree: ConfigTree, block: Line | None, anywhere: bool) -> Iterable[Line]:
    if block is None:
        return tree.walk() if anywhere else tree.top
    extra = tree.inherited(block)
    if extra:  # settings from its class view (Comware 'line class vty'), evidence at the class's lines
        return [*block.walk(), *(x for c in extra for x in (c, *c.walk()))] if anywhere else [*block.children, *extra]
    return block.walk() if anywhere else block.children


def _matching(cfg: DeviceConfig, block: Line | None, anywhere: bool, m: Match) -> list[Line]:
    tree = cfg.tree
    if block is None:
        # Most patterns start with a literal keyword (or a few: ``^(cdp|lldp) run$``): look only
        # at lines starting with one.
        words = m.words
        if anywhere:
            cands: Iterable[Line] = _by_words(tree.any_by_word, words) if words is not None else tree.all_lines()
        else:
            cands = _by_words(tree.top_by_word, words) if words is not None else tree.top
    else:
        cands = _lines(tree, block, anywhere)
    rx = m.re
    hits = [ln for ln in cands if not ln.banner and rx.search(ln.text)]
    if m.foreign and hits:
        hits = [ln for ln in hits if unreachable(cfg, ln) is None]
    if m.active_account and hits and (blocked := blocked_accounts(cfg)):
        hits = [ln for ln in hits if (a := rx.search(ln.text)) is None or a.group("name") not in blocked]
    return hits


def release_default(name: str, cfg: DeviceConfig) -> tuple[ReleaseDefault | None, str]:
    """The platform's default ``name`` on the configuration's release, and a note naming the
    release assumed (or saying why none could be)."""
    spec = registry.platform(cfg.vendor).defaults[name]
    hit = spec.lookup(cfg.release)
    if hit is not None:
        return hit, f"{spec.what}: release {cfg.release} default{': ' + hit.note if hit.note else ''} (assumed)"
    if cfg.release is None:
        catch_all = next((r for r in spec.releases if r.release.pattern in (".", ".*", "^")), None)
        if catch_all is not None and catch_all.result == spec.unknown:
            # A default documented alike for every release (Comware's console) needs no release.
            return None, f"{spec.what}: no release named; the default documented for every release applies"
        return None, f"{spec.what}: left to the release default, and the configuration names no release"
    return None, f"{spec.what}: left to the release default, not known for release {cfg.release}"


def _threshold(
    t: Threshold,
    block: Line | None,
    anywhere: bool,
    where: Line | None,
    cfg: DeviceConfig,
    rd: str | None,
) -> Outcome:
    hits = _matching(cfg, block, anywhere, t.match)
    if not hits and rd is not None:
        hit, why = release_default(rd, cfg)
        if hit is None or hit.value is None:
            verdict = (
                hit.result if hit is not None and hit.result else registry.platform(cfg.vendor).defaults[rd].unknown
            )
            return Outcome(verdict, [ev(where, why)] if where else [], [] if where else [why])
        t = t.model_copy(update={"default": hit.value, "default_note": why})
    unit = f" {t.unit}" if t.unit else ""

    def judge(value: float) -> Result:
        if value == 0 and t.zero is not None:
            return t.zero
        if t.max is not None and value > t.max:
            return "FAIL"
        if t.min is not None and value < t.min:
            return "FAIL"
        return "PASS"

    limit = " and ".join(
        x for x in (f"<= {t.max:g}" if t.max is not None else "", f">= {t.min:g}" if t.min is not None else "") if x
    )
    if not hits:
        if t.default is None and t.absent == "N/A":
            return Outcome("N/A")
        if t.default is None:
            note = t.default_note or f"no line sets it (needs {limit}{unit})"
            return Outcome(t.absent, [ev(where, note)] if where else [], [] if where else [note])
        r = judge(t.default)
        note = f"not set: platform default {t.default:g}{unit} applies ({'meets' if r == 'PASS' else 'fails'} {limit})"
        if t.default_note:
            note += f"; {t.default_note}"
        return Outcome(r, [ev(where, note)] if where else [], [] if where else [note])
    out = Outcome("N/A")
    results: list[Result] = []
    for ln in hits:
        m = t.match.re.search(ln.text)
        assert m is not None
        value = sum(float(m.group(g) or 0) * w for g, w in t.weights.items())
        r = judge(value)
        results.append(r)
        out.evidence.append(ev(ln, f"{value:g}{unit} {'meets' if r == 'PASS' else 'fails'} {limit}"))
    out.result = worst(results)
    return out


def _instance(c: Check, cfg: DeviceConfig, block: Line | None) -> Outcome:
    results: list[Result] = []
    out = Outcome("PASS")
    groups: tuple[tuple[list[Match], Result], ...] = ((c.fail_if, "FAIL"), (c.warn_if, "WARN"), (c.review_if, "REVIEW"))
    # Entries a packet can reach, each with its text as matched (an address group admitting every
    # address read as 'any'; round 27): the others are never reached or match nothing.
    live = (
        {id(x): t for x, t in effective_entries(cfg, list(block.children))}
        if c.reachable and block is not None
        else None
    )
    for group, verdict in groups:
        for m in group:
            hits = _matching(cfg, block, c.anywhere, m)
            if live is not None and block is not None:
                hits = [ln for ln in hits if live.get(id(ln)) == ln.text] + [
                    ln for ln in block.children if live.get(id(ln), ln.text) != ln.text and m.re.search(live[id(ln)])
                ]
            for ln in hits:
                results.append(verdict)
                out.evidence.append(
                    ev(ln, m.note if live is None or live[id(ln)] == ln.text else f"{m.note} ({GROUP_NOTE})")
                )
    if c.require:
        found = [(ln, m) for m in c.require for ln in _matching(cfg, block, c.anywhere, m)]
        if found:
            results.append("PASS")
            out.evidence.extend(ev(ln, m.note) for ln, m in found)
        else:
            absent, note = c.absent, c.note
            if c.release_default is not None:
                hit, why = release_default(c.release_default, cfg)
                unknown = registry.platform(cfg.vendor).defaults[c.release_default].unknown
                absent = hit.result if hit is not None and hit.result else unknown
                note = f"{note}; {why}" if note else why
            results.append(absent)
            if block is not None:
                out.evidence.append(ev(block, note or "required line absent in this block"))
            else:
                out.notes.append(note or "required line absent")
            # A destination written but not reached says why (round 29b: a trap target whose subnet
            # only a VRF holds read as "no target" with no word of the line that is there).
            for m in c.require:
                if m.foreign:
                    raw = _matching(cfg, block, c.anywhere, m.model_copy(update={"foreign": False}))
                    out.evidence.extend(ev(ln, f"not reached: {gone}") for ln in raw if (gone := unreachable(cfg, ln)))
    if c.threshold is not None:
        t = _threshold(c.threshold, block, c.anywhere, block, cfg, c.release_default)
        results.append(t.result)
        out.evidence.extend(t.evidence)
        out.notes.extend(t.notes)
    if c.count is not None:
        hits = _matching(cfg, block, c.anywhere, c.count.match)
        n = len(hits)
        r: Result = "PASS" if n >= c.count.min else (c.count.below if n else c.count.none)
        results.append(r)
        out.evidence.extend(ev(ln, c.count.note) for ln in hits)
        if r != "PASS":
            out.notes.append(
                f"{n} found, {c.count.min} or more expected" + (f"; {c.count.note}" if c.count.note else "")
            )
    out.result = worst(results) if results else "PASS"
    return out


def _block_instances(c: Check, cfg: DeviceConfig, blocks: list[Line]) -> tuple[list[Line], list[Outcome]]:
    """The blocks a check judges (``block_if``), and a PASS for each one ``block_unless`` exempts."""
    kept: list[Line] = []
    exempt: list[Outcome] = []
    for b in blocks:
        if c.block_if and not any(_matching(cfg, b, False, m) for m in c.block_if):
            continue
        why = [ev(ln, m.note or "exempts this block") for m in c.block_unless for ln in _matching(cfg, b, False, m)]
        if why:
            exempt.append(Outcome("PASS", why))
        else:
            kept.append(b)
    return kept, exempt


def run_check(c: Check, cfg: DeviceConfig) -> Outcome:
    """One vendor check over every instance it applies to."""
    tree = cfg.tree
    if c.only_if and not any(_matching(cfg, None, c.only_if_anywhere, m) for m in c.only_if):
        return Outcome(c.only_if_absent, [], [c.only_if_note or "feature not configured"])
    if c.also_if and not any(_matching(cfg, None, False, m) for m in c.also_if):
        return Outcome(c.only_if_absent, [], [c.also_if_note or c.only_if_note or "feature not configured"])
    if c.only_if_fact is not None and not FACTS[c.only_if_fact](cfg):
        return Outcome(c.only_if_absent, [], [c.only_if_note or f"no {c.only_if_fact.replace('_', ' ')}"])
    if c.only_if_not and (off := [(ln, m) for m in c.only_if_not for ln in _matching(cfg, None, False, m)]):
        return Outcome(c.only_if_absent, [ev(ln, m.note or "switched off") for ln, m in off], [])
    if c.unless:
        alt = [(ln, m) for m in c.unless for ln in _matching(cfg, None, c.unless_anywhere, m)]
        if c.unless_block is not None:
            ub = c.unless_block.re
            for b in _top_candidates(tree, c.unless_block):
                if ub.search(b.text):
                    alt.extend((ln, m) for m in c.unless for ln in _matching(cfg, b, False, m))
        if alt:
            return Outcome("PASS", [ev(ln, m.note or "satisfies the rule") for ln, m in alt])
    if c.result is not None:
        return Outcome(c.result, [], [c.note] if c.note else [])
    if c.python is not None:
        return CHECKS[c.python](cfg, c.params)
    if c.block is None:
        return _instance(c, cfg, None)
    blocks = [b for b in _top_candidates(tree, c.block) if c.block.re.search(b.text)]
    exempt: list[Outcome] = []
    if c.block_if or c.block_unless:
        shown = bool(blocks)
        blocks, exempt = _block_instances(c, cfg, blocks)
        if shown and not blocks:
            if exempt:
                return Outcome("PASS", [e for p in exempt for e in p.evidence])
            return Outcome(c.only_if_absent, [], [c.only_if_note or "no block the check applies to"])
    if c.named_by is not None and blocks:
        names = {id(b): bm.groupdict().get("name") if (bm := c.block.re.search(b.text)) else None for b in blocks}
        if any(n is not None and n != c.named_by_default for n in names.values()):
            rx = c.named_by
            words = first_words(rx)
            cands = _by_words(tree.any_by_word, words) if words is not None else tree.all_lines()
            named = {m.group("name") for ln in cands if (m := rx.search(ln.text)) is not None}
            named.add(c.named_by_default or "")
            blocks = [b for b in blocks if names[id(b)] is None or names[id(b)] in named]
    if c.filter_acls_only and blocks:
        facts = acl_facts(cfg)
        filters = {id(a.header) for a in facts.defined() if any(u.use == "filter" for u in facts.used(a.name))}
        blocks = [b for b in blocks if id(b) in filters]
    if not blocks:
        note = c.no_block_note or f"no block matching /{c.block.re.pattern}/"
        if c.no_block_default is not None:
            hit, why = release_default(c.no_block_default, cfg)
            verdict = (
                hit.result
                if hit is not None and hit.result
                else registry.platform(cfg.vendor).defaults[c.no_block_default].unknown
            )
            return Outcome(verdict, [], [f"{note}; {why}"])
        return Outcome(c.no_block, [], [note])
    parts = [*exempt, *(_instance(c, cfg, b) for b in blocks)]
    return Outcome(
        worst([p.result for p in parts]),
        [e for p in parts for e in p.evidence],
        [n for p in parts for n in p.notes],
    )


def _once(evidence: list[Evidence]) -> list[Evidence]:
    """Each line cited once per note: two checks (or two patterns) finding the same line printed it
    twice (round 29: a ZXROS log host); a bare citation beside a noted one of the line adds nothing."""
    noted = {e.line for e in evidence if e.note}
    seen: set[tuple[int, str]] = set()
    out = []
    for e in evidence:
        key = (e.line, e.note)
        if key in seen or (not e.note and e.line in noted):
            continue
        seen.add(key)
        out.append(e)
    return out


def evaluate_rule(
    rule: Rule, cfg: DeviceConfig, role: str | None = None, masked: dict[str, str] | None = None
) -> Outcome:
    """The rule's verdict on one configuration, evidence masked. ``masked``: line -> masked line
    for this configuration's platform, kept by the caller across rules and configurations (the
    same evidence lines recur: a fleet is written from a few templates)."""
    checks = rule.checks.get(cfg.vendor)
    if not checks:
        return Outcome("N/A", [], [f"no check for {registry.display_name(cfg.vendor)}"])
    if rule.roles and role is not None and role not in rule.roles:
        return Outcome("N/A", [], [f"applies to roles {', '.join(rule.roles)}; this device is {role}"])
    parts = [run_check(c, cfg) for c in checks]
    # N/A parts (a block that does not exist) do not dilute a verdict from the other parts.
    live = [p for p in parts if p.result != "N/A"] or parts
    # The one place evidence leaves the engine: every secret masked with the platform's patterns.
    ev_sorted = _once(sorted((e for p in live for e in p.evidence), key=lambda e: e.line))
    for e in ev_sorted:
        if masked is None:
            e.text = mask_line(e.text, cfg.vendor)
        else:
            m = masked.get(e.text)
            if m is None:
                m = masked[e.text] = mask_line(e.text, cfg.vendor)
            e.text = m
    result = worst([p.result for p in live])
    # The deciding parts' notes first; a passing part's note beside a FAIL or WARN would contradict it
    # (round 27: 'HTTP server on' FAIL printed with 'no local account may log in over HTTP').
    notes = [n for p in live if p.result == result for n in p.notes]
    notes += [n for p in live if p.result not in (result, "PASS") for n in p.notes]
    notes = list(dict.fromkeys(notes))  # checks sharing a condition note it once
    if rule.if_elided and cfg.elided:
        cut = [
            (n, scope)
            for n, scope in cfg.elided
            if result in (changes := rule.if_elided.get(scope, ())) or ("unshown" in changes and not ev_sorted)
        ]
        if cut:
            notes.insert(0, f"{result} on what is shown; the author cut {cut[0][1]} out (line {cut[0][0]}): REVIEW")
            result = "REVIEW"
    return Outcome(result, ev_sorted, notes)


def scan_config(
    cfg: DeviceConfig,
    standard: Standard,
    tags: dict[str, str] | None = None,
    role: str | None = None,
    masked: dict[str, str] | None = None,
) -> DeviceResult:
    """All of a standard's rules on one configuration (``masked``: as for evaluate_rule)."""
    if masked is None:
        masked = {}
    findings: list[Finding] = []
    notes = list(cfg.notes)
    if not any(r.checks.get(cfg.vendor) for r in standard.rules):
        notes.append(f"no compliance pack for {registry.display_name(cfg.vendor)} yet: every rule is N/A")
    for rule in standard.rules:
        o = evaluate_rule(rule, cfg, role, masked)
        clauses, test_items = standard.numbering(rule)
        findings.append(
            Finding(
                rule=rule.id,
                title_en=rule.title.en,
                title_zh=rule.title.zh,
                severity=rule.severity,
                category=rule.category,
                clauses=list(clauses),
                test_items=list(test_items),
                result=o.result,
                evidence=o.evidence,
                notes=o.notes,
                remediation=list(rule.remediation.get(cfg.vendor, []))
                if o.result in ("FAIL", "WARN", "REVIEW")
                else [],
            )
        )
    return DeviceResult(
        cfg.name,
        cfg.vendor,
        cfg.source,
        standard.id,
        findings,
        notes,
        dict(tags or {}),
        time.time_ns(),
        cfg.detection.to_dict() if cfg.detection else {},
        cfg.release,
    )
