"""Named Python checks for logic the YAML primitives cannot express (ACL contents, per-peer
state, accounts across blocks). A rule calls one with ``python: NAME`` and optional ``params``.

Each takes the parsed configuration and returns an Outcome with evidence for every instance.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from .. import platforms as registry
from ..platforms.registry import derived
from .facts import acl_facts, deny_logged, permits_any
from .results import Evidence, Outcome, worst

if TYPE_CHECKING:
    from .rules import Result
    from .source import DeviceConfig
    from .tree import Line

CheckFn = Callable[["DeviceConfig", dict[str, Any]], Outcome]
CHECKS: dict[str, CheckFn] = {}


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    def deco(fn: CheckFn) -> CheckFn:
        CHECKS[name] = fn
        return fn

    return deco


def _ev(line: Line, note: str = "") -> Evidence:
    return Evidence(line.number, line.text, note)  # masked by engine.evaluate_rule with the platform's patterns


@derived
@cache
def _family(vendor: str) -> str:
    """Which branches below a platform follows: ios, vrp or comware (its config.yaml grammar)."""
    return registry.platform(vendor).grammar.family


# --- ACLs (facts.py, through each platform's dialect.yaml) ---------------------------------------


def acl_index(cfg: DeviceConfig) -> dict[str, list[Line]]:
    """ACL name or number -> its entries in order (v4 and v6, numbered and named)."""
    return {k: a.entries for k, a in acl_facts(cfg).acls.items()}


def permits_any_source(vendor: str, entry: str) -> bool:
    """Does this ACL entry permit traffic from any source address?"""
    if _family(vendor) == "ios":
        words = entry.split()
        if words[:1] == ["access-list"]:
            words = words[2:]  # numbered ACL: "access-list 10 permit any"
        elif words and words[0].isdigit():
            words = words[1:]  # sequence number inside a named ACL
        if not words or words[0] != "permit":
            return False
        rest = words[1:]
        # standard: permit any | permit 0.0.0.0 255.255.255.255; extended: permit PROTO any ...
        if rest[:1] == ["any"] or rest[:2] == ["0.0.0.0", "255.255.255.255"]:
            return True
        return len(rest) >= 2 and rest[1] == "any"
    words = entry.split()
    if len(words) < 3 or words[2] != "permit":
        return False
    if "source" not in words:
        return True  # `rule 5 permit` / `rule 5 permit ip`: every source
    i = words.index("source")
    return words[i + 1 : i + 2] == ["any"] or words[i + 1 : i + 3] == ["0.0.0.0", "255.255.255.255"]


def _judge_acl(cfg: DeviceConfig, acls: dict[str, list[Line]], name: str, ref: Line, what: str) -> Outcome:
    entries = acls.get(name)
    if entries is None:
        return Outcome("FAIL", [_ev(ref, f"ACL {name} is not defined: {what} accepts every address")])
    if not entries:
        return Outcome("WARN", [_ev(ref, f"ACL {name} has no rules; the platform's empty-ACL behaviour decides")])
    broad = [e for e in entries if permits_any_source(cfg.vendor, e.text)]
    if broad:
        return Outcome("FAIL", [_ev(ref, f"{what} uses ACL {name}"), *(_ev(e, "permits any source") for e in broad)])
    return Outcome("PASS", [_ev(ref, f"{what} restricted by ACL {name}")])


def _merge(parts: list[Outcome]) -> Outcome:
    if not parts:
        return Outcome("N/A")
    return Outcome(
        worst([p.result for p in parts]), [e for p in parts for e in p.evidence], [n for p in parts for n in p.notes]
    )


@check("vty_acl")
def vty_acl(cfg: DeviceConfig, params: dict[str, Any]) -> Outcome:
    """Management access (VTY / SSH / Telnet servers) limited to management addresses by an ACL
    that exists and does not permit any source. Every VTY range is judged on its own."""
    acls = acl_index(cfg)
    parts: list[Outcome] = []
    top = cfg.tree.top
    if _family(cfg.vendor) == "ios":
        for b in (t for t in top if t.text.startswith("line vty")):
            ac = [c for c in b.children if c.text.startswith("access-class ") and c.text.endswith(" in")]
            if not ac:
                parts.append(Outcome("FAIL", [_ev(b, "no access-class ... in: any address may try to log in")]))
            for c in ac:
                parts.append(_judge_acl(cfg, acls, c.text.split()[1], c, b.text))
        return _merge(parts) if parts else Outcome("N/A", [], ["no line vty"])
    server_acls = [t for t in top if re.match(r"^(ssh|telnet|stelnet) server(?: ipv4)? acl \S+", t.text)]
    for t in server_acls:
        parts.append(_judge_acl(cfg, acls, t.text.split()[-1], t, t.text.rsplit(" acl", 1)[0]))
    if _family(cfg.vendor) == "vrp":
        for b in (t for t in top if t.text.startswith("user-interface vty")):
            ac = [c for c in b.children if re.match(r"^acl (?:ipv6 )?\S+ inbound$", c.text)]
            for c in ac:
                parts.append(_judge_acl(cfg, acls, c.text.split()[-2], c, b.text))
            if not ac and not server_acls:
                parts.append(Outcome("FAIL", [_ev(b, "no 'acl N inbound' and no 'ssh server acl'")]))
        return _merge(parts) if parts else Outcome("N/A", [], ["no user-interface vty"])
    # Comware: the SSH/Telnet servers take the ACL; each enabled server needs one.
    for server in ("ssh", "telnet"):
        enabled = [t for t in top if t.text == f"{server} server enable"]
        has_acl = any(t.text.startswith(f"{server} server") for t in server_acls)
        for t in enabled:
            if not has_acl:
                parts.append(Outcome("FAIL", [_ev(t, f"no '{server} server acl': any address may connect")]))
    return _merge(parts) if parts else Outcome("N/A", [], ["no SSH or Telnet server enabled"])


# --- accounts and roles -------------------------------------------------------------------------

_ADMIN_ROLES = {"network-admin", "level-15", "mdc-admin", "context-admin"}
ADMIN, RESTRICTED, UNSPECIFIED = "admin", "restricted", "unspecified"


def local_accounts(cfg: DeviceConfig) -> dict[str, tuple[Line, str]]:
    """Local account -> (defining line, admin | restricted | unspecified). A missing level is
    *unspecified*, never counted as a restriction: what the device then grants depends on the
    release and the login path, which the configuration does not show."""
    out: dict[str, tuple[Line, str]] = {}
    if _family(cfg.vendor) == "ios":
        for t in cfg.tree.top_by_word("username"):
            m = re.search(r"\bprivilege (\d+)", t.text)
            out[t.text.split()[1]] = (t, UNSPECIFIED if not m else ADMIN if int(m.group(1)) == 15 else RESTRICTED)
        return out
    if _family(cfg.vendor) == "comware":
        for t in cfg.tree.top_by_word("local-user"):
            if " class network" in t.text:
                continue  # network-access users (802.1X, portal) are not device administrators
            roles = {c.text.split()[-1] for c in t.children if c.text.startswith("authorization-attribute user-role ")}
            out[t.text.split()[1]] = (t, UNSPECIFIED if not roles else ADMIN if roles & _ADMIN_ROLES else RESTRICTED)
        return out
    levels: dict[str, tuple[Line, int | None]] = {}
    for aaa in cfg.tree.top_by_word("aaa"):
        for c in aaa.children:
            if m := re.match(r"^local-user (\S+) (?:privilege )?level (\d+)", c.text):
                levels[m.group(1)] = (c, int(m.group(2)))
            elif (m2 := re.match(r"^local-user (\S+) ", c.text)) and m2.group(1) not in levels:
                levels[m2.group(1)] = (c, None)
            elif m3 := re.match(r"^manager-user (\S+)$", c.text):  # USG administrators: a block with `level N`
                lv = next((int(x.text.split()[1]) for x in c.children if re.match(r"^level \d+$", x.text)), None)
                levels[m3.group(1)] = (c, lv)
    for name, (line, lv) in levels.items():
        # VRP level 3 and above is the management level.
        out[name] = (line, UNSPECIFIED if lv is None else ADMIN if lv >= 3 else RESTRICTED)
    return out


@check("role_separation")
def role_separation(cfg: DeviceConfig, params: dict[str, Any]) -> Outcome:
    """PASS when at least one local account holds an explicitly restricted (audit / read-only)
    role. Otherwise: REVIEW when logins are authorised by a AAA server (``params.central``: regexes
    anywhere showing it; the server assigns the roles), FAIL when they are not."""
    accounts = local_accounts(cfg)
    note_of = {ADMIN: "full administrator", RESTRICTED: "restricted role", UNSPECIFIED: "no explicit level"}
    evidence = [_ev(line, note_of[st]) for line, st in accounts.values()]
    restricted = [a for a, (_, st) in accounts.items() if st == RESTRICTED]
    if restricted:
        return Outcome("PASS", evidence, [f"{len(restricted)} of {len(accounts)} account(s) hold a restricted role"])
    central = [re.compile(p) for p in params.get("central", [])]
    remote = [ln for ln in cfg.tree.all_lines() if not ln.banner and any(rx.search(ln.text) for rx in central)]
    if remote:
        return Outcome(
            "REVIEW",
            [*evidence, _ev(remote[0], "logins authorised by a AAA server")],
            ["no local account holds a restricted role; the AAA server assigns roles: check them there"],
        )
    if not accounts:
        return Outcome("FAIL", [], ["no local account and no AAA server: every login is an administrator's"])
    return Outcome(
        "FAIL",
        evidence,
        [f"none of {len(accounts)} local account(s) holds an explicitly restricted role (a missing level is not one)"],
    )


# --- routing protocol authentication -------------------------------------------------------------


@check("ospf_auth")
def ospf_auth(cfg: DeviceConfig, params: dict[str, Any]) -> Outcome:
    """Every OSPF area authenticated (area- or interface-level); MD5 warns (HMAC-SHA256 preferred)."""
    top = cfg.tree.top
    weak = re.compile(r"\b(md5|simple|hmac-md5)\b")
    parts: list[Outcome] = []
    if _family(cfg.vendor) == "ios":
        procs = [t for t in top if t.text.startswith("router ospf ")]
        if not procs:
            return Outcome("N/A", [], ["OSPF not configured"])
        if_auth = [
            c
            for t in top_by(cfg, "interface")
            for c in t.children
            if re.match(r"^ip ospf (authentication|message-digest-key)", c.text)
        ]
        for p in procs:
            areas: dict[str, Line] = {}
            for c in p.children:
                if m := re.search(r"\barea (\S+)$", c.text):
                    if c.text.startswith("network "):
                        areas.setdefault(m.group(1), c)
            authed = {c.text.split()[1]: c for c in p.children if re.match(r"^area \S+ authentication", c.text)}
            if not areas:
                parts.append(Outcome("REVIEW", [_ev(p, "no network statements: interfaces join OSPF directly")]))
            for area, line in areas.items():
                if area in authed:
                    a = authed[area]
                    r: Result = "PASS" if "message-digest" in a.text or "key-chain" in a.text else "FAIL"
                    parts.append(
                        Outcome(r, [_ev(a, f"area {area}: {'digest' if r == 'PASS' else 'clear-text'} authentication")])
                    )
                elif if_auth:
                    parts.append(
                        Outcome(
                            "WARN",
                            [
                                _ev(
                                    line,
                                    f"area {area} has no area authentication; "
                                    f"{len(if_auth)} interface(s) authenticate: confirm they cover it",
                                )
                            ],
                        )
                    )
                else:
                    parts.append(Outcome("FAIL", [_ev(line, f"area {area}: no OSPF authentication")]))
        return _merge(parts)
    procs = [t for t in top if re.match(r"^ospf( \d+)?", t.text)]
    if not procs:
        return Outcome("N/A", [], ["OSPF not configured"])
    if_auth = [c for t in top_by(cfg, "interface") for c in t.children if c.text.startswith("ospf authentication-mode")]
    for p in procs:
        area_blocks = [c for c in p.children if c.text.startswith("area ")]
        if not area_blocks:
            parts.append(Outcome("REVIEW", [_ev(p, "no area configured")]))
        for a in area_blocks:
            auth = [c for c in a.children if c.text.startswith("authentication-mode")]
            if auth:
                for c in auth:
                    parts.append(
                        Outcome(
                            "WARN" if weak.search(c.text) else "PASS",
                            [_ev(c, "MD5/simple: prefer hmac-sha256" if weak.search(c.text) else "")],
                        )
                    )
            elif if_auth:
                parts.append(
                    Outcome(
                        "WARN" if any(weak.search(c.text) for c in if_auth) else "PASS",
                        [
                            _ev(a, "no area authentication; interface-level authentication present"),
                            *(_ev(c) for c in if_auth),
                        ],
                    )
                )
            else:
                parts.append(Outcome("FAIL", [_ev(a, "no OSPF authentication for this area or its interfaces")]))
    return _merge(parts)


def top_by(cfg: DeviceConfig, word: str) -> list[Line]:
    return cfg.tree.top_by_word(word)


@check("bgp_auth")
def bgp_auth(cfg: DeviceConfig, params: dict[str, Any]) -> Outcome:
    """Every BGP peer has a password (MD5/TCP-AO/keychain), directly or through its peer group."""
    if _family(cfg.vendor) == "ios":
        procs = [t for t in cfg.tree.top if t.text.startswith("router bgp ")]
        kw_peer, kw_remote, kw_group = "neighbor", "remote-as", "peer-group"
    else:
        procs = [t for t in cfg.tree.top if re.match(r"^bgp \d", t.text)]
        kw_peer, kw_remote, kw_group = "peer", "as-number", "group"
    if not procs:
        return Outcome("N/A", [], ["BGP not configured"])
    parts: list[Outcome] = []
    for p in procs:
        lines = [ln for ln in p.walk() if ln.text.startswith(kw_peer + " ")]
        passwords = {
            ln.text.split()[1]
            for ln in lines
            if re.match(rf"^{kw_peer} \S+ (password|keychain|tcp-ao|authentication)", ln.text)
        }
        groups: dict[str, str] = {}
        peers: dict[str, Line] = {}
        # Group definitions: IOS "neighbor G peer-group", VRP/Comware "group G [internal|external]".
        group_names = {ln.text.split()[1] for ln in lines if ln.text.split()[2:] == [kw_group]}
        group_names |= {
            ln.text.split()[1] for ln in p.walk() if re.match(r"^group \S+( internal| external)?$", ln.text)
        }
        for ln in lines:
            w = ln.text.split()
            if w[1] in group_names:
                continue
            if len(w) >= 4 and w[2] == kw_remote:
                peers.setdefault(w[1], ln)
            elif len(w) >= 4 and w[2] == kw_group and not w[3].isdigit():
                groups[w[1]] = w[3]  # peer X peer-group G / peer X group G
        for peer, ln in peers.items():
            via = groups.get(peer)
            if peer in passwords:
                parts.append(Outcome("PASS", [_ev(ln, f"peer {peer} authenticated")]))
            elif via and via in passwords:
                parts.append(Outcome("PASS", [_ev(ln, f"peer {peer} authenticated through group {via}")]))
            else:
                parts.append(Outcome("FAIL", [_ev(ln, f"peer {peer}: no password")]))
        for peer, grp in groups.items():
            if peer in peers:
                continue
            ln = next(x for x in lines if x.text.split()[1] == peer)
            if grp in passwords or peer in passwords:
                parts.append(Outcome("PASS", [_ev(ln, f"peer {peer} authenticated through group {grp}")]))
            else:
                parts.append(Outcome("FAIL", [_ev(ln, f"peer {peer} (group {grp}): no password")]))
    return _merge(parts) if parts else Outcome("N/A", [], ["BGP without peers"])


# --- ACL references and boundary filtering -------------------------------------------------------


@check("acl_references")
def acl_references(cfg: DeviceConfig, params: dict[str, Any]) -> Outcome:
    """Every referenced ACL is defined (FAIL otherwise); every defined ACL is used (WARN
    otherwise). A use is any reference the dialect lists: an interface or VLAN filter, a VTY or
    service, SNMP, a QoS class, a route-map's ``match ip address``, NAT."""
    facts = acl_facts(cfg)
    if not facts.acls and not facts.uses:
        return Outcome("N/A", [], ["no ACLs defined or referenced"])
    parts: list[Outcome] = []
    by_name: dict[str, list[Line]] = {}
    for u in facts.uses:
        by_name.setdefault(u.name, []).append(u.line)
    for name, lines in by_name.items():
        if name not in facts.acls:
            parts.append(Outcome("FAIL", [_ev(ln, f"ACL {name} is referenced but not defined") for ln in lines]))
        else:
            parts.append(Outcome("PASS", [_ev(lines[0], f"ACL {name} defined and used")]))
    for acl in facts.defined():
        if not facts.used(acl.name):
            parts.append(Outcome("WARN", [_ev(acl.header, f"ACL {acl.name} is defined but never used")]))
    return _merge(parts)


