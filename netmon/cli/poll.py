"""`netmon poll`: poll one device once (or twice for rates) and print its Points."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import re
import socket
from typing import Annotated

import typer
from pydantic import SecretStr
from rich.table import Table

from ..config import SnmpCredential
from ..errors import InputError, NetmonError
from ..inventory import Device
from ..model import Point
from ..platforms import common, platforms
from .common import ConfigOpt, InventoryOpt, console, load_context, platform_keys

_AUTH = ("md5", "sha", "sha224", "sha256", "sha384", "sha512")
_PRIV = ("des", "aes", "aes128", "aes192", "aes256")

HELP = """Poll one device over SNMP and print what netmon would store (like `telegraf --test`).

Reads system, IF-MIB interfaces and (with --health, the default) the vendor health profile.
With --count 2 --interval S it polls twice and the second poll carries rates (bits/s, pps,
errors/s, utilisation %).

[b]Examples[/b]

  netmon poll --host 10.1.1.1 --community public
  netmon poll --host core1.example.gov:1161 --community public   (a name resolves; IPv4 preferred)
  netmon poll --host 10.1.1.1:1161 --v3-user netmon --auth-proto sha --priv-proto aes   (keys from env)
  netmon poll gd-gz-core1 -c netmon.yaml --format line --count 2 --interval 10

