"""Read-only by construction: a command not on the allow-list is refused before it is sent."""

from __future__ import annotations

import pytest

from collectors.ssh import ErrorKind, SshError, command_set
from collectors.ssh.commands import command_sets
from collectors.ssh.session import Session, Target
from netmon.platforms import platforms

from .conftest import Lab, cred


def _session(lab: Lab, name: str) -> Session:
    dev = lab.device(name)
    target = Target(name, "127.0.0.1", lab.sim.ports[name], dev.vendor, platforms()[dev.vendor].ssh.netmiko or "")
    return Session(target, cred(), lab.settings(), command_set(dev.vendor))


def test_no_config_mode_command_in_any_set() -> None:
    for platform, cs in command_sets().items():
        for line in cs.allowed:
            assert not line.startswith(("system-view", "conf", "write", "save", "reload", "reboot", "delete")), (
                platform,
                line,
            )


@pytest.mark.parametrize(("name", "bad"), [("huawei_vrp", "system-view"), ("cisco_ios", "configure terminal")])
def test_guard_refuses_before_sending(lab: Lab, name: str, bad: str) -> None:
    s = _session(lab, name)
    s.open()
    try:
        before = lab.sim.received(name)
        # through the session: refused by the allow-list check
        with pytest.raises(SshError) as exc:
            s.send(bad)
        assert exc.value.kind is ErrorKind.command_refused
        # and straight at netmiko (a code path that bypasses run()): refused by the channel guard
        with pytest.raises(SshError) as exc2:
            s.conn.send_command(bad)
        assert exc2.value.kind is ErrorKind.command_refused
        with pytest.raises(SshError):
            s.conn.config_mode()
        # the session still works, and the device never saw the refused lines
        text, _raw, _enc = s.run("version")
        assert text
        after = lab.sim.received(name)
        assert after[: len(before)] == before
        new = after[len(before) :]
        assert bad not in new and not any(c.startswith(("system-view", "conf")) for c in new)
        assert new == [s.commands.commands["version"].command]
    finally:
        s.close()


def test_unknown_platform_has_no_command_set() -> None:
    with pytest.raises(SshError) as exc:
        command_set("juniper_junos")
    assert exc.value.kind is ErrorKind.no_driver
