"""The change event: what alerting and compliance receive when a device's config really changed."""

from __future__ import annotations

from dataclasses import dataclass

from netmon.inventory import Device
from netmon.model import Point


@dataclass(frozen=True)
class ConfigChange:
    """A new archived version. ``diff`` is a unified diff with secrets masked; ``changed_by`` /
    ``changed_at`` are what the config itself says (IOS `! Last configuration change ... by`,
    VRP `!Last configuration was updated at ... by`), empty when it does not say.
    ``first`` marks a device's first archived version (its diff is the whole config)."""

    device: str
    platform: str
    version: str
    previous: str | None
    time_ns: int
    changed_by: str
    changed_at: str
    lines_added: int
    lines_removed: int
    diff: str
    first: bool = False

    def point(self, device: Device | None = None) -> Point:
        """The `config_change` Point (docs/SCHEMA.md), tagged with the device's inventory tags."""
        tags = device.point_tags() if device is not None else {"device": self.device, "vendor": self.platform}
        # The first archived version is not a change anyone made: alert rules skip change=first.
        tags["change"] = "first" if self.first else "update"
        return Point(
            "config_change",
            tags,
            {
                "lines_added": self.lines_added,
                "lines_removed": self.lines_removed,
                "version": self.version,
                "changed_by": self.changed_by,
            },
            self.time_ns,
        )

    def summary(self) -> str:
        who = f" by {self.changed_by}" if self.changed_by else ""
        kind = "first version" if self.first else "changed"
        return f"{self.device}: config {kind}{who} (+{self.lines_added} -{self.lines_removed}) -> {self.version}"
