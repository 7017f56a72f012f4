"""Backup: collect running configs over SSH and archive them; the one call `netmon backup`,
`netmon run` and `netmon demo` make."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from collectors.ssh import DeviceResult, SshCollector, SshSettings, load_ssh_settings
from netmon.config import NetmonConfig, SshCredential
from netmon.errors import NetmonError
from netmon.inventory import Device
from netmon.model import Point

from .events import ConfigChange
from .settings import ArchiveSettings, load_archive_settings
from .store import ConfigArchive

log = logging.getLogger(__name__)

# Per device as it finishes: its result, the new version (None: unchanged or failed), and why its
# config could not be archived (None: it was, or there was nothing to archive).
Progress = Callable[[DeviceResult, ConfigChange | None, str | None], None]


@dataclass
class BackupReport:
    results: list[DeviceResult] = field(default_factory=list)
    changes: list[ConfigChange] = field(default_factory=list)
    archive_errors: dict[str, str] = field(default_factory=dict)  # device -> reason
    points: list[Point] = field(default_factory=list)

    @property
    def failed(self) -> list[DeviceResult]:
        return [r for r in self.results if not r.ok or r.device.name in self.archive_errors]


async def run_backup(
    devices: Iterable[Device],
    ssh: SshSettings,
    archive: ConfigArchive,
    credentials: Callable[[str], SshCredential],
    tofu: bool | None = None,
    progress: Progress | None = None,
) -> BackupReport:
    """Collect every device (concurrently) and archive each config as it arrives. A device that
    fails leaves its previous archived version as it was. Returns results, change events and
    Points (`ssh_reach`, parsed state, `config_change`). ``progress(result, change, archive_error)``
    is called per device as it finishes (``archive_error``: why a collected config was not stored)."""
    report = BackupReport()
    archive.repo()  # create (0700) or check before any session starts

    def on_result(res: DeviceResult) -> None:
        change: ConfigChange | None = None
        if res.ok and res.config is not None:
            try:
                change = archive.store(res.device.name, res.config, res.device.vendor, res.encoding, res.time_ns)
            except (OSError, NetmonError) as exc:
                report.archive_errors[res.device.name] = f"archive write failed: {exc}"
                log.error("%s: archive write failed: %s", res.device.name, type(exc).__name__)
            except Exception as exc:  # a storage bug must not end the other devices' backups
                report.archive_errors[res.device.name] = f"archive write failed: {type(exc).__name__}"
                log.exception("%s: archive write failed", res.device.name)
        if change is not None:
            report.changes.append(change)
            report.points.append(change.point(res.device))
        report.points.append(res.reach_point())
        report.points.extend(res.points)
        if progress is not None:
            progress(res, change, report.archive_errors.get(res.device.name))

    report.results = await SshCollector(ssh, credentials, tofu).collect(devices, on_result)
    try:
        archive.maintain()
    except Exception:  # packing is housekeeping: a failure must not fail the backup
        log.exception("archive maintenance failed")
    return report


def settings_from_config(cfg: NetmonConfig) -> tuple[SshSettings, ArchiveSettings]:
    base = Path(cfg.path).resolve().parent if cfg.path else None
    src = str(cfg.path or "netmon.yaml")
    return load_ssh_settings(cfg.ssh, src, base), load_archive_settings(cfg.archive, src, base)


def backup_with_config(
    cfg: NetmonConfig,
    devices: Iterable[Device],
    tofu: bool | None = None,
    progress: Progress | None = None,
) -> BackupReport:
    """Synchronous entry point for the CLI: settings, credentials and archive from netmon.yaml."""
    ssh, arch = settings_from_config(cfg)
    store = cfg.secret_store()
    return asyncio.run(
        run_backup(
            devices, ssh, ConfigArchive(arch.dir, arch.author), lambda n: cfg.ssh_credential(n, store), tofu, progress
        )
    )
