"""Alert rules as YAML, loaded and checked once, then evaluated on every point.

A rules file holds ``rules:``, a list of rules (see docs/ALERTING.md)::

    - id: uplink_down
      measurement: interface
      match: {uplink: "1"}          # point tags, globs; a list means any of
      select: [tier=province,city]  # devices, netmon.inventory.Scope words
      when: oper_status == 2
      recover: oper_status == 1     # hysteresis; default: `when` no longer true
      for: 0s
      severity: critical
      group_by: [device, ifIndex]   # one alert per device and interface
      summary: {en: "...{device} {ifName}...", zh: "..."}

Kinds: a *state* rule (the default) fires while ``when`` holds and resolves on ``recover``;
an *event* rule (``event: true``) fires on each matching point and resolves by itself after
``resolve_after``; ``absent: 5m`` fires when a series seen before sends nothing for 5 minutes.
Unknown measurements, fields and tags are rejected at load with the rule id and field.
"""

from __future__ import annotations

import glob as globmod
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import InputError, Problem
from ..inventory import Inventory, Scope
from ..yamlio import LineDict, LineList, line_for_loc, line_of, load_yaml
from .conditions import Condition, ConditionError, compile_condition
from .durations import Duration
from .quorum import QUORUM_FIELDS, Quorum
from .selectors import DeviceSelector

Severity = Literal["critical", "major", "warning", "info"]
SEVERITY_ORDER = {"critical": 0, "major": 1, "warning": 2, "info": 3}
DEVICE_TAGS = ("device", "network", "tier", "region", "province", "site", "role", "vendor")
# Labels the engine adds to every alert (usable in templates and routes).
ENGINE_LABELS = ("alertname", "severity", "value", "root_cause", "impact", "state")
DEFAULT_RULES_DIR = Path(__file__).resolve().parents[2] / "configs" / "alerts"


@cache
def known_measurements() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """measurement -> (fields, extra tags), from measurements.yaml beside this module."""
    doc = yaml.safe_load((Path(__file__).with_name("measurements.yaml")).read_text(encoding="utf-8"))
    return {m: (frozenset(v.get("fields") or ()), frozenset(v.get("tags") or ())) for m, v in doc.items()}


class Summary(BaseModel):
    model_config = ConfigDict(extra="forbid")
    en: str
    zh: str


class RuleSpec(BaseModel):
    """One rule as written in YAML."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(pattern=r"^[A-Za-z0-9_.:-]+$", max_length=100)
    measurement: str
    when: str | None = None
    recover: str | None = None
    for_: Duration = Field(0.0, alias="for")
    severity: Severity = "warning"
    select: list[str] = Field(default_factory=list)
    match: dict[str, str | list[str]] = Field(default_factory=dict)
    group_by: list[str] | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    summary: Summary
    root_cause: bool = False
    # Suppressed behind an outage's root cause (the device is cut off, or is the down root and
    # this alert folds into its incident). Default: only rules on reachability-derived data
    # (REACHABILITY_MEASUREMENTS); a compliance finding or a config change is news in an outage too.
    suppress_behind_root_cause: bool | None = None
    event: bool = False
    resolve_after: Duration = 600.0
    # event rules: fire only at the `count`-th matching point of one alert within `within`
    # (e.g. 5 failed logins from one source in 5 minutes); the alert's value is the count.
    count: int = Field(1, ge=1)
    within: Duration | None = None
    absent: Duration | None = None
    quorum: Quorum | None = None
    enabled: bool = True

    @field_validator("labels", mode="before")
    @classmethod
    def _labels(cls, v: Any) -> Any:
        return {str(k): str(x) for k, x in v.items()} if isinstance(v, dict) else v

    @field_validator("match", mode="before")
    @classmethod
    def _match(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): [str(i) for i in x] if isinstance(x, list) else str(x) for k, x in v.items()}
        return v


@dataclass(eq=False)
class Rule:
    """A compiled rule: conditions as closures, selectors cached per device."""

    spec: RuleSpec
    source: str
    line: int | None
    when: Condition | None
    recover: Condition | None
    selector: DeviceSelector
    match: dict[str, tuple[str, ...]]
    group_by: tuple[str, ...]
    label_map: tuple[tuple[str, str], ...]  # (label, tag) pairs making the alert's identity
    match_exact: tuple[tuple[str, str], ...] = field(default=())
    field_groups: tuple[str, ...] = field(default=())  # group_by names that are fields (event rules)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def suppressible(self) -> bool:
        """Whether this rule's alerts are suppressed behind a root cause (see RuleSpec)."""
        s = self.spec
        if s.suppress_behind_root_cause is not None:
            return s.suppress_behind_root_cause
        return s.root_cause or s.measurement in REACHABILITY_MEASUREMENTS

    @property
    def kind(self) -> str:
        if self.spec.absent is not None:
            return "absent"
        return "event" if self.spec.event else "state"


