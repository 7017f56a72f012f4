"""What a platform folder holds, as validated models (one section per file of the folder).

``platform.yaml`` gives the top-level fields; ``health.yaml``, ``ssh.yaml``, ``config.yaml``,
``secrets.yaml``, ``compliance.yaml`` and ``lab.yaml`` each fill the section of their name.
Every section but ``platform.yaml`` is optional, and ``extends:`` inherits it from another
platform, merged field by field (registry.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from re import Pattern
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# banner/header TYPE [information] DELIM...: the delimiter is the first non-space character
# (or the two-character caret notation ``^C`` IOS prints for ETX). VRP writes `header login
# information "..."`, Comware `header motd %...%`, IOS/RGOS `banner motd ^C...^C`, ZXROS `banner incoming #`.
BANNER = re.compile(r"^(?:banner|header)\s+[\w-]+(?:\s+information)?\s+(\^C|\x03|[^\w\s])(.*)$")
HEALTH_FIELDS = (
    "cpu_pct",
    "mem_pct",
    "mem_used_bytes",
    "mem_total_bytes",
    "mem_free_bytes",  # internal: turned into mem_total_bytes, never emitted
    "temp_c",
    "fans_total",
    "fans_failed",
    "psu_total",
    "psu_failed",
)
COMMAND_KEYS = ("running_config", "version", "interfaces", "lldp", "arp", "routes", "users")
TIERS = ("central", "province", "city", "county", "township")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, populate_by_name=True)


# --- SNMP health -----------------------------------------------------------------------------


class HealthSource(_Strict):
    """One column walked for a health field, and how its rows become one value."""

    oid: str = Field(pattern=r"^\d+(\.\d+)+$")
    agg: Literal["max", "min", "sum", "avg", "first", "count", "count_eq"] = "max"
    min_: float | None = Field(None, alias="min")
    max_: float | None = Field(None, alias="max")
    scale: float = 1.0
    values: list[int] = Field(default_factory=list)  # count_eq: rows equal to one of these
    exclude: list[int] = Field(default_factory=list)  # count: rows to leave out
    where_oid: str | None = Field(None, pattern=r"^\d+(\.\d+)+$")
    where_value: str | None = None
    multiply_oid: str | None = Field(None, pattern=r"^\d+(\.\d+)+$")


def _check_health(v: dict[str, list[HealthSource]]) -> dict[str, list[HealthSource]]:
    unknown = sorted(set(v) - set(HEALTH_FIELDS))
    if unknown:
        raise ValueError(f"unknown health field(s) {unknown}; known: {', '.join(HEALTH_FIELDS)}")
    return v


# --- SSH ---------------------------------------------------------------------------------------


class Command(_Strict):
    command: str = Field(min_length=1)
    parse: Literal["version", "interfaces", "lldp"] | None = None
    fields: dict[str, str] = Field(default_factory=dict)


class SshSpec(_Strict):
    """The platform's read-only command set: the allow-list a session may send, nothing else."""

    netmiko: str | None = None  # netmiko device_type; null: no SSH collection
    ntc_platform: str | None = None
    enable: bool = False
    session: tuple[str, ...] = ()
    admin_down: tuple[str, ...] = ()
    errors: tuple[Pattern[str], ...] = ()
    commands: dict[str, Command] = Field(default_factory=dict)

    @field_validator("errors", mode="before")
    @classmethod
    def _multiline(cls, v: Any) -> Any:
        return [re.compile(p, re.M) if isinstance(p, str) else p for p in v] if isinstance(v, list) else v

    @field_validator("commands")
    @classmethod
    def _keys(cls, v: dict[str, Command]) -> dict[str, Command]:
        unknown = sorted(set(v) - set(COMMAND_KEYS))
        if unknown:
            raise ValueError(f"unknown command key(s) {unknown}; known: {', '.join(COMMAND_KEYS)}")
        if v and "running_config" not in v:
            raise ValueError("running_config is required")
        return v


# --- configuration text -------------------------------------------------------------------------


class Signature(_Strict):
    """A regex searched in a configuration's head and tail, and the weight it adds to the score."""

    re: Pattern[str]
    w: int


def _need_group(patterns: tuple[Pattern[str], ...], group: str) -> tuple[Pattern[str], ...]:
    """The patterns, each checked to capture ``group`` (a validator's body)."""
    for p in patterns:
        if group not in p.groupindex:
            raise ValueError(f"/{p.pattern}/ has no (?P<{group}>...) group")
    return patterns


