"""One blocking netmiko session to one device: connect, verify the host key, run allow-listed
commands, close. Run it in a worker thread; ``abort()`` may be called from another thread to
end a session that has run out of its time budget."""

from __future__ import annotations

import errno
import logging
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko
from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException, ReadTimeout

from netmon.config import SshCredential
from netmon.platforms import mask_line

from .commands import CommandSet, normalise
from .errors import ErrorKind, SshError
from .hostkeys import RefuseUnknown, TrustOnFirstUse, classify_host_key_error
from .settings import SshSettings

# netmiko and paramiko log channel data at DEBUG: running configs, i.e. secrets. Keep them quiet
# whatever the root logger's level.
for _name in ("netmiko", "paramiko"):
    logging.getLogger(_name).setLevel(logging.WARNING)

log = logging.getLogger(__name__)

# Read the channel as latin-1: every byte maps to one character, so nothing is dropped (netmiko
# decodes with errors="ignore") and the original bytes can be recovered for decoding below.
WIRE_ENCODING = "latin-1"
# Chinese-market firmware prints descriptions in GBK when not in UTF-8; gb18030 is its superset.
FALLBACK_ENCODINGS = ("utf-8", "gb18030")


@dataclass(frozen=True)
class Target:
    name: str
    host: str
    port: int
    platform: str  # inventory platform key (huawei_vrp, ...)
    device_type: str  # netmiko driver


def decode_output(raw: bytes) -> tuple[str, str]:
    """Text and the encoding it was in. Undecodable bytes survive as surrogates (lossless)."""
    for enc in FALLBACK_ENCODINGS:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="surrogateescape"), "unknown"


