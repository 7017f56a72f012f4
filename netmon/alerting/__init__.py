"""Alerting: rules on the Point stream, topology root cause, notifiers (see docs/ALERTING.md)."""

from .config import AlertingConfig, parse_alerting
from .engine import AlertEngine
from .rules import Rule, load_rules
from .state import Alert, AlertStore

__all__ = ["Alert", "AlertEngine", "AlertStore", "AlertingConfig", "Rule", "load_rules", "parse_alerting"]
