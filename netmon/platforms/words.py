"""The words a line must start with for a line pattern to match it, read off the compiled
pattern: the key under which rules (compliance) and signatures (detection) look lines up in a
first-word index, so that a pattern reads the few lines starting with its words, not all of them.

A line's first word is its stripped text up to the first space. Sound or nothing: a word is given
only when every line the pattern can match starts with one of the words given.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_MAX_WORDS = 8  # more alternatives than this: reading every line is as cheap


@cache
def spelled_first_words(rx: re.Pattern[str]) -> tuple[str, ...] | None:
    """The first words (text up to the first space) of every line ``rx`` can match, sorted, when
    the pattern is anchored at the line start and spells them out, alternatives, optional groups
    and one-character classes included (``^(cdp|lldp) run$``: cdp, lldp; ``^telnet[- ]server``:
    telnet, telnet-server); None when it cannot be told (then every line is a candidate)."""
    if rx.flags & re.IGNORECASE:
        return None
    try:
        from re import _parser  # type: ignore[attr-defined]  # the stdlib's parser of the pattern it compiled

        items: list[tuple[Any, Any]] = list(_parser.parse(rx.pattern, rx.flags & re.VERBOSE))
    except Exception:  # a private module: never let it cost a verdict, only the index
        return None
    if not items or items[0] != (_parser.AT, _parser.AT_BEGINNING):
        return None
    words: set[str] = set()
    todo: list[tuple[str, list[tuple[Any, Any]]]] = [("", items[1:])]
    while todo:
        if len(todo) + len(words) > _MAX_WORDS:
            return None
        prefix, rest = todo.pop()
        word: str | None = None
        while word is None:
            if not rest:
                return None  # the pattern ends mid-word: the line may go on ("^log" matches "logging")
            op, av = rest[0]
            rest = rest[1:]
            if op is _parser.LITERAL and av == 32:
                word = prefix
            elif op is _parser.LITERAL:
                prefix += chr(av)
            elif op is _parser.AT and av is _parser.AT_END:
                word = prefix  # the whole line is the word
            elif op is _parser.SUBPATTERN and not av[1] & re.IGNORECASE:
                rest = [*av[-1], *rest]
            elif op is _parser.BRANCH:
                todo.extend((prefix, [*alt, *rest]) for alt in av[1])
                break
            elif op is _parser.IN and all(o is _parser.LITERAL for o, _ in av):
                todo.extend((prefix, [(_parser.LITERAL, c), *rest]) for _, c in av)  # [- ]: each character
                break
            elif op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT) and av[0] == 0 and av[1] == 1:
                todo.extend(((prefix, [*av[2], *rest]), (prefix, rest)))  # the optional part there or not
                break
            else:
                return None  # a class, a repeat, a lookaround before the first space: not literal
        if word is not None:
            if not word:
                return None
            words.add(word)
    return tuple(sorted(words)) or None


@cache
def literal_alternatives(rx: re.Pattern[str]) -> tuple[str, ...] | None:
    """The strings a pattern made only of literal alternatives finds (``acl|packet-filter``:
    acl, packet-filter), else None. ``any(s in line for s in them)`` then answers
    ``rx.search(line)`` about three times faster: the regex engine tries every position of the
    line against every alternative's first character."""
    if rx.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    try:
        from re import _parser  # type: ignore[attr-defined]  # the stdlib's parser of the pattern it compiled

        items: list[tuple[Any, Any]] = list(_parser.parse(rx.pattern))
    except Exception:  # a private module: never let it cost a match, only speed
        return None
    alts = [items]
    if len(items) == 1 and items[0][0] is _parser.BRANCH:
        alts = [list(a) for a in items[0][1][1]]
    out: list[str] = []
    for alt in alts:
        if not alt or any(op is not _parser.LITERAL for op, _ in alt):
            return None
        out.append("".join(chr(c) for _, c in alt))
    return tuple(out)


_MAX_PREFIXES = 16


@cache
def literal_prefixes(rx: re.Pattern[str]) -> tuple[str, ...]:
    """Literal texts one of which every match of a ``^``-anchored pattern starts with, read off
    the compiled pattern, alternatives included (``^interface (GE|10GE)\\d``: "interface GE",
    "interface 10GE"); ``("",)`` when the pattern does not spell them out. On one line (no newline
    in it) ``line.startswith(prefixes)`` is then a necessary condition for a match and costs a
    fraction of the search."""
    if rx.flags & (re.IGNORECASE | re.VERBOSE):
        return ("",)
    try:
        from re import _parser  # type: ignore[attr-defined]  # the stdlib's parser of the pattern it compiled

        items: list[tuple[Any, Any]] = list(_parser.parse(rx.pattern))
    except Exception:  # a private module: never let it cost a match, only speed
        return ("",)
    if not items or items[0] != (_parser.AT, _parser.AT_BEGINNING):
        return ("",)
    out: set[str] = set()
    todo: list[tuple[str, list[tuple[Any, Any]]]] = [("", items[1:])]
    while todo:
        if len(todo) + len(out) > _MAX_PREFIXES:
            return ("",)
        prefix, rest = todo.pop()
        while rest:
            op, av = rest[0]
            if op is _parser.LITERAL:
                prefix += chr(av)
            elif op is _parser.SUBPATTERN and not av[1] & re.IGNORECASE:
                rest = [*av[-1], *rest[1:]]
                continue
            elif op is _parser.BRANCH:
                todo.extend((prefix, [*alt, *rest[1:]]) for alt in av[1])
                break
            elif op is _parser.IN and all(o is _parser.LITERAL for o, _ in av):
                todo.extend((prefix + chr(c), rest[1:]) for _, c in av)
                break
            else:
                rest = []  # a class, a repeat, a lookaround: the literal text ends here
                continue
            rest = rest[1:]
        else:
            if not prefix:
                return ("",)
            out.add(prefix)
    return tuple(sorted(out)) or ("",)
