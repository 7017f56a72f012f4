"""Counters to rates: 32-bit wraps corrected, restarts and resets yield no rate (never a spike)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from collectors.snmp.rates import WRAP32, Sample, counter_delta, rates


def s(t: float, octets: int, *, uptime: int = 1000, disc: int | None = 0, hc: bool = False, errors: int = 0) -> Sample:
    return Sample(t, uptime, disc, {"in_octets": octets, "out_octets": octets // 2, "in_errors": errors}, hc)


def test_steady_rate_and_utilisation():
    r = rates(s(0, 1_000), s(10, 1_000 + 1_250_000), speed_mbps=10)
    assert r["in_bps"] == 1_000_000.0  # 1.25 MB in 10 s = 1 Mb/s
    assert r["in_util_pct"] == 10.0  # of 10 Mb/s
    assert r["in_errors_ps"] == 0.0


def test_32bit_wrap_is_corrected():
    before = WRAP32 - 1000
    r = rates(s(0, before, uptime=100), s(10, 500, uptime=1100), speed_mbps=None)
    assert r["in_bps"] == 1500 * 8 / 10
    assert counter_delta(WRAP32 - 1, 0, hc=False) == 1


def test_restart_sysuptime_back_gives_no_rate():
    # Same counter drop as a wrap, but sysUpTime went back: the device rebooted.
    assert rates(s(0, WRAP32 - 1000, uptime=50_000), s(10, 500, uptime=300), speed_mbps=1000) == {}


def test_discontinuity_change_gives_no_rate():
    assert rates(s(0, 10, disc=0), s(10, 5_000_000, disc=777), speed_mbps=1000) == {}


def test_64bit_decrease_is_a_reset_not_a_wrap():
    assert counter_delta(10_000, 5, hc=True) is None
    assert rates(s(0, 10_000, hc=True), s(10, 5, hc=True), speed_mbps=1000) == {"counter_reset": 1}


def test_width_change_and_zero_interval_give_no_rate():
    assert rates(s(0, 10, hc=False), s(10, 20, hc=True), speed_mbps=None) == {}
    assert rates(s(10, 10), s(10, 20), speed_mbps=None) == {}


counter32 = st.integers(0, WRAP32 - 1)


@given(
    a=counter32, b=counter32, up_a=st.integers(0, 2**32 - 1), up_b=st.integers(0, 2**32 - 1), dt=st.floats(0.001, 3600)
)
def test_rates_are_never_negative_and_a_restart_never_spikes(a, b, up_a, up_b, dt):
    r = rates(s(0, a, uptime=up_a), s(dt, b, uptime=up_b), speed_mbps=1000)
    if up_b < up_a:
        assert r == {}
    elif "counter_reset" in r:  # a 32-bit "wrap" faster than the 1000 Mb/s link (+10 %): a cleared counter
        # s() moves out_octets by half of in_octets: either direction may be the one that "wrapped" too fast
        wraps = [(y + WRAP32 - x) * 8 / dt for x, y in ((a, b), (a // 2, b // 2)) if y < x]
        assert r == {"counter_reset": 1} and wraps and max(wraps) > 1000e6 * 1.10
    else:
        assert all(v >= 0 for v in r.values())
        # A 32-bit counter can only have moved less than 2**32 between two polls.
        assert r["in_bps"] < WRAP32 * 8 / dt
