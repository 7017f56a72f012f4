"""``python -m netmon.lab.snmp_relay ROUTES PORTS PAUSED``: the lab's fault relay, in a process of its own.

Each simulated device's public UDP port forwards to its snmpsim endpoint; a device named in
the ``PAUSED`` JSON file gets no answer (its link is down) until it leaves the file.

Why a process and not a thread of the lab's caller: tests and the demo run netmon's poller
in the process that started the lab. A relay thread there needs that process's GIL for every
datagram, and every ``recvfrom``/``send`` releases and re-takes it; while the poller's event
loop is busy each re-take waits out the interpreter's switch interval, so the "network" slowed
with netmon's own load (a bulk walk through the relay took 6x longer with one busy thread
beside it) and devices timed out for time they spent waiting inside netmon's process. A
process of its own has its own GIL and can be reniced with the simulators.

``ROUTES``: JSON ``{device name: snmpsim endpoint port}``. Once every front socket is bound,
``PORTS`` is written (atomically): ``{device name: public port}``.
"""

from __future__ import annotations

import contextlib
import json
import selectors
import signal
import socket
import sys
from pathlib import Path

from ..fsmode import replace_private


class Relay:
    """UDP relay: public port -> snmpsim endpoint, per client; drops packets of paused devices."""

    def __init__(self, routes: dict[str, int], paused_file: Path | None = None) -> None:
        self.paused: set[str] = set()
        self.ports: dict[str, int] = {}
        self.errors = 0
        self._paused_file = paused_file
        self._paused_sig: tuple[int, int, int] | None = None
        self._sel = selectors.DefaultSelector()
        self._stop = False
        self._upstreams: dict[tuple[str, tuple[str, int]], socket.socket] = {}
        try:
            for name, agent in routes.items():
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                self._sel.register(s, selectors.EVENT_READ, ("front", name, agent))
                s.bind(("127.0.0.1", 0))  # the kernel picks: no two devices can get the same port
                s.setblocking(False)
                self.ports[name] = s.getsockname()[1]
        except OSError:
            self.close()
            raise

    def run(self) -> None:
        while not self._stop:
            for key, _ in self._sel.select(timeout=0.2):
                try:
                    self._forward(key)
                except Exception as exc:  # the network of every device: one bad datagram must not end it
                    self.errors += 1
                    print(f"snmp relay: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)

    def stop(self) -> None:
        self._stop = True

    def _refresh_paused(self) -> None:
        """Re-read the paused file when it changed (the lab replaces it atomically: new inode)."""
        if self._paused_file is None:
            return
        try:
            st = self._paused_file.stat()
        except FileNotFoundError:
            self.paused, self._paused_sig = set(), None
            return
        sig = (st.st_ino, st.st_mtime_ns, st.st_size)
        if sig != self._paused_sig:
            self.paused = set(json.loads(self._paused_file.read_text(encoding="utf-8")))
            self._paused_sig = sig

    def _forward(self, key: selectors.SelectorKey) -> None:
        sock: socket.socket = key.fileobj  # type: ignore[assignment]
        try:
            data, addr = sock.recvfrom(65535)
        except OSError:
            return
        self._refresh_paused()
        if key.data[0] == "front":
            _, name, agent = key.data
            if name in self.paused:
                return
            up = self._upstreams.get((name, addr))
            if up is None:
                up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                up.bind(("127.0.0.1", 0))
                up.connect(("127.0.0.1", agent))
                up.setblocking(False)
                self._upstreams[(name, addr)] = up
                self._sel.register(up, selectors.EVENT_READ, ("back", name, sock, addr))
            with contextlib.suppress(OSError):
                up.send(data)
        else:
            _, name, front, client = key.data
            if name not in self.paused:
                with contextlib.suppress(OSError):
                    front.sendto(data, client)

    def close(self) -> None:
        for key in list(self._sel.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        self._sel.close()


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m netmon.lab.snmp_relay ROUTES.json PORTS.json PAUSED.json", file=sys.stderr)
        return 2
    routes_path, ports_path, paused_path = (Path(a) for a in argv)
    routes = {str(k): int(v) for k, v in json.loads(routes_path.read_text(encoding="utf-8")).items()}
    relay = Relay(routes, paused_path)
    signal.signal(signal.SIGTERM, lambda *_: relay.stop())
    replace_private(ports_path, json.dumps(relay.ports))  # the lab waits for this file: whole or absent
    try:
        relay.run()
    finally:
        relay.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