class Session:
    def __init__(
        self,
        target: Target,
        credential: SshCredential,
        settings: SshSettings,
        commands: CommandSet,
        tofu: bool = False,
    ) -> None:
        self.t = target
        self.cred = credential
        self.settings = settings
        self.commands = commands
        self.tofu = tofu
        self.conn: Any = None
        self._aborted = threading.Event()
        self._lock = threading.Lock()
        self.timings: dict[str, float] = {}  # phase -> seconds (connect, each command key)
        self._received = 0  # characters read for the current command (one per byte: latin-1)

    # -- lifecycle

    def open(self) -> None:
        s, cred = self.settings, self.cred
        pkey = self._load_key()
        params: dict[str, Any] = {
            "device_type": self.t.device_type,
            "host": self.t.host,
            "port": self.t.port,
            "username": cred.username,
            "password": cred.password.get_secret_value() if cred.password else "",
            "secret": cred.enable_secret.get_secret_value() if cred.enable_secret else "",
            "pkey": pkey,
            "use_keys": False,  # pkey is passed directly; never try ~/.ssh keys or an agent
            "allow_agent": False,
            "ssh_strict": True,
            "system_host_keys": False,
            "alt_host_keys": True,
            "alt_key_file": str(s.known_hosts),
            "conn_timeout": s.connect_timeout,
            "banner_timeout": s.connect_timeout,
            "auth_timeout": s.auth_timeout,
            "read_timeout_override": None,
            "encoding": WIRE_ENCODING,
            "fast_cli": True,
            "auto_connect": False,
            "session_log": None,
        }
        try:
            conn = ConnectHandler(**params)
        except ValueError as exc:  # netmiko rejects an unknown device_type here
            raise SshError(ErrorKind.no_driver, f"{self.t.name}: {exc}") from None
        policy = TrustOnFirstUse if self.tofu else RefuseUnknown
        conn.key_policy = policy(Path(s.known_hosts), self.t.name)
        self._guard(conn)
        with self._lock:
            if self._aborted.is_set():
                raise SshError(ErrorKind.budget_exceeded, f"{self.t.name}: time budget ran out before connecting")
            self.conn = conn
        t0 = time.monotonic()
        try:
            conn._open()
            if self.commands.enable:
                self._enable(conn)
            self.timings["connect"] = time.monotonic() - t0
        except SshError:
            self.close()
            raise
        except Exception as exc:
            self.close()
            raise self.classify(exc, "connecting") from None

    def _load_key(self) -> paramiko.PKey | None:
        if self.cred.key_file is None:
            return None
        pw = self.cred.passphrase.get_secret_value() if self.cred.passphrase else None
        try:
            return paramiko.PKey.from_path(self.cred.key_file, password=pw)
        except (OSError, paramiko.SSHException, ValueError) as exc:
            raise SshError(
                ErrorKind.no_credential,
                f"{self.t.name}: cannot read SSH key {self.cred.key_file}: {type(exc).__name__}",
            ) from None

    def _enable(self, conn: Any) -> None:
        try:
            if conn.check_enable_mode():
                return  # AAA already gave the account privilege 15: the prompt ends in '#'
        except ReadTimeout:
            raise SshError(ErrorKind.read_timeout, f"{self.t.name}: no prompt after login") from None
        if not self.cred.enable_secret:
            raise SshError(
                ErrorKind.enable_failed,
                f"{self.t.name}: the account is not privileged and the credential has no enable_secret",
            )
        try:
            conn.enable()
        except (ValueError, ReadTimeout):
            raise SshError(
                ErrorKind.enable_failed, f"{self.t.name}: enable was refused (wrong enable_secret?)"
            ) from None

    def close(self) -> None:
        """Drop the SSH connection without logout commands: `quit`/`exit` are not on the
        allow-list either, and a device frees the VTY line when the channel closes. netmiko's
        disconnect() still runs for its own clean-up (log filter, paramiko client)."""
        conn = self.conn
        if conn is None:
            return
        conn.cleanup = lambda *a, **k: None
        try:
            conn.disconnect()
        except Exception:  # noqa: S110 - closing a dead session must not mask the real result
            pass
        self.conn = None

    def abort(self) -> None:
        """From another thread: close the transport so a blocked read returns at once."""
        with self._lock:
            self._aborted.set()
            conn = self.conn
        if conn is not None:
            pre = getattr(conn, "remote_conn_pre", None)
            if pre is not None:
                try:
                    pre.close()
                except Exception:  # noqa: S110
                    pass

    # -- commands

    def run(self, key: str) -> tuple[str, bytes, str]:
        """Run one command of the set by key: (text, raw bytes, encoding)."""
        t0 = time.monotonic()
        try:
            return self.send(self.commands.commands[key].command)
        finally:
            self.timings[key] = time.monotonic() - t0

    def send(self, cmd: str) -> tuple[str, bytes, str]:
        """Send one command line; refused before sending unless it is on the allow-list."""
        line = self.commands.check(cmd, self.t.platform)
        self._received = 0
        if self.conn is None:
            raise SshError(ErrorKind.ssh_error, f"{self.t.name}: session is not open")
        try:
            out = self.conn.send_command(
                line, read_timeout=self.settings.command_timeout, strip_prompt=True, strip_command=True
            )
        except ReadTimeout:
            raise SshError(
                ErrorKind.read_timeout,
                f"{self.t.name}: no prompt within {self.settings.command_timeout:g}s after {line!r} "
                "(output stalled or the device stopped prompting)",
            ) from None
        except SshError:
            raise
        except Exception as exc:
            if self._aborted.is_set():
                raise SshError(
                    ErrorKind.budget_exceeded, f"{self.t.name}: time budget ran out during {line!r}"
                ) from None
            raise self.classify(exc, f"running {line!r}") from None
        raw = str(out).encode(WIRE_ENCODING, errors="replace")
        if len(raw) > self.settings.max_output_bytes:
            raise SshError(
                ErrorKind.too_large,
                f"{self.t.name}: {line!r} returned {len(raw)} bytes, above ssh.max_output_bytes "
                f"({self.settings.max_output_bytes})",
            )
        text, enc = decode_output(raw)
        head = "\n".join(text.lstrip("\r\n").splitlines()[:5])
        for pat in self.commands.errors:
            if re.search(pat, head, re.M):
                first = next((ln.strip() for ln in head.splitlines() if re.search(pat, ln)), "error")
                # device output may echo a secret: masked before it reaches a message or a log
                first = mask_line(first, self.t.platform)[:120]
                raise SshError(ErrorKind.command_rejected, f"{self.t.name}: device rejected {line!r}: {first}")
        return text, raw, enc

    # -- read-only by construction

    def _guard(self, conn: Any) -> None:
        """Wrap write_channel: every line netmiko or we send must be on the allow-list (or be the
        enable command / password the platform's login needs). Blocks config mode even if a
        netmiko code path tried to enter it."""
        allowed = self.commands.allowed
        extra: set[str] = set()
        if self.commands.enable:
            extra.add("enable")
        secrets = {v for v in (self.cred.enable_secret, self.cred.password) if v is not None}
        inner: Callable[[str], None] = conn.write_channel
        platform, name = self.t.platform, self.t.name

        def write_channel(out_data: str) -> None:
            for raw_line in re.split(r"[\r\n]", out_data):
                if not raw_line.strip():
                    continue
                if any(raw_line == s.get_secret_value() for s in secrets):
                    continue
                line = normalise(raw_line)
                if line not in allowed and line not in extra:
                    raise SshError(
                        ErrorKind.command_refused,
                        f"{name}: refused to send {line[:80]!r}: not on the {platform} allow-list",
                    )
            inner(out_data)

        conn.write_channel = write_channel

        read_inner: Callable[[], str] = conn.read_channel
        aborted = self._aborted
        limit = self.settings.max_output_bytes

        def read_channel() -> str:
            # netmiko polls until its read_timeout even on a dead channel: end it sooner.
            if aborted.is_set():
                raise SshError(ErrorKind.budget_exceeded, f"{name}: time budget ran out")
            ch = conn.remote_conn
            if ch is not None and ch.eof_received and not ch.recv_ready():
                raise SshError(ErrorKind.ssh_error, f"{name}: the device closed the session mid-output")
            data = read_inner()
            # netmiko keeps all output in memory: stop a runaway device at the limit, not after it.
            self._received += len(data)
            if self._received > limit:
                raise SshError(
                    ErrorKind.too_large, f"{name}: output exceeded ssh.max_output_bytes ({limit}); session dropped"
                )
            return data

        conn.read_channel = read_channel

    def classify(self, exc: BaseException, doing: str) -> SshError:
        name = self.t.name
        hk = classify_host_key_error(exc)
        if hk is not None:
            hk.message = f"{name}: {hk.message}"
            return hk
        if isinstance(exc, SshError):
            return exc
        if isinstance(exc, NetmikoAuthenticationException | paramiko.AuthenticationException):
            return SshError(ErrorKind.auth_failure, f"{name}: authentication failed for user {self.cred.username!r}")
        chain: list[BaseException] = []
        seen: BaseException | None = exc
        while seen is not None and len(chain) < 5:
            chain.append(seen)
            seen = seen.__cause__ or seen.__context__
        refused: list[BaseException] = [e for e in chain if isinstance(e, ConnectionRefusedError)]
        refused += [
            e
            for e in chain
            if isinstance(e, paramiko.ssh_exception.NoValidConnectionsError)
            and any(getattr(x, "errno", None) == errno.ECONNREFUSED for x in e.errors.values())
        ]
        if refused:
            return SshError(ErrorKind.connect_refused, f"{name}: connection refused by {self.t.host}:{self.t.port}")
        if isinstance(exc, ReadTimeout):
            return SshError(ErrorKind.read_timeout, f"{name}: no prompt while {doing}")
        if any(isinstance(e, socket.timeout | TimeoutError) for e in chain) or isinstance(exc, NetmikoTimeoutException):
            return SshError(ErrorKind.connect_timeout, f"{name}: {doing} {self.t.host}:{self.t.port} timed out")
        if any(isinstance(e, OSError | EOFError | paramiko.SSHException) for e in chain):
            return SshError(ErrorKind.ssh_error, f"{name}: SSH failure while {doing}: {type(exc).__name__}")
        return SshError(ErrorKind.ssh_error, f"{name}: unexpected failure while {doing}: {type(exc).__name__}")
