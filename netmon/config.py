"""netmon.yaml: the daemon's configuration, validated with pydantic.

Relative paths are relative to the config file. Every setting can be overridden from the
environment for container use: ``NETMON__SECTION__KEY=value`` (double underscores separate
levels, e.g. ``NETMON__SINK=influxdb://...`` or ``NETMON__INTERVALS__SNMP=30``); values are
parsed as YAML scalars.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from .errors import InputError, Problem
from .platforms.registry import site_dirs, use_platform_dirs
from .secrets import SecretStore, secret_ref
from .yamlio import LineDict, line_for_loc, load_yaml

AuthProto = Literal["none", "md5", "sha", "sha224", "sha256", "sha384", "sha512"]
PrivProto = Literal["none", "des", "aes", "aes128", "aes192", "aes256"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SnmpCredentialRef(_Strict):
    """An SNMP credential as written in netmon.yaml: secrets are references."""

    version: Literal["1", "2c", "3"] = "3"
    community: str | None = None
    user: str | None = None
    auth_protocol: AuthProto = "none"
    auth_key: str | None = None
    priv_protocol: PrivProto = "none"
    priv_key: str | None = None
    context: str = ""

    _refs = field_validator("community", "auth_key", "priv_key")(secret_ref)

    @field_validator("version", mode="before")
    @classmethod
    def _ver(cls, v: Any) -> Any:
        return str(v)


class SshCredentialRef(_Strict):
    username: str
    password: str | None = None
    key_file: Path | None = None
    passphrase: str | None = None
    enable_secret: str | None = None

    _refs = field_validator("password", "passphrase", "enable_secret")(secret_ref)


class SnmpCredential(BaseModel):
    """A resolved SNMP credential (secrets as SecretStr)."""

    version: Literal["1", "2c", "3"]
    community: SecretStr | None = None
    user: str | None = None
    auth_protocol: AuthProto = "none"
    auth_key: SecretStr | None = None
    priv_protocol: PrivProto = "none"
    priv_key: SecretStr | None = None
    context: str = ""


class SshCredential(BaseModel):
    username: str
    password: SecretStr | None = None
    key_file: Path | None = None
    passphrase: SecretStr | None = None
    enable_secret: SecretStr | None = None


class Credentials(_Strict):
    snmp: dict[str, SnmpCredentialRef] = Field(default_factory=dict)
    ssh: dict[str, SshCredentialRef] = Field(default_factory=dict)


class Intervals(_Strict):
    snmp: float = Field(60.0, gt=0, description="interface polling, seconds")
    health: float = Field(300.0, gt=0, description="CPU/memory/temperature, seconds")
    backup: float = Field(86400.0, gt=0, description="SSH config backup, seconds")
    probe: float = Field(60.0, gt=0, description="active probes, seconds")
    services: float = Field(60.0, gt=0, description="service probes (HTTP, DNS, TCP, TLS), seconds")
    jitter: float = Field(0.1, ge=0, le=1, description="start offsets spread over this fraction of an interval")


class SnmpSettings(_Strict):
    engine: Literal["auto", "fast", "pysnmp"] = Field(
        "auto", description="fast: netmon's BER codec; pysnmp: the library"
    )
    timeout: float = Field(2.0, gt=0)
    retries: int = Field(1, ge=0)
    max_repetitions: int = Field(25, ge=1, le=200)
    concurrency: int = Field(500, ge=1, description="devices polled at once, whole process")
    per_site_concurrency: int = Field(8, ge=1, description="devices polled at once per site (small WAN links)")
    device_budget: float = Field(20.0, gt=0, description="seconds one device's poll may take in all")
    static_refresh_polls: int = Field(10, ge=1, description="re-read ifName/ifAlias/ifHighSpeed every N polls")
    gather_ms: float = Field(
        2.0, ge=0, le=50,
        description="read answers in batches, at most this long after the first arrives: fewer event-loop "
        "wake-ups per poll (response times use kernel timestamps and do not grow); 0 reads each at once",
    )  # fmt: skip


class SpoolSettings(_Strict):
    dir: Path = Path("/var/lib/netmon/spool")
    max_bytes: int = Field(1 << 30, gt=0)
    max_age: float = Field(7 * 86400.0, gt=0, description="seconds")
    fsync: Literal["always", "batch", "interval", "never"] = "batch"
    # storage (docs/STORAGE.md): segment size (default max_bytes/32, 64 KiB..64 MiB) and the
    # fsync period of the "interval" policy.
    segment_bytes: int | None = Field(None, ge=4096)
    fsync_interval: float = Field(1.0, gt=0, description="seconds, for fsync: interval")


class BatchSettings(_Strict):
    size: int = Field(5000, ge=1)
    interval: float = Field(1.0, gt=0)
    # storage: retries of a failed write back off exponentially (with jitter) up to retry_max.
    retry_initial: float = Field(0.5, gt=0, description="seconds before the first retry")
    retry_max: float = Field(30.0, gt=0, description="longest wait between retries, seconds")


class HttpSettings(_Strict):
    listen: str = "127.0.0.1:9108"  # /metrics and /healthz; empty disables


class LogSettings(_Strict):
    level: Literal["debug", "info", "warning", "error"] = "info"
    json_format: bool = Field(False, alias="json")


class NetmonConfig(_Strict):
    inventory: list[Path] = Field(default_factory=list, min_length=1)
    # Site platform folders (netmon/platforms/README.md), searched after the built-in ones and
    # $NETMON_PLATFORMS_PATH: a directory or a list of them.
    platforms_dir: list[Path] = Field(default_factory=list)

    @field_validator("platforms_dir", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str | Path) else v

    secrets_file: Path | None = None
    credentials: Credentials = Field(default_factory=Credentials)
    sink: str = "sqlite:///var/lib/netmon/netmon.db"
    spool: SpoolSettings = Field(default_factory=SpoolSettings)
    batch: BatchSettings = Field(default_factory=BatchSettings)
    intervals: Intervals = Field(default_factory=Intervals)
    snmp: SnmpSettings = Field(default_factory=SnmpSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    # Sections owned by later modules, each validated by its own model.
    ssh: dict[str, Any] = Field(default_factory=dict)
    archive: dict[str, Any] = Field(default_factory=dict)
    compliance: dict[str, Any] = Field(default_factory=dict)
    alerting: dict[str, Any] = Field(default_factory=dict)
    probe: dict[str, Any] = Field(default_factory=dict)
    security: dict[str, Any] = Field(default_factory=dict)
    nats: dict[str, Any] = Field(default_factory=dict)
    dashboards: dict[str, Any] = Field(default_factory=dict)
    services: dict[str, Any] = Field(default_factory=dict)  # collectors/service
    timezone: str | None = Field(None, description="IANA zone for times shown to people (default: the system's)")

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        if v:
            from .timefmt import zone

            zone(v)  # ValueError names the zone
        return v or None

    syslog: dict[str, Any] = Field(default_factory=dict)
    topology: dict[str, Any] = Field(default_factory=dict)

    # Set by load_config, not by the file.
    path: Path | None = Field(default=None, exclude=True)

    def secret_store(self) -> SecretStore:
        return SecretStore(self.secrets_file)

    def snmp_credential(self, name: str, store: SecretStore | None = None) -> SnmpCredential:
        store = store or self.secret_store()
        where = f"{self.path or 'netmon.yaml'}: credentials.snmp.{name}"
        ref = self.credentials.snmp.get(name)
        if ref is None:
            raise InputError.one(
                str(self.path or "netmon.yaml"), f"no SNMP credential named {name!r}", field="credentials.snmp"
            )
        return SnmpCredential(
            version=ref.version,
            community=store.resolve(ref.community, where) if ref.community else None,
            user=ref.user,
            auth_protocol=ref.auth_protocol,
            auth_key=store.resolve(ref.auth_key, where) if ref.auth_key else None,
            priv_protocol=ref.priv_protocol,
            priv_key=store.resolve(ref.priv_key, where) if ref.priv_key else None,
            context=ref.context,
        )

    def check_snmp_credentials(self, devices: Iterable[Any], store: SecretStore | None = None) -> int:
        """Resolve every SNMP credential these devices use, now: an unknown credential name or a
        reference that does not resolve (unset variable, missing secret) is an InputError naming
        the credential, the reference and the devices, instead of a daemon that polls nothing.
        Returns how many credentials were checked."""
        store = store or self.secret_store()
        users: dict[str, list[str]] = {}
        for d in devices:
            if d.snmp:
                users.setdefault(d.snmp, []).append(d.name)
        problems: list[Problem] = []
        for name, names in sorted(users.items()):
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            try:
                self.snmp_credential(name, store)
            except InputError as exc:
                for pr in exc.problems:
                    problems.append(
                        Problem(pr.source, f"{pr.reason}; used by {len(names)} device(s): {shown}", pr.line, pr.field)
                    )
        if problems:
            raise InputError(problems)
        return len(users)

    def ssh_credential(self, name: str, store: SecretStore | None = None) -> SshCredential:
        store = store or self.secret_store()
        where = f"{self.path or 'netmon.yaml'}: credentials.ssh.{name}"
        ref = self.credentials.ssh.get(name)
        if ref is None:
            raise InputError.one(
                str(self.path or "netmon.yaml"), f"no SSH credential named {name!r}", field="credentials.ssh"
            )
        return SshCredential(
            username=ref.username,
            password=store.resolve(ref.password, where) if ref.password else None,
            key_file=ref.key_file,
            passphrase=store.resolve(ref.passphrase, where) if ref.passphrase else None,
            enable_secret=store.resolve(ref.enable_secret, where) if ref.enable_secret else None,
        )


M = TypeVar("M", bound=BaseModel)


def validate_section(model: type[M], section: dict[str, Any] | None, name: str, source: str = "netmon.yaml") -> M:
    """Validate a module's own section of netmon.yaml; every problem names the file and `name.field`."""
    try:
        return model.model_validate(section or {})
    except ValidationError as exc:
        raise InputError(
            [
                Problem(
                    source,
                    "unknown setting" if e["type"] == "extra_forbidden" else e["msg"],
                    None,
                    ".".join([name, *(str(x) for x in e["loc"])]),
                )
                for e in exc.errors()
            ]
        ) from None


