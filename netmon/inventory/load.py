"""Load the inventory from YAML files and CSV spreadsheets, collecting every error at once.

YAML layout::

    defaults: {snmp: snmp-v3, ssh: ops}          # applied to every device
    groups:                                      # shared fields, referenced by `group:`
      gd-county: {network: intranet, tier: county, vendor: huawei_vrp}
    devices:
      - {name: gd-gz-th-core1, address: 10.1.2.3, group: gd-county, region: 广东/广州/天河,
         site: 天河政务中心, role: core, uplinks: [{device: gd-gz-core1, interface: GE0/0/1}]}

CSV: one device per row, header with the same field names; ``uplinks`` as
``parent:iface;parent2``; ``tags`` as ``k=v;k2=v2``; ``group`` refers to groups of YAML files
loaded before it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..csvsafe import restore
from ..errors import InputError, Problem
from ..yamlio import LineDict, line_for_loc, line_of, load_yaml, read_text
from .model import Device

# Keys that would carry a secret: the inventory only ever holds references to credentials.
SECRET_KEYS = frozenset(
    {"password", "community", "auth_key", "priv_key", "secret", "enable_secret", "token", "passphrase", "key"}
)
_TOP_KEYS = {"defaults", "groups", "devices"}


class Inventory:
    """Devices by name, in file order."""

    def __init__(self, devices: Iterable[Device] = ()) -> None:
        self.devices: dict[str, Device] = {}
        for d in devices:
            self.devices[d.name] = d

    def __len__(self) -> int:
        return len(self.devices)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.devices.values())

    def __getitem__(self, name: str) -> Device:
        return self.devices[name]

    def __contains__(self, name: object) -> bool:
        return name in self.devices


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.groups: dict[str, dict[str, Any]] = {}
        self.devices: list[tuple[Device, str, int | None]] = []  # device, source, line
        self.invalid: set[str] = set()  # names of devices that failed validation

    def add(self, source: str, reason: str, line: int | None = None, field: str | None = None) -> None:
        self.problems.append(Problem(source, reason, line, field))


def _check_inline_secrets(c: _Collector, source: str, obj: Any, path: str = "") -> None:
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            if str(k).lower() in SECRET_KEYS and v not in (None, ""):
                c.add(
                    source,
                    "inline secrets are not allowed in the inventory; reference a credential by name "
                    "(snmp: NAME / ssh: NAME) defined in netmon.yaml, whose values come from environment "
                    "variables (env:VAR) or the 0600 secrets file (secret:NAME)",
                    line_of(obj, k),
                    f"{path}{k}",
                )
            else:
                _check_inline_secrets(c, source, v, f"{path}{k}.")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _check_inline_secrets(c, source, v, f"{path}{i}.")


def _validate_device(c: _Collector, source: str, raw: dict[str, Any], line: int | None, yaml_node: Any) -> None:
    try:
        dev = Device.model_validate(raw)
    except ValidationError as exc:
        name = raw.get("name", "?")
        c.invalid.add(str(name))
        for err in exc.errors():
            loc = tuple(err["loc"])
            fld = ".".join(str(p) for p in loc) or None
            err_line = line_for_loc(yaml_node, loc) if yaml_node is not None else line
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "missing":
                msg = "required field is missing"
            elif err["type"] == "extra_forbidden":
                msg = "unknown field"
            elif err["type"] == "enum":
                msg = f"{err.get('input')!r} is not one of: {err['ctx']['expected']}"
            c.add(source, f"device {name}: {msg}", err_line, fld)
        return
    c.devices.append((dev, source, line))


def _merge(
    c: _Collector, source: str, defaults: Mapping[str, Any], raw: Mapping[str, Any], line: int | None
) -> dict[str, Any]:
    merged: dict[str, Any] = dict(defaults)
    group = raw.get("group")
    if group is not None:
        if group not in c.groups:
            c.add(source, f"unknown group {group!r}", line, "group")
        else:
            merged.update(c.groups[group])
    merged.update({k: v for k, v in raw.items() if k != "group"})
    tags: dict[str, Any] = {}
    for layer in (defaults, c.groups.get(str(group), {}) if group else {}, raw):
        if isinstance(layer.get("tags"), Mapping):
            tags.update(layer["tags"])
    if tags:
        merged["tags"] = tags
    return merged


def _load_yaml_file(c: _Collector, path: Path) -> None:
    source = str(path)
    doc = load_yaml(path)
    if doc is None:
        c.add(source, "the file is empty")
        return
    if not isinstance(doc, LineDict):
        c.add(source, "expected a mapping with `devices:` (and optionally `defaults:` and `groups:`)", line_of(doc))
        return
    for key in doc:
        if key not in _TOP_KEYS:
            c.add(source, f"unknown top-level key {key!r}; expected one of {sorted(_TOP_KEYS)}", line_of(doc, key), key)
    _check_inline_secrets(c, source, doc)
    defaults = doc.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        c.add(source, "`defaults` must be a mapping", line_of(doc, "defaults"), "defaults")
        defaults = {}
    groups = doc.get("groups") or {}
    if not isinstance(groups, Mapping):
        c.add(source, "`groups` must be a mapping of group name to fields", line_of(doc, "groups"), "groups")
        groups = {}
    for gname, gfields in groups.items():
        if not isinstance(gfields, Mapping):
            c.add(source, f"group {gname!r} must be a mapping", line_of(groups, gname), f"groups.{gname}")
            continue
        c.groups[str(gname)] = dict(gfields)
    devices = doc.get("devices") or []
    if not isinstance(devices, list):
        c.add(source, "`devices` must be a list", line_of(doc, "devices"), "devices")
        return
    for i, raw in enumerate(devices):
        line = line_of(devices, i)
        if not isinstance(raw, Mapping):
            c.add(source, "each device must be a mapping of fields", line, f"devices[{i}]")
            continue
        merged = _merge(c, source, defaults, raw, line)
        _validate_device(c, source, merged, line, raw)


def _split(value: str, sep: str = ";") -> list[str]:
    return [p.strip() for p in value.split(sep) if p.strip()]


# CSV columns: every Device field, plus `group` (a group defined in a YAML file loaded before).
CSV_KNOWN = frozenset(Device.model_fields) | {"group"}
# Columns a CSV without a `group` column must have (region may be empty for central devices).
CSV_REQUIRED = ("name", "address", "network", "tier", "region", "site", "role", "vendor")


def _csv_header_ok(c: _Collector, source: str, columns: list[str]) -> bool:
    """Check the header row once: unknown columns are refused (a typo such as `adress` would
    otherwise be dropped silently, cell by cell), missing ones are named once, not per row.
    Returns False when rows cannot be read at all (a required column is missing)."""
    unknown = [k for k in columns if k not in CSV_KNOWN]
    for k in unknown:
        c.add(source, f"unknown column {k!r}; known columns: {', '.join(_CSV_ORDER)}", 1, k)
    dup = sorted({k for k in columns if columns.count(k) > 1})
    for k in dup:
        c.add(source, f"column {k!r} appears more than once in the header", 1, k)
    if "group" in columns:
        return True  # the group may supply what the row does not; rows are checked one by one
    missing = [k for k in CSV_REQUIRED if k not in columns]
    if missing:
        c.add(
            source,
            f"the header has no {', '.join(repr(k) for k in missing)} column; expected a header such as "
            f"{','.join(_CSV_ORDER[:12])}",
            1,
        )
        return False
    return True


_CSV_ORDER = (*CSV_REQUIRED, "uplinks", "snmp", "ssh", "tags", "port", "ssh_port", "model", "group")


def _load_csv_file(c: _Collector, path: Path) -> None:
    source = str(path)
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        c.add(source, "the CSV file is empty or has no header row")
        return
    _check_inline_secrets(c, source, {k: "x" for k in reader.fieldnames if k})
    columns = [k.strip() for k in reader.fieldnames if k and k.strip()]
    if not _csv_header_ok(c, source, columns):
        return  # every row would repeat the header's problem
    known = set(columns) & CSV_KNOWN
    for row in reader:
        rownum = reader.line_num  # physical line of the row's end; the header is line 1
        raw: dict[str, Any] = {
            k.strip(): restore((v or "").strip()) for k, v in row.items() if k and k.strip() in known
        }
        raw = {k: v for k, v in raw.items() if v != ""}
        if "uplinks" in raw:
            ups = []
            for item in _split(raw["uplinks"]):
                dev, _, iface = item.partition(":")
                ups.append({"device": dev.strip(), **({"interface": iface.strip()} if iface.strip() else {})})
            raw["uplinks"] = ups
        if "tags" in raw:
            raw["tags"] = dict(
                (kv.partition("=")[0].strip(), kv.partition("=")[2].strip()) for kv in _split(raw["tags"])
            )
        merged = _merge(c, source, {}, raw, rownum)
        _validate_device(c, source, merged, rownum, None)


def load_inventory(paths: Iterable[Path]) -> Inventory:
    """Load and validate; raise InputError listing every problem of every file."""
    c = _Collector()
    for path in paths:
        try:
            if path.suffix.lower() == ".csv":
                _load_csv_file(c, path)
            else:
                _load_yaml_file(c, path)
        except InputError as exc:
            c.problems.extend(exc.problems)
    seen: dict[str, tuple[str, int | None]] = {}
    out: list[Device] = []
    for dev, source, line in c.devices:
        if dev.name in seen:
            first = seen[dev.name]
            c.add(source, f"duplicate device name {dev.name!r} (first defined at {first[0]}:{first[1]})", line, "name")
            continue
        seen[dev.name] = (source, line)
        out.append(dev)
    inv = Inventory(out)
    from .topology import topology_problems

    c.problems.extend(
        topology_problems(
            inv, {d.name: s for d, s, _ in c.devices}, {d.name: ln for d, _, ln in c.devices}, ignore_missing=c.invalid
        )
    )
    if c.problems:
        raise InputError(c.problems)
    return inv
