"""nats-server (Debian 2.9.10) on 127.0.0.1: a JetStream hub and per-province leaf servers.

The topology mirrors docs/SCALEOUT.md on one machine: the hub runs JetStream in domain
``hub`` and listens for leaf connections; each province's leaf runs JetStream in its own
domain and connects to the hub (optionally through :class:`LinkProxy`, so a test can cut the
WAN link). Both sides put the netmon users in one account, ``NETMON``; leaf connections are
authenticated per province (user ``leaf-<domain>``), as in production.

Lab passwords are written into the lab's own config files only (never logged).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import shutil
import tempfile
import threading
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .procs import Proc, free_port, start, wait_for

ACCOUNT = "NETMON"


def nats_binary() -> str | None:
    found = shutil.which("nats-server")
    if found:
        return found
    return "/usr/sbin/nats-server" if Path("/usr/sbin/nats-server").exists() else None


@dataclass
class NatsServer(Proc):
    """A running nats-server; ``restart()`` starts it again with the same config, ports and store."""

    url: str = ""  # nats://127.0.0.1:PORT (no credentials)
    port: int = 0
    leaf_port: int = 0  # hub only: where leaf servers connect
    monitor_port: int = 0
    domain: str = ""
    conf: Path = field(default_factory=Path)
    store_dir: Path = field(default_factory=Path)
    users: dict[str, str] = field(default_factory=dict)  # user -> password, for clients
    binary: str = "nats-server"

    def restart(self, timeout: float = 20.0) -> None:
        self.stop()
        fresh = start(self.name, [self.binary, "-c", str(self.conf)], self.log or self.store_dir / "nats.log")
        self.popen = fresh.popen
        _wait_ready(self, timeout)

    def start_again(self, timeout: float = 20.0) -> None:
        """After ``kill()``: start on the same config and store (JetStream recovers from disk)."""
        self.restart(timeout)

    def varz(self, path: str = "varz") -> dict[str, object]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.monitor_port}/{path}", timeout=2) as r:
            return dict(json.loads(r.read()))

    def leafnodes(self) -> int:
        return int(str(self.varz("leafz").get("leafnodes", 0)))


def _wait_ready(h: NatsServer, timeout: float) -> None:
    def ok() -> bool:
        with urllib.request.urlopen(f"http://127.0.0.1:{h.monitor_port}/healthz?js-enabled=true", timeout=1) as r:
            return int(r.status) == 200

    try:
        wait_for(ok, timeout, f"nats-server {h.name}", h.popen)
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}\n{h.log_tail()}") from None


def _users_block(users: dict[str, str]) -> str:
    return ", ".join(f'{{user: "{u}", password: "{p}"}}' for u, p in users.items())


def _start(name: str, conf_text: str, store: Path, h: NatsServer, timeout: float) -> NatsServer:
    binary = nats_binary()
    if binary is None:
        raise RuntimeError("nats-server is not installed (Debian package nats-server)")
    store.mkdir(parents=True, exist_ok=True)
    h.conf.write_text(conf_text)
    h.conf.chmod(0o600)
    proc = start(name, [binary, "-c", str(h.conf)], store / "nats.log")
    h.popen, h.log, h.binary = proc.popen, proc.log, binary
    try:
        _wait_ready(h, timeout)
    except BaseException:
        h.stop()
        raise
    return h


def start_hub(
    store: Path | None = None,
    *,
    provinces: list[str] = (),  # type: ignore[assignment]
    users: dict[str, str] | None = None,
    advertise: str | None = None,
    timeout: float = 20.0,
) -> NatsServer:
    """The central server: JetStream domain ``hub``, a leafnode listener, one leaf user per
    province domain (``leaf-<domain>``, password in ``extra['leaf_passwords']``).
    ``advertise`` (host:port) is the leafnode address told to leaves, e.g. a proxy's."""
    store = Path(store) if store else Path(tempfile.mkdtemp(prefix="netmon-nats-hub-"))
    users = dict(users or {"relay": secrets.token_hex(8)})
    leaf_pw = {d: secrets.token_hex(8) for d in provinces}
    port, leaf_port, mon = free_port(), free_port(), free_port()
    leaf_users = ", ".join(f'{{user: "leaf-{d}", password: "{pw}", account: {ACCOUNT}}}' for d, pw in leaf_pw.items())
    adv = f'advertise: "{advertise}"' if advertise else ""
    conf = f"""
server_name: hub
listen: 127.0.0.1:{port}
http: 127.0.0.1:{mon}
jetstream {{ store_dir: "{store}/js", domain: hub, max_memory_store: 64MB, max_file_store: 2GB }}
accounts {{
  {ACCOUNT} {{ jetstream: enabled, users: [ {_users_block(users)} ] }}
  SYS {{ users: [ {{user: "sys", password: "{secrets.token_hex(8)}"}} ] }}
}}
system_account: SYS
leafnodes {{
  listen: 127.0.0.1:{leaf_port}
  # Leaves learn the hub's leafnode address from its INFO and reconnect there: behind NAT
  # (or here, behind LinkProxy) it must be the address leaves can and should use.
  {adv}
  authorization {{ users: [ {leaf_users} ] }}
}}
"""
    h = NatsServer(
        "nats-hub", None, None,  # type: ignore[arg-type]
        url=f"nats://127.0.0.1:{port}", port=port, leaf_port=leaf_port, monitor_port=mon, domain="hub",
        conf=store / "nats.conf", store_dir=store, users=users,
    )  # fmt: skip
    h.extra["leaf_passwords"] = leaf_pw
    return _start("nats-hub", conf, store, h, timeout)


