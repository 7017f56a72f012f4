"""Host-key verification against an OpenSSH known_hosts file.

paramiko checks a key that *is* listed (a mismatch raises BadHostKeyException before any
password is sent); these policies decide what happens to a host that is *not* listed:
refused (the default), or recorded on first use for onboarding.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import logging
import threading
from pathlib import Path

import paramiko

from .errors import ErrorKind, SshError

log = logging.getLogger(__name__)
_file_lock = threading.Lock()


def fingerprint(key: paramiko.PKey) -> str:
    """OpenSSH-style SHA256 fingerprint, as `ssh-keygen -lf` prints it."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")


def known_hosts_name(host: str, port: int) -> str:
    return host if port == 22 else f"[{host}]:{port}"


class RefuseUnknown(paramiko.MissingHostKeyPolicy):
    """Strict mode. Raises SshError (not an SSHException, so netmiko passes it through intact)."""

    def __init__(self, known_hosts: Path, device: str) -> None:
        self.known_hosts = known_hosts
        self.device = device

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        raise SshError(
            ErrorKind.host_key_unknown,
            f"{self.device}: host key {key.get_name()} {fingerprint(key)} of {hostname} is not in {self.known_hosts}; "
            "verify it out of band, then add it (or run once with `netmon backup --tofu` to record it)",
        )


class TrustOnFirstUse(paramiko.MissingHostKeyPolicy):
    """Onboarding mode: record an unknown host's key and go on. A changed key is still refused."""

    def __init__(self, known_hosts: Path, device: str) -> None:
        self.known_hosts = known_hosts
        self.device = device

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        client.get_host_keys().add(hostname, key.get_name(), key)
        append_known_host(self.known_hosts, hostname, key)
        log.warning(
            "%s: trusted host key %s %s of %s on first use", self.device, key.get_name(), fingerprint(key), hostname
        )


def append_known_host(path: Path, hostname: str, key: paramiko.PKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = f"{hostname} {key.get_name()} {key.get_base64()}\n"
    with _file_lock, path.open("a", encoding="ascii") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # several netmon processes may onboard at once
        try:
            fh.write(line)
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    with contextlib.suppress(OSError):
        path.chmod(0o644)


def classify_host_key_error(exc: BaseException) -> SshError | None:
    """The SshError for a BadHostKeyException anywhere in exc's chain (netmiko wraps it)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, paramiko.BadHostKeyException):
            return SshError(
                ErrorKind.host_key_changed,
                f"host key of {seen.hostname} CHANGED: got {seen.key.get_name()} {fingerprint(seen.key)}, "
                f"known_hosts has {fingerprint(seen.expected_key)}. Refused: this may be an impostor. If the "
                "device was really replaced, remove the old line from known_hosts after checking out of band",
            )
        seen = seen.__cause__ or seen.__context__
    return None
