"""`netmon scan` (compliance scan of configurations) and `netmon rules list|show`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.markup import escape
from rich.table import Table

from ..errors import EXIT_BAD_INPUT, EXIT_FAILURE, InputError
from ..fsmode import write_private
from ..inventory import EmptyScope
from .common import ConfigOpt, InventoryOpt, ScopeOpt, config_path, console, err_console, load_context, platform_keys

SEVERITY_ORDER = {"high": 3, "medium": 2, "low": 1}
_SUFFIX_FORMAT = {".json": "json", ".csv": "csv", ".sarif": "sarif", ".html": "html", ".htm": "html"}

rules_app = typer.Typer(help="List and explain the compliance rules (等级保护 2.0 and baseline).", no_args_is_help=True)

SCAN_HELP = """Check device configurations against 等级保护 2.0 (GB/T 22239-2019) level 2/3 or a hardening baseline.

Give configuration FILES (the platform is detected from the content: {platforms}; a file that could be more than one is refused, pass --vendor; a file holding several configurations is split into devices FILE, FILE#2...; terminal captures with pager remnants, a show-tech / display diagnostic-information file, a block pasted indented, and a configuration its author abridged are read as such, each with a note), or select inventory devices with --scope and read their latest archived configuration (the git archive of `netmon backup`, or --archive DIR holding <device>.cfg files). Rule packs cover {packs}; other platforms are reported N/A with a note.

Each rule gives PASS / FAIL / WARN / REVIEW (the config cannot prove it) / N/A with evidence lines and remediation; secrets in evidence are masked. Default standard: mlps-l3; default format: table (or the --output file's suffix).

Exit codes: 0 done; 1 --fail-on threshold reached; 2 bad input (some input could not be scanned; the report still covers the rest).

Examples:

  netmon scan core1.cfg fw1.cfg

  netmon scan configs/*.cfg --standard mlps-l2 -o report.html

  netmon scan -c netmon.yaml --scope tier=county --format sarif -o scan.sarif --fail-on high

  netmon scan -i inventory.yaml --scope province=广东 --archive backups/ --waivers waivers.yaml
"""


def _platform_lists() -> tuple[str, str]:
    """Every platform's display name, and those with a compliance pack (from the registry)."""
    try:
        from ..platforms import platforms

        regs = platforms()
    except InputError:
        return "see netmon/platforms/", "see netmon/platforms/"  # a broken site folder: `scan` itself says why
    names = ", ".join(p.display for p in regs.values() if p.config.detect)
    packs = ", ".join(p.display for p in regs.values() if p.compliance)
    return names, packs


def register(app: typer.Typer) -> None:
    names, packs = _platform_lists()
    app.command("scan", help=SCAN_HELP.format(platforms=names, packs=packs), no_args_is_help=False)(scan)
    app.add_typer(rules_app, name="rules")


def scan(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Configuration files (omit to scan inventory devices with --scope)", show_default=False),
    ] = None,
    vendor: Annotated[
        str | None,
        typer.Option(
            "--vendor",
            help=f"Platform: {platform_keys()} (default: detected per configuration; `netmon platforms list`)",
            show_default=False,
        ),
    ] = None,
    standard: Annotated[
        str | None,
        typer.Option(
            "--standard",
            help="mlps-l2 | mlps-l3 | baseline  [default: compliance.standard, else mlps-l3]",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="table | json | csv | sarif | html  [default: from --output's suffix, else table]",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report here instead of standard output", show_default=False),
    ] = None,
    waivers: Annotated[
        Path | None,
        typer.Option(
            "--waivers",
            help="YAML of accepted risks (rule, device/scope, reason, approver, expires)",
            show_default=False,
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 if an unwaived FAIL of this severity or higher exists: high | medium | low | none",
            show_default=False,
        ),
    ] = None,
    archive: Annotated[
        Path | None,
        typer.Option(
            "--archive",
            help="Read devices' configs from this git archive or directory of <device>.cfg",
            show_default=False,
        ),
    ] = None,
    rules_dir: Annotated[
        list[Path] | None,
        typer.Option("--rules-dir", help="Extra rule files (*.yaml) to load; repeatable", show_default=False),
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option(
            "--state",
            help="JSON of the previous scan's high FAILs: print events for new ones, then update it",
            show_default=False,
        ),
    ] = None,
    show_pass: Annotated[
        bool, typer.Option("--show-pass", help="Table format: list PASS and N/A findings too")
    ] = False,
    config: ConfigOpt = None,
    inventory: InventoryOpt = None,
    scope: ScopeOpt = None,
    observed: Annotated[
        bool,
        typer.Option(
            "--observed/--config-only",
            help="With --scope: add what netmon observed in the last 24 h (syslog arriving, clock skew, "
            "SNMP v2c seen) to the log-host, NTP and SNMP rules, from netmon.yaml's sink",
        ),
    ] = True,
) -> None:
    from ..compliance import ArchiveReader, load_standard, load_waivers, scan_devices, scan_files
    from ..compliance.points import load_state, new_high_failures, save_state
    from ..compliance.reports import FORMATS
    from ..compliance.settings import ComplianceSettings, load_compliance_settings
    from ..platforms import platforms

    settings = ComplianceSettings()
    cfg = None
    cfg_file = config_path(config)
    # netmon.yaml is needed for inventory scans; for files it only supplies defaults when named.
    if config is not None or (not files and not inventory and cfg_file.exists()):
        from ..config import load_config

        cfg = load_config(cfg_file)
        settings = load_compliance_settings(cfg.compliance, str(cfg_file), cfg_file.resolve().parent)
    fmt = fmt or (_SUFFIX_FORMAT.get(output.suffix.lower()) if output else None) or "table"
    if fmt not in FORMATS:
        raise InputError.one("--format", f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    fail_on = fail_on or settings.fail_on
    if fail_on not in ("none", *SEVERITY_ORDER):
        raise InputError.one("--fail-on", f"unknown severity {fail_on!r}; use high, medium, low or none")
    if vendor is not None and vendor not in platforms():
        raise InputError.one("--vendor", f"unknown platform {vendor!r}; use one of {', '.join(sorted(platforms()))}")
    if files and scope:
        raise InputError.one("--scope", "give configuration FILES or --scope, not both")
    std = load_standard(standard or settings.standard, tuple((rules_dir or []) + settings.rules_dirs))
    waiver_file = waivers or settings.waivers
    waiver_list = load_waivers(waiver_file, {r.id for r in std.rules}) if waiver_file else []
    progress = _progress()
    if files:
        run = scan_files(files, std, vendor, waiver_list, progress=progress)
    else:
        if cfg is None and not inventory:
            raise InputError.one(
                "netmon scan",
                "nothing to scan: give configuration FILES, or --scope with -c netmon.yaml "
                "(or -i inventory.yaml --archive DIR)",
            )
        ctx = load_context(config, inventory, scope)
        devices = ctx.selected
        if vendor:
            devices = [d for d in devices if d.vendor == vendor]
        if not devices:
            raise EmptyScope(ctx.scope, len(ctx.inventory), f" with --vendor {vendor}")
        root = archive or settings.archive_dir
        if root is None and cfg is not None:
            from ..archive import load_archive_settings

            root = load_archive_settings(cfg.archive, str(cfg_file), cfg_file.resolve().parent).dir
        if root is None:
            raise InputError.one("--archive", "no archive: pass --archive DIR or set archive.dir in netmon.yaml")
        reader = ArchiveReader(root)
        err_console.print(
            f"scanning {len(devices)} device(s) from {root} ({reader.kind}) with {std.id}", highlight=False
        )
        run = scan_devices(devices, reader, std, waiver_list, progress=progress)
        if observed and cfg is not None:
            from ..compliance.observed import observe_run

            # what is in effect: logs arriving, clocks in sync, v2c seen (docs/COMPLIANCE.md)
            err_console.print(observe_run(cfg, run.results, devices), highlight=False)
    _emit(run, fmt, output, show_pass)
    state_file = state or settings.state
    if state_file is not None:
        previous = load_state(state_file)
        for ev in new_high_failures(previous, run.results):
            err_console.print(f"[red]NEW HIGH FAIL[/red] {escape(ev.summary())}", highlight=False)
        save_state(state_file, run.results, previous)
    if not (fmt == "table" and output is None):  # the table already lists them on stdout
        for p in run.problems:
            err_console.print(f"[red]not scanned[/red] {escape(str(p))}", highlight=False, soft_wrap=True)
    if run.problems:
        err_console.print(f"{len(run.problems)} input(s) not scanned; {len(run.results)} scanned.")
        sys.exit(EXIT_BAD_INPUT)
    if fail_on != "none":
        limit = SEVERITY_ORDER[fail_on]
        bad = [
            (r.device, f.rule)
            for r in run.results
            for f in r.findings
            if f.counted_result == "FAIL" and SEVERITY_ORDER[f.severity] >= limit
        ]
        if bad:
            err_console.print(
                f"--fail-on {fail_on}: {len(bad)} unwaived FAIL(s) of severity {fail_on} or higher", highlight=False
            )
            sys.exit(EXIT_FAILURE)


def _progress():  # type: ignore[no-untyped-def]
    """Progress on stderr for long scans at a terminal (never mixed into a report on stdout)."""
    if not err_console.is_terminal:
        return None

    def report(done: int, total: int, name: str) -> None:
        if total >= 20 and (done % 10 == 0 or done == total):
            err_console.print(f"  {done}/{total} scanned (last: {escape(name)})", highlight=False)

    return report


def _emit(run, fmt: str, output: Path | None, show_pass: bool) -> None:  # type: ignore[no-untyped-def]
    from ..compliance.html import render_html
    from ..compliance.reports import render_csv, render_json, render_table
    from ..compliance.sarif import render_sarif

    if fmt == "table":
        if output is None:
            render_table(run, console, show_pass)
            return
        import io

        from rich.console import Console

        buf = io.StringIO()
        render_table(run, Console(file=buf, width=200, no_color=True), show_pass)
        write_private(output, buf.getvalue())
        err_console.print(f"wrote {output}", highlight=False)
        return
    text = {"json": render_json, "csv": render_csv, "sarif": render_sarif, "html": render_html}[fmt](run)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        tmp = output.with_name(output.name + ".tmp")
        write_private(tmp, text)
        tmp.replace(output)
        err_console.print(f"wrote {fmt} report to {output}", highlight=False)


@rules_app.command("list")
def rules_list(
    standard: Annotated[
        str | None,
        typer.Option("--standard", help="Only rules of this pack: mlps-l2 | mlps-l3 | baseline", show_default=False),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table | json")] = "table",
    rules_dir: Annotated[list[Path] | None, typer.Option("--rules-dir", help="Extra rule files to load")] = None,
) -> None:
    """List the rules: id, severity, clauses, vendors covered and title (中文/English).

    Example: netmon rules list --standard mlps-l2
    """
    from ..compliance.rules import load_rules, load_standard

    extra = tuple(rules_dir or [])
    if standard:
        std = load_standard(standard, extra)
        rules, level = list(std.rules), std.level
        clauses_of = std.clauses_of
    else:
        rules, level = list(load_rules(extra).values()), 3
        std3 = load_standard("mlps-l3", extra)
        clauses_of = std3.clauses_of
    if fmt == "json":
        out = [
            {
                "id": r.id,
                "severity": r.severity,
                "category": r.category,
                "clauses": clauses_of(r),
                "vendors": sorted(r.checks),
                "title_zh": r.title.zh,
                "title_en": r.title.en,
            }
            for r in rules
        ]
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
        return
    t = Table(title=f"{len(rules)} rules" + (f" in {standard} (level {level} numbering)" if standard else ""))
    for col in ("id", "severity", "clauses", "vendors", "title"):
        t.add_column(col, overflow="fold")
    for r in rules:
        vendors = ", ".join(v.split("_")[0] for v in sorted(r.checks))
        t.add_row(r.id, r.severity, ", ".join(clauses_of(r)) or "-", vendors, f"{r.title.zh} / {r.title.en}")
    console.print(t)


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(help="Rule id, e.g. IA-05")],
    rules_dir: Annotated[list[Path] | None, typer.Option("--rules-dir", help="Extra rule files to load")] = None,
) -> None:
    """Explain one rule: why, clauses and GB/T 28448 test items, packs, per-vendor logic, remediation.

    Example: netmon rules show IA-05
    """
    from ..compliance.rules import load_rules, load_standard, pack_ids

    extra = tuple(rules_dir or [])
    rules = load_rules(extra)
    rule = rules.get(rule_id.upper())
    if rule is None:
        raise InputError.one(rule_id, f"no such rule; see `netmon rules list` ({len(rules)} rules)")
    packs = [p for p in pack_ids() if any(r.id == rule.id for r in load_standard(p, extra).rules)]
    l3 = load_standard("mlps-l3", extra)
    console.print(f"[bold]{rule.id}[/bold] {escape(rule.title.zh)} / {escape(rule.title.en)}", highlight=False)
    console.print(f"severity: {rule.severity}   category: {rule.category}   packs: {', '.join(packs) or '-'}")
    console.print(
        f"clauses (level 3): {', '.join(l3.clauses_of(rule)) or '-'}   "
        f"GB/T 28448: {', '.join(l3.test_items_of(rule)) or '-'}"
    )
    if rule.roles:
        console.print(f"applies to roles: {', '.join(rule.roles)} (all devices when the role is unknown)")
    console.print(f"why: {escape(rule.rationale)}", highlight=False)
    for v, checks in rule.checks.items():
        console.print(f"\n[bold]{v}[/bold] check:")
        dumped = [c.model_dump(mode="json", exclude_defaults=True) for c in checks]
        console.print(escape(yaml.safe_dump(dumped, allow_unicode=True, sort_keys=False, width=200)), highlight=False)
        if rule.remediation.get(v):
            console.print("remediation:")
            for line in rule.remediation[v]:
                console.print(f"  {escape(line)}", highlight=False)
    from ..compliance import VENDORS

    missing = [v for v in VENDORS if v not in rule.checks]
    if missing:
        console.print(f"\nN/A on: {', '.join(missing)} (no check for that platform)")