@check("acl_default_deny")
def acl_default_deny(cfg: DeviceConfig, params: dict[str, Any]) -> Outcome:
    """Traffic filtering is in effect and denies by default: at least one ACL filters traffic on
    an interface or VLAN, and no applied filter permits every protocol from any source to any
    destination (``permit ip any any``, ``permit ipv6 any any``, ``rule N permit``). ACLs that
    only guard management or classify traffic are not a boundary filter."""
    facts = acl_facts(cfg)
    filters = facts.filters()
    if not filters:
        note = "no ACL filters traffic on any interface or VLAN"
        if facts.acls:
            note += " (the ACLs defined only guard management, classify or route traffic)"
        return Outcome("FAIL", [], [note])
    parts: list[Outcome] = []
    for u in filters:
        acl = facts.acls.get(u.name)
        if acl is None:
            parts.append(Outcome("FAIL", [_ev(u.line, f"filter ACL {u.name} is not defined: it filters nothing")]))
            continue
        broad = [e for e in acl.entries if permits_any(cfg.vendor, e.text)]
        if broad:
            parts.append(
                Outcome("FAIL", [_ev(u.line, f"applies ACL {u.name}"), *(_ev(e, "permits everything") for e in broad)])
            )
        else:
            parts.append(Outcome("PASS", [_ev(u.line, f"ACL {u.name} filters with no permit-all entry")]))
    return _merge(parts)


