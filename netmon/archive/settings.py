"""The `archive:` section of netmon.yaml, validated here (netmon.config keeps it as a plain dict)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from netmon.config import validate_section


class ArchiveSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dir: Path = Field(Path("/var/lib/netmon/archive"), description="created mode 0700; holds a bare git repository")
    author: str = Field("netmon <netmon@localhost>", description="git author/committer of archived versions")


def load_archive_settings(
    section: dict[str, Any] | None, source: str = "netmon.yaml", base: Path | None = None
) -> ArchiveSettings:
    s = validate_section(ArchiveSettings, section, "archive", source)
    if base is not None and not s.dir.is_absolute():
        s.dir = base / s.dir
    return s
