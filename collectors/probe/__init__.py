"""Active probes: ICMP/TCP-SYN loss, latency, jitter and traceroute path checks (scapy, raw sockets)."""

from .job import ProbeJob
from .run import ProbeCycle, run_cycle
from .settings import ProbeSettings, load_probe_settings

__all__ = ["ProbeCycle", "ProbeJob", "ProbeSettings", "load_probe_settings", "run_cycle"]