# --- login banner ----------------------------------------------------------------------------------

# Words of an authorised-use / monitoring notice, in English and Chinese.
_NOTICE = re.compile(
    r"(?i)authori[sz]|prohibit|forbid|monitor|warning|illegal|unlawful|prosecut|permitted|consent|"
    r"授权|禁止|非法|监控|警告|许可"
)


@check("banner_notice")
def banner_notice(cfg: DeviceConfig, params: dict[str, Any]) -> Outcome:
    """A login banner is shown and its text warns of authorised use (a banner of ASCII art, a
    support address or a command list is not a notice). ``params.headers``: regexes of the
    banner's first line; ``params.absent``: the verdict with no banner (default FAIL)."""
    heads = [re.compile(p) for p in params.get("headers", [])]
    found = [t for t in cfg.tree.top if not t.banner and any(rx.match(t.text) for rx in heads)]
    if not found:
        return Outcome(str(params.get("absent", "FAIL")), [], [str(params.get("note", "no login banner"))])  # type: ignore[arg-type]
    parts: list[Outcome] = []
    for t in found:
        text = " ".join([" ".join(t.text.split()[2:]), *(c.text for c in t.children if c.banner)])
        if _NOTICE.search(text):
            parts.append(Outcome("PASS", [_ev(t, "banner warns of authorised use")]))
        else:
            parts.append(Outcome("WARN", [_ev(t, "banner carries no authorised-use or monitoring notice")]))
    # One banner that warns is enough (the others may be MOTD or shell headers).
    return parts[0] if len(parts) == 1 else (next((p for p in parts if p.result == "PASS"), _merge(parts)))


