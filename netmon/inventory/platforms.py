"""Vendor platforms, read from platforms.yaml (data, not code)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml


@dataclass(frozen=True, slots=True)
class Platform:
    key: str
    display: str
    enterprise: tuple[str, ...]
    netmiko: str | None
    comment_char: str


@cache
def platforms() -> dict[str, Platform]:
    raw = yaml.safe_load((Path(__file__).with_name("platforms.yaml")).read_text(encoding="utf-8"))
    return {
        key: Platform(
            key=key,
            display=v["display"],
            enterprise=tuple(v.get("enterprise", ())),
            netmiko=v.get("netmiko"),
            comment_char=v.get("comment_char", "!"),
        )
        for key, v in raw.items()
    }


def platform_for_sysobjectid(oid: str) -> Platform | None:
    """The platform whose enterprise prefix is the longest match for a sysObjectID."""
    oid = oid.lstrip(".")
    best: tuple[int, Platform] | None = None
    for p in platforms().values():
        for prefix in p.enterprise:
            if oid == prefix or oid.startswith(prefix + "."):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), p)
    return best[1] if best else None
