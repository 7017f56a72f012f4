"""A running configuration as a tree of lines, each keeping its 1-based line number.

One indentation-based parser serves Huawei VRP, H3C Comware and Cisco IOS: all three print
child commands indented under their parent. hier_config parses the same shape but drops line
numbers, which every finding needs as evidence, so this small parser is tested against
hier_config's parse of the same files (tests/compliance/test_tree.py) instead of wrapping it.

Handled: ``#``/``!`` separators and comments (a column-0 separator closes every open block),
banners (``banner motd ^C...^C`` on IOS, ``header motd %...%`` on Comware, ``header login
information "..."`` on VRP) whose text may hold ``#`` or ``!``, ``return``/``end``, CRLF,
tabs, and truncated files (reported, not fatal).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

# banner/header TYPE [information] DELIM...: the delimiter is the first non-space character
# (or the two-character caret notation ``^C`` IOS prints for ETX).
_BANNER = re.compile(r"^(?:banner|header)\s+[\w-]+(?:\s+information)?\s+(\^C|\x03|[^\w\s])(.*)$")
_END_WORDS = frozenset({"end", "return"})


@dataclass(slots=True, eq=False)
class Line:
    """One configuration line; ``children`` are the lines indented under it."""

    text: str  # stripped
    number: int  # 1-based line number in the file
    indent: int
    parent: Line | None = None
    children: list[Line] = field(default_factory=list)
    banner: bool = False  # a line of banner text, never parsed as a command

    @property
    def word(self) -> str:
        return self.text.split(" ", 1)[0]

    @property
    def negated(self) -> bool:
        """``undo X`` (VRP, Comware) or ``no X`` (IOS): the explicit form of a disabled feature."""
        return self.text.startswith(("undo ", "no "))

    def walk(self) -> Iterator[Line]:
        """This line's descendants, depth first, in file order."""
        for c in self.children:
            yield c
            yield from c.walk()

    def path(self) -> tuple[str, ...]:
        parts: list[str] = []
        node: Line | None = self
        while node is not None:
            parts.append(node.text)
            node = node.parent
        return tuple(reversed(parts))


@dataclass(slots=True)
class ConfigTree:
    """The parsed file: top-level lines plus facts about how the file ended."""

    top: list[Line]
    total_lines: int
    ended: bool  # a final ``return``/``end`` was seen
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, reason): not fatal
    _by_word: dict[str, list[Line]] | None = None
    _all: list[Line] | None = None
    _all_by_word: dict[str, list[Line]] | None = None

    def walk(self) -> Iterator[Line]:
        for t in self.top:
            yield t
            yield from t.walk()

    def all_lines(self) -> list[Line]:
        """Every line at any depth in file order (cached: rules that look everywhere share it)."""
        if self._all is None:
            self._all = list(self.walk())
        return self._all

    def any_by_word(self, word: str) -> list[Line]:
        """Lines at any depth whose first word is ``word``."""
        if self._all_by_word is None:
            idx: dict[str, list[Line]] = {}
            for ln in self.all_lines():
                idx.setdefault(ln.word, []).append(ln)
            self._all_by_word = idx
        return self._all_by_word.get(word, [])

    def top_by_word(self, word: str) -> list[Line]:
        """Top-level lines whose first word is ``word`` (an index: rules ask this a lot)."""
        if self._by_word is None:
            idx: dict[str, list[Line]] = {}
            for t in self.top:
                idx.setdefault(t.word, []).append(t)
            self._by_word = idx
        return self._by_word.get(word, [])


def parse_config(text: str) -> ConfigTree:
    """Parse a running configuration (any of the three dialects) into a tree."""
    top: list[Line] = []
    stack: list[Line] = []  # open blocks, innermost last
    problems: list[tuple[int, str]] = []
    ended = False
    lines = text.splitlines()
    n = len(lines)
    i = 0
    while i < n:
        raw = lines[i]
        i += 1
        stripped = raw.strip()
        if not stripped:
            continue
        if "\t" in raw:
            raw = raw.expandtabs(1)
        indent = len(raw) - len(raw.lstrip())
        first = stripped[0]
        if first == "#" or first == "!":
            if indent == 0:
                stack.clear()  # a column-0 separator closes every block
            continue
        if indent == 0 and stripped in _END_WORDS:
            ended = True
            break
        while stack and stack[-1].indent >= indent:
            stack.pop()
        parent = stack[-1] if stack else None
        node = Line(stripped, i, indent, parent)
        if parent is None:
            top.append(node)
        else:
            parent.children.append(node)
        stack.append(node)
        if (first == "b" or first == "h") and (m := _BANNER.match(stripped)):
            delim, rest = m.group(1), m.group(2)
            if delim in rest:
                continue  # one-line banner
            # Banner text runs to the next line holding the delimiter; it may contain # or !.
            start = i
            closed = False
            while i < n:
                body = lines[i].rstrip()
                i += 1
                node.children.append(Line(body.strip(), i, indent + 1, node, banner=True))
                if delim in body:
                    closed = True
                    break
            if not closed:
                problems.append((start, f"banner never ends (no closing {delim!r}); the file looks truncated"))
            stack.pop()
    return ConfigTree(top, n, ended, problems)
