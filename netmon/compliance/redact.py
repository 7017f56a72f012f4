"""Mask secrets in configuration lines before they are shown anywhere (patterns in secrets.yaml)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

MASK = "******"


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    doc = yaml.safe_load(Path(__file__).with_name("secrets.yaml").read_text(encoding="utf-8"))
    return tuple(re.compile(e["re"], re.IGNORECASE) for e in doc)


def redact(text: str) -> str:
    """The line with every secret value replaced by ``******``."""
    for rx in _patterns():
        if rx.search(text):
            text = rx.sub(
                lambda m: m.group(0)[: m.start(1) - m.start(0)] + MASK + m.group(0)[m.end(1) - m.start(0) :], text
            )
    return text
