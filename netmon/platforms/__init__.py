"""The platform registry: one folder per platform holding everything netmon knows of it.

    netmon/platforms/<key>/platform.yaml    display name, extends, sysObjectID prefixes, sample slots
                           health.yaml      SNMP health profile (OIDs for CPU, memory, temperature...)
                           ssh.yaml         netmiko type, ntc-templates platform, the read-only command allow-list
                           config.yaml      config grammar, release, detection signatures, volatile lines
                           secrets.yaml     secret-masking patterns of the dialect
                           compliance.yaml  per-rule checks and remediation (rule files keep the neutral part)
                           lab.yaml, lab/   snmpsim recordings, SSH simulator behaviour, sample configs
    netmon/platforms/common/                detection thresholds, shared secret patterns, fallback health

Adding a platform is adding a folder (here, or on ``$NETMON_PLATFORMS_PATH`` / ``platforms_dir:``).
No other module lists vendor keys: they all ask this package.
"""

from .masking import MASK, mask_diff, mask_line, mask_text, secret_spans
from .model import Grammar, Platform
from .registry import (
    ENV_PATH,
    common,
    display_name,
    lineage,
    platform,
    platform_for_sysobjectid,
    platforms,
    registry,
    related,
    reload,
    search_path,
    use_platform_dirs,
)

__all__ = [
    "ENV_PATH",
    "MASK",
    "Grammar",
    "Platform",
    "common",
    "display_name",
    "lineage",
    "mask_diff",
    "mask_line",
    "mask_text",
    "platform",
    "platform_for_sysobjectid",
    "platforms",
    "registry",
    "related",
    "reload",
    "search_path",
    "secret_spans",
    "use_platform_dirs",
]
