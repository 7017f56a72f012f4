"""Classified SSH collection failures: one kind per cause an operator acts on differently."""

from __future__ import annotations

from enum import Enum


class ErrorKind(str, Enum):
    auth_failure = "auth_failure"  # wrong password or refused key: never retried (account lockout)
    host_key_unknown = "host_key_unknown"  # not in known_hosts and not in TOFU mode
    host_key_changed = "host_key_changed"  # known_hosts holds another key: possible MITM
    connect_timeout = "connect_timeout"  # TCP connect or SSH handshake did not complete
    connect_refused = "connect_refused"
    read_timeout = "read_timeout"  # output stalled or no prompt came back in time
    command_rejected = "command_rejected"  # the device answered with its CLI error
    command_refused = "command_refused"  # our allow-list refused it; nothing was sent
    enable_failed = "enable_failed"
    budget_exceeded = "budget_exceeded"  # the per-device time budget ran out
    too_large = "too_large"  # output above ssh.max_output_bytes
    no_driver = "no_driver"  # platform has no netmiko driver / command set
    no_credential = "no_credential"
    ssh_error = "ssh_error"  # any other SSH protocol failure


RETRYABLE = frozenset({ErrorKind.connect_timeout, ErrorKind.connect_refused, ErrorKind.ssh_error})


class SshError(Exception):
    """A classified failure. The message never holds a secret or device output."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.message}"