class Inheritance(_Strict):
    """Views whose settings every block of their kind takes unless it sets its own: Comware 7's
    `line class vty` for `line vty 0 63` ("A non-default setting in user line view takes precedence
    over a non-default setting in user line class view": H3C login management commands)."""

    parent: Pattern[str]  # the class view; group ``kind``
    child: Pattern[str]  # a block of that kind; group ``kind``
    aliases: dict[str, str] = Field(default_factory=dict)  # a child's kind word -> its class's (con -> console)
    # First words that name a setting only with the next word ("command authorization" and
    # "command accounting" are two settings); any other setting is named by its first word.
    two_word: tuple[str, ...] = ()

    @field_validator("parent", "child")
    @classmethod
    def _kind(cls, v: Pattern[str]) -> Pattern[str]:
        return _need_group((v,), "kind")[0]


class Grammar(_Strict):
    """How the platform writes a configuration: what the tree parser and detection need."""

    comment: tuple[str, ...] = ("!",)  # first characters of comment / separator lines
    separator: str = "!"  # the line printed alone between sections (a detection tie-breaker)
    config_end: tuple[str, ...] = ("end",)  # the last line of a configuration, at column 0
    # Comment lines a whole configuration may end with instead (ZXAN V5 / TITAN close with
    # "!</MSAN>" and print no "end"): such a file is not reported as possibly truncated.
    config_last: tuple[str, ...] = ()
    section_end: tuple[str, ...] = ()  # a line that closes the innermost open block (ZXROS "$")
    negation: tuple[str, ...] = ("no",)  # the prefix of the explicit "feature off" form
    hostname: Pattern[str] = re.compile(r"^\s?hostname\s+(\S+)")
    # A banner's first line: the text after it runs to the delimiter (group 1; the rest of the
    # line is group 2) and may hold anything, "#", "!" or "end" included.
    banner: Pattern[str] = BANNER
    # Blocks of literal text that, unlike a banner, end at a fixed line: header prefix -> closing
    # line (IOS `macro name X` ... `@`). Their lines may read `end`, `exit`, `interface ...` or
    # `no ...`, and none of them is configuration in effect: the tree keeps them as text.
    literal_blocks: dict[str, str] = Field(default_factory=dict)
    # Which branches of the built-in Python checks (compliance/checks.py) the CLI follows.
    family: Literal["ios", "vrp", "comware"] = "ios"
    wrap: int = 0  # terminal width the device wraps long lines at (0: never); secrets may continue
    # Block headers ("interface X", "line vty 0 4"): when a capture lost its indentation (pasted
    # from a web page), the column-0 lines after a header, up to the next separator, are its children.
    flat_blocks: Pattern[str] | None = None
    # Blocks inside those blocks (a USG's 'manager-user X' in 'aaa', 'rule name X' in
    # 'security-policy'): in such a capture they hold the column-0 lines after them, up to the next
    # one or the separator.
    flat_subblocks: Pattern[str] | None = None
    inherit: Inheritance | None = None  # class views whose settings blocks of their kind inherit

    @field_validator("hostname", "banner")
    @classmethod
    def _groups(cls, v: Pattern[str], info: ValidationInfo) -> Pattern[str]:
        need = {"hostname": (1, "the name"), "banner": (2, "the delimiter, the rest of the line")}[str(info.field_name)]
        if v.groups < need[0]:
            raise ValueError(f"{info.field_name} needs {need[0]} capturing group(s) ({need[1]})")
        return v


class ReleaseSpec(_Strict):
    """Where the software release is written: regexes with a ``release`` group."""

    config: tuple[Pattern[str], ...] = ()  # header lines of a saved configuration
    # how many lines from the top hold it; None: anywhere (ZXAN V4 writes it after the interfaces)
    config_lines: int | None = 60
    show_version: tuple[Pattern[str], ...] = ()  # output of display/show version

    @field_validator("config", "show_version")
    @classmethod
    def _group(cls, v: tuple[Pattern[str], ...]) -> tuple[Pattern[str], ...]:
        return _need_group(v, "release")


class PagerRemnant(_Strict):
    """What a terminal's pager leaves at the head of a line in a saved session (the prompt and
    the escapes or backspaces that erased it): ``re`` is matched at the line's start and removed;
    ``mark`` is a plain string every remnant holds, searched first so a clean file costs one scan."""

    mark: str = Field(min_length=1)
    re: Pattern[str]

    @field_validator("re")
    @classmethod
    def _anchored(cls, v: Pattern[str]) -> Pattern[str]:
        if not v.pattern.startswith("^"):
            raise ValueError(f"/{v.pattern}/ must start with ^: only a line-leading remnant is one")
        return v


class ConfigSpec(_Strict):
    grammar: Grammar = Field(default_factory=Grammar)
    release: ReleaseSpec = Field(default_factory=ReleaseSpec)
    starts: tuple[Pattern[str], ...] = ()  # lines that begin a configuration (to find a second one in a file)
    # Lines that, right after the final word, continue the same device's output rather than start
    # another configuration (a USG's `switch vsys NAME`: each virtual system's configuration).
    continues: tuple[Pattern[str], ...] = ()
    detect: dict[str, Signature] = Field(default_factory=dict)
    volatile: dict[str, Pattern[str]] = Field(default_factory=dict)
    changed_by: tuple[Pattern[str], ...] = ()
    pager: dict[str, PagerRemnant] = Field(default_factory=dict)  # remnants a terminal capture keeps

    @field_validator("changed_by")
    @classmethod
    def _who_when(cls, v: tuple[Pattern[str], ...]) -> tuple[Pattern[str], ...]:
        for p in v:
            if not set(p.groupindex) & {"who", "when"}:
                raise ValueError(f"/{p.pattern}/ captures neither (?P<who>...) nor (?P<when>...)")
        return v


