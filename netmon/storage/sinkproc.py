"""The embedded SQLite sink in a process of its own (``netmon run`` with more than one core).

In the daemon the sink ran in a thread: splitting line protocol and SQLite's inserts took a
fifth of the daemon's samples at 3,000 devices, on the daemon's core and under its GIL (the
event loop and the sink thread handing the GIL back and forth, worst when other processes
share the cores). ``ProcessSink`` forwards each batch the pipeline has spooled to a child that
holds the real sink and answers when it is stored; the pipeline keeps the spool, the batching,
the retries and the dead letters exactly as with any sink. The child sees only payloads the
parent already spooled: if it dies, the batch stays in the spool (``SinkUnavailable``), the
next write starts a new child, and nothing is lost.

The URL travels in the first frame on the child's stdin, never on its command line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import Any

from ..errors import NetmonError
from ..ipc import frame, read_frame, stdio_streams
from .base import Sink, SinkRejected, SinkUnavailable
from .urls import SinkURL

log = logging.getLogger("netmon.storage")


class ProcessSink(Sink):
    """``url``'s sink run by a child process; same contract as the sink itself."""

    def __init__(self, url: SinkURL) -> None:
        super().__init__(url)
        self._proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()  # one request on the pipe at a time
        self.restarts = 0

    async def _spawn(self) -> asyncio.subprocess.Process:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "netmon.storage.sinkproc",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        self._proc = proc
        await self._ask(("open", self.url))
        return proc

    async def _ask(self, msg: tuple[Any, ...]) -> None:
        proc = self._proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(frame(msg))
            await proc.stdin.drain()
            answer = await read_frame(proc.stdout)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            self._proc = None
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            raise SinkUnavailable(f"{self.url}: sink process exited ({type(exc).__name__})") from None
        kind = answer[0]
        if kind == "ok":
            return
        if kind == "rejected":
            raise SinkRejected(answer[1], answer[2], answer[3])
        if kind == "unavailable":
            raise SinkUnavailable(answer[1])
        raise NetmonError(answer[1])

    async def start(self) -> None:
        async with self._lock:
            await self._spawn()

    async def write(self, payload: bytes, points: int) -> None:
        async with self._lock:
            if self._proc is None or self._proc.returncode is not None:
                log.warning("sink process for %s not running; starting it again", self.url)
                self.restarts += 1
                await self._spawn()
            await self._ask(("write", payload, points))

    async def close(self) -> None:
        async with self._lock:
            proc = self._proc
            if proc is None:
                return
            with contextlib.suppress(NetmonError):  # SinkUnavailable included: it is gone already
                await self._ask(("close",))
            self._proc = None
            if proc.stdin is not None:
                proc.stdin.close()
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def _serve() -> None:
    from .factory import open_sink

    reader, writer = await stdio_streams()
    sink: Sink | None = None
    try:
        while True:
            try:
                msg = await read_frame(reader)
            except asyncio.IncompleteReadError:
                break  # the parent is gone
            op = msg[0]
            answer: tuple[Any, ...] = ("ok",)
            try:
                if op == "open":
                    sink = open_sink(msg[1])
                    await sink.start()
                elif op == "write":
                    assert sink is not None, "write before open"
                    await sink.write(msg[1], msg[2])
                elif op == "close":
                    writer.write(frame(answer))
                    await writer.drain()
                    break
            except SinkRejected as exc:
                answer = ("rejected", str(exc), exc.status, exc.partial)
            except SinkUnavailable as exc:
                answer = ("unavailable", str(exc))
            except Exception as exc:  # the parent raises it as its own error; this process stays up
                answer = ("error", f"{type(exc).__name__}: {exc}" if not isinstance(exc, NetmonError) else str(exc))
            writer.write(frame(answer))
            await writer.drain()
    finally:
        if sink is not None:
            await sink.close()


def main() -> None:
    # SIGINT/SIGTERM reach the whole process group: the parent flushes and then closes this sink.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    asyncio.run(_serve())


if __name__ == "__main__":
    main()