ENV_PREFIX = "NETMON__"
_ENV_PART = re.compile(r"[a-z0-9_]+")


def _apply_env(doc: dict[str, Any], environ: Mapping[str, str]) -> tuple[list[Problem], dict[tuple[str, ...], str]]:
    """Apply ``NETMON__SECTION__KEY=value`` overrides (values are YAML) onto the parsed file.

    Returns the problems (each names the variable; values are never echoed: they may be
    secrets) and the setting path each variable set, so validation errors can name it too.
    """
    problems: list[Problem] = []
    applied: dict[tuple[str, ...], str] = {}
    example = "write NETMON__SECTION__KEY=value, e.g. NETMON__INTERVALS__SNMP=30 or NETMON__SINK=sqlite:netmon.db"
    for key in sorted(k for k in environ if k.startswith(ENV_PREFIX)):
        value = environ[key]
        parts = [p.lower() for p in key[len(ENV_PREFIX) :].split("__")]
        if not parts or not all(_ENV_PART.fullmatch(p) for p in parts):
            problems.append(Problem(f"environment {key}", f"not a setting path; {example}"))
            continue
        try:
            parsed = yaml.safe_load(value) if value else value
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at column {mark.column + 1}" if mark is not None else ""
            problems.append(
                Problem(
                    f"environment {key}",
                    f"the value is not valid YAML{where} ({getattr(exc, 'problem', None) or 'syntax error'}); "
                    "quote it to set a string, e.g. NETMON__SPOOL__DIR=\"'[a]'\"",
                )
            )
            continue
        node: Any = doc
        for i, p in enumerate(parts[:-1]):
            child = node.get(p)
            if child is None:
                child = node[p] = {}
            if not isinstance(child, dict):
                path = ".".join(parts[: i + 1])
                problems.append(
                    Problem(
                        f"environment {key}",
                        f"`{path}` is {'a list' if isinstance(child, list) else 'a single value'}, not a section "
                        "with keys: set it whole with "
                        f"{ENV_PREFIX}{'__'.join(x.upper() for x in parts[: i + 1])}=...",
                        field=".".join(parts),
                    )
                )
                break
            node = child
        else:
            node[parts[-1]] = parsed
            applied[tuple(parts)] = key
    return problems, applied