class SecretPattern(_Strict):
    """A regex whose ``secret`` group(s) (``secret``, ``secret2``...) are masked wherever shown."""

    re: Pattern[str]

    @model_validator(mode="before")
    @classmethod
    def _from_str(cls, v: Any) -> Any:
        return {"re": v} if isinstance(v, str) else v

    @field_validator("re")
    @classmethod
    def _group(cls, v: Pattern[str]) -> Pattern[str]:
        if not any(g.startswith("secret") for g in v.groupindex):
            raise ValueError(f"/{v.pattern}/ has no (?P<secret>...) group")
        return v


# --- compliance (checks are validated by netmon.compliance.rules when rules load) -------------


class RuleEntry(_Strict):
    checks: list[dict[str, Any]] = Field(default_factory=list)
    remediation: list[str] = Field(default_factory=list)

    @field_validator("checks", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, dict) else v


class ReleaseDefault(_Strict):
    """A platform default on the releases whose name matches ``release`` (a regex searched in
    the release string the configuration or ``display version`` gives)."""

    release: Pattern[str]
    value: float | None = None  # a number (a threshold's default)
    result: Literal["PASS", "FAIL", "WARN", "REVIEW", "N/A"] | None = None  # or a verdict (a line's absence)
    note: str = ""  # what the default is, as the documentation of those releases states it

    @model_validator(mode="after")
    def _one(self) -> ReleaseDefault:
        if (self.value is None) == (self.result is None):
            raise ValueError("give exactly one of value or result")
        return self


class DefaultSpec(_Strict):
    """A default that changed between releases (defaults.yaml): the first matching entry wins;
    with no release known, or a release no entry matches, the verdict is ``unknown``."""

    what: str = Field(min_length=1)  # what the default governs, for the notes
    releases: list[ReleaseDefault] = Field(default_factory=list)
    unknown: Literal["PASS", "FAIL", "WARN", "REVIEW", "N/A"] = "REVIEW"

    def lookup(self, release: str | None) -> ReleaseDefault | None:
        if release is None:
            return None
        return next((r for r in self.releases if r.release.search(release)), None)


# --- dialect: how the compliance facts are written (netmon/compliance/facts.py) ----------------

ACL_USES = ("filter", "management", "snmp", "routing", "qos", "nat", "other")


class AclRef(_Strict):
    """A line (any depth) that applies an ACL: group ``name`` (or ``names``, several separated by
    spaces), and what the use is. ``filter`` (traffic filtering on an interface or VLAN) is what
    the boundary rules look at; every kind counts as a use."""

    re: Pattern[str]
    use: Literal["filter", "management", "snmp", "routing", "qos", "nat", "other"]
    # What a rule-less ACL does for this feature when it differs from the dialect's `empty` (round 29:
    # Comware's FTP server admits no client through one): per feature, as documented; 'unknown' where
    # the vendor's documents disagree (round 29b: Comware SNMP): the feature's judge WARNs, and a
    # referenced ACL with no rule is no written policy (BD-03).
    empty: Literal["deny", "permit", "unknown"] | None = None
    # With `v6_keys`: the line may name an ACL of either family (IOS 'match access-group name X' in a
    # class-map): it names the IPv6 one when only that exists. A group ``name6`` always names an IPv6
    # ACL (IOS 'snmp-server community C RO ipv6 V6ACL V4ACL'; round 29).
    either: bool = False

    @field_validator("re")
    @classmethod
    def _name(cls, v: Pattern[str]) -> Pattern[str]:
        if not {"name", "names"} & set(v.groupindex):
            raise ValueError(f"/{v.pattern}/ captures neither (?P<name>...) nor (?P<names>...)")
        return v


class PolicyChain(_Strict):
    """A block whose match lines use ACLs (IOS 'route-map NAME'; group ``name``) and a line naming it
    where it takes effect ('ip policy route-map NAME', 'neighbor X route-map NAME in'). When the naming
    line sits inside another block that must be applied itself (IOS 'class C' in 'policy-map P',
    applied by 'service-policy input P'; VRP 'classifier C behavior B' in 'traffic policy P', applied
    by 'traffic-policy P inbound'): that block (``outer``, group ``name``) and the line applying it
    (``outer_ref``); a naming line outside such a block applies."""

    block: Pattern[str]
    ref: Pattern[str]
    outer: Pattern[str] | None = None
    outer_ref: Pattern[str] | None = None


