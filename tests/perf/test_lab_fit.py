"""The lab's settings follow the simulator's measured speed (netmon.lab.calibrate.fit)."""

from __future__ import annotations

import pytest

from netmon.lab.calibrate import fit


@pytest.mark.parametrize("request_s,burst_s", [(0.002, 0.003), (0.008, 0.014), (0.05, 0.08), (0.3, 0.5)])
def test_fit_leaves_headroom(request_s: float, burst_s: float) -> None:
    t = fit(request_s, burst_s, poll_requests=12, devices=58)
    # A full burst of `concurrency` requests queues for at most a quarter of the time-out.
    assert t.concurrency * burst_s <= t.timeout / 4 + 1e-9 or t.concurrency == 4
    assert (t.timeout >= 1.0 and t.timeout >= 4 * burst_s) or t.timeout == 10.0
    # The interval is long enough for the simulator to answer every device's poll once.
    assert t.min_interval >= 58 * 12 * burst_s
    # A whole poll whose every request takes the time-out still fits the device budget.
    assert t.device_budget >= 12 * t.timeout - 1e-9


def test_slower_simulator_gets_gentler_settings() -> None:
    fast, slow = fit(0.002, 0.003, 12, 58), fit(0.05, 0.08, 12, 58)
    assert slow.concurrency < fast.concurrency
    assert slow.timeout >= fast.timeout and slow.min_interval > fast.min_interval
