"""TextFSM parsing of show/display output into Points: interface state, LLDP neighbours
(for topology checks) and software version (for vulnerability review).

Templates come from ntc-templates; where it has none (RGOS, Comware `display version`) our
own live in ``templates/`` named ``<netmiko driver>_<command>.textfsm``, as ntc names them.
"""

from __future__ import annotations

import logging
from pathlib import Path

import textfsm
from ntc_templates.parse import parse_output

from netmon.inventory import Device
from netmon.model import Point

from .commands import CommandSet

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).with_name("templates")

# IF-MIB ifAdminStatus / ifOperStatus values, so these points read like the SNMP `interface` ones.
UP, DOWN = 1, 2


def own_template(device_type: str, command: str) -> Path | None:
    path = TEMPLATES / f"{device_type}_{command.replace(' ', '_')}.textfsm"
    return path if path.exists() else None


def parse_rows(device_type: str, cs: CommandSet, key: str, text: str) -> list[dict[str, str]]:
    """Rows as {our field: value}; [] when the command has no parser. Raises on a template error."""
    cmd = cs.commands[key]
    if cmd.parse is None:
        return []
    template = own_template(device_type, cmd.command)
    if template is not None:
        with template.open(encoding="utf-8") as fh:
            fsm = textfsm.TextFSM(fh)
        header = [h.lower() for h in fsm.header]
        rows = [dict(zip(header, (str(v) for v in r), strict=True)) for r in fsm.ParseText(text)]
    elif cs.ntc_platform:
        raw = parse_output(platform=cs.ntc_platform, command=cmd.command, data=text)
        rows = [{k.lower(): v if isinstance(v, str) else " ".join(map(str, v)) for k, v in r.items()} for r in raw]
    else:
        return []
    return [{ours: row.get(theirs, "") for ours, theirs in cmd.fields.items()} for row in rows]


def _state(value: str) -> str:
    return value.strip().lower()


def interface_points(dev: Device, cs: CommandSet, rows: list[dict[str, str]], t: int) -> list[Point]:
    admin_down = {v.lower() for v in cs.admin_down}
    out = []
    for r in rows:
        name = r.get("name", "").strip()
        if not name:
            continue
        link = _state(r.get("link", ""))
        proto = _state(r.get("protocol", ""))
        if proto in ("", "--"):
            proto = link  # bridge ports (Comware) and RGOS `show interface status` have one state column
        admin = DOWN if link in admin_down else UP
        oper = UP if proto.startswith("up") and admin == UP else DOWN
        out.append(
            Point(
                "interface_state",
                {**dev.point_tags(), "ifName": name, "source": "ssh"},
                {
                    "admin_status": admin,
                    "oper_status": oper,
                    "link": r.get("link", ""),
                    "protocol": r.get("protocol", ""),
                },
                t,
            )
        )
    return out


def lldp_points(dev: Device, rows: list[dict[str, str]], t: int) -> list[Point]:
    return [
        Point(
            "lldp_neighbor",
            {**dev.point_tags(), "local_interface": r.get("local_interface", "")},
            {"neighbor_name": r.get("neighbor_name", ""), "neighbor_interface": r.get("neighbor_interface", "")},
            t,
        )
        for r in rows
        if r.get("local_interface")
    ]


def version_points(dev: Device, rows: list[dict[str, str]], t: int) -> list[Point]:
    if not rows:
        return []
    r = rows[0]
    return [
        Point(
            "software",
            dev.point_tags(),
            {
                "version": r.get("version", "").strip(),
                "model": r.get("model", "").strip(),
                "uptime": r.get("uptime", "").strip(),
            },
            t,
        )
    ]


def points_from_outputs(
    dev: Device, device_type: str, cs: CommandSet, outputs: dict[str, str], t: int
) -> tuple[list[Point], dict[str, str]]:
    """Points from every parsed command, and per-key parse problems (a template that failed)."""
    points: list[Point] = []
    problems: dict[str, str] = {}
    for key, text in outputs.items():
        cmd = cs.commands.get(key)
        if cmd is None or cmd.parse is None:
            continue
        try:
            rows = parse_rows(device_type, cs, key, text)
        except Exception as exc:  # a template that does not fit this firmware's output
            problems[key] = f"{cmd.command!r} did not parse: {type(exc).__name__}"
            log.warning("%s: %s", dev.name, problems[key])
            continue
        if cmd.parse == "interfaces":
            points += interface_points(dev, cs, rows, t)
        elif cmd.parse == "lldp":
            points += lldp_points(dev, rows, t)
        elif cmd.parse == "version":
            points += version_points(dev, rows, t)
    return points, problems
