"""Configuration archive: versioned running configs (git via dulwich), volatile lines
normalised away, secrets masked in everything shown, change events for alerting/compliance."""

from ..platforms.masking import mask_diff
from ..platforms.masking import mask_text as mask_config
from .backup import BackupReport, backup_with_config, run_backup, settings_from_config
from .events import ConfigChange
from .normalize import changed_by, normalize
from .settings import ArchiveSettings, load_archive_settings
from .store import ConfigArchive, Version

__all__ = [
    "ArchiveSettings",
    "BackupReport",
    "ConfigArchive",
    "ConfigChange",
    "Version",
    "backup_with_config",
    "changed_by",
    "load_archive_settings",
    "mask_config",
    "mask_diff",
    "normalize",
    "run_backup",
    "settings_from_config",
]
