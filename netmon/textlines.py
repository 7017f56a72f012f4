"""A file's lines as an editor, `sed -n Np` and `grep -n` count them.

`str.splitlines` also breaks at \\r, \\x0b, \\x0c, \\x1c-\\x1e, \\x85, \\u2028 and \\u2029: a capture
whose logger wrote `\\r\\r\\n`, or a decoded byte that became U+0085, then gets lines the file does
not have, and every evidence line number after it points at the wrong line.
"""

from __future__ import annotations

import re


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


# A terminal wraps a long line at its width (80, 132, 160 columns): the rest of an encrypted
# secret then starts the next line at column 0, as a lone token of cipher characters.
WRAPPED = 79  # no terminal wraps a shorter line
_CIPHER_RUN = re.compile(r"(?![!#$])(?=\S*[0-9A-Z/+=*])\S{6,}")


def wrapped_rest(prev: str, line: str) -> int:
    """Length of the leading run of ``line`` that continues a secret ``prev`` wrapped (0: none):
    ``prev`` at least WRAPPED long and ending in a long token, ``line`` starting with cipher
    characters at column 0."""
    if len(prev) < WRAPPED or not line or line[0].isspace():
        return 0
    last = prev.rsplit(None, 1)[-1] if prev.strip() else ""
    if len(last) < 20:
        return 0
    m = _CIPHER_RUN.match(line)
    return m.end() if m else 0
