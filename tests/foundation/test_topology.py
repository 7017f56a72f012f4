"""Topology navigation and scope selection on the committed sample network."""

from __future__ import annotations

from pathlib import Path

import pytest

from netmon.errors import InputError
from netmon.inventory import Scope, Topology, load_inventory
from netmon.inventory.generate import dump, generate
from tests.conftest import ROOT, run_netmon

SMALL = ROOT / "configs" / "inventory" / "small.yaml"


@pytest.fixture(scope="module")
def topo() -> Topology:
    return Topology(load_inventory([SMALL]))


def test_committed_sample_is_what_the_generator_makes() -> None:
    assert SMALL.read_text(encoding="utf-8") == dump(generate("small"))


def test_sample_size_and_tiers(topo: Topology) -> None:
    inv = topo.inventory
    assert 50 <= len(inv) <= 70
    tiers = {d.tier.value for d in inv}
    assert tiers == {"central", "province", "city", "county", "township"}
    assert {d.network.value for d in inv} == {"intranet", "extranet"}
    assert sorted(topo.roots()) == ["c-ex-core1", "c-in-core1"]


def test_paths_children_descendants(topo: Topology) -> None:
    path = topo.path_to_root("gd-gz-th-t1-in-acc1")
    assert path == ["gd-gz-th-t1-in-acc1", "gd-gz-th-in-core1", "gd-gz-in-core1", "gd-in-core1", "c-in-core1"]
    assert [topo.device(n).tier.value for n in path] == ["township", "county", "city", "province", "central"]
    assert set(topo.children("gd-gz-in-core1")) == {"gd-gz-th-in-core1", "gd-gz-py-in-core1"}
    below = set(topo.descendants("gd-in-core1"))
    assert "gd-gz-th-t1-in-acc1" in below and "zj-in-core1" not in below
    assert all(topo.device(n).province == "广东" for n in below)
    assert topo.cut_off_by({"gd-in-core1"}, "gd-gz-th-t1-in-acc1")
    assert not topo.cut_off_by({"zj-in-core1"}, "gd-gz-th-t1-in-acc1")


def test_scope_selection(topo: Topology) -> None:
    inv = topo.inventory
    county = Scope.parse(["tier=county"]).select(inv)
    assert county and all(d.tier.value == "county" for d in county)
    gd = Scope.parse(["region=广东/*"]).select(inv)
    assert gd and all(d.region.startswith("广东") for d in gd)
    assert {d.name for d in gd} == {d.name for d in Scope.parse(["region=广东"]).select(inv)}
    both = Scope.parse(["tier=county", "region=广东/*", "network=intranet"]).select(inv)
    assert both and all(
        d.tier.value == "county" and d.network.value == "intranet" and d.province == "广东" for d in both
    )
    assert len(both) < len(county)
    alt = Scope.parse(["province=广东,浙江"]).select(inv)
    assert {d.province for d in alt} == {"广东", "浙江"}
    assert Scope.parse(["region=*/广州/*"]).select(inv)
    with pytest.raises(InputError, match="unknown scope key 'colour'"):
        Scope.parse(["colour=red"])
    with pytest.raises(InputError, match="not KEY=VALUE"):
        Scope.parse(["tier"])


def test_tree_command_counts(tmp_path: Path) -> None:
    r = run_netmon("inventory", "tree", "-c", str(ROOT / "configs" / "netmon.yaml"))
    assert r.returncode == 0, r.stderr
    assert "gd-gz-th-t1-in-acc1" in r.stdout
    total = [ln for ln in r.stdout.splitlines() if "total" in ln][-1]
    assert "35" in total and "23" in total and "58" in total
    r = run_netmon("inventory", "tree", "-c", str(ROOT / "configs" / "netmon.yaml"), "--scope", "region=浙江")
    assert r.returncode == 0
    assert "zj-hz-xh-in-core1" in r.stdout and "gd-gz-th-in-core1" not in r.stdout


def test_bad_scope_exit_2() -> None:
    r = run_netmon("inventory", "show", "-c", str(ROOT / "configs" / "netmon.yaml"), "--scope", "colour=red")
    assert r.returncode == 2 and "--scope: unknown scope key 'colour'" in r.stderr