class AclDialect(_Strict):
    # Top-level lines defining an ACL; named groups ``name`` and ``alias`` (VRP: number and name)
    # are its keys, a non-empty ``v6`` group marks an IPv6 ACL. Its entries are its children.
    headers: tuple[Pattern[str], ...] = ()
    # Top-level lines that are each one entry of ACL ``name`` (IOS numbered ACLs).
    inline: tuple[Pattern[str], ...] = ()
    entry: Pattern[str] = re.compile(r"^(?!remark\b|description\b)")  # which children are entries
    refs: tuple[AclRef, ...] = ()
    # Only lines this regex finds are tried against `refs` (a cheap pre-filter; omit to try every line).
    ref_hint: Pattern[str] | None = None
    # An entry that permits every protocol from any source to any destination.
    permit_any: tuple[Pattern[str], ...] = ()
    permit: Pattern[str] = re.compile(r"\bpermit\b")  # an entry that permits something
    deny_logged: tuple[Pattern[str], ...] = ()  # a deny entry that logs its hits
    permit_any_source: tuple[Pattern[str], ...] = ()  # an entry that admits every source address
    # An entry whose source wildcard leaves the first octet free ('permit 10.50.1.0 255.255.255.0': a
    # subnet mask typed where a wildcard belongs): it admits addresses in every network (round 26).
    permit_wide_source: tuple[Pattern[str], ...] = ()
    # An entry that permits every protocol from one source network to any destination: groups
    # `src` (address) and `wild` (wildcard, mask or prefix length; absent or `0` for a host).
    permit_src_to_any: tuple[Pattern[str], ...] = ()
    # What a traffic filter does with a packet no entry matches: `deny` (IOS's implicit deny) or
    # `permit` (VRP/CE traffic-filter, Comware packet-filter), then only a deny-all entry
    # (`deny_any`) or a top-level `unmatched_deny` line (Comware 'packet-filter default deny')
    # makes the filter deny by default.
    unmatched: Literal["deny", "permit"] = "deny"
    # What an ACL with no rules does where it is applied, when a source says so: `permit` (VRP: "If no
    # rule is configured, login rights on the user interface are not restricted"): in effect no ACL.
    # None: not documented, the platform's behaviour decides (WARN).
    empty: Literal["deny", "permit"] | None = None
    # IPv6 ACLs have their own numbers (VRP, Comware: 'acl ipv6 number 3000' beside 'acl number 3000'):
    # keyed 'ipv6 NAME', and a reference (or a management ACL line) whose `v6` group matched names
    # the IPv6 one. Without it a reference with 'ipv6' resolved to the IPv4 ACL of that number.
    v6_keys: bool = False
    deny_any: tuple[Pattern[str], ...] = ()
    unmatched_deny: tuple[Pattern[str], ...] = ()
    # An ACL header that orders its rules depth-first, not by rule ID (VRP and Comware 'match-order
    # auto': "any subset of a rule is always matched before the rule"; facts.effective_entries).
    depth_first: Pattern[str] | None = None
    # An entry's match fields, to find one a broader earlier entry contains (never reached; round 29):
    # groups ``proto`` (optional: any IP protocol), ``src``, ``dst`` ('any', 'host A', 'A WILDCARD' or a
    # bare address), optional ``sport`` / ``dport`` and ``rest``; an earlier entry counts as broader only
    # when its ``rest`` is empty or matches ``fields_plain`` (a log keyword), i.e. nothing narrows it.
    fields: tuple[Pattern[str], ...] = ()
    fields_plain: Pattern[str] = re.compile(r"^$")
    # A filter's use line that filters what enters the interface (the filter's direction).
    inbound: Pattern[str] = re.compile(r"\b(?:in|inbound)$")
    # Blocks whose match lines use ACLs only where something applies them (an IOS route-map, a
    # class-map, a VRP traffic classifier): an ACL matched only by one nothing applies is used by nothing.
    policies: tuple[PolicyChain, ...] = ()

    @field_validator("headers", "inline")
    @classmethod
    def _groups(cls, v: tuple[Pattern[str], ...]) -> tuple[Pattern[str], ...]:
        return _need_group(v, "name")