def _template_names(text: str) -> set[str]:
    out = set()
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None:
            out.add(name.split(".")[0].split("[")[0])
    return out


def _default_group_by(measurement: str) -> tuple[str, ...]:
    return {
        "interface": ("device", "ifIndex"),
        "compliance": ("device", "standard"),
        "compliance_rule": ("device", "standard", "check=rule"),
        "probe": ("device", "target", "kind"),
        "service": ("target",),
        "service_cert": ("target",),
        "service_revocation": ("target", "method"),
        "security_finding": ("device", "finding=rule", "category"),
        "netmon_self": ("instance",),
        "snmp_trap": ("device", "trap", "ifIndex"),
    }.get(measurement, ("device",))


# Measurements whose alerts follow from a device being unreachable: a poll that fails, a port
# going down on the dead path, a probe or service check through it.
REACHABILITY_MEASUREMENTS = frozenset({"snmp_reach", "interface", "probe", "service"})


def compile_rule(spec: RuleSpec, source: str, line: int | None, where: str, inventory: Inventory | None) -> Rule:
    """Check a rule against the schema and compile it; a ValueError names the field at fault."""
    known = known_measurements()
    if spec.measurement not in known:
        raise _FieldError("measurement", f"unknown measurement {spec.measurement!r}; known: {', '.join(sorted(known))}")
    fields, extra_tags = known[spec.measurement]
    tags_ok = set(DEVICE_TAGS) | extra_tags
    if spec.absent is None and not spec.event and not spec.when:
        raise _FieldError("when", "a state rule needs `when:` (or `event: true`, or `absent: DURATION`)")
    conds: dict[str, Condition | None] = {}
    for name in ("when", "recover"):
        text = getattr(spec, name)
        if text is None:
            conds[name] = None
            continue
        try:
            c = compile_condition(text)
        except ConditionError as exc:
            raise _FieldError(name, str(exc)) from None
        bad = sorted(c.fields - fields)
        if bad:
            raise _FieldError(
                name, f"unknown field {bad[0]!r} of measurement {spec.measurement}; known: {', '.join(sorted(fields))}"
            )
        conds[name] = c
    for key in spec.match:
        if key not in tags_ok:
            raise _FieldError(
                f"match.{key}", f"{spec.measurement} points have no tag {key!r}; known: {', '.join(sorted(tags_ok))}"
            )
    group_by = tuple(spec.group_by) if spec.group_by is not None else _default_group_by(spec.measurement)
    if (spec.count > 1 or spec.within is not None) and not spec.event:
        raise _FieldError("count", "count/within apply to event rules (`event: true`)")
    if spec.count > 1 and spec.within is None:
        raise _FieldError("within", "count needs a window, e.g. within: 5m")
    label_map = []
    field_groups = []
    for g in group_by:
        label, _, tag = g.partition("=")
        tag = tag or label
        if tag not in tags_ok and spec.event and tag in fields:
            field_groups.append(tag)  # e.g. one brute-force alert per source address (a field)
        elif tag not in tags_ok:
            raise _FieldError("group_by", f"{spec.measurement} points have no tag {tag!r} to group by")
        if label in ENGINE_LABELS:
            raise _FieldError("group_by", f"label {label!r} is set by the engine; rename it, e.g. check={tag}")
        label_map.append((label, tag))
    try:
        scope = Scope.parse(spec.select)
    except InputError as exc:
        raise _FieldError("select", "; ".join(p.reason for p in exc.problems)) from None
    if spec.quorum is not None:
        if spec.event or spec.absent is not None:
            raise _FieldError("quorum", "quorum applies to state rules (when/recover) only")
        if spec.quorum.by not in tags_ok:
            raise _FieldError("quorum.by", f"{spec.measurement} points have no tag {spec.quorum.by!r} to vote by")
        if any(c is not None and c.uses_delta for c in conds.values()):
            raise _FieldError("when", "delta() cannot be used with quorum")
    allowed = tags_ok | fields | set(spec.labels) | set(ENGINE_LABELS) | {lbl for lbl, _ in label_map}
    if spec.quorum is not None:
        allowed |= set(QUORUM_FIELDS)
    for lang in ("en", "zh"):
        text = getattr(spec.summary, lang)
        try:
            names = _template_names(text)
        except ValueError as exc:
            raise _FieldError(f"summary.{lang}", f"bad template: {exc}") from None
        bad_names = sorted(names - allowed)
        if bad_names:
            raise _FieldError(f"summary.{lang}", f"unknown placeholder {{{bad_names[0]}}}")
    match = {k: tuple(v) if isinstance(v, list) else (v,) for k, v in spec.match.items()}
    exact = tuple((k, v[0]) for k, v in match.items() if len(v) == 1 and not any(ch in v[0] for ch in "*?["))
    return Rule(
        spec,
        source,
        line,
        conds["when"],
        conds["recover"],
        DeviceSelector(scope, inventory),
        match,
        group_by,
        tuple(label_map),
        exact,
        tuple(field_groups),
    )


