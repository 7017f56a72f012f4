"""Which dashboards exist, their stable uids and the folder each lives in (one folder per network)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from grafana_foundation_sdk.builders import dashboard as db

from .base import NETWORK_LABEL, NETWORKS
from .boards import compliance, device, links, overview, region, selfmon, services


@dataclass(frozen=True)
class Folder:
    uid: str  # also the directory name under dashboards/build/ (file provisioning makes folders of them)
    title: str


NATIONAL = Folder("netmon-national", "netmon · 全国 national")
FOLDERS: dict[str, Folder] = {
    "national": NATIONAL,
    **{net: Folder(f"netmon-{net}", f"netmon · {NETWORK_LABEL[net]}") for net in NETWORKS},
}


@dataclass(frozen=True)
class Spec:
    uid: str
    folder: Folder
    build: Callable[[], db.Dashboard]


def specs() -> list[Spec]:
    """Every dashboard, national ones first. Uids never change: Grafana links and bookmarks use them."""
    out = [Spec(overview.UID, NATIONAL, overview.build), Spec(selfmon.UID, NATIONAL, selfmon.build)]
    out.append(Spec(services.UID, NATIONAL, services.build))
    for net in NETWORKS:
        folder = FOLDERS[net]
        for mod in (region, device, links, compliance):
            out.append(Spec(mod.uid(net), folder, partial(mod.build, net)))
    return out
