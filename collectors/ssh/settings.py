"""The `ssh:` section of netmon.yaml, validated here (netmon.config keeps it as a plain dict)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from netmon.config import validate_section
from netmon.errors import InputError

from .commands import COMMAND_KEYS


class SshSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    known_hosts: Path = Field(Path("/var/lib/netmon/known_hosts"), description="OpenSSH known_hosts file")
    host_keys: Literal["strict", "tofu"] = Field(
        "strict",
        description="strict: unknown or changed keys are refused; tofu: unknown keys are recorded on first "
        "use (onboarding), changed keys are still refused",
    )
    port: int = Field(22, ge=1, le=65535, description="default SSH port when the device has no ssh_port")
    concurrency: int = Field(20, ge=1, le=1000, description="devices in session at once")
    connect_timeout: float = Field(10.0, gt=0, description="TCP connect + SSH banner, seconds")
    auth_timeout: float = Field(15.0, gt=0, description="authentication, seconds")
    command_timeout: float = Field(60.0, gt=0, description="one command's output, seconds without a prompt")
    device_budget: float = Field(180.0, gt=0, description="seconds one device's whole session may take")
    retries: int = Field(1, ge=0, le=5, description="extra connection attempts (never after an auth failure)")
    retry_delay: float = Field(2.0, ge=0, description="seconds before a retry")
    max_output_bytes: int = Field(32 << 20, ge=1024, description="largest output accepted from one command")
    commands: list[str] = Field(
        default_factory=lambda: list(COMMAND_KEYS),
        description="command keys to run (running_config is always run)",
    )

    def resolve(self, base: Path | None) -> SshSettings:
        if base is not None and not self.known_hosts.is_absolute():
            self.known_hosts = base / self.known_hosts
        return self


def load_ssh_settings(
    section: dict[str, Any] | None, source: str = "netmon.yaml", base: Path | None = None
) -> SshSettings:
    """Validate the `ssh:` section; problems name the file and the field."""
    s = validate_section(SshSettings, section, "ssh", source)
    bad = [c for c in s.commands if c not in COMMAND_KEYS]
    if bad:
        raise InputError.one(
            source, f"unknown command keys {bad}; known: {', '.join(COMMAND_KEYS)}", field="ssh.commands"
        )
    return s.resolve(base)
