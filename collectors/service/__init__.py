"""Service probes (like blackbox_exporter): HTTP(S), DNS, TCP, TLS certificates, OCSP/CRL."""

from .job import ServiceJob
from .run import probe, probe_points, run_targets, to_points
from .settings import ServiceSettings, Target, load_service_settings, load_target_file

__all__ = [
    "ServiceJob",
    "ServiceSettings",
    "Target",
    "load_service_settings",
    "load_target_file",
    "probe",
    "probe_points",
    "run_targets",
    "to_points",
]
