"""Rule conditions: ``in_util_pct > 90``, ``oper_status == 2 and admin_status == 1``, ``delta(spool_dropped) > 0``.

A condition is compiled once into closures, so evaluating it on a point costs a few dict
look-ups. ``and`` binds tighter than ``or``; no parentheses (rules stay readable). A term whose
field is missing from the point is false: a point without the field says nothing about it.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..model import FieldValue

Fields = Mapping[str, FieldValue]
Test = Callable[[Fields, Fields | None], bool]

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
_TERM = re.compile(
    r"""^\s*(?:(?P<fn>delta)\(\s*(?P<dfield>\w+)\s*\)|(?P<field>\w+))\s*
        (?P<op>==|!=|>=|<=|>|<)\s*
        (?P<value>-?\d+(?:\.\d+)?|"[^"]*"|'[^']*'|true|false)\s*$""",
    re.X,
)


_NUMBER = (int, float)


class ConditionError(ValueError):
    """A condition that does not parse; the message says what is expected."""


@dataclass(frozen=True, slots=True)
class Condition:
    text: str
    fields: frozenset[str]  # fields the condition reads (checked against the schema at load)
    uses_delta: bool
    test: Test
    first_field: str  # the field whose value an alert reports

    def __call__(self, fields: Fields, prev: Fields | None = None) -> bool:
        return self.test(fields, prev)


def _value(raw: str) -> FieldValue:
    if raw in ("true", "false"):
        return raw == "true"
    if raw[0] in "\"'":
        return raw[1:-1]
    return float(raw)


def _term(text: str) -> tuple[Test, str, bool]:
    m = _TERM.match(text)
    if not m:
        raise ConditionError(
            f"cannot parse {text.strip()!r}; write FIELD OP VALUE (OP one of == != > >= < <=), "
            "e.g. in_util_pct > 90, or delta(FIELD) > 0; join terms with 'and' / 'or'"
        )
    op = _OPS[m["op"]]
    want = _value(m["value"])
    numeric = isinstance(want, float)
    if m["fn"] == "delta":
        name = m["dfield"]

        def delta(f: Fields, prev: Fields | None) -> bool:
            cur, old = f.get(name), (prev or {}).get(name)
            if not isinstance(cur, int | float) or not isinstance(old, int | float):
                return False
            return bool(op(cur - old, want))

        return delta, name, True
    name = m["field"]
    if numeric:

        def num(f: Fields, prev: Fields | None) -> bool:
            v = f.get(name)
            # bool is an int: a boolean field compared with a number counts as 0/1
            return isinstance(v, _NUMBER) and bool(op(v, want))

        return num, name, False

    def other(f: Fields, prev: Fields | None) -> bool:
        v = f.get(name)
        return v is not None and bool(op(v, want))

    return other, name, False


def _all(tests: tuple[Test, ...]) -> Test:
    if len(tests) == 2:  # the usual shape; evaluated per point per rule, so no generator
        a, b = tests

        def both(f: Fields, p: Fields | None) -> bool:
            return a(f, p) and b(f, p)

        return both

    def run(f: Fields, p: Fields | None) -> bool:
        return all(t(f, p) for t in tests)

    return run


def _any(tests: tuple[Test, ...]) -> Test:
    if len(tests) == 2:
        a, b = tests

        def either(f: Fields, p: Fields | None) -> bool:
            return a(f, p) or b(f, p)

        return either

    def run(f: Fields, p: Fields | None) -> bool:
        return any(t(f, p) for t in tests)

    return run


def compile_condition(text: str) -> Condition:
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("empty condition; write e.g. up == 0")
    ors: list[Test] = []
    names: list[str] = []
    delta = False
    for alt in re.split(r"\s+or\s+", text.strip()):
        terms = []
        for part in re.split(r"\s+and\s+", alt):
            fn, name, d = _term(part)
            terms.append(fn)
            names.append(name)
            delta = delta or d
        ors.append(terms[0] if len(terms) == 1 else _all(tuple(terms)))
    test: Test = ors[0] if len(ors) == 1 else _any(tuple(ors))
    return Condition(text.strip(), frozenset(names), delta, test, names[0])
