"""A file's lines as an editor, `sed -n Np` and `grep -n` count them.

`str.splitlines` also breaks at \\r, \\x0b, \\x0c, \\x1c-\\x1e, \\x85, \\u2028 and \\u2029: a capture
whose logger wrote `\\r\\r\\n`, or a decoded byte that became U+0085, then gets lines the file does
not have, and every evidence line number after it points at the wrong line.
"""

from __future__ import annotations


def lines_of(text: str) -> list[str]:
    """Lines split at \\n only, without their trailing \\r (CRLF, \\r\\r\\n); a file using lone \\r
    (classic Mac) is split at \\r. No final empty line for a text ending in a newline."""
    if "\n" not in text:
        if "\r" not in text:
            return [text] if text else []
        parts = text.split("\r")
    else:
        parts = text.split("\n")
        if "\r" in text:
            parts = [p.rstrip("\r") for p in parts]
    if parts and parts[-1] == "":
        parts.pop()
    return parts
