"""`netmon platforms list|show|validate`: the platform registry (netmon/platforms/)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .common import ConfigOpt, config_path, console

app = typer.Typer(
    help="The platform registry: one folder per vendor platform (netmon/platforms/<key>/, plus "
    "$NETMON_PLATFORMS_PATH and netmon.yaml platforms_dir:).",
    no_args_is_help=True,
)


def _site(config: Path | None) -> None:
    """Apply netmon.yaml's platforms_dir: when a config is named or present."""
    path = config_path(config)
    if config is not None or path.exists():
        from ..config import load_config

        load_config(path)


@app.command("list")
def list_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="table | json")] = "table",
    config: ConfigOpt = None,
) -> None:
    """List every platform: key, display name, what netmon does with it, where it comes from.

    Example: netmon platforms list -f json
    """
    from ..platforms import platforms

    _site(config)
    rows = []
    for key, p in platforms().items():
        rows.append(
            {
                "key": key,
                "display": p.display,
                "extends": p.extends,
                "sysobjectid": list(p.sysobjectid),
                "health": bool(p.health),
                "ssh": bool(p.ssh and p.ssh.commands),
                "compliance_rules": len(p.compliance),
                "detect": bool(p.config.detect),
                "lab": bool(p.lab and p.lab.sim),
                "folders": [str(f) for f in p.folders],
            }
        )
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return
    t = Table(title=f"{len(rows)} platforms")
    for col in ("key", "display", "extends", "SNMP health", "SSH", "compliance", "detected", "lab"):
        t.add_column(col)
    yes = {True: "yes", False: "-"}
    for r in rows:
        t.add_row(
            str(r["key"]),
            str(r["display"]),
            str(r["extends"] or "-"),
            yes[bool(r["health"])],
            yes[bool(r["ssh"])],
            f"{r['compliance_rules']} rules" if r["compliance_rules"] else "N/A",
            yes[bool(r["detect"])],
            yes[bool(r["lab"])],
        )
    console.print(t)


@app.command("show")
def show_cmd(
    key: Annotated[str, typer.Argument(help="Platform key, e.g. huawei_vrp")], config: ConfigOpt = None
) -> None:
    """Everything the registry holds for one platform, as merged (extends and overlays applied).

    Example: netmon platforms show zte_zxros
    """
    import yaml

    from ..errors import InputError
    from ..platforms import platforms

    _site(config)
    p = platforms().get(key)
    if p is None:
        raise InputError.one(key, f"no such platform; known: {', '.join(sorted(platforms()))}")
    doc = p.model_dump(mode="json", exclude={"compliance"}, exclude_defaults=True)
    doc["compliance"] = sorted(p.compliance)
    console.print(escape(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=200)), highlight=False)


@app.command("validate")
def validate_cmd(
    dirs: Annotated[
        list[Path] | None,
        typer.Argument(help="Directories holding platform folders to check with the built-in ones", show_default=False),
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Load and check every platform folder (and the compliance checks they carry), reporting
    each problem as file:line: field: reason. Exit 2 on any problem.

    Example: netmon platforms validate /etc/netmon/platforms
    """
    from ..compliance.rules import load_rules
    from ..errors import InputError
    from ..platforms import platforms, use_platform_dirs

    _site(config)
    if dirs:
        from ..platforms.registry import site_dirs

        # A platform folder itself (holding platform.yaml) stands for its parent directory.
        roots = [d.parent if (d / "platform.yaml").is_file() else d for d in dirs]
        for d in roots:
            if not d.is_dir():
                raise InputError.one(str(d), "not a directory")
        use_platform_dirs([*site_dirs(), *(d for d in roots if d not in site_dirs())])
    regs = platforms()
    load_rules()
    console.print(f"{len(regs)} platform(s) valid: {', '.join(regs)}")
