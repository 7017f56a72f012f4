"""Vendor message formats, from the platform registry: which messages are logins, commands,
configuration changes and link changes, and where their fields are.

Each platform folder's ``syslog.yaml`` (netmon/platforms/<key>/syslog.yaml, validated when the
registry loads, inherited through ``extends:``, overlaid by a site's platform folders)::

    headers:                    # how the vendor's mnemonic sits at the start of the message
      - re: '%%(?P<ver>\\d\\d)(?P<module>[A-Z0-9_]+)/(?P<level>[0-7])/(?P<digest>\\w+)...:(?P<text>.*)'
        mnemonic: '{module}/{level}/{digest}'   # the `mnemonic` tag, as the vendor prints it
        key: '{module}/{digest}'                # what `messages` are keyed by (levels vary by release)
    kv_fields: {user: [User, UserName], src_ip: [Ip, UserAddress]}   # for messages with `kv: true`
    messages:
      SHELL/CMDRECORD:
        event: command
        kv: true                # fields from the "(Key=value, ...)" list of the message
      IFNET/IF_STATE:
        event: 'link_{state}'   # {state} is the extracted state, lower case
        re: 'Interface (?P<interface>\\S+) has turned into (?P<state>UP|DOWN) state'

``netmon/platforms/common/syslog.yaml`` holds ``patterns``: hosts' wording (OpenSSH, PAM) searched
in any message, tried last. Named groups a pattern may extract: ``user``, ``src_ip``,
``command``, ``interface``, ``state``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..platforms import common, platforms
from ..platforms.model import SyslogMessage, SyslogSpec

# "(Key=value, Key2="v")" (Huawei) and "-Line=vty0-IPAddr=10.1.1.5-User=admin;" (H3C): a value ends
# at a separator or where the next "-Key=" begins.
_KV = re.compile(
    r'(?:^|[(,;\s-])(?P<k>[A-Za-z][A-Za-z0-9_ ]{0,40}?)\s*=\s*(?:"(?P<q>[^"]*)"|(?P<v>(?:(?!-[A-Za-z]+=)[^,;)\s])*))'
)
EVENT_FIELDS = ("user", "src_ip", "command", "interface", "state")


@dataclass(frozen=True)
class Header:
    regex: re.Pattern[str]
    mnemonic: str
    key: str


@dataclass
class Vendor:
    name: str
    headers: list[Header] = field(default_factory=list)
    messages: dict[str, SyslogMessage] = field(default_factory=dict)  # key -> meaning
    patterns: list[SyslogMessage] = field(default_factory=list)  # wording without a mnemonic
    kv_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_spec(cls, name: str, spec: SyslogSpec) -> Vendor:
        return cls(
            name,
            [Header(h.re, h.mnemonic, h.key or h.mnemonic) for h in spec.headers],
            dict(spec.messages),
            list(spec.patterns.values()),
            {k: tuple(v) for k, v in spec.kv_fields.items()},
        )


@dataclass(slots=True)
class Classified:
    vendor: str = ""
    mnemonic: str = ""
    event: str = ""
    fields: dict[str, str] = field(default_factory=dict)


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def _fmt(template: str, groups: dict[str, str | Any]) -> str:
    if "{" not in template:
        return template
    return template.format_map(_Blank({k: v or "" for k, v in groups.items()}))


class Catalogue:
    """All platforms' tables; ``classify(text, vendor_hint)`` names the mnemonic, the event and its fields."""

    def __init__(self, vendors: list[Vendor], generic: Vendor | None = None) -> None:
        self.vendors = {v.name: v for v in vendors}
        self.generic = generic or Vendor("generic")
        self._order = list(self.vendors.values())

    def classify(self, text: str, vendor_hint: str | None = None) -> Classified:
        hinted = self.vendors.get(vendor_hint or "")
        order = [hinted, *(v for v in self._order if v is not hinted)] if hinted else self._order
        first: Classified | None = None
        for v in order:
            for h in v.headers:
                hm = h.regex.match(text)
                if hm is None:
                    continue
                g = hm.groupdict()
                d = v.messages.get(_fmt(h.key, g))
                c = Classified(v.name, _fmt(h.mnemonic, g))
                if d is not None:
                    self._apply(v, [d], g.get("text") or "", c, require_match=False)
                    return c
                if first is None:
                    first = c
                break  # this vendor's header fitted but it does not know the message: try others
        out = first or Classified()
        self._apply(self.generic, self.generic.patterns, text, out, require_match=True)
        return out

    @staticmethod
    def _apply(v: Vendor, defs: Iterable[SyslogMessage], body: str, c: Classified, require_match: bool) -> None:
        for d in defs:
            groups: dict[str, str] = {}
            if d.re is not None:
                m = d.re.search(body)
                if m is None and require_match:
                    continue
                if m is not None:
                    groups = {k: val for k, val in m.groupdict().items() if val is not None}
            if d.kv:
                pairs: dict[str, str] = {}
                for km in _KV.finditer(body):
                    pairs.setdefault(km["k"].strip(), km["q"] if km["q"] is not None else km["v"])
                for ours, theirs in v.kv_fields.items():
                    for name in theirs:
                        val = pairs.get(name)
                        if val and val != "**":  # Huawei writes ** when it cannot tell
                            groups.setdefault(ours, val)
                            break
            fields = {k: val.strip() for k, val in groups.items() if k in EVENT_FIELDS and val.strip()}
            if "src_ip" in fields:
                fields["src_ip"] = fields["src_ip"].rstrip(".:")  # "... from 10.1.1.5." ends a sentence
            if "state" in fields:
                fields["state"] = fields["state"].lower()
            c.event = _fmt(d.event, fields)
            c.fields.update(fields)
            if not c.vendor:
                c.vendor = v.name
            return


def load_catalogue() -> Catalogue:
    """Every registry platform with a ``syslog`` section, and common/syslog.yaml's wording."""
    vendors = [Vendor.from_spec(k, p.syslog) for k, p in sorted(platforms().items()) if p.syslog is not None]
    return Catalogue(vendors, Vendor.from_spec("generic", common().syslog))