class AccountDialect(_Strict):
    """Local administrator accounts and their privilege. A missing level or role is kept as
    *unspecified*: what the device then grants is not shown by the configuration."""

    scope: Pattern[str] | None = None  # the top-level block holding the accounts (VRP `aaa`); None: top level
    define: tuple[Pattern[str], ...] = ()  # lines naming an account: group `name`
    skip: tuple[Pattern[str], ...] = ()  # defining lines that are no administrator (802.1X users)
    level: tuple[Pattern[str], ...] = ()  # lines giving an account's level: groups `name`, `level`
    child_level: tuple[Pattern[str], ...] = ()  # children of the defining line: group `level` or `role`
    admin_level: int = 15  # this level and above is a full administrator
    # This level and below only reach the device (VRP level 0, visit: ping, tracert, telnet out):
    # no audit or read-only role, though an explicit level (None: no such level).
    visit_level: int | None = None
    admin_roles: tuple[str, ...] = ()  # roles that make a full administrator
    # A top-level block whose children define accounts too (ZXR10/TITAN `system-user`), beside
    # the top-level forms (ZXAN V4 `username`).
    nested: Pattern[str] | None = None
    # Privilege by template: an account's child naming its template (group `template`), the
    # template's defining line (group `template`) and the template's child giving the level.
    template: Pattern[str] | None = None
    template_block: Pattern[str] | None = None
    template_level: Pattern[str] | None = None
    # An account that cannot log in is none: lines among the accounts blocking one (group `name`:
    # VRP 'local-user admin state block'), or children of its defining line (Comware 'state block').
    blocked: tuple[Pattern[str], ...] = ()
    child_blocked: tuple[Pattern[str], ...] = ()
    # Lines that move configuration mode down to a level (group `level`: IOS 'privilege exec level 5
    # configure terminal'): accounts at that level and above configure the device (round 26).
    admin_level_lines: tuple[Pattern[str], ...] = ()
    # A custom role's block (group `role`: Comware 'role name X') and the rules in it that grant full
    # rights ('rule 1 permit read write execute feature': every feature): such a role is an
    # administrator's whatever it is called (round 26).
    role_block: Pattern[str] | None = None
    admin_role_rules: tuple[Pattern[str], ...] = ()

    @field_validator("define", "blocked")
    @classmethod
    def _named(cls, v: tuple[Pattern[str], ...]) -> tuple[Pattern[str], ...]:
        return _need_group(v, "name")


class ManagementDialect(_Strict):
    """Where remote login (VTY lines, SSH/Telnet servers) takes a source ACL."""

    lines: Pattern[str] | None = None  # top-level VTY blocks, each judged on its own
    line_acl: Pattern[str] | None = None  # a child of a VTY block naming its ACL: group `name`
    server_acl: tuple[Pattern[str], ...] = ()  # top-level server ACL lines: groups `name`, `server`
    # Top-level lines enabling a remote-login server (group `server`) that needs its own server ACL.
    servers: tuple[Pattern[str], ...] = ()
    # VTY lines exist even when the configuration shows none (IOS, VRP): nothing shown is no ACL.
    lines_always: bool = False
    # How many VTYs exist when a top-level line says so (VRP 'user-interface maximum-vty N': group
    # `n`, VTYs 0..N-1) and the range a VTY block covers (groups `first`, `last`): a VTY that no
    # block shows keeps the default, no ACL.
    line_count: Pattern[str] | None = None
    line_range: Pattern[str] | None = None


class AaaDialect(_Strict):
    """Which authentication scheme administrators' logins use: a login that a scheme sends to a
    HWTACACS/RADIUS server admits the server's users on whatever service it authorises."""

    scope: Pattern[str] | None = None  # the top-level block holding schemes and domains (VRP `aaa`)
    scheme: Pattern[str] | None = None  # a scheme's view inside scope: group `name`
    remote: tuple[Pattern[str], ...] = ()  # a scheme's line sending logins to an AAA server
    domain: Pattern[str] | None = None  # a domain's view inside scope: group `name`
    domain_scheme: Pattern[str] | None = None  # a domain's child naming its scheme: group `name`
    views: Pattern[str] | None = None  # other views inside scope (they end a scheme's lines in a flattened capture)
    # Domains administrators log in through when their user name names none (VRP `default_admin`),
    # and the scheme a domain uses when it names none (and that a domain not shown uses).
    admin_domains: tuple[str, ...] = ()
    default_scheme: str = "default"
    # A domain's child binding a server template (groups `kind`, e.g. hwtacacs, and `name`), and the
    # kinds of server a domain reaches only through a template it binds (VRP: "By default, no HWTACACS
    # server template is bound to a domain"): a scheme line whose `kind` group names one counts only in
    # a domain binding such a template (round 27: a HWTACACS scheme no domain's template served).
    domain_server: Pattern[str] | None = None
    bound_only: tuple[str, ...] = ()


