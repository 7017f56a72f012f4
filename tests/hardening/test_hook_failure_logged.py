"""Issue 16: a failed after-cycle hook is logged with its reason in text logs (the traceback at
debug), through the daemon's real scheduler and log setup."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import pytest

from netmon.inventory import Device
from netmon.runtime.logs import setup_logging
from netmon.runtime.scheduler import CycleResult, Job, Scheduler

DEV = Device(name="r1", address="127.0.0.1", network="intranet", tier="central", site="s", role="core",
             vendor="huawei_vrp")  # fmt: skip


def _run_failing_hook(level: str, json_format: bool = False) -> str:
    buf = io.StringIO()
    setup_logging(level, json_format, stream=buf)
    try:

        async def emit(points: list) -> None:
            return None

        async def poll(dev: Device) -> list:
            return []

        async def hook(result: CycleResult) -> None:
            raise RuntimeError(
                f"sink refused the batch from https://db.example/write?token=SECRETTOKEN ({result.number})"
            )

        sched = Scheduler(emit, max_cycles=1)
        sched.add(Job("snmp", 0.2, poll, lambda: [DEV], jitter=0.0, on_cycle_end=hook))
        asyncio.run(asyncio.wait_for(sched.run(), 20))
    finally:
        setup_logging("warning")
        logging.getLogger().handlers.clear()
    return buf.getvalue()


def test_text_log_says_why_the_hook_failed() -> None:
    out = _run_failing_hook("info")
    line = next(ln for ln in out.splitlines() if "after-cycle hook of snmp failed" in ln)
    assert "RuntimeError: sink refused the batch" in line, out
    assert "SECRETTOKEN" not in out and "token=***" in line
    assert "Traceback" not in out  # the traceback only at debug


def test_debug_log_has_the_traceback() -> None:
    out = _run_failing_hook("debug")
    assert "after-cycle hook of snmp failed: RuntimeError" in out
    assert "Traceback (most recent call last)" in out and "in hook" in out
    assert "SECRETTOKEN" not in out


@pytest.mark.parametrize("level", ["info", "debug"])
def test_json_log_carries_the_reason(level: str) -> None:
    rows = [json.loads(ln) for ln in _run_failing_hook(level, json_format=True).splitlines() if ln.startswith("{")]
    row = next(r for r in rows if "after-cycle hook" in r["msg"])
    assert row["exc"].startswith("RuntimeError: sink refused") and "SECRETTOKEN" not in json.dumps(row)
    assert ("traceback" in row) == (level == "debug")
