"""A running configuration as a tree of lines, each keeping its 1-based line number.

One indentation-based parser serves every platform: all print child commands indented under
their parent. What differs is grammar, read from the platform's folder (``config.yaml``
``grammar:``): comment/separator characters, the final line (``return``/``end``), a line that
closes a block (ZXROS ``$``), the negation prefix (``undo``/``no``), banner forms. hier_config parses the same shape but drops line
numbers, which every finding needs as evidence, so this small parser is tested against
hier_config's parse of the same files (tests/compliance/test_tree.py) instead of wrapping it.

Handled: separators and comments (a column-0 separator closes every open block),
banners (``banner motd ^C...^C`` on IOS, ``header motd %...%`` on Comware, ``header login
information "..."`` on VRP) whose text may hold ``#`` or ``!``, literal blocks with a fixed closing
line (IOS ``macro name X`` ... ``@``: the grammar's ``literal_blocks``), ``return``/``end``, CRLF,
tabs, and truncated files (reported, not fatal).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache

from ..platforms import Grammar, platforms
from ..platforms.model import BANNER
from ..platforms.registry import derived
from ..textlines import lines_of, wrapped_rest


@derived
@cache
def any_grammar() -> Grammar:
    """Every platform's grammar at once: for text whose platform is not known (yet)."""
    gs = [p.grammar for p in platforms().values()]
    return Grammar(
        comment=tuple(sorted({c for g in gs for c in g.comment})),
        config_end=tuple(sorted({w for g in gs for w in g.config_end})),
        section_end=tuple(sorted({w for g in gs for w in g.section_end})),
        negation=tuple(sorted({w for g in gs for w in g.negation})),
        literal_blocks={k: v for g in gs for k, v in g.literal_blocks.items()},
    )


@dataclass(slots=True, eq=False)
class Line:
    """One configuration line; ``children`` are the lines indented under it."""

    text: str  # stripped
    number: int  # 1-based line number in the file
    indent: int
    parent: Line | None = None
    # A leaf shares the empty tuple: most lines have no children, and a list per line would be one
    # more object for the cyclic garbage collector to track (see ConfigTree.release).
    children: Sequence[Line] = ()
    banner: bool = False  # a line of banner text, never parsed as a command
    negated: bool = False  # ``undo X`` / ``no X`` (the grammar's negation): the explicit "off" form

    @property
    def word(self) -> str:
        return self.text.split(" ", 1)[0]

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
    grammar: Grammar | None = None
    end_word: str = ""  # the final word this grammar expects ("return", "end")
    stop: int = 0  # index of the first line after the parse (after the final word when ``ended``)
    flattened: bool = False  # the capture lost its indentation: blocks rebuilt from their headers
    _by_word: dict[str, list[Line]] | None = None
    _all: list[Line] | None = None
    _all_by_word: dict[str, list[Line]] | None = None
    _inherited: dict[int, list[Line]] | None = None  # id(block) -> the settings it takes from its class view
    _absorbed: frozenset[int] = frozenset()  # ids of class views every block of their kind speaks for

    def inherited(self, block: Line) -> list[Line]:
        """The settings ``block`` takes from its class view (the grammar's ``inherit``): the class's
        lines whose setting the block does not set itself, in the class's order."""
        if self._inherited is None:
            self._inherit()
        return self._inherited.get(id(block), []) if self._inherited else []

    def absorbed(self) -> frozenset[int]:
        """Ids of the class views that shown blocks of their kind speak for: a check judges those
        blocks (each with what it inherits), not the class view itself. A class view with no block
        of its kind shown stands for every line of the kind and is judged."""
        if self._inherited is None:
            self._inherit()
        return self._absorbed

    def _inherit(self) -> None:
        self._inherited = {}
        spec = self.grammar.inherit if self.grammar is not None else None
        if spec is None:
            return
        classes: defaultdict[str, list[Line]] = defaultdict(list)
        members: defaultdict[str, list[Line]] = defaultdict(list)
        for t in self.top:
            if m := spec.parent.match(t.text):
                classes[m["kind"]].append(t)
            elif m := spec.child.match(t.text):
                members[spec.aliases.get(m["kind"], m["kind"])].append(t)
        absorbed: set[int] = set()
        for kind, views in classes.items():
            if not members.get(kind):
                continue
            absorbed.update(id(v) for v in views)
            settings = [c for v in views for c in v.children]
            for b in members[kind]:
                own = {_setting(c, spec.two_word) for c in b.children}
                extra = [c for c in settings if _setting(c, spec.two_word) not in own]
                if extra:
                    self._inherited[id(b)] = extra
        self._absorbed = frozenset(absorbed)

    def walk(self) -> Iterator[Line]:
        for t in self.top:
            yield t
            yield from t.walk()

    def all_lines(self) -> list[Line]:
        """Every line at any depth in file order (cached: rules that look everywhere share it;
        the parser hands over the lines in the order it made them, which is this order)."""
        if self._all is None:
            self._all = list(self.walk())
        return self._all

    def any_by_word(self, word: str) -> list[Line]:
        """Lines at any depth whose first word is ``word``."""
        if self._all_by_word is None:
            self._all_by_word = _by_first_word(self.all_lines())
        return self._all_by_word.get(word, [])

    def release(self) -> None:
        """Unlink every line from its parent once the rules are done with the tree. Parent and
        children refer to each other, so without this a tree is freed only by the cyclic garbage
        collector, whose full passes over every live object (the findings of a whole run) then
        cost about a third of a many-file scan. The tree must not be used afterwards."""
        for ln in self.all_lines():
            ln.parent = None
        self._all = self._by_word = self._all_by_word = self._inherited = None

    def top_by_word(self, word: str) -> list[Line]:
        """Top-level lines whose first word is ``word`` (an index: rules ask this a lot). Taken
        from the index of every line, one word at a time: rules ask for a few dozen words, and
        the index of every line is built anyway."""
        if self._by_word is None:
            self._by_word = {}
        hit = self._by_word.get(word)
        if hit is None:
            hit = self._by_word[word] = [ln for ln in self.any_by_word(word) if ln.parent is None]
        return hit


