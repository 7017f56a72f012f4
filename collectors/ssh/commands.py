"""Per-platform read-only command sets and the allow-list built from them.

The command sets are data in the platform registry: ``netmon/platforms/<key>/ssh.yaml`` (netmiko
type, ntc-templates platform, session lines, error regexes, commands). This module turns one
into the ``CommandSet`` a session checks every line against before sending it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from netmon.platforms import platforms
from netmon.platforms.model import COMMAND_KEYS, Command, SshSpec
from netmon.platforms.registry import derived

from .errors import ErrorKind, SshError

__all__ = ["COMMAND_KEYS", "Command", "CommandSet", "command_set", "command_sets", "normalise"]


@dataclass(frozen=True)
class CommandSet:
    """One platform's commands. ``allowed`` is every line a session may send, nothing else."""

    ntc_platform: str | None = None
    enable: bool = False
    session: tuple[str, ...] = ()
    admin_down: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()  # regex sources, searched with re.M
    commands: dict[str, Command] = field(default_factory=dict)
    source: str = ""  # the ssh.yaml it came from, for messages

    @classmethod
    def from_spec(cls, spec: SshSpec, source: str = "") -> CommandSet:
        return cls(
            spec.ntc_platform,
            spec.enable,
            tuple(spec.session),
            tuple(spec.admin_down),
            tuple(p.pattern for p in spec.errors),
            dict(spec.commands),
            source,
        )

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(normalise(c.command) for c in self.commands.values()) | frozenset(
            normalise(s) for s in self.session
        )

    def check(self, line: str, platform: str) -> str:
        """The line as it will be sent, or SshError(command_refused) before anything is sent."""
        norm = normalise(line)
        if norm not in self.allowed:
            raise SshError(
                ErrorKind.command_refused,
                f"command {line.strip()!r} is not on the {platform} allow-list ({self.source or 'its ssh.yaml'}); not sent",
            )
        return norm


def normalise(line: str) -> str:
    return " ".join(line.split())


@derived
@cache
def command_sets() -> dict[str, CommandSet]:
    """Every platform that has a command set (a ``running_config`` command at least)."""
    out = {}
    for key, p in platforms().items():
        if p.ssh is not None and p.ssh.commands:
            out[key] = CommandSet.from_spec(p.ssh, f"netmon/platforms/{key}/ssh.yaml")
    return out


def command_set(platform: str) -> CommandSet:
    try:
        return command_sets()[platform]
    except KeyError:
        raise SshError(
            ErrorKind.no_driver,
            f"no SSH command set for platform {platform!r} (add commands to its netmon/platforms/{platform}/ssh.yaml)",
        ) from None
