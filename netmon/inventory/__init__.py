"""Inventory, topology and scope of the four-tier network."""

from .load import Inventory, load_inventory
from .model import Device, Network, Tier, Uplink
from .scope import EmptyScope, Scope
from .topology import Topology

__all__ = ["Device", "EmptyScope", "Inventory", "Network", "Scope", "Tier", "Topology", "Uplink", "load_inventory"]