def _setting(ln: Line, two_word: tuple[str, ...]) -> str:
    """The setting a line of a view sets: its first word (after the negation: ``undo shell`` sets
    ``shell``), or its first two for the grammar's two-word settings (``command authorization``)."""
    words = ln.text.split(" ", 3)[1 if ln.negated else 0 :]
    return " ".join(words[:2]) if words and words[0] in two_word else words[0] if words else ""


def _by_first_word(lines: list[Line]) -> dict[str, list[Line]]:
    """Lines by their first word, in order (``Line.word`` inlined: this runs on every line)."""
    idx: defaultdict[str, list[Line]] = defaultdict(list)  # looked up with .get: never grows on a miss
    for ln in lines:
        idx[ln.text.split(" ", 1)[0]].append(ln)
    return idx


def _flattened(lines: Sequence[str], start: int, n: int, headers: re.Pattern[str]) -> bool:
    """A capture that lost its indentation: block headers, but (almost) no indented line; or one
    whose packager stripped the first level only (a firewall rule's own lines keep theirs)."""
    allowed = (n - start) // 100  # a stray indented line or two (a banner, a comment) is tolerated
    indented = 0
    for k in range(start, n):  # a normal configuration is a third indented: this stops early
        ln = lines[k]
        if ln[:1] in (" ", "\t") and ln.strip():
            indented += 1
            if indented > allowed:
                return _headers_lost_children(lines, start, n, headers)
    return any(headers.match(lines[k]) for k in range(start, n))


def _headers_lost_children(lines: Sequence[str], start: int, n: int, headers: re.Pattern[str]) -> bool:
    """More block headers are followed straight by a column-0 line of content (their first child,
    unindented) than column-0 lines are followed by an indented one (a block that kept its form).
    A normal configuration answers within its first few blocks."""
    kept = lost = 0
    for k in range(start, n - 1):
        ln, nxt = lines[k], lines[k + 1]
        if not ln or ln[0] in _NOT_CONTENT:
            continue
        if nxt[:1] in (" ", "\t"):
            kept += 1
            if kept > 2 * lost + 20:
                return False
        elif nxt and nxt[0] not in _NOT_CONTENT and headers.match(ln) and not headers.match(nxt):
            lost += 1
    return lost >= 3 and lost > kept


_NOT_CONTENT = frozenset(" \t#!$")  # blanks, comments and separators, a ZTE "$" closer


def _literal_block(
    lines: Sequence[str], i: int, node: Line, made: list[Line], close: str, whole_line: bool
) -> tuple[int, bool]:
    """Lines from ``i`` kept as text of ``node`` (a banner's, a macro's; never parsed), up to and
    including the closing one: the line ``close`` itself (``whole_line``, a macro's ``@``) or the
    first holding it (a banner's delimiter). Returns the next line's index and whether it closed."""
    body: list[Line] = []
    node.children = body
    while i < len(lines):
        raw = lines[i]
        i += 1
        body.append(Line(raw.strip(), i, node.indent + 1, node, banner=True))
        made.append(body[-1])
        if (raw.strip() == close) if whole_line else (close in raw.rstrip()):
            return i, True
    return i, False


