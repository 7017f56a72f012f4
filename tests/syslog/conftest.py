"""Syslog fixtures: a real `netmon syslog serve` for a module, and the TLS files it uses."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from syslog_helpers import make_tls, start_serve


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory) -> dict[str, Path]:
    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def serve(tmp_path_factory, tls_files):
    s = start_serve(tmp_path_factory.mktemp("serve"), tls_files)
    yield s
    p = s.proc
    if p.alive():  # type: ignore[attr-defined]
        os.kill(p.pid, signal.SIGTERM)  # type: ignore[attr-defined]
        try:
            p.popen.wait(15)  # type: ignore[attr-defined]
        except subprocess.TimeoutExpired:
            p.stop()  # type: ignore[attr-defined]