class RoutingDialect(_Strict):
    """How routing processes are written (RP-01, RP-02)."""

    # OSPF: `areas: network` (IOS: areas named by `network ... area X` in the process, area
    # authentication as `area X authentication`) or `areas: blocks` (VRP/Comware: `area X` views).
    ospf_process: Pattern[str] = re.compile(r"^router ospf ")
    ospf_areas: Literal["network", "blocks"] = "network"
    ospf_interface_auth: Pattern[str] = re.compile(r"^ip ospf (authentication|message-digest-key)")
    bgp_process: Pattern[str] = re.compile(r"^router bgp ")
    bgp_peer: str = "neighbor"  # the word that starts a peer line
    bgp_remote: str = "remote-as"  # "<peer> X remote-as N" defines a peer
    bgp_group: str = "peer-group"  # "<peer> X peer-group G" binds it to a group
    # Session templates (IOS 'template peer-session T' under the process, its lines the peer's
    # session settings, a password among them) and what inherits one: a peer ('neighbor X inherit
    # peer-session T': group `peer`) or another template (the same line without the peer).
    bgp_template: Pattern[str] | None = None  # group `name`
    bgp_inherit: Pattern[str] | None = None  # groups `name`, `peer` (absent in a template)
    # A peer that forms no session (VRP 'peer X ignore', IOS 'neighbor X shutdown'; group `peer`):
    # nothing to authenticate (round 26).
    bgp_down: Pattern[str] | None = None
    # OSPFv3 processes and the lines that authenticate them anywhere (IPsec or the authentication
    # trailer, on an area or an interface; round 28).
    ospfv3_process: Pattern[str] | None = None
    ospfv3_auth: tuple[Pattern[str], ...] = ()
    ospfv3_join: Pattern[str] | None = None  # an interface joining an OSPFv3 area: groups `pid`, `area`
    # Dynamic peers accepted from a range into a group (IOS 'bgp listen range P peer-group G'): groups
    # `range` and `group` (round 28).
    bgp_listen: Pattern[str] | None = None


class VrfDialect(_Strict):
    """How an interface joins a VRF / VPN instance (group ``vrf``): a destination (log host, NTP
    server, trap target) in a VRF that no interface up with an address is in cannot be reached."""

    member: tuple[Pattern[str], ...] = ()
    # How a destination line names its VRF (group ``vrf``); 'vrf-also' (an IOS VTY ACL option) names none.
    ref: Pattern[str] = re.compile(r"\b(?:vrf|vpn-instance) (?P<vrf>(?!-)\S+)")

    @field_validator("member")
    @classmethod
    def _vrf_group(cls, v: tuple[Pattern[str], ...]) -> tuple[Pattern[str], ...]:
        return _need_group(v, "vrf")


class TimeRangeDialect(_Strict):
    """Time ranges: a rule that names one (group ``name`` of ``ref``) is in effect only within it. A
    range whose every period is absolute and ended before the scan never takes effect again, so its
    rules match nothing (round 26). ``absolute``: a top-level line or a child of a ``block`` (group
    ``name`` on a top-level line) giving an absolute period with its end (group ``end``, read with
    ``end_formats``); any other line of the range (a periodic one) keeps it live."""

    block: Pattern[str] | None = None  # a range's block (IOS 'time-range NAME'): group `name`
    line: Pattern[str] | None = None  # a top-level line of a range (VRP 'time-range NAME ...'): group `name`
    absolute: tuple[Pattern[str], ...] = ()  # group `end`
    end_formats: tuple[str, ...] = ()  # strptime formats of `end`
    ref: Pattern[str] = re.compile(r"\btime-range (?P<name>\S+)")


class AddressGroupDialect(_Strict):
    """Named address groups an ACL entry or a firewall rule names instead of addresses (IOS
    `object-group network`, Comware/SecPath `object-group ip address`, USG `ip address-set`). A
    reference is only as narrow as the group's members (round 27): one admitting every address
    makes the entry an `any` one, and a group with no member matches nothing.

    ``block``: a group's top-level line (group ``name``); ``any``: a member admitting every address;
    ``range``: a member giving a range (groups ``lo``, ``hi``; one leaving out fewer than 256 of the
    IPv4 addresses admits practically every one); ``nested``: a member naming another group (group
    ``name``); ``ignore``: children that add no address (a description); ``refs``: how an ACL entry or
    a firewall rule's match line names a group (group ``name``); ``any_word``: what the platform writes for
    every address, put in place of an open group's reference when the entry is judged."""

    block: Pattern[str] | None = None
    any: tuple[Pattern[str], ...] = ()
    range: Pattern[str] | None = None
    nested: Pattern[str] | None = None
    ignore: Pattern[str] = re.compile(r"^description\b")
    refs: tuple[Pattern[str], ...] = (re.compile(r"\bobject-group (?P<name>\S+)"),)
    any_word: str = "any"

    @field_validator("refs")
    @classmethod
    def _named_refs(cls, v: tuple[Pattern[str], ...]) -> tuple[Pattern[str], ...]:
        return _need_group(v, "name")

    @field_validator("block", "nested")
    @classmethod
    def _named_group(cls, v: Pattern[str] | None) -> Pattern[str] | None:
        if v is not None:
            _need_group((v,), "name")
        return v

    @field_validator("range")
    @classmethod
    def _bounds(cls, v: Pattern[str] | None) -> Pattern[str] | None:
        if v is not None:
            _need_group((v,), "lo")
            _need_group((v,), "hi")
        return v