def start_leaf(
    domain: str,
    hub_host: str,
    hub_leaf_port: int,
    leaf_password: str,
    store: Path | None = None,
    *,
    users: dict[str, str] | None = None,
    timeout: float = 20.0,
) -> NatsServer:
    """A province's leaf server: JetStream domain ``domain``, its own users in ``NETMON``, and a
    leaf connection to ``hub_host:hub_leaf_port`` as ``leaf-<domain>`` (reconnects every second)."""
    store = Path(store) if store else Path(tempfile.mkdtemp(prefix=f"netmon-nats-{domain}-"))
    users = dict(users or {"poller": secrets.token_hex(8)})
    port, mon = free_port(), free_port()
    conf = f"""
server_name: leaf-{domain}
listen: 127.0.0.1:{port}
http: 127.0.0.1:{mon}
jetstream {{ store_dir: "{store}/js", domain: {domain}, max_memory_store: 64MB, max_file_store: 2GB }}
accounts {{
  {ACCOUNT} {{ jetstream: enabled, users: [ {_users_block(users)} ] }}
}}
leafnodes {{
  reconnect: 1
  remotes: [ {{ url: "nats-leaf://leaf-{domain}:{leaf_password}@{hub_host}:{hub_leaf_port}", account: {ACCOUNT} }} ]
}}
"""
    h = NatsServer(
        f"nats-leaf-{domain}", None, None,  # type: ignore[arg-type]
        url=f"nats://127.0.0.1:{port}", port=port, monitor_port=mon, domain=domain,
        conf=store / "nats.conf", store_dir=store, users=users,
    )  # fmt: skip
    return _start(f"nats-leaf-{domain}", conf, store, h, timeout)


class LinkProxy:
    """A TCP proxy standing in for a province's WAN link: ``cut()`` closes every connection and
    stops listening; ``restore()`` listens again on the same port. Runs its own asyncio loop in
    a thread so sync and async tests can both use it."""

    def __init__(self, target_host: str, target_port: int, port: int | None = None) -> None:
        self.target = (target_host, target_port)
        self.port = port or free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"link-proxy-{self.port}", daemon=True)
        self._thread.start()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.restore()

    def _call(self, coro: object) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)  # type: ignore[arg-type]

    async def _pipe(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            while data := await r.read(65536):
                w.write(data)
                await w.drain()
        with contextlib.suppress(Exception):
            w.close()

    async def _handle(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        try:
            ur, uw = await asyncio.open_connection(*self.target)
        except OSError:
            w.close()
            return
        self._writers |= {w, uw}
        try:
            await asyncio.gather(self._pipe(r, uw), self._pipe(ur, w))
        finally:
            self._writers -= {w, uw}

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for w in list(self._writers):
            with contextlib.suppress(Exception):
                w.transport.abort()
        self._writers.clear()

    @property
    def up(self) -> bool:
        return self._server is not None

    def cut(self) -> None:
        self._call(self._cut())

    def restore(self) -> None:
        if self._server is None:
            self._call(self._listen())

    def close(self) -> None:
        self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
