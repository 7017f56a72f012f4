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


@cache
def _signatures() -> tuple[int, dict[str, list[tuple[re.Pattern[str], int]]]]:
    doc = yaml.safe_load((Path(__file__).with_name("detect.yaml")).read_text(encoding="utf-8"))
    sigs = {v: [(re.compile(s["re"], re.MULTILINE), int(s["w"])) for s in entries] for v, entries in doc["vendors"].items()}
    return int(doc["min_score"]), sigs


def detect_scores(text: str) -> dict[str, int]:
    lines = text.splitlines()
    head = "\n".join(lines if len(lines) <= _HEAD + _TAIL else lines[:_HEAD] + lines[-_TAIL:])
    _, sigs = _signatures()
    scores = {v: sum(w for rx, w in entries if rx.search(head)) for v, entries in sigs.items()}
    # "#" separators are VRP/Comware, "!" IOS: a strong tie-breaker between the families.
    hashes = len(re.findall(r"^#\s*$", head, re.MULTILINE))
    bangs = len(re.findall(r"^!\s*$", head, re.MULTILINE))
    if hashes > bangs:
        scores["cisco_ios"] -= 3
    elif bangs > hashes:
        scores["huawei_vrp"] -= 3
        scores["h3c_comware"] -= 3
    return scores


def detect_vendor(text: str) -> str | None:
    """The most likely dialect, or None when no vendor scores enough."""
    min_score, _ = _signatures()
    scores = detect_scores(text)
    best = max(scores, key=lambda v: scores[v])
    return best if scores[best] >= min_score else None


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
        raise InputError.one(source, "neither UTF-8 nor GBK/GB18030 text; is this a configuration file?", line) from None


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
    detected = detect_vendor(text)
    if vendor is None:
        if detected is None:
            raise InputError.one(
                source, f"cannot tell the vendor from the content; pass --vendor ({', '.join(VENDORS)})"
            )
        vendor = detected
    elif vendor not in VENDORS:
        raise InputError.one(source, f"no compliance rules for vendor {vendor!r}; supported: {', '.join(VENDORS)}")
    elif check_vendor and detected is not None and detected != vendor:
        scores = detect_scores(text)
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
