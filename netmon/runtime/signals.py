"""Signal handlers on the running asyncio loop, for the daemon and the relay/worker services."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterable


def on_signals(handlers: Iterable[tuple[signal.Signals, Callable[[], object]]]) -> None:
    """Install each (signal, callback) on the running loop.

    A loop that cannot take Unix signal handlers (not on the main thread, or a platform
    without them) raises NotImplementedError/RuntimeError: the process then keeps the default
    handling, which stops it, rather than failing to start.
    """
    loop = asyncio.get_running_loop()
    for sig, fn in handlers:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, fn)
