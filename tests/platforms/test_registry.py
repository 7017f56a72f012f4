"""The registry loader: every built-in folder validates, `extends:` and site overlays merge field
by field, broken folders are refused with file:line: field, and no module outside the registry
spells a vendor key."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from netmon import platforms as registry
from netmon.compliance.rules import load_rules
from netmon.errors import InputError
from netmon.platforms.detect import detect

ROOT = Path(__file__).resolve().parents[2]
BUILTIN = ROOT / "netmon/platforms"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A site directory on NETMON_PLATFORMS_PATH; the registry reloads around the test."""
    monkeypatch.setenv(registry.ENV_PATH, str(tmp_path))
    registry.reload()
    yield tmp_path
    monkeypatch.delenv(registry.ENV_PATH)
    registry.reload()


def _folder(root: Path, name: str, files: dict[str, str]) -> Path:
    d = root / name
    d.mkdir()
    for f, text in files.items():
        (d / f).write_text(textwrap.dedent(text), encoding="utf-8")
    return d


def test_every_builtin_folder_loads_with_its_sections() -> None:
    regs = registry.platforms()
    assert {"huawei_vrp", "h3c_comware", "cisco_ios", "ruijie_rgos", "zte_zxros", "juniper_junos"} <= set(regs)
    for key in ("huawei_vrp", "h3c_comware", "cisco_ios", "ruijie_rgos", "zte_zxros"):
        p = regs[key]
        assert p.health and p.ssh and p.ssh.commands["running_config"] and p.config.detect and p.secrets
        assert p.lab and p.lab.sim and p.lab.recordings and p.sample and (BUILTIN / key / "README.md").is_file()
    assert sum(len(p.compliance) for p in regs.values()) >= 140  # the checks moved out of the rule files
    rules = load_rules()
    for f in (ROOT / "netmon/compliance/rules").glob("*.yaml"):
        assert "checks:" not in f.read_text(encoding="utf-8"), f  # rule files keep the vendor-neutral part
    assert sum(len(r.checks) for r in rules.values()) >= 140


def test_every_entry_says_why() -> None:
    """Vendor knowledge is YAML with a comment on why: no data file of a folder is comment-free."""
    for f in BUILTIN.glob("*/*.yaml"):
        assert "#" in f.read_text(encoding="utf-8"), f


def test_a_dialect_extends_its_parent_field_by_field(site: Path) -> None:
    _folder(
        site,
        "huawei_lab",
        {
            "platform.yaml": """\
                display: Huawei CloudEngine
                extends: huawei_vrp
                sysobjectid: ["1.3.6.1.4.1.2011.2.239"]   # CE switches
                """,
            "config.yaml": r"""
                detect:
                  ce_only: {re: '^ ?web-manager ', w: 6}
                  ftp_caps: null            # CE writes lower-case ftp: drop the inherited signature
                """,
            "secrets.yaml": r"""
                ce_token: '\bce-token\s+(?P<secret>\S+)'
                """,
        },
    )
    ce, vrp = registry.platform("huawei_lab"), registry.platform("huawei_vrp")
    assert (
        ce.extends == "huawei_vrp" and ce.depth == 1 and registry.lineage("huawei_lab") == ("huawei_lab", "huawei_vrp")
    )
    assert ce.health == vrp.health and ce.ssh == vrp.ssh and ce.compliance == vrp.compliance  # inherited
    assert ce.grammar == vrp.grammar
    assert "ce_only" in ce.config.detect and "ftp_caps" not in ce.config.detect and "stelnet" in ce.config.detect
    assert set(ce.secrets) == {*vrp.secrets, "ce_token"}
    assert registry.mask_line("ce-token abc123", "huawei_lab") == "ce-token ******"
    assert registry.mask_line("ce-token abc123", "huawei_vrp") == "ce-token abc123"
    # SNMP: its own longer prefix names it; the parent's prefix still names the parent
    assert registry.platform_for_sysobjectid("1.3.6.1.4.1.2011.2.239.1").key == "huawei_lab"  # type: ignore[union-attr]
    assert registry.platform_for_sysobjectid("1.3.6.1.4.1.2011.2.23.276").key == "huawei_vrp"  # type: ignore[union-attr]
    # detection: a plain VRP config stays VRP (a tie goes to the parent); web-manager makes it CE
    vrp_cfg = (ROOT / "tests/compliance/configs/huawei_compliant.cfg").read_text(encoding="utf-8")
    assert detect(vrp_cfg).platform == "huawei_vrp"
    d = detect(vrp_cfg.replace("#\nreturn", "#\nweb-manager enable\n#\nreturn"))
    assert d.platform == "huawei_lab" and d.runner_up != "huawei_vrp"  # the parent is no rival
    assert "huawei_lab" in load_rules()["IA-01"].checks  # its compliance checks come with it