Secrets: keys given on the command line are visible to other users in `ps`; prefer the
environment variables NETMON_SNMP_COMMUNITY, NETMON_SNMP_AUTH_KEY, NETMON_SNMP_PRIV_KEY.
Exit status: 0 when the device answered, 1 with a one-line classified error when it did not
(timeout, auth_failure, unknown_user, decryption_error, ...), 2 for bad options.
"""


def _host_port(text: str) -> tuple[str, int, str]:
    """(address, port, name) from --host: an IPv4/IPv6 address or a host name (resolved with
    getaddrinfo, IPv4 preferred when it has both), optionally with :PORT ([v6]:PORT)."""
    h = text.strip()
    usage = "give HOST or HOST:PORT, e.g. 10.1.1.1, 10.1.1.1:1161, [2001:db8::1]:161 or core1.example.gov"
    if not h:
        raise InputError.one("--host", f"empty; {usage}")
    port_text, has_port = "", False
    if h.startswith("["):  # [v6]:port
        host, close, rest = h[1:].partition("]")
        if not close or (rest and not rest.startswith(":")):
            raise InputError.one("--host", f"{text!r}: write an IPv6 address with a port as [ADDRESS]:PORT")
        port_text, has_port = rest[1:], bool(rest)
    elif h.count(":") == 1:
        host, _, port_text = h.partition(":")
        has_port = True
    else:
        host = h  # a bare IPv6 address has several colons
    port = 161
    if has_port:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise InputError.one("--host", f"{port_text!r} is not a UDP port (1-65535)")
        port = int(port_text)
    if "/" in host:
        raise InputError.one("--host", f"{host!r} is a network, not one agent address; {usage}")
    try:
        return str(ipaddress.ip_address(host)), port, host
    except ValueError:
        pass
    if ":" in host or not host:
        raise InputError.one("--host", f"{host!r} is not an IPv4 or IPv6 address or a host name; {usage}")
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_DGRAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else "not a valid host name"
        raise InputError.one("--host", f"cannot resolve {host!r}: {reason}; {usage}") from None
    addrs = [str(i[4][0]) for i in sorted(infos, key=lambda i: i[0] != socket.AF_INET)]
    if not addrs:
        raise InputError.one("--host", f"{host!r} resolves to no address")
    return addrs[0], port, host


def _credential(
    version: str,
    community: str | None,
    user: str | None,
    auth_proto: str,
    auth_key: str | None,
    priv_proto: str,
    priv_key: str | None,
    context: str,
) -> SnmpCredential:
    community = community or os.environ.get("NETMON_SNMP_COMMUNITY")
    auth_key = auth_key or os.environ.get("NETMON_SNMP_AUTH_KEY")
    priv_key = priv_key or os.environ.get("NETMON_SNMP_PRIV_KEY")
    if user:
        if auth_proto != "none" and not auth_key:
            raise InputError.one(
                "--auth-key", f"--auth-proto {auth_proto} needs a key (--auth-key or NETMON_SNMP_AUTH_KEY)"
            )
        if priv_proto != "none" and not priv_key:
            raise InputError.one(
                "--priv-key", f"--priv-proto {priv_proto} needs a key (--priv-key or NETMON_SNMP_PRIV_KEY)"
            )
        if priv_proto != "none" and auth_proto == "none":
            raise InputError.one("--priv-proto", "privacy needs authentication (set --auth-proto)")
        for name, key in (("--auth-key", auth_key), ("--priv-key", priv_key)):
            if key is not None and len(key) < 8:
                raise InputError.one(name, "SNMPv3 keys must be at least 8 characters (RFC 3414)")
        return SnmpCredential(
            version="3",
            user=user,
            auth_protocol=auth_proto if auth_key else "none",  # type: ignore[arg-type]
            auth_key=SecretStr(auth_key) if auth_key and auth_proto != "none" else None,
            priv_protocol=priv_proto if priv_key else "none",  # type: ignore[arg-type]
            priv_key=SecretStr(priv_key) if priv_key and priv_proto != "none" else None,
            context=context,
        )
    if not community:
        raise InputError.one("--community", "give --community (or NETMON_SNMP_COMMUNITY) for v2c, or --v3-user for v3")
    return SnmpCredential(version="1" if version == "1" else "2c", community=SecretStr(community), context=context)


def _line(p: Point) -> str:
    from influxdb_client import Point as IPoint  # type: ignore[attr-defined]
    from influxdb_client.domain.write_precision import WritePrecision

    ip = IPoint(p.measurement)
    for k, v in p.tags.items():
        if v != "":
            ip = ip.tag(k, v)
    for fk, fv in p.fields.items():
        ip = ip.field(fk, fv)
    ip = ip.time(p.time_ns, WritePrecision.NS)
    return str(ip.to_line_protocol())


def _table(points: list[Point]) -> None:
    for meas in dict.fromkeys(p.measurement for p in points):
        rows = [p for p in points if p.measurement == meas]
        t = Table(title=meas, show_lines=False)
        tag_keys = ["device"] + (["ifIndex", "ifName", "ifAlias", "uplink"] if meas == "interface" else [])
        field_keys = list(dict.fromkeys(k for p in rows for k in p.fields))
        for k in [*tag_keys, *field_keys]:
            t.add_column(k, overflow="fold")
        for p in rows:
            vals = [p.tags.get(k, "") for k in tag_keys]
            vals += [f"{v:.2f}" if isinstance(v, float) else str(v) for v in (p.fields.get(k, "") for k in field_keys)]
            t.add_row(*vals)
        console.print(t)


def register(app: typer.Typer) -> None:
    @app.command("poll", help=HELP)
    def poll(
        device: Annotated[
            str | None, typer.Argument(help="Inventory device name (with -c netmon.yaml or -i inventory)")
        ] = None,
        host: Annotated[
            str | None, typer.Option("--host", "-H", help="Agent address, HOST or HOST:PORT (default port 161)")
        ] = None,
        community: Annotated[
            str | None, typer.Option(help="v2c community (visible in ps; prefer $NETMON_SNMP_COMMUNITY)")
        ] = None,
        snmp_version: Annotated[str, typer.Option("--snmp-version", help="1 or 2c when using a community")] = "2c",
        v3_user: Annotated[str | None, typer.Option("--v3-user", help="SNMPv3 user (switches to v3)")] = None,
        auth_proto: Annotated[str, typer.Option("--auth-proto", help="none|" + "|".join(_AUTH))] = "sha",
        auth_key: Annotated[
            str | None, typer.Option("--auth-key", help="v3 auth key (prefer $NETMON_SNMP_AUTH_KEY)")
        ] = None,
        priv_proto: Annotated[str, typer.Option("--priv-proto", help="none|" + "|".join(_PRIV))] = "aes",
        priv_key: Annotated[
            str | None, typer.Option("--priv-key", help="v3 privacy key (prefer $NETMON_SNMP_PRIV_KEY)")
        ] = None,
        context: Annotated[str, typer.Option("--context", help="SNMPv3 context name")] = "",
        config: ConfigOpt = None,
        inventory: InventoryOpt = None,
        fmt: Annotated[
            str, typer.Option("--format", "-f", help="json (one object per line) | line (InfluxDB) | table")
        ] = "table",
        count: Annotated[int, typer.Option("--count", "-n", min=1, max=1000, help="Polls; 2+ gives rates")] = 1,
        interval: Annotated[float, typer.Option("--interval", min=0.1, help="Seconds between polls")] = 10.0,
        health: Annotated[bool, typer.Option("--health/--no-health", help="Read the vendor health profile")] = True,
        engine: Annotated[str, typer.Option("--engine", help="auto | fast | pysnmp")] = "auto",
        vendor: Annotated[
            str | None,
            typer.Option("--vendor", help=f"Platform overriding the inventory/detection: {platform_keys()}"),
        ] = None,
        timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds per request")] = 2.0,
        retries: Annotated[int, typer.Option("--retries", min=0, help="Retries per request")] = 1,
    ) -> None:
        from collectors.snmp.engine import Target
        from collectors.snmp.engines import make_engine

        if snmp_version not in ("1", "2c"):
            raise InputError.one("--snmp-version", f"{snmp_version!r}: use 1 or 2c (v3 is chosen with --v3-user)")
        if fmt not in ("json", "line", "table"):
            raise InputError.one("--format", f"unknown format {fmt!r}; use json, line or table")
        for name, val, allowed in (("--auth-proto", auth_proto, _AUTH), ("--priv-proto", priv_proto, _PRIV)):
            if val != "none" and val not in allowed:
                raise InputError.one(name, f"unknown protocol {val!r}; use none, {', '.join(allowed)}")
        if vendor is not None and vendor not in platforms():
            raise InputError.one("--vendor", f"unknown platform {vendor!r}; known: {', '.join(sorted(platforms()))}")
        if (device is None) == (host is None):
            raise InputError.one("netmon poll", "give either a DEVICE from the inventory or --host")
        inv = None
        if device is not None:
            ctx = load_context(config, inventory, None)
            inv = ctx.inventory
            if device not in inv:
                raise InputError.one("netmon poll", f"no device named {device!r} in the inventory")
            dev = inv[device]
            if host is None and ctx.config is not None and dev.snmp and not (community or v3_user):
                cred = ctx.config.snmp_credential(dev.snmp)
            else:
                cred = _credential(
                    snmp_version, community, v3_user, auth_proto, auth_key, priv_proto, priv_key, context
                )
            addr, port = dev.address, dev.port or 161
        else:
            assert host is not None
            addr, port, shown = _host_port(host)
            cred = _credential(snmp_version, community, v3_user, auth_proto, auth_key, priv_proto, priv_key, context)
            dev = Device(
                name=shown if re.fullmatch(r"[A-Za-z0-9._-]+", shown) else addr.replace(":", "_"),
                address=addr,
                network="intranet",  # type: ignore[arg-type]
                tier="central",  # type: ignore[arg-type]
                site="-",
                role="-",
                vendor=vendor or common().default_platform,
            )
        target = Target(addr, cred, port=port, timeout=timeout, retries=retries, name=dev.name)
        points = asyncio.run(
            _run(make_engine(engine), inv, dev, target, health, count, interval, vendor, host is not None)
        )
        if fmt == "json":
            for p in points:
                typer.echo(json.dumps(p.to_json(), ensure_ascii=False))
        elif fmt == "line":
            for p in points:
                typer.echo(_line(p))
        else:
            _table(points)
        reach = [p for p in points if p.measurement == "snmp_reach"]
        if reach and reach[-1].fields.get("up") == 0:
            raise NetmonError(f"{dev.name} ({addr}:{port}): SNMP poll failed: {reach[-1].fields.get('error')}")


async def _run(
    engine: object,
    inv: object,
    dev: Device,
    target: object,
    health: bool,
    count: int,
    interval: float,
    vendor: str | None,
    host_mode: bool,
) -> list[Point]:
    from collectors.snmp.engine import Engine, Target
    from collectors.snmp.poller import SnmpPoller

    assert isinstance(target, Target)
    eng: Engine = engine  # type: ignore[assignment]
    budget = max(10.0, target.timeout * (target.retries + 1) * 8)
    poller = SnmpPoller(
        eng,
        inventory=inv,  # type: ignore[arg-type]
        device_budget=budget,
        vendor_override={dev.name: vendor} if vendor else None,
    )
    out: list[Point] = []
    try:
        for i in range(count):
            if i:
                await asyncio.sleep(interval)
            pts = await poller.poll_device(dev, target, health=health)
            if host_mode:
                # No inventory placement for a bare host: keep only what is known.
                keep = {"device": target.host, "vendor": vendor or ""}
                for p in pts:
                    p.tags = {
                        **keep,
                        **{k: v for k, v in p.tags.items() if k in ("ifName", "ifAlias", "ifIndex", "uplink")},
                    }
                    if p.measurement == "snmp_system" and not vendor:
                        p.tags["vendor"] = str(p.fields.get("vendor_detected", ""))
                        p.fields["vendor_mismatch"] = 0
            out.extend(pts)
            if pts and pts[0].fields.get("up") == 0:
                break
    finally:
        await eng.close()
    return out
