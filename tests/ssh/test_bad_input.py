"""Every bad-input case of issue 6: classified error, bounded time, other devices unaffected,
previous archived version untouched."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from collectors.ssh import ErrorKind, SshCollector
from netmon.archive import ConfigArchive, run_backup
from netmon.lab.procs import free_port

from .conftest import Lab, cred


@pytest.fixture(scope="module")
def mixed(lab: Lab, tmp_path_factory: pytest.TempPathFactory):
    """One backup run with good and broken devices side by side."""
    archive = ConfigArchive(tmp_path_factory.mktemp("mixed") / "archive")
    creds = {
        "lab": cred(),
        "wrongpw": cred("not-the-password"),
        "key": cred("", key=lab.client_key),
        "otherkey": cred("", key=lab.other_key),
    }
    devs = [
        lab.device("huawei_vrp"),
        lab.device("cisco_ios"),
        lab.device("h3c_comware", ssh="wrongpw"),
        lab.device("ios-key", ssh="key"),
        lab.device("ruijie_rgos", ssh="otherkey"),
        lab.device("hang"),
        lab.device("noprompt"),
        lab.device("huge"),
        lab.device("gbk"),
        lab.device("nolldp"),
        lab.device("rejcfg"),
        lab.device("zte_zxros", port=free_port()),  # nothing listens there
    ]
    settings = lab.settings(command_timeout=4.0, device_budget=20.0, retries=1, max_output_bytes=16 << 20)
    t0 = time.monotonic()
    report = asyncio.run(run_backup(devs, settings, archive, lambda n: creds[n]))
    wall = time.monotonic() - t0
    return {r.device.name: r for r in report.results}, report, archive, wall


def test_good_devices_unaffected(mixed) -> None:
    res, _report, archive, wall = mixed
    for name in ("huawei_vrp", "cisco_ios", "ios-key", "huge", "gbk", "nolldp"):
        assert res[name].ok, (name, res[name].error)
        assert archive.versions(name), name
    # bounded: broken devices cost at most their timeouts, in parallel with the rest
    assert wall < 40  # device_budget is 20 s; nothing waits for the broken ones


def test_wrong_password_is_auth_failure_not_retried(mixed) -> None:
    r = mixed[0]["h3c_comware"]
    assert r.error is not None and r.error.kind is ErrorKind.auth_failure
    assert r.attempts == 1  # a retry could lock the account
    assert "not-the-password" not in str(r.error)


def test_key_auth_and_refused_key(mixed) -> None:
    res = mixed[0]
    assert res["ios-key"].ok
    assert res["ruijie_rgos"].error is not None and res["ruijie_rgos"].error.kind is ErrorKind.auth_failure


@pytest.mark.parametrize("name", ["hang", "noprompt"])
def test_stalled_output_times_out(mixed, name: str) -> None:
    r = mixed[0][name]
    assert r.error is not None and r.error.kind is ErrorKind.read_timeout
    # Bounded: the stalled read ends at the command timeout (4 s) after login, and never later than
    # the device budget (20 s) however slow a loaded machine makes the login; the peer would
    # otherwise hold the session forever.
    assert r.duration_s < 20.0 + 5.0
    assert not mixed[2].versions(name)  # nothing half-received was archived


def test_huge_config_is_archived_whole(mixed, lab: Lab) -> None:
    archive = mixed[2]
    text = archive.show("huge")
    assert len(text.encode()) > 10 * 1024 * 1024
    assert text.rstrip().endswith("return")
    assert "rule 5 permit ip source 10.0.0.0 0 destination 172.16.0.0 0" in text


def test_non_utf8_config_decoded_losslessly(mixed) -> None:
    r = mixed[0]["gbk"]
    assert r.encoding == "gb18030"
    text = mixed[2].show("gbk")
    assert "description 至市级汇聚-上联-主" in text
    assert "乐昌市政务服务中心" in text
    assert "Device-Encoding: gb18030" in mixed[2].versions("gbk")[0].message


def test_rejected_optional_command_is_recorded(mixed) -> None:
    r = mixed[0]["nolldp"]
    assert r.ok
    assert r.command_errors["lldp"].kind is ErrorKind.command_rejected
    assert "Unrecognized command" in r.command_errors["lldp"].message
    assert not [p for p in r.points if p.measurement == "lldp_neighbor"]
    assert [p for p in r.points if p.measurement == "interface_state"]  # the rest still parsed


def test_rejected_running_config_fails_device(mixed) -> None:
    r = mixed[0]["rejcfg"]
    assert r.error is not None and r.error.kind is ErrorKind.command_rejected
    assert not mixed[2].versions("rejcfg")


def test_connection_refused_is_retried(mixed) -> None:
    r = mixed[0]["zte_zxros"]
    assert r.error is not None and r.error.kind is ErrorKind.connect_refused
    assert r.attempts == 2


def test_reach_points_classify_errors(mixed) -> None:
    report = mixed[1]
    reach = {p.tags["device"]: p for p in report.points if p.measurement == "ssh_reach"}
    assert reach["hang"].fields["up"] == 0 and reach["hang"].fields["error"] == "read_timeout"
    assert reach["h3c_comware"].fields["error"] == "auth_failure"
    assert reach["cisco_ios"].fields["up"] == 1


def test_failure_leaves_previous_version_untouched(lab: Lab, tmp_path: Path) -> None:
    """A device that broke after a good backup keeps its last good version as current."""
    archive = ConfigArchive(tmp_path / "archive")
    settings = lab.settings(command_timeout=2.0)
    dev = lab.device("rejcfg")
    ok_dev = dev.model_copy(update={"name": "rejcfg"})
    # first: a good backup of the same device name from a healthy simulated device
    good = lab.device("h3c_comware").model_copy(update={"name": "rejcfg"})
    asyncio.run(run_backup([good], settings, archive, lambda n: cred()))
    before = archive.versions("rejcfg")
    text_before = archive.show("rejcfg")
    assert len(before) == 1
    report = asyncio.run(run_backup([ok_dev], settings, archive, lambda n: cred()))
    assert not report.results[0].ok
    assert archive.versions("rejcfg") == before
    assert archive.show("rejcfg") == text_before


def test_budget_exceeded_is_bounded(lab: Lab) -> None:
    """A device that outlives its whole budget is cut off at the budget, not the command timeout."""
    settings = lab.settings(command_timeout=60.0, device_budget=2.5)
    t0 = time.monotonic()
    res = asyncio.run(SshCollector(settings, lambda n: cred()).collect([lab.device("hang"), lab.device("cisco_ios")]))
    took = time.monotonic() - t0
    by = {r.device.name: r for r in res}
    assert by["hang"].error is not None and by["hang"].error.kind is ErrorKind.budget_exceeded
    assert by["cisco_ios"].ok
    assert took < 2.5 + 5.0  # not the 60 s command timeout


def test_output_above_limit_is_too_large(lab: Lab) -> None:
    settings = lab.settings(max_output_bytes=4096)
    res = asyncio.run(SshCollector(settings, lambda n: cred()).collect([lab.device("cisco_ios")]))
    assert res[0].error is not None and res[0].error.kind is ErrorKind.too_large


def test_missing_credential_is_classified(lab: Lab) -> None:
    from netmon.errors import InputError

    def lookup(name: str):
        raise InputError.one("netmon.yaml", f"no SSH credential named {name!r}", field="credentials.ssh")

    res = asyncio.run(SshCollector(lab.settings(), lookup).collect([lab.device("cisco_ios", ssh="nope")]))
    assert res[0].error is not None and res[0].error.kind is ErrorKind.no_credential
    assert "nope" in res[0].error.message
