"""From bytes on disk to a parsed, vendor-tagged configuration, with clear errors on bad input."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from ..errors import InputError
from .tree import ConfigTree, parse_config

VENDORS = ("huawei_vrp", "h3c_comware", "cisco_ios")
VENDOR_NAMES = {"huawei_vrp": "Huawei VRP", "h3c_comware": "H3C Comware", "cisco_ios": "Cisco IOS"}
# Lines looked at for signatures: the head (version, sysname, AAA) and the tail (user-interface /
# line vty, return/end); enough for any dialect and cheap on a 50,000-line file.
_HEAD, _TAIL = 400, 400
_CONTROL = re.compile(r"[\x00-\x02\x04-\x08\x0e-\x1a\x1c-\x1f]")  # C0 controls other than tab/CR/LF/ETX/ESC
_HOSTNAME = re.compile(r"^\s?(?:sysname|hostname)\s+(\S+)", re.MULTILINE)


@dataclass(slots=True)
class DeviceConfig:
    """A configuration ready for the rules: its tree, vendor, and how it was read."""

    name: str  # device name (inventory) or hostname / file stem
    vendor: str
    source: str  # file path or archive reference
    tree: ConfigTree
    encoding: str = "utf-8"
    notes: list[str] = field(default_factory=list)  # things the reader should know (truncation, encoding)


_KEY = re.compile(r"^\^(?: \?)?([!A-Za-z][\w-]*)(?= |\$|\\|$)")  # "^ ?word" -> word


@dataclass(frozen=True, slots=True)
class _Sigs:
    min_score: int
    # vendor -> [(signature index, regex, weight)], split by the literal first word a line needs
    keyed: dict[str, list[tuple[str, int, re.Pattern[str], int]]]
    loose: list[tuple[str, int, re.Pattern[str], int]]


@cache
def _signatures() -> _Sigs:
    doc = yaml.safe_load((Path(__file__).with_name("detect.yaml")).read_text(encoding="utf-8"))
    keyed: dict[str, list[tuple[str, int, re.Pattern[str], int]]] = {}
    loose: list[tuple[str, int, re.Pattern[str], int]] = []
    i = 0
    for vendor, entries in doc["vendors"].items():
        for e in entries:
            rx = re.compile(e["re"], re.MULTILINE)
            entry = (vendor, i, rx, int(e["w"]))
            m = _KEY.match(e["re"])
            if m:
                keyed.setdefault(m.group(1), []).append(entry)
            else:
                loose.append(entry)
            i += 1
    return _Sigs(int(doc["min_score"]), keyed, loose)


def detect_scores(text: str) -> dict[str, int]:
    """Signature score per vendor. Lines are looked up by their first word, so detection costs
    one dictionary lookup per line rather than one regex pass per signature."""
    sigs = _signatures()
    lines = text.splitlines()
    window = lines if len(lines) <= _HEAD + _TAIL else lines[:_HEAD] + lines[-_TAIL:]
    found: dict[int, tuple[str, int]] = {}
    hashes = bangs = 0
    for raw in window:
        st = raw.strip()
        if st == "#":
            hashes += 1
        elif st == "!":
            bangs += 1
        for vendor, idx, rx, w in sigs.keyed.get(st.split(" ", 1)[0], ()):
            if idx not in found and rx.search(raw):
                found[idx] = (vendor, w)
    head = "\n".join(window)
    for vendor, idx, rx, w in sigs.loose:
        if rx.search(head):
            found[idx] = (vendor, w)
    scores = {v: 0 for v in VENDORS}
    for vendor, w in found.values():
        scores[vendor] = scores.get(vendor, 0) + w
    # "#" separators are VRP/Comware, "!" IOS: a strong tie-breaker between the families.
    if hashes > bangs:
        scores["cisco_ios"] -= 3
    elif bangs > hashes:
        scores["huawei_vrp"] -= 3
        scores["h3c_comware"] -= 3
    return scores


def best_vendor(scores: dict[str, int]) -> str | None:
    best = max(scores, key=lambda v: scores[v])
    return best if scores[best] >= _signatures().min_score else None


def detect_vendor(text: str) -> str | None:
    """The most likely dialect, or None when no vendor scores enough."""
    return best_vendor(detect_scores(text))


def decode(data: bytes, source: str) -> tuple[str, str]:
    """Text and the encoding used. UTF-8 first; GB18030 (a superset of GBK) for Chinese
    comments saved by Windows tools; a NUL byte or mostly non-text means a binary file."""
    if not data.strip():
        raise InputError.one(source, "empty file: no configuration to check")
    sample = data[:8192]
    if b"\x00" in sample:
        raise InputError.one(source, "binary file (NUL bytes), not a device configuration")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError.one(
            source, "neither UTF-8 nor GBK/GB18030 text; is this a configuration file?", line
        ) from None


def hostname_of(text: str) -> str | None:
    m = _HOSTNAME.search(text)
    return m.group(1) if m else None


def load_device_config(
    data: bytes, source: str, vendor: str | None = None, name: str | None = None, check_vendor: bool = True
) -> DeviceConfig:
    """Decode, identify and parse one configuration.

    ``vendor`` given: the file must not look like another vendor's (a wrong --vendor or a
    mislabelled inventory entry gives meaningless results). Not given: auto-detected.
    """
    text, encoding = decode(data, source)
    if len(_CONTROL.findall(text, 0, 8192)) > 0.05 * min(len(text), 8192):
        raise InputError.one(source, "binary or garbled file (mostly non-printable characters)")
    scores = detect_scores(text)
    detected = best_vendor(scores)
    if vendor is None:
        if detected is None:
            raise InputError.one(
                source, f"cannot tell the vendor from the content; pass --vendor ({', '.join(VENDORS)})"
            )
        vendor = detected
    elif vendor not in VENDORS:
        raise InputError.one(source, f"no compliance rules for vendor {vendor!r}; supported: {', '.join(VENDORS)}")
    elif check_vendor and detected is not None and detected != vendor:
        if scores[detected] >= scores[vendor] + 3:
            raise InputError.one(
                source,
                f"looks like a {VENDOR_NAMES[detected]} configuration, not {VENDOR_NAMES[vendor]}; "
                "fix --vendor (or the inventory's vendor) or omit it to auto-detect",
            )
    tree = parse_config(text)
    notes: list[str] = []
    if encoding != "utf-8":
        notes.append(f"read as {encoding.upper()} (not UTF-8)")
    if not tree.top:
        raise InputError.one(source, "no configuration lines (only comments or separators)")
    if not tree.ended:
        last = "end" if vendor == "cisco_ios" else "return"
        notes.append(f"no final '{last}': the configuration may be truncated, so absent lines may be misjudged")
    for line, reason in tree.problems:
        notes.append(f"line {line}: {reason}")
    return DeviceConfig(name or hostname_of(text) or Path(source).stem, vendor, source, tree, encoding, notes)


def read_device_config(path: Path, vendor: str | None = None, name: str | None = None) -> DeviceConfig:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError.one(str(path), f"cannot read: {exc.strerror or exc}") from None
    return load_device_config(data, str(path), vendor, name)
