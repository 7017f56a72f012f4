"""Security monitoring: traffic analysis of captures (cleartext management, isolation, scans,
brute force) with rules as YAML. Active probes live in collectors/probe."""

from .analyze import Analyzer, Report, Stats, analyse
from .capture import CaptureError, CaptureReader
from .findings import SEVERITY_ORDER as SEVERITY
from .findings import Event, Finding
from .settings import RuleSet, SecuritySettings, load_rules, load_settings

__all__ = [
    "SEVERITY", "Analyzer", "CaptureError", "CaptureReader", "Event", "Finding", "Report", "RuleSet", "SecuritySettings",
    "Stats", "analyse", "load_rules", "load_settings",
]  # fmt: skip
