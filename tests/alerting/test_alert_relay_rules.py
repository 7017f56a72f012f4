"""The shipped relay rules (configs/alerts/operations.yaml) on `relay` points as netmon relay writes them."""

from __future__ import annotations

from netmon.model import Point
from tests.alerting.alerting_helpers import T0
from tests.conftest import ROOT


def _relay(t: float, stalled: bool, reachable: bool = True) -> Point:
    tags = {"relay": "central-1", "stream": "CENTRAL", "province": "广东", "domain": "gd"}
    fields = {"source_lag": 120, "source_active_s": 3.0, "leaf_reachable": reachable, "leaf_last_seq": 900,
              "stalled": stalled, "reason": "stream recreated under its source" if stalled else ""}  # fmt: skip
    return Point("relay", tags, fields, int(t * 1e9))


def test_stalled_province_source_pages_after_two_minutes(make_engine) -> None:
    eng = make_engine({"rules": [str(ROOT / "configs" / "alerts")]})
    out = eng.process([_relay(T0, stalled=True)])
    assert [(p.tags["rule"], p.tags["state"]) for p in out] == [("relay_source_stalled", "pending")]
    out = eng.process([_relay(T0 + 130, stalled=True)])
    firing = [p for p in out if p.tags["state"] == "firing"]
    assert [p.tags["rule"] for p in firing] == ["relay_source_stalled"]
    assert firing[0].tags["province"] == "广东" and "recreated" in str(firing[0].fields["summary"])
    out = eng.process([_relay(T0 + 200, stalled=False)])
    assert [(p.tags["rule"], p.tags["state"]) for p in out] == [("relay_source_stalled", "resolved")]
