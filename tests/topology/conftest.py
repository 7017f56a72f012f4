"""Topology fixtures: snmpsim agents serving the small network's LLDP recordings."""

from __future__ import annotations

import pytest
from topo_helpers import HOSTS, INVENTORY, serve_recordings, small_network


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    from tests.conftest import need_binary

    need_binary("snmpget")
    d = tmp_path_factory.mktemp("topo")
    recs = small_network()
    agents = serve_recordings(d / "sim", {n: (HOSTS[n], r.text()) for n, r in recs.items()})
    (d / "inventory.yaml").write_text(
        INVENTORY.format(p1=agents.ports["c-in-core"], p2=agents.ports["gd-in-core"], p3=agents.ports["gd-ex-core"]),
        encoding="utf-8",
    )
    yield d, agents
    agents.proc.stop()
