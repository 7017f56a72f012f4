"""Text that can always be encoded: undecodable device bytes shown as ``\\xNN`` escapes.

Device output is decoded with ``errors="surrogateescape"`` where it must stay byte-exact (the
config archive stores exactly what the device sent). Such text carries lone surrogates, which
UTF-8 refuses: one device's stray ``\\xff`` must never reach a commit message, a Point, a report
or the terminal as a surrogate, or it fails everything written alongside it. Everything that
leaves the collector or the archive goes through :func:`escape_undecodable` first.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(m: re.Match[str]) -> str:
    cp = ord(m.group(0))
    if 0xDC80 <= cp <= 0xDCFF:  # a byte kept by surrogateescape: show the byte
        return f"\\x{cp - 0xDC00:02x}"
    return f"\\u{cp:04x}"


def escape_undecodable(text: str) -> str:
    """``text`` with every lone surrogate replaced by its escape (``\\xff``); unchanged otherwise."""
    if text.isascii():
        return text
    return _SURROGATE.sub(_escape, text)


def count_undecodable(text: str) -> int:
    """How many undecodable bytes (lone surrogates) ``text`` carries."""
    if text.isascii():
        return 0
    return len(_SURROGATE.findall(text))