def test_a_site_overlay_merges_over_the_builtin(site: Path) -> None:
    _folder(
        site,
        "cisco_ios",
        {"platform.yaml": "display: Cisco IOS (site)\n", "secrets.yaml": "site_key: 'sitekey (?P<secret>\\S+)'\n"},
    )
    p = registry.platform("cisco_ios")
    assert p.display == "Cisco IOS (site)" and p.health and p.compliance  # the rest of the built-in stays
    assert "site_key" in p.secrets and "block_key" in p.secrets
    assert len(p.folders) == 2


@pytest.mark.parametrize(
    ("files", "where", "reason"),
    [
        (
            {"platform.yaml": "display: X\nextends: nosuch\n"},
            "platform.yaml:2: extends",
            "extends an unknown platform 'nosuch'",
        ),
        ({"platform.yaml": "sysobjectid: []\n"}, "platform.yaml:1: display", "required field is missing"),
        ({"platform.yaml": "display: X\ncolour: red\n"}, "platform.yaml:2: colour", "unknown field"),
        ({"platform.yaml": "display: X\n", "notes.yaml": "a: 1\n"}, "notes.yaml", "unknown file in a platform folder"),
        (
            {"platform.yaml": "display: X\n", "health.yaml": "cpu_pct:\n  - {oid: 1.2.3, agg: median}\n"},
            "health.yaml:2: health.cpu_pct.0.agg",
            "Input should be",
        ),
        (
            {"platform.yaml": "display: X\n", "health.yaml": "cpu: []\n"},
            "health.yaml:1: health",
            "unknown health field",
        ),
        (
            {"platform.yaml": "display: X\n", "ssh.yaml": "commands:\n  version: {command: show version}\n"},
            "ssh.yaml:1: ssh.commands",
            "running_config is required",
        ),
        (
            {"platform.yaml": "display: X\n", "secrets.yaml": "a: 'no group here'\n"},
            "secrets.yaml:1: secrets.a.re",
            "no (?P<secret>...) group",
        ),
        (
            {"platform.yaml": "display: X\n", "config.yaml": "grammar:\n  hostname: 'hostname \\S+'\n"},
            "config.yaml:2: config.grammar.hostname",
            "capturing group",
        ),
        (
            {"platform.yaml": "display: X\n", "compliance.yaml": "IA-06:\n  checks: [{fail_if: ['(']}]\n"},
            "compliance.yaml",
            "IA-06: checks.0.fail_if.0",
        ),
        (
            {"platform.yaml": "display: X\n", "compliance.yaml": "ZZ-99:\n  checks: [{result: REVIEW}]\n"},
            "compliance.yaml:1: compliance: ZZ-99",
            "no rule with this id",
        ),
        (
            {"platform.yaml": "display: X\n", "lab.yaml": "sim: {config: x.cfg}\n"},
            "lab.yaml:1: lab.sim",
            "required field is missing",
        ),
    ],
    ids=[
        "parent",
        "display",
        "unknown-field",
        "unknown-file",
        "agg",
        "health-field",
        "running-config",
        "secret-group",
        "hostname-group",
        "check-regex",
        "rule-id",
        "sim",
    ],
)
def test_a_broken_folder_is_refused_with_file_line_and_field(
    site: Path, files: dict[str, str], where: str, reason: str
) -> None:
    folder = _folder(site, "bad_os", files)
    with pytest.raises(InputError) as exc:
        registry.platforms()
        load_rules()
    msg = "\n".join(str(p) for p in exc.value.problems)
    assert f"{folder}/{where}" in msg and reason in msg, msg


def test_an_extends_cycle_is_named(site: Path) -> None:
    _folder(site, "a_os", {"platform.yaml": "display: A\nextends: b_os\n"})
    _folder(site, "b_os", {"platform.yaml": "display: B\nextends: a_os\n"})
    with pytest.raises(InputError) as exc:
        registry.platforms()
    assert "extends cycle: a_os -> b_os -> a_os" in str(exc.value) or "extends cycle: b_os -> a_os -> b_os" in str(
        exc.value
    )


def _string_constants(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }
    for n in ast.walk(tree):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings:
            yield n.lineno, n.value


def test_no_module_outside_the_registry_spells_a_vendor_key() -> None:
    keys = set(registry.platforms())
    # The probe collector's own test network names inventory records, not vendor knowledge.
    allowed = {ROOT / "collectors/probe/netlab.py"}
    found = []
    for base in ("netmon", "collectors", "dashboards"):
        for f in (ROOT / base).rglob("*.py"):
            if BUILTIN in f.parents or f in allowed:
                continue
            found += [f"{f.relative_to(ROOT)}:{line}: {s!r}" for line, s in _string_constants(f) if s in keys]
    assert not found, "\n".join(found)


def test_every_platform_file_ships_in_the_wheel() -> None:
    """pyproject's package-data globs, applied as setuptools applies them, cover every file of
    every platform folder (a wheel built with `pip wheel . --no-deps` was checked the same way)."""
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    shipped = {p for pat in [*data["netmon.platforms"], *data["*"], "*.py"] for p in BUILTIN.glob(pat) if p.is_file()}
    files = {p for p in BUILTIN.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert files - shipped == set()
