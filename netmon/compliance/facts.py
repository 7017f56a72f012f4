"""Facts a configuration states, extracted once per configuration through the platform's dialect
(``netmon/platforms/<key>/dialect.yaml``) so that checks ask *what is in effect* (which ACLs
exist, with their entries in order, v4 and v6, and where each is applied) instead of branching
on the vendor.

Only what the dialect declares is extracted; a platform without a dialect has no ACL facts and
the checks that need them say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import platforms as registry

if TYPE_CHECKING:
    from ..platforms.model import AclDialect
    from .source import DeviceConfig
    from .tree import Line


@dataclass(slots=True)
class Acl:
    name: str
    header: Line  # the defining line (first one, for IOS numbered ACLs)
    entries: list[Line] = field(default_factory=list)  # in order
    v6: bool = False
    aliases: tuple[str, ...] = ()  # VRP: "acl number 3000 name EDGE" is known by both keys


@dataclass(slots=True)
class AclUse:
    name: str
    line: Line
    use: str  # filter | management | snmp | routing | qos | nat | other


@dataclass(slots=True)
class AclFacts:
    acls: dict[str, Acl]  # every key (name and alias) -> the ACL
    uses: list[AclUse]

    def used(self, name: str) -> list[AclUse]:
        acl = self.acls.get(name)
        keys = {name, *(acl.aliases if acl else ())}
        return [u for u in self.uses if u.name in keys]

    def filters(self) -> list[AclUse]:
        """Where an ACL filters traffic (an interface, a VLAN, a packet filter)."""
        return [u for u in self.uses if u.use == "filter"]

    def defined(self) -> list[Acl]:
        seen: dict[int, Acl] = {}
        for a in self.acls.values():
            seen.setdefault(id(a), a)
        return list(seen.values())


def _dialect(vendor: str) -> AclDialect:
    return registry.platform(vendor).dialect.acl


def acl_facts(cfg: DeviceConfig) -> AclFacts:
    """ACLs and their uses, computed once per configuration."""
    cached = cfg.facts.get("acl")
    if isinstance(cached, AclFacts):
        return cached
    d = _dialect(cfg.vendor)
    acls: dict[str, Acl] = {}
    for t in cfg.tree.top:
        if t.banner:
            continue
        for rx in d.headers:
            if m := rx.match(t.text):
                keys = tuple(k for k in (m.group("name"), m.groupdict().get("alias")) if k)
                acl = acls.get(keys[0])
                if acl is None:
                    acl = Acl(keys[0], t, v6=bool(m.groupdict().get("v6")), aliases=keys[1:])
                    for k in keys:
                        acls.setdefault(k, acl)
                acl.entries.extend(c for c in t.children if d.entry.search(c.text))
                break
        else:
            for rx in d.inline:
                if m := rx.match(t.text):
                    name = m.group("name")
                    acl = acls.setdefault(name, Acl(name, t, v6=bool(m.groupdict().get("v6"))))
                    if d.entry.search(t.text):
                        acl.entries.append(t)
                    break
    uses: list[AclUse] = []
    if d.refs:
        for ln in cfg.tree.all_lines():
            if ln.banner or (ln.parent is None and any(rx.match(ln.text) for rx in d.headers)):
                continue
            for ref in d.refs:
                if m := ref.re.search(ln.text):
                    gd = m.groupdict()
                    names = [gd["name"]] if gd.get("name") else (gd.get("names") or "").split()
                    uses.extend(AclUse(n, ln, ref.use) for n in names)
                    break
    facts = AclFacts(acls, uses)
    cfg.facts["acl"] = facts
    return facts


def permits_any(vendor: str, entry: str) -> bool:
    """Does this entry permit every protocol from any source to any destination?"""
    return any(rx.search(entry) for rx in _dialect(vendor).permit_any)


def deny_logged(vendor: str, entry: str) -> bool:
    return any(rx.search(entry) for rx in _dialect(vendor).deny_logged)


def has_dialect(vendor: str) -> bool:
    d = _dialect(vendor)
    return bool(d.headers or d.inline)
