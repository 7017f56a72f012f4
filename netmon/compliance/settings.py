"""The `compliance:` section of netmon.yaml (netmon.config keeps it as a plain dict)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..config import validate_section


class ComplianceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    standard: str = Field("mlps-l3", description="pack scanned by default: mlps-l2, mlps-l3 or baseline")
    waivers: Path | None = Field(None, description="YAML file of accepted risks")
    rules_dirs: list[Path] = Field(default_factory=list, description="extra rule files (*.yaml) of this site")
    archive_dir: Path | None = Field(
        None, description="where configs are read from; default: the archive section's dir"
    )
    state: Path | None = Field(None, description="JSON file remembering high FAILs, so only new ones raise events")
    fail_on: Literal["none", "low", "medium", "high"] = "none"
    observed: bool = Field(
        True,
        description="the daemon's scans add what netmon observed in the last 24 h (syslog arriving, clock skew, "
        "v1/v2c traps); see docs/SYSLOG.md",
    )


def load_compliance_settings(
    section: dict[str, Any] | None, source: str = "netmon.yaml", base: Path | None = None
) -> ComplianceSettings:
    s = validate_section(ComplianceSettings, section, "compliance", source)
    if base is not None:
        if s.waivers and not s.waivers.is_absolute():
            s.waivers = base / s.waivers
        if s.archive_dir and not s.archive_dir.is_absolute():
            s.archive_dir = base / s.archive_dir
        if s.state and not s.state.is_absolute():
            s.state = base / s.state
        s.rules_dirs = [d if d.is_absolute() else base / d for d in s.rules_dirs]
    return s
