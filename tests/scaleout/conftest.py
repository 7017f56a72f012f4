"""Scale-out fixtures: Debian's nats-server as a JetStream hub and two province leaf servers
(gd through a TCP proxy standing in for its WAN link, zj direct), a real influxd, and the
streams created by the code under test (`netmon.scaleout.streams.setup_all`)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from netmon.lab.influx import Influxd, influxd_binary, start_influxd
from netmon.lab.nats import LinkProxy, nats_binary, start_hub, start_leaf
from netmon.lab.procs import free_port
from netmon.scaleout.settings import NatsSettings
from netmon.scaleout.streams import setup_all
from tests.scaleout.so_helpers import Topology, hub_client

_db = itertools.count(1)
_stream = itertools.count(1)


@pytest.fixture(scope="session")
def topo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    if nats_binary() is None:
        pytest.skip("nats-server is not installed (Debian package nats-server; make test installs it as root)")
    d: Path = tmp_path_factory.mktemp("nats")
    proxy_port = free_port()
    hub = start_hub(d / "hub", provinces=["gd", "zj"], advertise=f"127.0.0.1:{proxy_port}")
    proxy = LinkProxy("127.0.0.1", hub.leaf_port, port=proxy_port)
    pw = hub.extra["leaf_passwords"]
    assert isinstance(pw, dict)
    gd = start_leaf("gd", "127.0.0.1", proxy_port, pw["gd"], d / "gd")
    zj = start_leaf("zj", "127.0.0.1", hub.leaf_port, pw["zj"], d / "zj")
    t = Topology(hub, gd, zj, proxy)
    mp = pytest.MonkeyPatch()
    mp.setenv("NETMON_TEST_RELAY_PW", hub.users["relay"])
    mp.setenv("NETMON_TEST_POLLER_PW_GD", gd.users["poller"])
    mp.setenv("NETMON_TEST_POLLER_PW_ZJ", zj.users["poller"])
    try:
        t.wait_leaves()
        yield t
    finally:
        mp.undo()
        for p in (gd, zj, hub):
            p.stop()
        proxy.close()


@pytest.fixture(scope="session")
def influxd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Influxd]:
    if influxd_binary() is None:
        pytest.skip("influxd is not installed (Debian package influxdb; make test installs it as root)")
    h = start_influxd(tmp_path_factory.mktemp("influxd"))
    yield h
    h.stop()


@pytest.fixture
def influx_db(influxd: Influxd) -> str:
    name = f"so{next(_db)}"
    influxd.query(f'CREATE DATABASE "{name}"')
    return name


@pytest.fixture
async def settings(topo: Topology) -> NatsSettings:
    """Fresh streams for one test, created through the code under test."""
    topo.wait_leaves()
    s = topo.settings(str(next(_stream)))
    nc = await hub_client(topo)
    try:
        await setup_all(nc, s)
    finally:
        await nc.close()
    return s
