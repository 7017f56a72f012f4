"""Vendor message formats as data: which messages are logins, commands, config changes, link changes.

One YAML file per platform (``vendors/<platform>.yaml``) plus ``generic.yaml`` (Linux sshd and
other hosts' wording, tried last)::

    vendor: huawei_vrp
    headers:                    # how the vendor's mnemonic sits at the start of the message
      - re: '%%(?P<ver>\\d\\d)(?P<module>[A-Z0-9_]+)/(?P<level>[0-7])/(?P<digest>\\w+)...:(?P<text>.*)'
        mnemonic: '{module}/{level}/{digest}'   # the `mnemonic` tag, as the vendor prints it
        key: '{module}/{digest}'                # what `messages` entries name (levels vary by release)
    kv_fields: {user: [User, UserName], src_ip: [Ip, UserAddress]}   # for messages with `kv: true`
    messages:
      - key: SHELL/CMDRECORD
        event: command
        kv: true                # fields from the "(Key=value, ...)" list of the message
        # why: ...
      - key: IFNET/IF_STATE
        event: 'link_{state}'   # {state} is the extracted state, lower case
        re: 'Interface (?P<interface>\\S+) has turned into (?P<state>UP|DOWN) state'

Named groups a pattern may extract: ``user``, ``src_ip``, ``command``, ``interface``, ``state``.
A file with a mistake is refused with its file, line and field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..yamlio import LineDict, LineList, line_of, load_yaml

VENDORS_DIR = Path(__file__).with_name("vendors")
EVENT_FIELDS = ("user", "src_ip", "command", "interface", "state")
EVENTS = ("login_failure", "login_success", "logout", "command", "config_change", "link_down", "link_up")
_TEMPLATE = re.compile(r"\{(\w+)\}")
# "(Key=value, Key2="v")" (Huawei) and "-Line=vty0-IPAddr=10.1.1.5-User=admin;" (H3C): a value ends
# at a separator or where the next "-Key=" begins.
_KV = re.compile(
    r'(?:^|[(,;\s-])(?P<k>[A-Za-z][A-Za-z0-9_ ]{0,40}?)\s*=\s*(?:"(?P<q>[^"]*)"|(?P<v>(?:(?!-[A-Za-z]+=)[^,;)\s])*))'
)


@dataclass(frozen=True)
class Header:
    regex: re.Pattern[str]
    mnemonic: str
    key: str


@dataclass(frozen=True)
class MessageDef:
    key: str | None
    event: str
    regex: re.Pattern[str] | None
    kv: bool
    source: str


@dataclass
class Vendor:
    name: str
    headers: list[Header] = field(default_factory=list)
    messages: dict[str, list[MessageDef]] = field(default_factory=dict)  # key -> defs
    patterns: list[MessageDef] = field(default_factory=list)  # defs without a key (generic wording)
    kv_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)


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
    """All vendor files; ``classify(text, vendor_hint)`` names the mnemonic, the event and its fields."""

    def __init__(self, vendors: list[Vendor]) -> None:
        self.vendors = {v.name: v for v in vendors}
        self.generic = self.vendors.pop("generic", Vendor("generic"))
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
                key = _fmt(h.key, g)
                body = g.get("text") or ""
                c = Classified(v.name, _fmt(h.mnemonic, g))
                defs = v.messages.get(key)
                if defs:
                    self._apply(v, defs, body, c, require_match=False)
                    return c
                if first is None:
                    first = c
                break  # this vendor's header fitted but it does not know the message: try others
        out = first or Classified()
        self._apply(self.generic, self.generic.patterns, text, out, require_match=True)
        return out

    @staticmethod
    def _apply(v: Vendor, defs: Iterable[MessageDef], body: str, c: Classified, require_match: bool) -> None:
        for d in defs:
            groups: dict[str, str] = {}
            if d.regex is not None:
                m = d.regex.search(body)
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


def _problem(src: str, doc: Any, key: Any, reason: str, fld: str) -> Problem:
    return Problem(src, reason, line_of(doc, key) if isinstance(doc, LineDict | LineList) else None, fld)


def _compile(src: str, doc: Any, key: Any, text: Any, fld: str, problems: list[Problem]) -> re.Pattern[str] | None:
    if not isinstance(text, str) or not text:
        problems.append(_problem(src, doc, key, "a regular expression (string) is required", fld))
        return None
    try:
        rx = re.compile(text)
    except re.error as exc:
        problems.append(_problem(src, doc, key, f"bad regular expression: {exc}", fld))
        return None
    bad = sorted(set(rx.groupindex) - {*EVENT_FIELDS, "text", "ver", "module", "level", "digest", "facility",
                                       "mnemonic", "kind", "seq", "severity"})  # fmt: skip
    if bad:
        problems.append(_problem(src, doc, key, f"unknown group {bad[0]!r}; extract {', '.join(EVENT_FIELDS)}", fld))
    return rx


def load_vendor_file(path: Path) -> Vendor:
    src = str(path)
    doc = load_yaml(path)
    problems: list[Problem] = []
    if not isinstance(doc, dict) or not isinstance(doc.get("vendor"), str):
        raise InputError.one(src, "a vendor file is a mapping with `vendor:` (platform key) and `messages:`")
    unknown = sorted(set(doc) - {"vendor", "headers", "messages", "kv_fields"})
    for k in unknown:
        problems.append(_problem(src, doc, k, "unknown setting", k))
    v = Vendor(doc["vendor"])
    for i, h in enumerate(doc.get("headers") or []):
        where = f"headers[{i}]"
        if not isinstance(h, dict):
            problems.append(_problem(src, doc.get("headers"), i, "a header is {re, mnemonic, key}", where))
            continue
        rx = _compile(src, h, "re", h.get("re"), f"{where}.re", problems)
        if rx is not None and "text" not in rx.groupindex:
            problems.append(
                _problem(src, h, "re", "a header needs a (?P<text>...) group for the message body", f"{where}.re")
            )
        mn, key = h.get("mnemonic"), h.get("key", h.get("mnemonic"))
        if not isinstance(mn, str) or not isinstance(key, str):
            problems.append(
                _problem(src, h, "mnemonic", "mnemonic and key are templates such as '{module}/{digest}'", where)
            )
            continue
        if rx is not None:
            v.headers.append(Header(rx, mn, key))
    kvf = doc.get("kv_fields") or {}
    if not isinstance(kvf, dict) or any(k not in EVENT_FIELDS or not isinstance(x, list) for k, x in kvf.items()):
        problems.append(
            _problem(
                src,
                doc,
                "kv_fields",
                f"kv_fields maps one of {', '.join(EVENT_FIELDS)} to a list of key names",
                "kv_fields",
            )
        )
    else:
        v.kv_fields = {k: tuple(str(n) for n in x) for k, x in kvf.items()}
    msgs = doc.get("messages") or []
    if not isinstance(msgs, list):
        problems.append(_problem(src, doc, "messages", "messages is a list", "messages"))
        msgs = []
    for i, m in enumerate(msgs):
        where = f"messages[{i}]"
        if not isinstance(m, dict):
            problems.append(_problem(src, msgs, i, "a message is {key, event, re, kv}", where))
            continue
        for k in sorted(set(m) - {"key", "event", "re", "kv"}):
            problems.append(_problem(src, m, k, "unknown setting", f"{where}.{k}"))
        event = m.get("event")
        if not isinstance(event, str) or (event not in EVENTS and "{" not in event):
            problems.append(
                _problem(
                    src, m, "event", f"event is one of {', '.join(EVENTS)} (or e.g. 'link_{{state}}')", f"{where}.event"
                )
            )
            continue
        rx = _compile(src, m, "re", m["re"], f"{where}.re", problems) if "re" in m else None
        key = m.get("key")
        if key is None and rx is None:
            problems.append(_problem(src, m, "event", "a message needs `key` (the mnemonic) or `re`", where))
            continue
        if "{" in event and (rx is None or not set(_TEMPLATE.findall(event)) <= set(rx.groupindex)):
            problems.append(
                _problem(src, m, "event", f"{event!r} names a group its `re` does not extract", f"{where}.event")
            )
            continue
        d = MessageDef(str(key) if key is not None else None, event, rx, bool(m.get("kv", False)), src)
        if d.key is None:
            v.patterns.append(d)
        else:
            v.messages.setdefault(d.key, []).append(d)
    if problems:
        raise InputError(problems)
    return v


@cache
def _builtin() -> tuple[Vendor, ...]:
    return tuple(load_vendor_file(p) for p in sorted(VENDORS_DIR.glob("*.yaml")))


def load_catalogue(extra_dir: Path | None = None) -> Catalogue:
    """The built-in vendor files plus a site's own (a site file for a vendor adds to it)."""
    vendors = {
        v.name: Vendor(
            v.name, list(v.headers), {k: list(x) for k, x in v.messages.items()}, list(v.patterns), dict(v.kv_fields)
        )
        for v in _builtin()
    }
    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise InputError.one(str(extra_dir), "not a directory", field="syslog.vendors_dir")
        for p in sorted(extra_dir.glob("*.yaml")):
            extra = load_vendor_file(p)
            have = vendors.setdefault(extra.name, Vendor(extra.name))
            have.headers = extra.headers + have.headers
            for k, defs in extra.messages.items():
                have.messages[k] = defs + have.messages.get(k, [])
            have.patterns = extra.patterns + have.patterns
            have.kv_fields = {**have.kv_fields, **extra.kv_fields}
    return Catalogue(list(vendors.values()))
