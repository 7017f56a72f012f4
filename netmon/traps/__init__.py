"""SNMP trap/inform receiver feeding the alert engine (see docs/ALERTING.md)."""

from .receiver import TrapReceiver, load_trap_table

__all__ = ["TrapReceiver", "load_trap_table"]