class Dialect(_Strict):
    """How a platform expresses what the compliance checks ask about (dialect.yaml)."""

    acl: AclDialect = Field(default_factory=AclDialect)
    accounts: AccountDialect = Field(default_factory=AccountDialect)
    management: ManagementDialect = Field(default_factory=ManagementDialect)
    aaa: AaaDialect = Field(default_factory=AaaDialect)
    routing: RoutingDialect = Field(default_factory=RoutingDialect)
    vrf: VrfDialect = Field(default_factory=VrfDialect)
    time_range: TimeRangeDialect = Field(default_factory=TimeRangeDialect)
    address_groups: AddressGroupDialect = Field(default_factory=AddressGroupDialect)


# --- syslog (netmon/syslog/vendors.py reads it) -----------------------------------------------

SYSLOG_FIELDS = ("user", "src_ip", "command", "interface", "state")
SYSLOG_EVENTS = ("login_failure", "login_success", "logout", "command", "config_change", "link_down", "link_up")
_HEADER_GROUPS = {"text", "ver", "module", "level", "digest", "facility", "mnemonic", "kind", "seq"}
_TEMPLATE = re.compile(r"\{(\w+)\}")


class SyslogHeader(_Strict):
    """Where the vendor's mnemonic sits at the start of a message."""

    re: Pattern[str]
    mnemonic: str  # the `mnemonic` tag, as the vendor prints it, e.g. '{module}/{level}/{digest}'
    key: str | None = None  # what `messages` are keyed by (levels vary by release); default: mnemonic

    @model_validator(mode="after")
    def _groups(self) -> SyslogHeader:
        if "text" not in self.re.groupindex:
            raise ValueError("re needs a (?P<text>...) group: the message body after the mnemonic")
        bad = sorted(set(self.re.groupindex) - _HEADER_GROUPS)
        if bad:
            raise ValueError(f"unknown group {bad[0]!r}; header groups: {', '.join(sorted(_HEADER_GROUPS))}")
        for t in (self.mnemonic, self.key or ""):
            missing = sorted(set(_TEMPLATE.findall(t)) - set(self.re.groupindex))
            if missing:
                raise ValueError(f"template {t!r} names {missing[0]!r}, which re does not capture")
        return self


class SyslogMessage(_Strict):
    """What a message means (``event``) and where its fields are (``re`` groups, or the message's
    ``Key=value`` list with ``kv: true`` and the platform's ``kv_fields``)."""

    event: str
    re: Pattern[str] | None = None
    kv: bool = False

    @model_validator(mode="after")
    def _check(self) -> SyslogMessage:
        groups = set(self.re.groupindex) if self.re is not None else set()
        bad = sorted(groups - set(SYSLOG_FIELDS))
        if bad:
            raise ValueError(f"unknown group {bad[0]!r}; extract {', '.join(SYSLOG_FIELDS)}")
        names = set(_TEMPLATE.findall(self.event))
        if not names and self.event not in SYSLOG_EVENTS:
            raise ValueError(f"event {self.event!r}: one of {', '.join(SYSLOG_EVENTS)} (or e.g. 'link_{{state}}')")
        if names - groups:
            raise ValueError(f"event {self.event!r} names {sorted(names - groups)[0]!r}, which re does not extract")
        return self


class SyslogSpec(_Strict):
    headers: list[SyslogHeader] = Field(default_factory=list)
    kv_fields: dict[Literal["user", "src_ip", "command", "interface", "state"], list[str]] = Field(default_factory=dict)
    messages: dict[str, SyslogMessage] = Field(default_factory=dict)  # mnemonic key -> meaning
    patterns: dict[str, SyslogMessage] = Field(default_factory=dict)  # wording searched in any message

    @field_validator("patterns")
    @classmethod
    def _need_re(cls, v: dict[str, SyslogMessage]) -> dict[str, SyslogMessage]:
        for name, m in v.items():
            if m.re is None:
                raise ValueError(f"{name}: a pattern needs `re` (it has no mnemonic to be found by)")
        return v


# --- lab ---------------------------------------------------------------------------------------


class SimSpec(_Strict):
    """How the SSH simulator (netmon/lab/sshsim.py) behaves at this platform's CLI."""

    config: str  # the default sample configuration (a file in the lab folder)
    motd: str = ""
    prompt_user: str
    prompt_enable: str | None = None
    paging_off: list[str] = Field(default_factory=list)
    accept_silently: list[str] = Field(default_factory=list)
    more: str
    more_erase: str
    error: str
    running_config: str
    config_mode: list[str] = Field(default_factory=list)
    current_configuration_bytes: bool = False
    clock_period: bool = False
    auth_banner: str | None = None  # shown before authentication (IOS `banner login`)
    # Bulk for the `huge` fault: a long ACL as a device with years of rules has ({n} {a} {b} {c}).
    huge_header: str
    huge_rule: str
    huge_footer: str


