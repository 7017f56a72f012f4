"""The lab's own dependencies are an extra (`pip install 'netmon[lab]'`): a production poller
needs no SNMP simulator, recordings or SSH server library. Commands that start the lab check for
them first and say which extra to install, instead of failing on a ModuleNotFoundError."""

from __future__ import annotations

import importlib

from ..errors import NetmonError

# module -> distribution on PyPI (what `pip install 'netmon[lab]'` brings)
LAB_MODULES = {
    "snmpsim": "snmpsim",  # the SNMP agents serving recordings of real devices
    "snmpsim_data": "snmpsim-data",  # the recordings themselves
    "asyncssh": "asyncssh",  # the SSH device simulators
}


def missing_lab_modules() -> list[str]:
    missing = []
    for module, dist in LAB_MODULES.items():
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(dist)
    return missing


def require_lab() -> None:
    """NetmonError naming the `lab` extra when any of its packages cannot be imported."""
    missing = missing_lab_modules()
    if missing:
        raise NetmonError(
            f"the built-in lab needs the `lab` extra, which is not installed here (missing: {', '.join(missing)}); "
            "install it with: pip install 'netmon[lab]'  (from a checkout: pip install -e '.[lab]'; `make demo` does it)"
        )
