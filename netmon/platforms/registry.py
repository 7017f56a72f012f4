"""The platform registry: every folder under netmon/platforms/ (and the site's search path) is a
platform; this module loads, inherits and validates them, once per process.

Search path, in order: the built-in folders, then each directory of ``$NETMON_PLATFORMS_PATH``
(colon separated), then ``platforms_dir:`` of netmon.yaml (``use_platform_dirs``). A folder
whose name is already known is an overlay: merged over the earlier one field by field, as
``extends:`` merges a platform over its parent (mappings key by key, a ``null`` value removes
an inherited key, lists and scalars replace). A broken folder is rejected with
``file:line: field: reason`` for every problem, never half-loaded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import InputError, Problem
from ..yamlio import LineDict, line_for_loc, line_of, load_yaml, validation_errors
from .model import KEY_RE, CommonSpec, Platform

BUILTIN = Path(__file__).resolve().parent
COMMON = "common"
ENV_PATH = "NETMON_PLATFORMS_PATH"
# file of a folder -> the section it fills (None: the top-level fields)
SECTIONS: dict[str, str | None] = {
    "platform.yaml": None,
    "health.yaml": "health",
    "ssh.yaml": "ssh",
    "config.yaml": "config",
    "secrets.yaml": "secrets",
    "compliance.yaml": "compliance",
    "defaults.yaml": "defaults",
    "dialect.yaml": "dialect",
    "syslog.yaml": "syslog",
    "lab.yaml": "lab",
}
_TOP_FIELDS = {"display", "extends", "sysobjectid", "sample"}
_COMMON_FILES = {
    "detect.yaml": None,
    "secrets.yaml": "secrets",
    "health.yaml": "fallback_health",
    "syslog.yaml": "syslog",
    "accounts.yaml": "factory_accounts",
    "vendor_names.yaml": "vendor_names",
    "pager.yaml": "pager",
}

_site_dirs: tuple[Path, ...] = ()
_dependents: list[Callable[[], None]] = []


@dataclass
class _Folder:
    """One folder's files as loaded (line-aware), before inheritance."""

    key: str
    path: Path
    docs: dict[str, tuple[Path, Any]] = field(default_factory=dict)  # section ("" = top) -> (file, doc)

    def raw(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for section, (_, doc) in self.docs.items():
            if section:
                out[section] = doc
            else:
                out.update(doc)
        return out


@dataclass(frozen=True)
class Registry:
    platforms: dict[str, Platform]
    common: CommonSpec
    folders: dict[str, list[_Folder]]  # key -> its folders, base first (for locate)

    def locate(self, key: str, loc: tuple[str | int, ...]) -> tuple[str, int | None]:
        """The file and line that define ``loc`` (section first) for platform ``key``: the
        nearest overlay or ancestor that holds the path, else the platform's own platform.yaml."""
        chain: list[_Folder] = []
        k: str | None = key
        seen: set[str] = set()
        while k and k in self.folders and k not in seen:
            seen.add(k)
            chain.extend(reversed(self.folders[k]))
            k = self.platforms[k].extends if k in self.platforms else None
        return _locate(chain, loc)


def _locate(chain: list[_Folder], loc: tuple[str | int, ...]) -> tuple[str, int | None]:
    section = str(loc[0]) if loc else ""
    if section in _TOP_FIELDS or section not in SECTIONS.values():
        section, rest = "", loc
    else:
        rest = loc[1:]
    for f in chain:
        if section in f.docs:
            path, doc = f.docs[section]
            if _has(doc, rest[:1]) or not rest:
                return str(path), line_for_loc(doc, rest)
    if chain and "" in chain[0].docs:
        path, doc = chain[0].docs[""]
        return str(path), line_of(doc)
    return (str(chain[0].path) if chain else "netmon/platforms"), None


def _has(doc: Any, path: tuple[str | int, ...]) -> bool:
    node = doc
    for p in path:
        try:
            node = node[p]
        except (KeyError, IndexError, TypeError):
            return False
    return True


def merge(base: Any, over: Any) -> Any:
    """``over`` merged onto ``base``: mappings key by key (``None`` deletes), the rest replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            if v is None:
                out.pop(k, None)
            elif k in out:
                out[k] = merge(out[k], v)
            else:
                out[k] = v
        return out
    return over


def search_path() -> tuple[Path, ...]:
    """Built-in folders, then $NETMON_PLATFORMS_PATH, then platforms_dir: (each directory once)."""
    env = tuple(Path(p) for p in os.environ.get(ENV_PATH, "").split(":") if p.strip())
    out: dict[Path, None] = {}
    for d in (BUILTIN, *env, *_site_dirs):
        out.setdefault(d.resolve() if d.exists() else d, None)
    return tuple(out)


def site_dirs() -> tuple[Path, ...]:
    """The directories added by ``use_platform_dirs`` (netmon.yaml ``platforms_dir:``)."""
    return _site_dirs


def use_platform_dirs(dirs: Iterable[Path]) -> None:
    """Add netmon.yaml's ``platforms_dir:`` to the search path (reloads the registry)."""
    global _site_dirs
    new = tuple(dirs)
    if new != _site_dirs:
        _site_dirs = new
        reload()


def reload() -> None:
    """Forget the loaded registry and everything derived from it (tests, a SIGHUP)."""
    _registry.cache_clear()
    for clear in _dependents:
        clear()


def derived(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Register a ``functools.cache``-wrapped function to be cleared when the registry reloads."""
    _dependents.append(fn.cache_clear)  # type: ignore[attr-defined]
    return fn


def _load_docs(
    path: Path, known: dict[str, str | None], where: str, problems: list[Problem]
) -> dict[str, tuple[Path, Any]]:
    """The folder's YAML files that ``known`` names, loaded line-aware, by the section each fills
    ("" for the top level); unknown files and YAML errors become problems."""
    docs: dict[str, tuple[Path, Any]] = {}
    for f in sorted(path.glob("*.yaml")):
        if f.name not in known:
            problems.append(Problem(str(f), f"unknown file in {where}; known: {', '.join(known)}"))
            continue
        try:
            doc = load_yaml(f)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if doc is None:
            continue
        if not isinstance(doc, dict):
            problems.append(Problem(str(f), "must be a mapping", line_of(doc)))
            continue
        docs[known[f.name] or ""] = (f, doc)
    return docs


def _read_folder(key: str, path: Path, problems: list[Problem]) -> _Folder:
    folder = _Folder(key, path, _load_docs(path, SECTIONS, "a platform folder", problems))
    if "" in folder.docs:
        f, doc = folder.docs[""]
        extra = sorted(set(doc) - _TOP_FIELDS)
        for k in extra:
            problems.append(
                Problem(
                    str(f),
                    f"unknown field; platform.yaml holds {', '.join(sorted(_TOP_FIELDS))} "
                    f"(other sections have files of their own: {', '.join(s for s in SECTIONS if s != 'platform.yaml')})",
                    line_of(doc, k),
                    k,
                )
            )
        if extra:
            folder.docs[""] = (f, LineDict((k, v) for k, v in doc.items() if k not in extra))
    if "lab" in folder.docs and (path / "lab").is_dir() and "dir" not in folder.docs["lab"][1]:
        folder.docs["lab"][1]["dir"] = str(path / "lab")
    return folder


def _discover(problems: list[Problem]) -> tuple[dict[str, list[_Folder]], list[_Folder]]:
    found: dict[str, list[_Folder]] = {}
    commons: list[_Folder] = []
    for root in search_path():
        if not root.is_dir():
            problems.append(Problem(str(root), f"platform directory does not exist (from {ENV_PATH} or platforms_dir)"))
            continue
        for sub in sorted(p for p in root.iterdir() if p.is_dir()):
            if sub.name == COMMON:
                commons.append(_read_common(sub, problems))
                continue
            if not (sub / "platform.yaml").is_file():
                if any(sub.glob("*.yaml")):
                    problems.append(
                        Problem(str(sub), "a platform folder needs a platform.yaml (display name at least)")
                    )
                continue
            if not KEY_RE.match(sub.name):
                problems.append(
                    Problem(str(sub), "platform folder names are lower-case letters, digits and _ (the inventory key)")
                )
                continue
            found.setdefault(sub.name, []).append(_read_folder(sub.name, sub, problems))
    return found, commons


def _read_common(path: Path, problems: list[Problem]) -> _Folder:
    return _Folder(COMMON, path, _load_docs(path, _COMMON_FILES, "common/", problems))


def _pydantic_problems(
    exc: ValidationError, where: Callable[[tuple[str | int, ...]], tuple[str, int | None]]
) -> list[Problem]:
    out = []
    for loc, msg in validation_errors(exc):
        path, line = where(loc)
        out.append(Problem(path, msg, line, ".".join(str(p) for p in loc)))
    return out


@cache
def _registry() -> Registry:
    problems: list[Problem] = []
    found, commons = _discover(problems)
    # common/: built-in first, site overlays after
    common_raw: dict[str, Any] = {}
    for c in commons:
        common_raw = merge(common_raw, c.raw())
    try:
        common = CommonSpec.model_validate(common_raw)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, lambda loc: _locate(list(reversed(commons)), loc)))
        common = CommonSpec()
    merged: dict[str, dict[str, Any]] = {}
    for key, folders in found.items():
        raw: dict[str, Any] = {}
        for f in folders:
            raw = merge(raw, f.raw())
        merged[key] = raw
    platforms: dict[str, Platform] = {}
    resolved: dict[str, dict[str, Any]] = {}

    def resolve(key: str, chain: tuple[str, ...]) -> dict[str, Any] | None:
        if key in resolved:
            return resolved[key]
        own = merged[key]
        parent = own.get("extends")
        if parent is None:
            resolved[key] = {**own, "depth": 0}
            return resolved[key]
        path, line = _locate(list(reversed(found[key])), ("extends",))
        if not isinstance(parent, str) or parent not in merged:
            problems.append(
                Problem(
                    path, f"extends an unknown platform {parent!r}; known: {', '.join(sorted(merged))}", line, "extends"
                )
            )
            return None
        if parent in chain:
            problems.append(Problem(path, f"extends cycle: {' -> '.join((*chain, key, parent))}", line, "extends"))
            return None
        base = resolve(parent, (*chain, key))
        if base is None:
            return None
        # A dialect's place in the generated sample network is its own (two platforms cannot hold
        # one slot), so ``sample`` is not inherited.
        inherited = {k: v for k, v in base.items() if k not in ("display", "extends", "depth", "sample")}
        resolved[key] = {**merge(inherited, {k: v for k, v in own.items() if k != "extends"}), "extends": parent,
                         "depth": int(base["depth"]) + 1}  # fmt: skip
        return resolved[key]

    for key in sorted(merged):
        resolved_raw = resolve(key, ())
        if resolved_raw is None:
            continue
        raw = resolved_raw
        folders = found[key]
        try:
            platforms[key] = Platform.model_validate({**raw, "key": key, "folders": tuple(f.path for f in folders)})
        except ValidationError as exc:
            chain_folders = _chain(key, found, merged)
            problems.extend(_pydantic_problems(exc, lambda loc, cf=chain_folders: _locate(cf, loc)))  # type: ignore[misc]
    if common.default_platform not in merged:
        path, line = _locate(list(reversed(commons)), ("default_platform",))
        problems.append(
            Problem(path, f"no platform folder named {common.default_platform!r}", line, "default_platform")
        )
    if problems:
        raise InputError(problems)
    return Registry(platforms, common, found)


def _chain(key: str, found: dict[str, list[_Folder]], merged: dict[str, dict[str, Any]]) -> list[_Folder]:
    out: list[_Folder] = []
    k: Any = key
    seen: set[str] = set()
    while isinstance(k, str) and k in found and k not in seen:
        seen.add(k)
        out.extend(reversed(found[k]))
        k = merged[k].get("extends")
    return out


def registry() -> Registry:
    return _registry()


def platforms() -> dict[str, Platform]:
    """Every platform by inventory key (``vendor:`` in the inventory)."""
    return _registry().platforms


def platform(key: str) -> Platform:
    """One platform; KeyError names the known ones."""
    try:
        return _registry().platforms[key]
    except KeyError:
        raise KeyError(f"unknown platform {key!r}; known: {', '.join(sorted(platforms()))}") from None


def common() -> CommonSpec:
    return _registry().common


def display_name(key: str) -> str:
    p = _registry().platforms.get(key)
    return p.display if p else key


def lineage(key: str) -> tuple[str, ...]:
    """The platform and its ancestors, nearest first."""
    out: list[str] = []
    k: str | None = key
    regs = _registry().platforms
    while k is not None and k in regs and k not in out:
        out.append(k)
        k = regs[k].extends
    return tuple(out)


def related(a: str, b: str) -> bool:
    """Dialects of the same family: one extends the other, or both extend the same root (a
    CloudEngine and a USG firewall are both VRP)."""
    la, lb = lineage(a), lineage(b)
    return a in lb or b in la or (bool(la) and bool(lb) and la[-1] == lb[-1])


def platform_for_sysobjectid(oid: str) -> Platform | None:
    """The platform whose sysObjectID prefix is the longest match; on a tie the less derived
    one (a child that only inherits its parent's prefix does not win over the parent)."""
    oid = oid.lstrip(".")
    best: tuple[int, int, str] | None = None
    for p in platforms().values():
        for prefix in p.sysobjectid:
            if oid == prefix or oid.startswith(prefix + "."):
                cand = (len(prefix), -p.depth, p.key)
                if best is None or cand[:2] > best[:2]:
                    best = cand
    return platforms()[best[2]] if best else None