# --- access ports ----------------------------------------------------------------------------------


@check("port_admission")
def port_admission(cfg: DeviceConfig, params: dict[str, Any]) -> Outcome:
    """Admission control where hosts plug in. ``ports``: regex of physical switch-port interface
    lines; ``not_access``: child lines that make a port no access port (trunk, routed, stack);
    ``port``: child lines binding admission on a port (802.1X, MAC authentication, port security,
    an authentication profile); ``global``: top-level lines that admit on every port (DHCP snooping).
    No access port: N/A. A profile defined but bound to no port admits nobody."""
    ports = re.compile(params["ports"])
    not_access = [re.compile(p) for p in params.get("not_access", [])]
    per_port = [re.compile(p) for p in params.get("port", [])]
    glob = [re.compile(p) for p in params.get("global", [])]
    physical = [t for t in cfg.tree.top_by_word("interface") if ports.match(t.text)]
    access = [t for t in physical if not any(rx.search(c.text) for c in t.children for rx in not_access)]
    g = [ln for ln in cfg.tree.all_lines() if not ln.banner and any(rx.search(ln.text) for rx in glob)]
    if g:
        return Outcome("PASS", [_ev(g[0], "admission control on every port")])
    if physical and not access:
        return Outcome("N/A", [], ["no Layer-2 access port (trunks and routed interfaces only)"])
    if not physical:
        # A configuration that lists no port cannot show that none is an access port.
        return Outcome("FAIL", [], ["no 802.1X, MAC authentication, port security or DHCP snooping"])
    bound = [(t, c) for t in access for c in t.children if any(rx.search(c.text) for rx in per_port)]
    if bound:
        return Outcome("PASS", [_ev(c, f"admission control on {t.text.split(' ', 1)[1]}") for t, c in bound[:5]])
    return Outcome(
        "FAIL",
        [_ev(access[0], "access port without 802.1X, MAC authentication or port security")],
        [
            f"{len(access)} access port(s) admit any host (no 802.1X, MAC authentication, port security or DHCP snooping)"
        ],
    )