def _env_var_for(loc: tuple[str, ...], applied: Mapping[tuple[str, ...], str]) -> str | None:
    """The variable that set this setting (or a section around or inside it), if any."""
    for path, key in applied.items():
        n = min(len(path), len(loc))
        if path[:n] == loc[:n]:
            return key
    return None


def _resolve_paths(cfg: NetmonConfig, base: Path) -> None:
    cfg.inventory = [p if p.is_absolute() else base / p for p in cfg.inventory]
    cfg.platforms_dir = [p if p.is_absolute() else base / p for p in cfg.platforms_dir]
    if cfg.secrets_file and not cfg.secrets_file.is_absolute():
        cfg.secrets_file = base / cfg.secrets_file
    if not cfg.spool.dir.is_absolute():
        cfg.spool.dir = base / cfg.spool.dir
    for c in cfg.credentials.ssh.values():
        if c.key_file and not c.key_file.is_absolute():
            c.key_file = base / c.key_file


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> NetmonConfig:
    """Load, apply NETMON__ overrides, validate; every problem reported with its line."""
    environ = os.environ if environ is None else environ
    doc = load_yaml(path)
    if doc is None:
        doc = LineDict()
        doc.line, doc.key_lines = 1, {}
    if not isinstance(doc, dict):
        raise InputError.one(str(path), "netmon.yaml must be a mapping of settings")
    env_problems, applied = _apply_env(doc, environ)
    if env_problems:
        raise InputError(env_problems)
    try:
        cfg = NetmonConfig.model_validate(doc)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown setting"
            elif err["type"] == "missing":
                msg = "required setting is missing"
            field = ".".join(str(p) for p in loc)
            var = _env_var_for(tuple(str(p) for p in loc), applied)
            if var is not None:  # the override is wrong, not the file
                problems.append(Problem(f"environment {var}", msg, None, field))
            else:
                problems.append(Problem(str(path), msg, line_for_loc(doc, loc), field))
        raise InputError(problems) from None
    _resolve_paths(cfg, path.resolve().parent)
    cfg.path = path
    missing = [d for d in cfg.platforms_dir if not d.is_dir()]
    if missing:
        raise InputError.one(
            str(path),
            f"not a directory: {', '.join(map(str, missing))}",
            line_for_loc(doc, ("platforms_dir",)),
            "platforms_dir",
        )
    if cfg.platforms_dir or site_dirs():
        use_platform_dirs(cfg.platforms_dir)  # the registry reloads when the list changed
    return cfg
