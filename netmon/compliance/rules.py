"""Rule packs as data: the YAML model of a rule, a pack, and the clause catalogue, and their loading.

A broken rule file is rejected as a whole at load time with the file, line, rule id and field
of every problem (an ``InputError``), never half-loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from re import Pattern
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .. import platforms as registry
from ..errors import InputError, Problem
from ..platforms.words import spelled_first_words
from ..yamlio import line_for_loc, line_of, load_yaml, validation_errors

HERE = Path(__file__).resolve().parent
RULES_DIR = HERE / "rules"
PACKS_DIR = HERE / "packs"
CLAUSES_FILE = HERE / "clauses.yaml"

Result = Literal["PASS", "FAIL", "WARN", "REVIEW", "N/A"]
Severity = Literal["high", "medium", "low"]
RESULTS: tuple[Result, ...] = ("FAIL", "WARN", "REVIEW", "PASS", "N/A")  # worst first
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low")
_WORD = re.compile(r"^\^([A-Za-z][\w-]*)(?: |\\s|\$)")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Match(_Strict):
    """A regex over one stripped config line, with what it means when it matches."""

    re: Pattern[str]
    note: str = ""
    # The first address the line names must not be the device's own (an interface's): syslog sent to
    # itself never leaves the device, as to 127.0.0.1 (round 24: a log host on the Loopback0 address).
    foreign: bool = False  # ... nor sent in a VRF no live interface is in (round 26; facts.unreachable)
    # The account the line names (group ``name``) must be able to log in: one the configuration
    # blocks (VRP 'local-user admin state block') is no account in effect (round 25).
    active_account: bool = False

    @model_validator(mode="before")
    @classmethod
    def _from_str(cls, v: Any) -> Any:
        return {"re": v} if isinstance(v, str) else v

    @model_validator(mode="after")
    def _account_named(self) -> Match:
        if self.active_account and "name" not in self.re.groupindex:
            raise ValueError(f"active_account needs a (?P<name>...) group in /{self.re.pattern}/")
        return self

    @property
    def word(self) -> str | None:
        """The literal first word the regex demands (``^snmp-agent ...``), used as an index key."""
        m = _WORD.match(self.re.pattern)
        return m.group(1) if m else None

    @cached_property
    def words(self) -> tuple[str, ...] | None:
        """Every first word a line can have for the regex to match it (``^(cdp|lldp) run$``: cdp,
        lldp), used as index keys; None when the regex does not spell them out. Kept on the
        instance: the engine asks for every rule on every configuration, and first_words' cache
        hashes the whole compiled pattern at each lookup."""
        return first_words(self.re)


@cache
def first_words(rx: Pattern[str]) -> tuple[str, ...] | None:
    """The first words (text up to the first space) of every line ``rx`` can match, or None when
    the pattern does not spell them out (then every line is a candidate). The simple form
    (``^word `` / ``^word$`` / ``^word\\s``) gives that one word, as ever; alternatives and
    optional groups (``^(cdp|lldp) run$``) are read off the compiled pattern."""
    if (m := _WORD.match(rx.pattern)) is not None:
        return (m.group(1),)
    return spelled_first_words(rx)


class Threshold(_Strict):
    """A number read from a line, compared with limits.

    ``match`` captures named groups; the value is the sum of each group times its weight
    (``idle-timeout (?P<m>\\d+) (?P<s>\\d+)`` with weights m: 60, s: 1 gives seconds).
    """

    match: Match
    weights: dict[str, float] = Field(default_factory=lambda: {"v": 1.0})
    max: float | None = None
    min: float | None = None
    zero: Result | None = None  # result when the value is 0 (0 often means "never", e.g. no timeout)
    default: float | None = None  # platform default when no line matches
    default_note: str = ""
    absent: Result = "FAIL"  # no line and no default
    unit: str = ""

    @model_validator(mode="after")
    def _groups(self) -> Threshold:
        names = set(self.match.re.groupindex)
        missing = set(self.weights) - names
        if missing:
            raise ValueError(f"weights name group(s) {sorted(missing)} that match does not capture")
        if self.max is None and self.min is None:
            raise ValueError("a threshold needs max or min")
        return self


class Count(_Strict):
    """How many lines match: ``min`` or more passes, fewer gives ``below``, none gives ``none``."""

    match: Match
    min: int = Field(ge=1)
    below: Result = "WARN"
    none: Result = "FAIL"
    note: str = ""


class Check(_Strict):
    """One vendor's test for a rule. Every instance (each matching block) is evaluated.

    Without ``block`` the whole configuration's top level is one instance. ``anywhere``
    extends the lines looked at to every depth.
    """

    only_if: list[Match] = Field(default_factory=list)  # top-level lines that make the check apply (any)
    only_if_absent: Result = "N/A"
    only_if_note: str = ""
    only_if_anywhere: bool = False  # look for only_if lines at every depth, not only the top level
    # Top-level lines that switch the feature off whatever else is configured (RGOS `no enable
    # service snmp-agent` with snmp-server lines kept): the check gives only_if_absent, citing them.
    only_if_not: list[Match] = Field(default_factory=list)
    # A second condition the check needs besides only_if (any of these lines): Comware 7 NTP keys
    # matter only once 'ntp-service enable' runs the service the server lines name.
    also_if: list[Match] = Field(default_factory=list)
    also_if_note: str = ""
    # A fact of facts.py that makes the check apply when it finds lines (e.g. `admin_aaa_server`:
    # administrators' logins go to a AAA server); without them, only_if_absent.
    only_if_fact: (
        Literal["admin_aaa_server", "aaa_server_reached", "admin_none_fallback", "global_ipv6", "hwtacacs_bound"] | None
    ) = None
    unless: list[Match] = Field(default_factory=list)  # top-level lines that satisfy the rule another way
    unless_anywhere: bool = False  # look for unless lines at every depth (e.g. inside an interface)
    # Also look for unless lines among the children of the top-level blocks this matches (a class
    # view whose setting every line of the class inherits, e.g. Comware 'line class aux').
    unless_block: Match | None = None
    block: Match | None = None
    # Only blocks holding one of these children are instances (a VTY that admits Telnet) ...
    block_if: list[Match] = Field(default_factory=list)
    # ... and a block holding one of these is none: it passes, citing it (a VTY that logs in by AAA
    # admits only the accounts another check of the rule judges).
    block_unless: list[Match] = Field(default_factory=list)
    # Only ACL blocks applied as traffic filters are instances (an ACL that only selects NAT/QoS/
    # IPsec traffic, guards management, or is applied nowhere permits nothing through the device).
    filter_acls_only: bool = False
    # In an ACL block, judge only the entries a packet can reach: none after a permit-all or deny-all
    # (facts.reachable; round 26).
    reachable: bool = False
    # Of the `block` matches whose header names something (the block regex's group ``name``), only those
    # some line names (this regex's group ``name``, any depth) are instances; ``named_by_default``: a name
    # every block of that kind is taken as named by (Comware's 'system' user group holds every account
    # that names no group). A user group no account joins binds nobody (round 26).
    named_by: Pattern[str] | None = None
    named_by_default: str | None = None
    anywhere: bool = False
    fail_if: list[Match] = Field(default_factory=list)
    warn_if: list[Match] = Field(default_factory=list)
    review_if: list[Match] = Field(default_factory=list)
    require: list[Match] = Field(default_factory=list)  # at least one must match, else `absent`
    absent: Result = "FAIL"
    note: str = ""  # why `absent` is what it is: the platform default
    threshold: Threshold | None = None
    count: Count | None = None
    no_block: Result = "N/A"  # when `block` matches nothing
    no_block_note: str = ""
    python: str | None = None  # a named check in netmon.compliance.checks
    params: dict[str, Any] = Field(default_factory=dict)
    result: Result | None = None  # a fixed verdict (REVIEW: the config cannot prove it)
    # A default that changed between releases (the platform's defaults.yaml): it gives the
    # threshold's default value or `require`'s absent verdict for the configuration's release,
    # and REVIEW (the entry's `unknown`) when the release is not known.
    release_default: str | None = None
    # When `block` matches nothing, the verdict is this release default's (a line every device has,
    # e.g. the VTYs, left out of the configuration shown).
    no_block_default: str | None = None

    @model_validator(mode="after")
    def _something(self) -> Check:
        if not (
            self.fail_if or self.warn_if or self.review_if or self.require or self.threshold or self.count
        ) and not (self.python or self.result):
            raise ValueError(
                "a check needs at least one of fail_if, warn_if, review_if, require, threshold, count, python or result"
            )
        if self.python is not None:
            from .checks import CHECKS  # here, not at the top: checks imports results, which imports this module

            if self.python not in CHECKS:
                raise ValueError(f"unknown python check {self.python!r}; known: {', '.join(sorted(CHECKS))}")
        return self


class Title(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Rule(_Strict):
    id: str = Field(pattern=r"^[A-Z]{2,4}-\d{2,3}$")
    title: Title
    clauses: list[str] = Field(
        default_factory=list
    )  # section-relative: "4.1a" = 8.1.4.1 a (level 3) / 7.1.4.1 a (level 2)
    severity: Severity
    category: str
    rationale: str = Field(min_length=1)  # why the rule exists; shown by `netmon rules show`
    roles: list[str] = Field(default_factory=list)  # device roles it applies to; empty = all
    # What the author cut out of a published configuration -> the verdicts that cut could change
    # (DeviceConfig.elided): those become REVIEW. {interfaces: [PASS, N/A]}: a rule over every
    # access port cannot pass, or find none, when ports were left out.
    # "unshown": any verdict that cites no line (it rests on something absent from what is shown).
    if_elided: dict[str, list[Result | Literal["unshown"]]] = Field(default_factory=dict)
    # Per platform. The built-in rules keep theirs in the platform folders (compliance.yaml),
    # merged in by load_rules(); a site rule file may still carry them inline.
    checks: dict[str, list[Check]] = Field(default_factory=dict)
    remediation: dict[str, list[str]] = Field(default_factory=dict)
    source: str = Field(default="", exclude=True)
    line: int | None = Field(default=None, exclude=True)

    @field_validator("checks", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: (c if isinstance(c, list) else [c]) for k, c in v.items()}
        return v

    @field_validator("checks", "remediation")
    @classmethod
    def _vendors(cls, v: dict[str, Any]) -> dict[str, Any]:
        known = registry.platforms()
        bad = set(v) - set(known)
        if bad:
            raise ValueError(f"unknown vendor(s) {sorted(bad)}; known: {', '.join(sorted(known))}")
        return v

    @field_validator("clauses")
    @classmethod
    def _clauses(cls, v: list[str]) -> list[str]:
        known = clauses()
        bad = [c for c in v if c not in known]
        if bad:
            raise ValueError(f"unknown clause(s) {bad}; clauses.yaml lists them (e.g. '4.1a')")
        return v


class Clause(_Strict):
    zh: str
    en: str
    l3_item: str | None = None  # GB/T 28448-2019 level-3 test item
    l2: bool = True  # the clause exists at level 2 (same sub-letter)
    l2_item: str | None = None


class Pack(_Strict):
    id: str
    title: Title
    level: Literal[2, 3]  # which numbering (7.1.x level 2, 8.1.x level 3) the pack reports
    description: str = ""
    requires_clauses: bool = True  # MLPS packs: every rule must cite a clause of the pack's level
    include: list[str] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list)


def _problems(exc: ValidationError, path: Path, doc: Any, prefix: tuple[str | int, ...], label: str) -> list[Problem]:
    out = []
    for loc, msg in validation_errors(exc):
        where = ".".join(str(p) for p in loc)
        out.append(Problem(str(path), msg, line_for_loc(doc, prefix + loc), f"{label}{': ' + where if where else ''}"))
    return out


@cache
def clauses() -> dict[str, Clause]:
    doc = load_yaml(CLAUSES_FILE)
    return {str(k): Clause.model_validate(v) for k, v in doc.items()}


def full_clause(rel: str, level: int) -> str:
    """'4.1a' -> '8.1.4.1 a' (level 3) or '7.1.4.1 a' (level 2)."""
    head, letter = rel[:-1], rel[-1]
    return f"{8 if level == 3 else 7}.1.{head} {letter}"


def test_item(rel: str, level: int) -> str | None:
    c = clauses().get(rel)
    if c is None:
        return None
    return c.l3_item if level == 3 else c.l2_item


def load_rule_file(path: Path) -> list[Rule]:
    doc = load_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        raise InputError.one(str(path), "a rule file is a mapping with a 'rules:' list", line_of(doc))
    out: list[Rule] = []
    problems: list[Problem] = []
    for i, raw in enumerate(doc["rules"]):
        rid = raw.get("id", f"#{i + 1}") if isinstance(raw, dict) else f"#{i + 1}"
        try:
            rule = Rule.model_validate(raw)
        except ValidationError as exc:
            problems.extend(_problems(exc, path, doc, ("rules", i), f"rule {rid}"))
            continue
        out.append(rule.model_copy(update={"source": str(path), "line": line_of(doc["rules"], i)}))
    if problems:
        raise InputError(problems)
    return out


def load_rules(extra_dirs: tuple[Path, ...] = ()) -> dict[str, Rule]:
    """Every rule: the built-in ones plus any ``*.yaml`` in extra_dirs (site rules)."""
    rules: dict[str, Rule] = {}
    problems: list[Problem] = []
    files = sorted(RULES_DIR.glob("*.yaml"))
    for d in extra_dirs:
        if not d.is_dir():
            raise InputError.one(str(d), "rules directory does not exist")
        files += sorted(d.glob("*.yaml"))
    for f in files:
        try:
            loaded = load_rule_file(f)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        for r in loaded:
            if r.id in rules:
                first = rules[r.id]
                problems.append(
                    Problem(
                        str(f),
                        f"duplicate rule id (first defined in {first.source}:{first.line})",
                        r.line,
                        f"rule {r.id}: id",
                    )
                )
            rules[r.id] = r
    if problems:
        raise InputError(problems)
    return _with_platform_checks(rules)


def _with_platform_checks(rules: dict[str, Rule]) -> dict[str, Rule]:
    """Each platform folder's ``compliance.yaml`` (checks and remediation keyed by rule id)
    merged into the rules; a bad check is named by the platform file and line."""
    reg = registry.registry()
    problems: list[Problem] = []
    checks: dict[str, dict[str, list[Check]]] = {}
    remediation: dict[str, dict[str, list[str]]] = {}
    for key, plat in reg.platforms.items():
        for rid, entry in plat.compliance.items():
            if rid not in rules:
                path, line = reg.locate(key, ("compliance", rid))
                problems.append(
                    Problem(
                        path, "no rule with this id (a site rule? pass its --rules-dir)", line, f"compliance: {rid}"
                    )
                )
                continue
            parsed: list[Check] = []
            for i, raw in enumerate(entry.checks):
                try:
                    c = Check.model_validate(raw)
                    missing = [
                        n for n in (c.release_default, c.no_block_default) if n is not None and n not in plat.defaults
                    ]
                    if missing:
                        path, line = reg.locate(key, ("compliance", rid, "checks", i))
                        problems.append(
                            Problem(
                                path,
                                f"no default {missing[0]!r} in defaults.yaml",
                                line,
                                f"{rid}: checks.{i}.release_default",
                            )
                        )
                    parsed.append(c)
                except ValidationError as exc:
                    for loc, msg in validation_errors(exc):
                        path, line = reg.locate(key, ("compliance", rid, "checks", i, *loc))
                        where = ".".join(str(p) for p in loc)
                        problems.append(Problem(path, msg, line, f"{rid}: checks.{i}{'.' + where if where else ''}"))
            if parsed:
                checks.setdefault(rid, {})[key] = parsed
            if entry.remediation:
                remediation.setdefault(rid, {})[key] = list(entry.remediation)
    if problems:
        raise InputError(problems)
    out: dict[str, Rule] = {}
    for rid, rule in rules.items():
        if rid in checks or rid in remediation:
            rule = rule.model_copy(
                update={
                    "checks": {**rule.checks, **checks.get(rid, {})},
                    "remediation": {**rule.remediation, **remediation.get(rid, {})},
                }
            )
        out[rid] = rule
    return out


@dataclass(frozen=True, slots=True)
class Standard:
    """A resolved pack: its rules in order and the numbering level it reports."""

    pack: Pack
    rules: tuple[Rule, ...]

    @property
    def id(self) -> str:
        return self.pack.id

    @property
    def level(self) -> int:
        return self.pack.level

    def clauses_of(self, rule: Rule) -> list[str]:
        """The rule's clauses that exist at this pack's level, fully numbered."""
        return list(self.numbering(rule)[0])

    def test_items_of(self, rule: Rule) -> list[str]:
        return list(self.numbering(rule)[1])

    def numbering(self, rule: Rule) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(clauses_of, test_items_of) at once: asked for every finding of every device."""
        return _numbered(self.pack.level, tuple(rule.clauses))


