"""Scanning many configurations: files given on the command line, or inventory devices read from
the configuration archive. A bad input is recorded as a problem and the rest are still scanned."""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..inventory import Device
from .engine import scan_config
from .results import DeviceResult
from .rules import Standard
from .scoring import by_clause, by_tag, network_score, top_failing_clauses
from .source import DeviceConfig, load_device_config, read_device_configs
from .waivers import Waiver, apply_waivers

Progress = Callable[[int, int, str], None]  # (done, total, device)


@contextmanager
def no_cycle_gc() -> Iterator[None]:
    """No cyclic garbage collection during a scan. Each configuration's tree (thousands of lines,
    parent and child linked both ways) is made and dropped within the scan: with the collector on,
    young collections walk every tree and promote it, and the full collections that follow walk
    every finding of the run so far: 10-15 % of a many-file scan's CPU. Nothing is lost: a tree's
    ``release()`` breaks its cycles, so it is freed by reference counting; a scan leaves almost
    no cyclic garbage (tens of objects per thousand files), collected once the collector is back
    on. ``gc.freeze`` is not used: the daemon freezes its start-up state and scans after backups."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


@dataclass(slots=True)
class ScanRun:
    """The outcome of one scan: results per device plus inputs that could not be scanned."""

    standard: Standard
    results: list[DeviceResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    started_ns: int = field(default_factory=time.time_ns)
    # platform -> evidence line -> masked line, shared by the run's configurations (engine.scan_config);
    # raw lines stay no longer than the scan (and a bounded number of them: see _masked).
    masked: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        counts = {"PASS": 0, "FAIL": 0, "WARN": 0, "REVIEW": 0, "N/A": 0}
        for r in self.results:
            for k, v in r.counts().items():
                counts[k] += v
        p = self.standard.pack
        return {
            "tool": "netmon compliance",
            "standard": {
                "id": p.id,
                "level": p.level,
                "title_zh": p.title.zh,
                "title_en": p.title.en,
                "rules": len(self.standard.rules),
            },
            "generated_at": dt.datetime.fromtimestamp(self.started_ns / 1e9, dt.UTC).isoformat(timespec="seconds"),
            "summary": {
                "devices": len(self.results),
                "score_pct": network_score(self.results),
                "counts": counts,
                "high_fail": sum(r.high_fail() for r in self.results),
                "waived": sum(1 for r in self.results for f in r.findings if f.waived),
                "not_scanned": len(self.problems),
            },
            "scores": {
                "by_tier": [asdict(g) for g in by_tag(self.results, "tier")],
                "by_network": [asdict(g) for g in by_tag(self.results, "network")],
                "by_clause": [asdict(c) for c in by_clause(self.results)],
                "top_failing_clauses": [asdict(c) for c in top_failing_clauses(self.results)],
            },
            "devices": [r.to_dict() for r in self.results],
            "not_scanned": [{"source": p.source, "line": p.line, "reason": p.reason} for p in self.problems],
        }


_MASKED_MAX = 50_000  # lines remembered per platform (a few MB): beyond, start again


def _masked(run: ScanRun, vendor: str) -> dict[str, str]:
    memo = run.masked.setdefault(vendor, {})
    if len(memo) > _MASKED_MAX:
        memo.clear()
    return memo


def _finish(
    run: ScanRun, cfg: DeviceConfig, device: Device | None, waivers: list[Waiver], today: dt.date | None
) -> None:
    tags = device.point_tags() if device else {}
    result = scan_config(cfg, run.standard, tags, device.role if device else None, _masked(run, cfg.vendor))
    if waivers:
        apply_waivers(result, waivers, today, device)
    run.results.append(result)


def scan_files(
    paths: Iterable[Path],
    standard: Standard,
    vendor: str | None = None,
    waivers: list[Waiver] | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ScanRun:
    """Scan configuration files; the vendor is detected per configuration unless given. A file
    holding several configurations gives one result each (``file``, ``file#2``...)."""
    run = ScanRun(standard)
    files = list(paths)
    with no_cycle_gc():
        for i, path in enumerate(files):
            try:
                cfgs = read_device_configs(path, vendor)
            except InputError as exc:
                run.problems.extend(exc.problems)
            else:
                for cfg in cfgs:
                    _finish(run, cfg, None, waivers or [], today)
                    cfg.tree.release()
            if progress:
                progress(i + 1, len(files), str(path))
    return run


def scan_text(
    text: str,
    standard: Standard,
    device: Device | None = None,
    vendor: str | None = None,
    name: str | None = None,
    source: str = "<config>",
) -> DeviceResult:
    """One configuration held in memory (e.g. just backed up). Raises InputError on bad input."""
    with no_cycle_gc():
        cfg = load_device_config(
            text.encode("utf-8"),
            source,
            vendor or (device.vendor if device else None),
            name or (device.name if device else None),
        )
        result = scan_config(cfg, standard, device.point_tags() if device else {}, device.role if device else None)
        cfg.tree.release()  # the backup job scans device after device: free each tree at once
    return result


class ArchiveReader:
    """The latest configuration per device: from netmon's git archive when ``root`` holds one
    (``configs.git``), else from ``<root>/<device>.cfg`` files (a plain directory of backups)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._archive: Any = None
        if (root / "configs.git").is_dir():
            from ..archive import ConfigArchive

            self._archive = ConfigArchive(root)
        elif not root.is_dir():
            raise InputError.one(
                str(root),
                "no configuration archive here (run `netmon backup` first, "
                "or pass --archive DIR holding <device>.cfg files)",
            )

    @property
    def kind(self) -> str:
        return "git archive" if self._archive is not None else "directory of <device>.cfg files"

    def version(self, device: str) -> str | None:
        """The device's saved `display version` / `show version` output (``<device>.version.txt``
        beside its configuration), used for the release when the configuration names none."""
        from .source import version_beside

        return version_beside(self.root / f"{device}.cfg")

    def read(self, device: str) -> tuple[bytes, str]:
        if self._archive is not None:
            v = self._archive.resolve(device, None)  # InputError when the device has no version
            return self._archive.show(device, v.commit).encode("utf-8"), f"archive:{device}@{v.id}"
        path = self.root / f"{device}.cfg"
        try:
            return path.read_bytes(), str(path)
        except FileNotFoundError:
            raise InputError.one(device, f"no archived configuration ({path} does not exist)") from None
        except OSError as exc:
            raise InputError.one(str(path), f"cannot read: {exc.strerror or exc}") from None


def scan_devices(
    devices: list[Device],
    reader: ArchiveReader,
    standard: Standard,
    waivers: list[Waiver] | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ScanRun:
    """Scan inventory devices' latest archived configurations (vendor from the inventory). A
    platform without a compliance pack yet is scanned too: every rule N/A, with a note."""
    run = ScanRun(standard)
    with no_cycle_gc():
        for i, d in enumerate(devices):
            try:
                data, source = reader.read(d.name)
                cfg = load_device_config(data, source, d.vendor, d.name, version_text=reader.version(d.name))
            except InputError as exc:
                run.problems.extend(exc.problems)
            else:
                _finish(run, cfg, d, waivers or [], today)
                cfg.tree.release()
            if progress:
                progress(i + 1, len(devices), d.name)
    return run