def parse_config(
    text: str | list[str], grammar: Grammar | None = None, start: int = 0, stop: int | None = None
) -> ConfigTree:
    """Parse a running configuration (lines ``start``..``stop`` of it) into a tree; line numbers
    stay those of the whole text. Without a grammar every platform's separators and end words count."""
    g = grammar or any_grammar()
    comment = frozenset(g.comment)
    ends = frozenset(g.config_end)
    closers = frozenset(g.section_end)
    closer_first = frozenset(c[0] for c in closers)
    negation = tuple(w + " " for w in g.negation)
    neg_first = frozenset(w[0] for w in g.negation)
    banner = g.banner
    # The usual banner forms start with "banner"/"header": only those lines pay for the regex.
    banner_first = frozenset("bh") if banner.pattern == BANNER.pattern else None
    literal = tuple((head + " ", close) for head, close in g.literal_blocks.items())
    literal_first = frozenset(head[0] for head, _ in literal)
    top: list[Line] = []
    made: list[Line] = []  # every line in the order made: file order, which is also walk() order
    stack: list[Line] = []  # open blocks, innermost last
    problems: list[tuple[int, str]] = []
    ended = False
    lines = lines_of(text) if isinstance(text, str) else text
    n = len(lines) if stop is None else min(stop, len(lines))
    flat = g.flat_blocks if g.flat_blocks is not None and _flattened(lines, start, n, g.flat_blocks) else None
    sub_rx = g.flat_subblocks if flat is not None else None
    header: Line | None = None  # in a flattened capture: the block the column-0 lines belong to
    sub: Line | None = None  # ... and the block inside it (a USG 'manager-user' in 'aaa')
    wraps = g.wrap > 0
    prev_raw = ""  # the last non-blank line (a double-spaced copy keeps a wrap's parts apart)
    i = start
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
        if wraps:
            above, prev_raw = prev_raw, raw
            if indent == 0 and wrapped_rest(above, raw) == len(stripped):
                continue  # the rest of a secret the terminal wrapped onto this line: part of the line above
        if first in comment:
            if indent == 0:
                stack.clear()  # a column-0 separator closes every block
                header = sub = None
            continue
        if first in closer_first and stripped in closers:
            if flat is not None and indent == 0 and header is not None:
                # A flattened capture: "$" closes the innermost block open (its indent is lost).
                if sub is not None:
                    sub = None
                    stack[:] = [header]
                else:
                    header = None
                    stack.clear()
                continue
            while stack and stack[-1].indent >= indent:
                stack.pop()  # "$" closes the block it is aligned with
            continue
        if indent == 0 and stripped in ends:
            ended = True
            break
        is_header = is_sub = False  # in a flattened capture: this line opens a block, or one inside it
        if flat is not None and indent == 0:
            if flat.match(stripped):
                header = sub = None
                is_header = True
            elif header is not None:
                if sub_rx is not None and sub_rx.match(stripped):
                    indent, sub, is_sub = 1, None, True  # a block inside the block: it holds the lines after it
                    stack[:] = [header]
                elif sub is not None:
                    indent = 2
                    stack[:] = [header, sub]
                else:
                    indent = 1  # a child whose indentation the capture lost
                    stack[:] = [header]
        while stack and stack[-1].indent >= indent:
            stack.pop()
        parent = stack[-1] if stack else None
        node = Line(stripped, i, indent, parent, (), False, first in neg_first and stripped.startswith(negation))
        made.append(node)
        if parent is None:
            top.append(node)
        elif parent.children:
            parent.children.append(node)  # type: ignore[attr-defined]  # a list once it has a child
        else:
            parent.children = [node]
        stack.append(node)
        if is_header:
            header = node
        elif is_sub:
            sub = node
        if first in literal_first and (close := next((c for h, c in literal if stripped.startswith(h)), None)):
            # Literal text (an IOS macro's script) to its closing line, which it keeps: like a
            # banner's, its lines may read "end" or "interface X" and none is in effect.
            begin = i
            i, closed = _literal_block(lines, i, node, made, close, whole_line=True)
            if not closed:
                problems.append(
                    (
                        begin,
                        f"{stripped.split(' ', 1)[0]} block never ends (no line {close!r}); the file looks truncated",
                    )
                )
            stack.pop()
            continue
        if (banner_first is None or first in banner_first) and (m := banner.match(stripped)):
            delim, rest = m.group(1), m.group(2)
            if delim in rest:
                continue  # one-line banner
            # Banner text runs to the next line holding the delimiter; it may contain # or !.
            begin = i
            i, closed = _literal_block(lines, i, node, made, delim, whole_line=False)
            if not closed:
                problems.append((begin, f"banner never ends (no closing {delim!r}); the file looks truncated"))
            stack.pop()
    return ConfigTree(
        top, n, ended, problems, grammar, g.config_end[0] if g.config_end else "", i, flat is not None, _all=made
    )