@cache
def _numbered(level: int, rel: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fully numbered clauses, test items) of section-relative clauses at a level: asked for
    every finding of every device, so worked out once per rule."""
    known = clauses()
    kept = [c for c in rel if level == 3 or known[c].l2]
    items = [test_item(c, level) for c in kept]
    return tuple(full_clause(c, level) for c in kept), tuple(i for i in items if i)


def pack_ids(packs_dir: Path = PACKS_DIR) -> list[str]:
    return sorted(p.stem for p in packs_dir.glob("*.yaml"))


def _load_pack(path: Path) -> Pack:
    doc = load_yaml(path)
    try:
        return Pack.model_validate(doc)
    except ValidationError as exc:
        raise InputError(_problems(exc, path, doc, (), f"pack {path.stem}")) from None


def load_standard(pack_id: str, extra_rule_dirs: tuple[Path, ...] = (), packs_dir: Path = PACKS_DIR) -> Standard:
    """Resolve a pack by id: its includes first, then its own rules, each rule once."""
    rules = load_rules(extra_rule_dirs)
    order: list[str] = []
    problems: list[Problem] = []
    seen: set[str] = set()

    def visit(pid: str, chain: tuple[str, ...]) -> Pack:
        path = packs_dir / f"{pid}.yaml"
        if not path.is_file():
            raise InputError.one(pid, f"no such standard; known: {', '.join(pack_ids(packs_dir))}")
        if pid in chain:
            raise InputError.one(str(path), f"include cycle: {' -> '.join((*chain, pid))}")
        pack = _load_pack(path)
        for inc in pack.include:
            visit(inc, (*chain, pid))
        doc = load_yaml(path)
        for i, rid in enumerate(pack.rules):
            if rid not in rules:
                problems.append(
                    Problem(str(path), "no rule with this id", line_of(doc.get("rules"), i), f"rules: {rid}")
                )
            elif rid not in seen:
                seen.add(rid)
                order.append(rid)
        return pack

    top = visit(pack_id, ())
    if problems:
        raise InputError(problems)
    std = Standard(top, tuple(rules[r] for r in order))
    if top.requires_clauses:
        for r in std.rules:
            if not std.clauses_of(r):
                raise InputError.one(
                    str(packs_dir / f"{pack_id}.yaml"),
                    f"rule cites no clause that exists at level {top.level}",
                    field=f"rules: {r.id}",
                )
    return std
