"""Compliance engine: 等级保护 2.0 (GB/T 22239-2019) level 2/3 and baseline checks of device
configurations, rules as YAML data (per-platform checks in netmon/platforms/<key>/compliance.yaml),
evidence, waivers, scores, reports.

Public API (what `netmon scan`, `netmon run` and `netmon demo` call)::

    std = load_standard("mlps-l3")
    run = scan_files([Path("core1.cfg")], std)                # or scan_devices(devices, ArchiveReader(dir), std)
    result = scan_text(text, std, device=dev)                 # one config just backed up
    points = to_points(run.results)                           # compliance / compliance_rule Points
    events = new_high_failures(previous_state, run.results)   # high FAILs new since the last scan
"""

from .points import ComplianceEvent, failing_high, load_state, new_high_failures, save_state, to_points
from .results import DeviceResult, Evidence, Finding
from .rules import Rule, Standard, load_rules, load_standard, pack_ids
from .scanner import ArchiveReader, ScanRun, scan_devices, scan_files, scan_text
from .source import (
    VENDORS,
    DeviceConfig,
    detect_vendor,
    load_device_config,
    load_device_configs,
    read_device_config,
    read_device_configs,
)
from .tree import ConfigTree, Line, parse_config
from .waivers import Waiver, apply_waivers, load_waivers

__all__ = [
    "VENDORS",
    "ArchiveReader",
    "ComplianceEvent",
    "ConfigTree",
    "DeviceConfig",
    "DeviceResult",
    "Evidence",
    "Finding",
    "Line",
    "Rule",
    "ScanRun",
    "Standard",
    "Waiver",
    "apply_waivers",
    "detect_vendor",
    "failing_high",
    "load_device_config",
    "load_device_configs",
    "load_rules",
    "load_standard",
    "load_state",
    "load_waivers",
    "new_high_failures",
    "pack_ids",
    "parse_config",
    "read_device_config",
    "read_device_configs",
    "save_state",
    "scan_devices",
    "scan_files",
    "scan_text",
    "to_points",
]
