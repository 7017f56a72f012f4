"""SSH collector: read-only sessions (netmiko) to Huawei VRP, H3C Comware, Cisco IOS, Ruijie
RGOS and ZTE ZXROS devices; running configs for the archive, parsed state as Points."""

from .collector import DeviceResult, SshCollector
from .commands import CommandSet, command_set
from .errors import ErrorKind, SshError
from .settings import SshSettings, load_ssh_settings

__all__ = [
    "CommandSet",
    "DeviceResult",
    "ErrorKind",
    "SshCollector",
    "SshError",
    "SshSettings",
    "command_set",
    "load_ssh_settings",
]
