"""Compatibility: platforms moved to the registry (netmon/platforms/). Import from there."""

from __future__ import annotations

from ..platforms import Platform, platform_for_sysobjectid, platforms

__all__ = ["Platform", "platform_for_sysobjectid", "platforms"]
