"""Choosing an SNMP engine: the fast one when it is installed, else pysnmp."""

from __future__ import annotations

import importlib
from typing import Literal

from netmon.errors import InputError

from .engine import Engine

EngineKind = Literal["auto", "fast", "pysnmp"]


def fast_available() -> bool:
    try:
        importlib.import_module("collectors.snmp.engine_fast")
    except ImportError:
        return False
    return True


def make_engine(kind: str = "auto", gather_s: float = 0.0) -> Engine:
    """``auto``: the fast engine when ``collectors.snmp.engine_fast`` imports, else pysnmp.
    ``gather_s``: the fast engine reads answers in batches (FastEngine.gather_s)."""
    if kind not in ("auto", "fast", "pysnmp"):
        raise InputError.one("--engine", f"unknown SNMP engine {kind!r}; use auto, fast or pysnmp")
    if kind in ("auto", "fast"):
        try:
            mod = importlib.import_module("collectors.snmp.engine_fast")
        except ImportError:
            if kind == "fast":
                raise InputError.one("--engine", "the fast SNMP engine is not available in this build") from None
        else:
            cls = getattr(mod, "FastEngine", None)
            if cls is not None:
                engine: Engine = cls(gather_s=gather_s)
                return engine
            if kind == "fast":
                raise InputError.one("--engine", "collectors.snmp.engine_fast has no FastEngine class")
    from .engine_pysnmp import PysnmpEngine

    return PysnmpEngine()