class _FieldError(ValueError):
    def __init__(self, fld: str, reason: str) -> None:
        super().__init__(reason)
        self.field = fld
        self.reason = reason


def _rule_files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if any(ch in str(p) for ch in "*?["):
            out.extend(Path(m) for m in sorted(globmod.glob(str(p))))
        elif p.is_dir():
            out.extend(sorted([*p.glob("*.yaml"), *p.glob("*.yml")]))
        else:
            out.append(p)
    return out


def load_rules(paths: Iterable[Path], inventory: Inventory | None = None) -> list[Rule]:
    """Load every rule file; all problems in all files are reported together (file, line, rule id, field)."""
    problems: list[Problem] = []
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    files = _rule_files(paths)
    if not files:
        raise InputError.one(", ".join(str(p) for p in paths) or "alerting.rules", "no rule files found")
    for path in files:
        src = str(path)
        try:
            doc = load_yaml(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        items = doc.get("rules") if isinstance(doc, Mapping) else None
        if not isinstance(items, list):
            problems.append(Problem(src, "a rules file is a mapping with `rules:`, a list of rules", line_of(doc)))
            continue
        for i, item in enumerate(items):
            rid = str(item.get("id")) if isinstance(item, Mapping) and item.get("id") else f"rules[{i}]"
            line = line_of(items, i) if isinstance(items, LineList) else None
            if not isinstance(item, Mapping):
                problems.append(Problem(src, f"rule {rid}: each rule is a mapping", line))
                continue
            try:
                spec = RuleSpec.model_validate(item)
            except ValidationError as exc:
                for err in exc.errors():
                    loc = tuple(err["loc"])
                    msg = err["msg"].removeprefix("Value error, ")
                    if err["type"] == "extra_forbidden":
                        msg = "unknown setting"
                    elif err["type"] == "missing":
                        msg = "required setting is missing"
                    fld = ".".join(str(x) for x in loc)
                    ln = line_for_loc(item, loc) if isinstance(item, LineDict) else line
                    problems.append(Problem(src, f"rule {rid}: {msg}", ln, fld))
                continue
            if spec.id in seen:
                problems.append(Problem(src, f"rule {spec.id}: duplicate id (first in {seen[spec.id]})", line, "id"))
                continue
            seen[spec.id] = src
            try:
                rule = compile_rule(spec, src, line, src, inventory)
            except _FieldError as exc:
                ln = line_of(item, exc.field.split(".")[0]) if isinstance(item, LineDict) else line
                problems.append(Problem(src, f"rule {spec.id}: {exc.reason}", ln, exc.field))
                continue
            if spec.enabled:
                rules.append(rule)
    if problems:
        raise InputError(problems)
    return rules
