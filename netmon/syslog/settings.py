"""The ``syslog:`` section of netmon.yaml (netmon.config keeps it a plain dict).

::

    syslog:
      udp: 0.0.0.0:514             # "" disables a listener
      tcp: 0.0.0.0:601             # RFC 6587: octet counting and LF framing, told apart per frame
      tls:                         # RFC 5425
        listen: 0.0.0.0:6514
        cert: /etc/netmon/syslog.crt
        key: /etc/netmon/syslog.key # must be mode 0600
      archive: {dir: /var/lib/netmon/syslog, retention_days: 200, hmac_key: "secret:syslog_archive"}
"""

from __future__ import annotations

import ipaddress
import os
import stat
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..config import validate_section
from ..errors import InputError
from ..secrets import secret_ref

# GB/T 22239-2019 8.1.3.5 c): audit records are kept at least six months (184 days covers any six).
MIN_RETENTION_DAYS = 184


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TlsSettings(_Strict):
    listen: str = "0.0.0.0:6514"
    cert: Path
    key: Path  # private key: must be 0600 (refused otherwise, like the secrets file)
    ca: Path | None = Field(None, description="CA bundle to verify client certificates (mutual TLS)")
    require_client_cert: bool = False
    handshake_timeout: float = Field(10.0, gt=0, description="seconds a client may take to finish the handshake")


class ArchiveSettings(_Strict):
    dir: Path = Path("/var/lib/netmon/syslog")
    retention_days: int = Field(200, ge=MIN_RETENTION_DAYS, description="days kept; at least six months (GB/T 22239)")
    timezone: str | None = Field(None, description="zone for day rotation, e.g. Asia/Shanghai (default: the host's)")
    hmac_key: str | None = Field(None, description="reference to a key: records are then HMAC-chained, not only hashed")
    fsync: Literal["batch", "never"] = "batch"
    enabled: bool = True

    _refs = field_validator("hmac_key")(secret_ref)


class SyslogSettings(_Strict):
    udp: str = "0.0.0.0:514"
    tcp: str = "0.0.0.0:601"
    tls: TlsSettings | None = None
    udp_rcvbuf: int = Field(8 << 20, ge=65536, description="bytes asked of the kernel for the UDP socket")
    max_message: int = Field(8192, ge=480, le=60000, description="bytes; longer messages are cut and flagged")
    max_connections: int = Field(2000, ge=1)
    idle_timeout: float = Field(900.0, gt=0, description="seconds a TCP/TLS sender may stay silent")
    queue: int = Field(20000, ge=100, description="messages held between receiving and storing")
    batch: int = Field(1000, ge=1, description="messages archived and spooled together")
    spool_high_water: float = Field(
        0.8, gt=0, le=1, description="pause TCP/TLS reading when the spool is this full (no drop-oldest)"
    )
    device_timezone: str | None = Field(
        None, description="zone of device clocks for timestamps without one (RFC 3164); default: the host's"
    )
    stats_interval: float = Field(60.0, gt=0, description="seconds between the receiver's netmon_self points")
    archive: ArchiveSettings = Field(default_factory=ArchiveSettings)
    enabled: bool = True

    @field_validator("udp", "tcp")
    @classmethod
    def _listen(cls, v: str) -> str:
        if v:
            parse_listen(v)
        return v


def parse_listen(listen: str, where: str = "syslog") -> tuple[str, int]:
    """HOST:PORT (IPv6 in brackets) -> (host, port); ValueError with the expected form."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]") or "0.0.0.0"
    try:
        ipaddress.ip_address(host)
        p = int(port)
        if not 0 <= p < 65536:
            raise ValueError
    except ValueError:
        raise ValueError(f"{listen!r} is not HOST:PORT (e.g. 0.0.0.0:514)") from None
    return host, p


def check_private_file(path: Path, what: str, source: str) -> None:
    """A key file must exist and be readable by its owner only."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise InputError.one(source, f"{what} {path}: {exc.strerror}", field=what) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InputError.one(
            source,
            f"{what} {path} is readable by others (mode {stat.S_IMODE(mode):04o}); run: chmod 600 {path}",
            field=what,
        )


def load_syslog_settings(
    section: dict[str, Any] | None, source: str = "netmon.yaml", base: Path | None = None
) -> SyslogSettings:
    s = validate_section(SyslogSettings, section, "syslog", source)
    if base is not None:

        def rel(p: Path) -> Path:
            return p if p.is_absolute() else base / p

        s.archive.dir = rel(s.archive.dir)
        if s.tls is not None:
            s.tls.cert, s.tls.key = rel(s.tls.cert), rel(s.tls.key)
            if s.tls.ca:
                s.tls.ca = rel(s.tls.ca)
    for name in ("device_timezone",):
        _check_zone(getattr(s, name), f"syslog.{name}", source)
    _check_zone(s.archive.timezone, "syslog.archive.timezone", source)
    return s


def _check_zone(name: str | None, fld: str, source: str) -> None:
    if not name:
        return
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError.one(source, f"unknown time zone {name!r} (e.g. Asia/Shanghai)", field=fld) from None


def private_dir(path: Path) -> Path:
    """Create a 0700 directory (and tighten an existing one we own)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_uid == os.geteuid() and stat.S_IMODE(path.stat().st_mode) != 0o700:
        path.chmod(0o700)
    return path
