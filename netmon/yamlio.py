"""YAML loading that remembers line numbers, so errors can name the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import InputError, Problem


class LineDict(dict[str, Any]):
    """A mapping from YAML that knows the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list[Any]):
    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc,name-defined]
    # libyaml parses ~20x faster and still gives node marks, so line numbers survive.
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[str(key) if not isinstance(key, str) else key] = loader.construct_object(value_node, deep=True)
        out.key_lines[str(key)] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)  # type: ignore[arg-type]
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)  # type: ignore[arg-type]


def read_text(path: Path) -> str:
    """Read a UTF-8 file (a BOM is tolerated); anything else is a clear error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError.one(str(path), f"cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError.one(
            str(path), f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the file as UTF-8", line
        ) from None


def load_yaml(path: Path, text: str | None = None) -> Any:
    """Parse YAML keeping line numbers; syntax errors become an InputError naming the line."""
    if text is None:
        text = read_text(path)
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise InputError.one(str(path), f"YAML syntax error: {exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:
        raise InputError.one(str(path), f"YAML error: {exc}") from None


def validation_errors(exc: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """(location, reason) of each error of a pydantic ValidationError, in the words netmon uses
    for input problems ("unknown field", "required field is missing", no "Value error, ")."""
    out = []
    for err in exc.errors():
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        out.append((tuple(err["loc"]), msg))
    return out


def line_of(obj: Any, key: str | int | None = None) -> int | None:
    """Best line number for ``obj[key]`` (or obj itself) if obj came from load_yaml."""
    if isinstance(obj, LineDict):
        if key is not None and str(key) in obj.key_lines:
            return obj.key_lines[str(key)]
        return obj.line
    if isinstance(obj, LineList):
        if isinstance(key, int) and 0 <= key < len(obj.item_lines):
            return obj.item_lines[key]
        return obj.line
    return None


def line_for_loc(root: Any, loc: tuple[str | int, ...]) -> int | None:
    """Walk a pydantic error location through the loaded YAML and return the deepest known line."""
    best = line_of(root)
    node = root
    for part in loc:
        line = line_of(node, part)
        if line is not None:
            best = line
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return best


def pydantic_problems(exc: ValidationError, source: str, doc: Any, prefix: tuple[str | int, ...] = ()) -> list[Problem]:
    """A pydantic ValidationError as Problems: ``file:line: prefix.field: reason`` (lines from ``doc``)."""
    out = []
    for e in exc.errors():
        loc = tuple(e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown setting"
        elif e["type"] == "missing":
            msg = "required setting is missing"
        out.append(Problem(source, msg, line_for_loc(doc, loc), ".".join(str(p) for p in (*prefix, *loc))))
    return out
