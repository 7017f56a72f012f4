"""The ``topology:`` section of netmon.yaml (netmon.config keeps it a plain dict).

::

    topology:
      lldp: true          # walk LLDP-MIB with the health poll (collectors/snmp/lldp.py)
      lldp_interval: 15m  # per device; the first walks are spread over one interval after start
      max_age: 2d         # neighbour tables older than this are not evidence (diff, show)
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..alerting.durations import Duration
from ..config import validate_section


class TopologySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lldp: bool = Field(True, description="walk LLDP-MIB (with a health poll, every lldp_interval)")
    lldp_interval: Duration = Field(
        900.0, gt=0, description="seconds between LLDP walks of a device; the first is spread over one interval"
    )
    max_age: Duration = Field(2 * 86400.0, gt=0, description="older neighbour tables are ignored")
    isolation_check: bool = Field(True, description="raise a finding for any intranet-extranet adjacency")


def load_topology_settings(section: dict[str, Any] | None, source: str = "netmon.yaml") -> TopologySettings:
    return validate_section(TopologySettings, section, "topology", source)
