"""Frames on the pipes between netmon's own processes (SNMP workers, the sink process).

A frame is a 4-byte big-endian length and a pickle. Only netmon's parent and the children it
started speak on these pipes (stdin/stdout of a child), so unpickling trusts its peer.
"""

from __future__ import annotations

import asyncio
import pickle
import struct
import sys
from typing import Any

_LEN = struct.Struct("!I")


def frame(obj: object) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _LEN.pack(len(data)) + data


async def read_frame(reader: asyncio.StreamReader) -> Any:
    head = await reader.readexactly(_LEN.size)
    return pickle.loads(await reader.readexactly(_LEN.unpack(head)[0]))  # noqa: S301 (our own child/parent)


async def stdio_streams() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A child's stdin and stdout as asyncio streams (its pipes to the parent)."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    transport, proto = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, sys.stdout.buffer)
    return reader, asyncio.StreamWriter(transport, proto, None, loop)
