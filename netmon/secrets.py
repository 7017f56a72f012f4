"""Credential references and their resolution.

A secret is never written in netmon.yaml or the inventory. It is referenced:
``env:VAR`` (an environment variable, for containers and systemd ``LoadCredential``) or
``secret:NAME`` (a key of the secrets file, a YAML mapping that must be mode 0600).
Resolved values are pydantic ``SecretStr``: their repr and str print ``**********``, so a
stray log line or exception cannot leak them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from pydantic import SecretStr

from .errors import InputError
from .yamlio import load_yaml

REF_HELP = (
    "write a reference instead: env:VARIABLE (an environment variable) or secret:NAME "
    "(a key in the secrets file named by `secrets_file:` in netmon.yaml, mode 0600)"
)


def is_reference(value: str) -> bool:
    return value.startswith(("env:", "secret:"))


def secret_ref(v: str | None) -> str | None:
    """A pydantic validator for settings that hold secrets: references only, never the secret."""
    if v is None or v == "":
        return None
    if not is_reference(v):
        raise ValueError(f"inline secrets are not allowed; {REF_HELP}")
    return v


def check_secrets_file_mode(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise InputError.one(str(path), f"cannot read the secrets file: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InputError.one(
            str(path),
            f"the secrets file is readable by others (mode {stat.S_IMODE(mode):04o}); run: chmod 600 {path}",
        )


class SecretStore:
    """Resolves references from the environment and an optional 0600 secrets file."""

    def __init__(self, secrets_file: Path | None = None, environ: Mapping[str, str] | None = None) -> None:
        self._env = os.environ if environ is None else environ
        self._file = secrets_file
        self._values: dict[str, str] | None = None

    def _file_values(self) -> dict[str, str]:
        if self._values is None:
            self._values = {}
            if self._file is not None:
                check_secrets_file_mode(self._file)
                doc = load_yaml(self._file)
                if doc is not None and not isinstance(doc, Mapping):
                    raise InputError.one(str(self._file), "the secrets file must be a mapping of NAME: value")
                self._values = {str(k): str(v) for k, v in (doc or {}).items()}
        return self._values

    def resolve(self, ref: str, where: str = "netmon.yaml") -> SecretStr:
        if ref.startswith("env:"):
            var = ref[4:]
            if var not in self._env:
                raise InputError.one(where, f"environment variable {var} is not set (referenced as {ref})")
            return SecretStr(self._env[var])
        if ref.startswith("secret:"):
            name = ref[7:]
            if self._file is None:
                raise InputError.one(where, f"{ref} needs `secrets_file:` in netmon.yaml")
            values = self._file_values()
            if name not in values:
                raise InputError.one(str(self._file), f"no secret named {name!r} (referenced from {where})")
            return SecretStr(values[name])
        raise InputError.one(where, f"not a secret reference; {REF_HELP}")
