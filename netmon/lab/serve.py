"""Keep a lab running in the background (started by `netmon lab up`, stopped by `netmon lab down`)."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from .lab import Lab


def main(argv: list[str]) -> int:
    directory = Path(argv[0])
    inventory = Path(argv[1]) if len(argv) > 1 and argv[1] else None
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    lab = Lab.start(directory, inventory)
    try:
        (directory / "ready").write_text("ok\n")
        while not stop.wait(1.0):
            pass
    finally:
        lab.stop()
        (directory / "ready").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