# --- console / line login -------------------------------------------------------------------------


@check("line_login")
def line_login(cfg: DeviceConfig, params: dict[str, Any]) -> Outcome:
    """IOS-style line authentication in effect: a line's ``login authentication LIST`` (or the
    ``default`` list under ``aaa new-model``) is looked up, and a list whose first method is
    ``none`` authenticates nobody. ``params.block``: the lines judged (e.g. the console)."""
    blocks = [t for t in cfg.tree.top if re.match(params["block"], t.text)]
    if not blocks:
        return Outcome("N/A", [], ["no such line"])
    top = cfg.tree.top
    new_model = any(t.text == "aaa new-model" for t in top)
    lists = {
        w[3]: (t, w[4:]) for t in top if (w := t.text.split())[:3] == ["aaa", "authentication", "login"] and len(w) > 4
    }
    parts: list[Outcome] = []
    for b in blocks:
        la = next((c for c in b.children if c.text.startswith("login authentication ")), None)
        name = la.text.split()[2] if la else "default" if new_model else None
        if name is None:
            login = next((c for c in b.children if re.fullmatch(r"login( local)?", c.text)), None)
            if login is not None:
                parts.append(Outcome("PASS", [_ev(login, "login required")]))
            else:
                parts.append(Outcome("FAIL", [_ev(b, "no login on this line: it opens without authentication")]))
            continue
        entry = lists.get(name)
        where = la or b
        if entry is None:
            note = f"login list {name} is not defined" + (
                ": the line falls back to no authentication" if name == "default" else ""
            )
            parts.append(Outcome("FAIL", [_ev(where, note)]))
            continue
        line, methods = entry
        if methods[0] == "none":
            parts.append(
                Outcome(
                    "FAIL",
                    [_ev(where, f"uses login list {name}"), _ev(line, "first method is none: no authentication")],
                )
            )
        else:
            parts.append(
                Outcome(
                    "PASS",
                    [_ev(where, f"uses login list {name}"), _ev(line, f"authenticates with {' '.join(methods)}")],
                )
            )
    return _merge(parts)


@check("acl_deny_logged")
def acl_deny_logged(cfg: DeviceConfig, params: dict[str, Any]) -> Outcome:
    """Denied traffic is logged: some deny entry of a traffic ACL logs its hits. A traffic ACL is
    one applied as a filter, or one not (yet) applied anywhere; an ACL used only to guard
    management access or SNMP is not. No traffic ACL: N/A."""
    facts = acl_facts(cfg)
    mgmt = {"management", "snmp"}
    traffic = [a for a in facts.defined() if not (uses := facts.used(a.name)) or any(u.use not in mgmt for u in uses)]
    if not traffic:
        note = "no traffic ACL" + (" (the ACLs only guard management access)" if facts.acls else "") + " (see BD-01)"
        return Outcome("N/A", [], [note])
    logged = [e for a in traffic for e in a.entries if deny_logged(cfg.vendor, e.text)]
    if logged:
        return Outcome("PASS", [_ev(e, "deny entry logs its hits") for e in logged[:5]])
    return Outcome(
        "FAIL",
        [_ev(a.header, f"ACL {a.name}: no deny entry logs its hits") for a in traffic[:5]],
        ["denied traffic is not logged"],
    )
