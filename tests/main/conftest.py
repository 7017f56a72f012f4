from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from netmon.lab.lab import Lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """The built-in lab (snmpsim recordings of real devices) for the sample network."""
    d: Path = tmp_path_factory.mktemp("lab")
    lab = Lab.start(d, ssh=False)
    try:
        yield lab
    finally:
        lab.stop()
