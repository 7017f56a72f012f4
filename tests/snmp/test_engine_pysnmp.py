"""The reference engine against net-snmp's snmpd: every v3 security level and protocol, v1, v2c."""

from __future__ import annotations

import asyncio

import pytest

from collectors.snmp.engine import ErrorClass, SnmpError, Target, ValueType, parse_oid
from collectors.snmp.engine_pysnmp import PysnmpEngine
from collectors.snmp.engines import fast_available, make_engine
from netmon.config import SnmpCredential
from netmon.errors import InputError
from netmon.lab.snmpd import all_users
from tests.conftest import need_binary
from tests.snmp import truth

SYS_NAME = "1.3.6.1.2.1.1.5.0"


@pytest.fixture(scope="module")
def snmpd(tmp_path_factory):
    need_binary("snmpd")
    from netmon.lab.snmpd import start_snmpd

    agent = start_snmpd(tmp_path_factory.mktemp("snmpd"))
    yield agent
    agent.stop()


def _get(agent, cred: SnmpCredential, oid: str = SYS_NAME):
    async def run():
        engine = PysnmpEngine()
        try:
            t = Target(agent.host, cred, port=agent.port, timeout=2, retries=0, name="snmpd")
            return await engine.get(t, [parse_oid(oid)])
        finally:
            await engine.close()

    return asyncio.run(run())


@pytest.mark.parametrize("user", [u.name for u in all_users()])
def test_every_v3_user_matches_snmpget(snmpd, user):
    u = next(x for x in snmpd.users if x.name == user)
    want = truth.get(snmpd.port, truth.v2c(snmpd.community), SYS_NAME)[SYS_NAME]
    (vb,) = _get(snmpd, u.credential())
    assert vb.type is ValueType.OCTET_STRING and vb.value == want


@pytest.mark.parametrize("version", ["1", "2c"])
def test_community_versions(snmpd, version):
    cred = snmpd.v2c().model_copy(update={"version": version})
    (vb,) = _get(snmpd, cred, "1.3.6.1.2.1.1.3.0")
    assert vb.type is ValueType.TIMETICKS and isinstance(vb.value, int) and vb.value > 0


def test_wrong_auth_protocol_is_auth_failure(snmpd):
    u = snmpd.user("sha", "aes")
    cred = u.credential().model_copy(update={"auth_protocol": "md5"})
    with pytest.raises(SnmpError) as exc:
        _get(snmpd, cred)
    assert exc.value.kind in (ErrorClass.AUTH_FAILURE, ErrorClass.UNKNOWN_USER)


def test_make_engine_choices():
    assert isinstance(make_engine("pysnmp"), PysnmpEngine)
    auto = make_engine("auto")
    assert type(auto).__name__ == ("FastEngine" if fast_available() else "PysnmpEngine")
    with pytest.raises(InputError):
        make_engine("turbo")