class LabSpec(_Strict):
    recordings: list[str] = Field(default_factory=list)  # snmpsim-data recordings (data/<path>.snmprec.bz2)
    keep: list[str] = Field(default_factory=list)  # OID subtrees kept from them (prefixes ending with ".")
    sim: SimSpec | None = None
    dir: Path | None = None  # the lab/ folder beside lab.yaml: sample configs (*.cfg), show/ outputs

    @model_validator(mode="after")
    def _sim_needs_files(self) -> LabSpec:
        if self.sim is not None:
            if self.dir is None:
                raise ValueError("sim: needs a lab/ folder beside lab.yaml holding the sample configuration")
            if not (self.dir / self.sim.config).is_file():
                raise ValueError(f"sim.config: {self.sim.config} is not in {self.dir}")
        return self


class SampleSpec(_Strict):
    """The platform's place in the sample network of `netmon inventory generate`."""

    slots: dict[str, list[int]] = Field(default_factory=dict)  # tier -> positions in that tier's vendor cycle
    uplink_interface: str = Field(pattern=r"\{n\}")
    first_port: int = 0  # the device's own uplink port number

    @field_validator("slots")
    @classmethod
    def _tiers(cls, v: dict[str, list[int]]) -> dict[str, list[int]]:
        bad = sorted(set(v) - set(TIERS))
        if bad:
            raise ValueError(f"unknown tier(s) {bad}; known: {', '.join(TIERS)}")
        return v


# --- the platform ------------------------------------------------------------------------------


class Platform(_Strict):
    key: str
    display: str = Field(min_length=1)
    extends: str | None = None
    sysobjectid: tuple[str, ...] = ()
    sample: SampleSpec | None = None
    health: dict[str, list[HealthSource]] | None = None
    ssh: SshSpec | None = None
    config: ConfigSpec = Field(default_factory=ConfigSpec)
    secrets: dict[str, SecretPattern] = Field(default_factory=dict)
    compliance: dict[str, RuleEntry] = Field(default_factory=dict)
    defaults: dict[str, DefaultSpec] = Field(default_factory=dict)  # release-dependent defaults
    dialect: Dialect = Field(default_factory=Dialect)  # facts extraction (netmon/compliance/facts.py)
    syslog: SyslogSpec | None = None
    lab: LabSpec | None = None
    folders: tuple[Path, ...] = ()  # where it came from (an extra search path may overlay a built-in)
    depth: int = 0  # how many `extends:` above it

    @field_validator("sysobjectid")
    @classmethod
    def _oids(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for o in v:
            if not re.fullmatch(r"\d+(\.\d+)+", o.lstrip(".")):
                raise ValueError(f"{o!r} is not a numeric OID prefix")
        return tuple(o.lstrip(".") for o in v)

    @field_validator("health")
    @classmethod
    def _health(cls, v: dict[str, list[HealthSource]] | None) -> dict[str, list[HealthSource]] | None:
        return _check_health(v) if v is not None else v

    @field_validator("compliance")
    @classmethod
    def _rule_ids(cls, v: dict[str, RuleEntry]) -> dict[str, RuleEntry]:
        bad = [k for k in v if not re.fullmatch(r"[A-Z]{2,4}-\d{2,3}", k)]
        if bad:
            raise ValueError(f"not rule ids: {bad} (e.g. IA-01)")
        return v

    @property
    def grammar(self) -> Grammar:
        return self.config.grammar


class CommonSpec(_Strict):
    """What every platform shares (netmon/platforms/common/): detection thresholds, the secret
    patterns of every dialect, and the generic health profile used when no vendor's answers."""

    min_score: int = 3  # below it the vendor is unknown
    min_margin: int = 3  # the winner must lead every unrelated platform by this much
    separator_penalty: int = 3  # taken from platforms whose separator line is not the file's
    default_platform: str = "linux_netsnmp"  # a host polled with --host and no --vendor
    secrets: dict[str, SecretPattern] = Field(default_factory=dict)
    fallback_health: dict[str, list[HealthSource]] = Field(default_factory=dict)
    syslog: SyslogSpec = Field(default_factory=SyslogSpec)  # hosts' wording (OpenSSH, PAM), tried last
    # Account names that products ship with (vendor -> names), known to anyone (AC-02 on every platform).
    factory_accounts: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    # Network vendors' names: an account named after a maker is a first guess too (AC-02).
    vendor_names: dict[str, str] = Field(default_factory=dict)
    # Terminal remnants of any platform's capture (ANSI escapes at a line's head): common/pager.yaml.
    pager: dict[str, PagerRemnant] = Field(default_factory=dict)

    @field_validator("fallback_health")
    @classmethod
    def _health(cls, v: dict[str, list[HealthSource]]) -> dict[str, list[HealthSource]]:
        return _check_health(v)
