"""Structured logging: device and tier on every line, JSON on request, one line per state change.

A dead device must not write a line every cycle: ``StateLog.change`` logs only when a device's
state (up/down and error class) differs from the last one logged.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from ..urlmask import mask_urls

_CONTEXT_KEYS = ("device", "tier", "network", "region", "collector")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for k in _CONTEXT_KEYS:
            v = getattr(record, k, None)
            if v is not None:
                out[k] = v
        if record.exc_info and record.levelno >= logging.ERROR:
            out["exc"] = exception_reason(record)
            if logging.getLogger().isEnabledFor(logging.DEBUG):
                out["traceback"] = mask_urls(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False)


def exception_reason(record: logging.LogRecord) -> str:
    """``Type: message`` of a record's exception (URLs in it masked), '' without one."""
    if not record.exc_info or record.exc_info[1] is None:
        return ""
    exc = record.exc_info[1]
    text = mask_urls(str(exc)).splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text and text[0] else type(exc).__name__


class TextFormatter(logging.Formatter):
    """One line per record; a record with an exception (``log.exception``) says why on the same
    line, and adds the traceback when the log level is debug."""

    def format(self, record: logging.LogRecord) -> str:
        ctx = " ".join(f"{k}={getattr(record, k)}" for k in _CONTEXT_KEYS if getattr(record, k, None) is not None)
        ts = time.strftime("%H:%M:%S", time.localtime(record.created))
        line = f"{ts} {record.levelname.lower():7s} {record.name}: {record.getMessage()}"
        reason = exception_reason(record)
        if reason:
            line += f": {reason}"
        if ctx:
            line += f" [{ctx}]"
        if reason and logging.getLogger().isEnabledFor(logging.DEBUG) and record.exc_info:
            line += "\n" + mask_urls(self.formatException(record.exc_info))
        return line


def setup_logging(level: str = "info", json_format: bool = False, stream: Any = None) -> None:
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if json_format else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Libraries chatter at INFO (paramiko, asyncio); keep them to warnings.
    for noisy in ("paramiko", "asyncio", "urllib3", "netmiko", "pysnmp", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


class StateLog:
    """Logs a device's state only when it changes (up -> down, or the error class changes)."""

    def __init__(self, logger: logging.Logger) -> None:
        self._log = logger
        self._last: dict[str, str] = {}

    def change(self, device: str, state: str, msg: str, level: int = logging.WARNING, **ctx: Any) -> bool:
        if self._last.get(device) == state:
            return False
        first = device not in self._last
        self._last[device] = state
        if first and state == "up":
            return False  # a device that is fine from the start needs no line
        self._log.log(level, msg, extra={"device": device, **ctx})
        return True

    def forget(self, keep: set[str]) -> None:
        for d in list(self._last):
            if d not in keep:
                del self._last[d]


class PerPollFailureFilter(logging.Filter):
    """Drops the collector's per-poll failure lines inside the daemon, where StateLog says the
    same once per state change instead of once per cycle (`netmon poll` keeps them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("snmp poll failed")
