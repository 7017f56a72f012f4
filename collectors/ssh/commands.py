"""Per-platform read-only command sets (commands.yaml) and the allow-list built from them."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from .errors import ErrorKind, SshError

COMMANDS_FILE = Path(__file__).with_name("commands.yaml")
COMMAND_KEYS = ("running_config", "version", "interfaces", "lldp", "arp", "routes", "users")


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    command: str
    parse: Literal["version", "interfaces", "lldp"] | None = None
    fields: dict[str, str] = Field(default_factory=dict)


class CommandSet(BaseModel):
    """One platform's commands. ``allowed`` is every line a session may send, nothing else."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ntc_platform: str | None = None
    enable: bool = False
    session: tuple[str, ...] = ()
    admin_down: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    commands: dict[str, Command]

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
                f"command {line.strip()!r} is not on the {platform} allow-list (collectors/ssh/commands.yaml); not sent",
            )
        return norm


def normalise(line: str) -> str:
    return " ".join(line.split())


@cache
def command_sets() -> dict[str, CommandSet]:
    raw = yaml.safe_load(COMMANDS_FILE.read_text(encoding="utf-8"))
    sets = {k: CommandSet.model_validate(v) for k, v in raw.items()}
    for platform, cs in sets.items():
        unknown = set(cs.commands) - set(COMMAND_KEYS)
        if unknown:
            raise ValueError(f"{COMMANDS_FILE}: {platform}: unknown command keys {sorted(unknown)}")
        if "running_config" not in cs.commands:
            raise ValueError(f"{COMMANDS_FILE}: {platform}: running_config is required")
    return sets


def command_set(platform: str) -> CommandSet:
    try:
        return command_sets()[platform]
    except KeyError:
        raise SshError(
            ErrorKind.no_driver,
            f"no SSH command set for platform {platform!r} (add one in collectors/ssh/commands.yaml)",
        ) from None
