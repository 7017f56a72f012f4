"""Waivers hide accepted risks until they expire; bad waiver files are rejected with line and field."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from netmon.compliance import load_waivers, scan_files
from netmon.compliance.scoring import score
from netmon.errors import InputError
from netmon.inventory import Device

from .conftest import CONFIGS

TODAY = dt.date(2026, 11, 28)


def _write(tmp_path, body: str):
    p = tmp_path / "waivers.yaml"
    p.write_text(textwrap.dedent(body), encoding="utf-8")
    return p


def test_live_waiver_hides_and_expired_one_does_not(tmp_path, l3) -> None:
    path = _write(
        tmp_path,
        """\
        waivers:
          - rule: SN-01
            device: "xj-ks-*"
            reason: legacy NMS polls v2c until the 2027 migration
            approver: 张三 (security officer)
            expires: 2027-03-31
          - rule: IA-07
            device: xj-ks-sc-ex-rtr3
            reason: SSH licence pending
            approver: 李四
            expires: 2026-11-27
        """,
    )
    waivers = load_waivers(path, {r.id for r in l3.rules})
    plain = scan_files([CONFIGS / "cisco_noncompliant.cfg"], l3).results[0]
    waived = scan_files([CONFIGS / "cisco_noncompliant.cfg"], l3, waivers=waivers, today=TODAY).results[0]
    f = {x.rule: x for x in waived.findings}
    assert f["SN-01"].result == "FAIL" and f["SN-01"].waived and f["SN-01"].counted_result == "N/A"
    assert f["SN-01"].waiver.approver == "张三 (security officer)" and f["SN-01"].waiver.source.endswith(":2")
    assert f["IA-07"].result == "FAIL" and not f["IA-07"].waived and f["IA-07"].waiver.expired
    assert any("waiver expired on 2026-11-27" in n for n in f["IA-07"].notes)
    assert waived.high_fail() == plain.high_fail() - 1
    assert score(waived.findings) > score(plain.findings)
    # the day it expires it still holds; the day after it no longer does
    on_day = scan_files([CONFIGS / "cisco_noncompliant.cfg"], l3, waivers=waivers, today=dt.date(2027, 3, 31))
    after = scan_files([CONFIGS / "cisco_noncompliant.cfg"], l3, waivers=waivers, today=dt.date(2027, 4, 1))
    assert {x.rule: x.waived for x in on_day.results[0].findings}["SN-01"]
    assert not {x.rule: x.waived for x in after.results[0].findings}["SN-01"]


def test_scope_waiver_needs_inventory_facts(tmp_path, l3) -> None:
    from netmon.compliance.results import DeviceResult
    from netmon.compliance.waivers import apply_waivers

    path = _write(
        tmp_path,
        """\
        waivers:
          - rule: BD-06
            scope: [tier=county, role=access]
            reason: township access routers get uRPF in phase 2
            approver: 王五
            expires: 2027-06-30
        """,
    )
    waivers = load_waivers(path)
    dev = Device(
        name="xj-ks-sc-ex-rtr3",
        address="10.9.9.9",
        network="extranet",
        tier="county",
        region="新疆/喀什/疏勒",
        site="疏勒县",
        role="access",
        vendor="cisco_ios",
    )
    for inv, expect in ((dev, True), (None, False)):
        r = scan_files([CONFIGS / "cisco_noncompliant.cfg"], l3).results[0]
        r2 = DeviceResult(r.device, r.vendor, r.source, r.standard, r.findings)
        apply_waivers(r2, waivers, TODAY, inv)
        # BD-06 (no uRPF) fails on this router; BD-07 would be N/A (routed ports only)
        assert {x.rule: x.waived for x in r2.findings}["BD-06"] is expect


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("waivers:\n  - rule: SN-01\n    reason: r\n    approver: a\n    expires: 2027-01-01\n", "needs 'device'"),
        (
            "waivers:\n  - rule: SN-01\n    device: x\n    reason: r\n    approver: a\n    expires: soon\n",
            "waivers.0.expires",
        ),
        ("waivers:\n  - rule: SN-01\n    device: x\n    reason: r\n    expires: 2027-01-01\n", "waivers.0.approver"),
        (
            "waivers:\n  - rule: ZZ-01\n    device: x\n    reason: r\n    approver: a\n    expires: 2027-01-01\n",
            "no rule 'ZZ-01'",
        ),
        (
            "waivers:\n  - rule: SN-01\n    scope: [colour=red]\n    reason: r\n    approver: a\n    expires: 2027-01-01\n",
            "unknown scope key",
        ),
        ("- just a list\n", "a waivers file is a mapping"),
    ],
    ids=["no-target", "bad-date", "no-approver", "unknown-rule", "bad-scope", "not-a-mapping"],
)
def test_bad_waiver_file(tmp_path, l3, body, where) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(InputError) as exc:
        load_waivers(path, {r.id for r in l3.rules})
    msg = str(exc.value)
    assert where in msg and "waivers.yaml" in msg
