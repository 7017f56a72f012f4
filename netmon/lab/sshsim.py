"""SSH device simulators: real SSH servers on 127.0.0.1 that behave like the platforms.

One process serves many devices, a port each (asyncssh). Each device logs in with a password
or an authorised key, prints its banner and prompt, pages long output until paging is
disabled, asks for the enable password where the platform has one, rejects unknown commands
with the platform's error text and serves its running configuration and show outputs from the
platform folder's ``lab/`` (``netmon/platforms/<platform>/lab/``). Behaviour per platform is
data: the ``sim:`` section of its ``lab.yaml``; a site platform folder brings its own.

Faults for the bad-input tests (``SimDevice.faults``):
``hang`` (stops half-way through the running config), ``no_prompt`` (answers, never prompts
again), ``huge`` (a 10 MB running config), ``non_utf8`` (configuration text in GBK, as older
VRP prints Chinese descriptions), ``reject:<command>`` (firmware without that command).

Every command line a device receives is appended to ``<workdir>/<device>.commands.log``
(passwords typed at the enable prompt are not), so a test can prove what was never sent.

    handle = start_sshsim([SimDevice("r1", "cisco_ios")], tmp_path)
    handle.ports["r1"]; handle.write_known_hosts(path); handle.received("r1"); handle.stop()
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import sys
import time
import zlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..fsmode import private_dir, write_private
from ..inventory import Device
from ..platforms import platforms
from ..platforms.registry import derived
from .procs import Proc, start, wait_for

PAGE_LINES = 24
HUGE_BYTES = 10 * 1024 * 1024
CHUNK = 32 * 1024


@dataclass
class SimDevice:
    """One simulated device. ``config`` is a file served as the running config (re-read on every
    request, so a test can change it between backups); default: the platform's sample."""

    name: str
    platform: str
    username: str = "netadmin"
    password: str = "lab-Passw0rd"  # noqa: S105 - the lab's own throw-away credential
    enable_secret: str = "lab-En4ble"  # noqa: S105
    authorized_keys: list[str] = field(default_factory=list)  # OpenSSH public key lines
    config: str | None = None
    hostname: str | None = None  # replaces the sample config's host name
    faults: list[str] = field(default_factory=list)
    port: int = 0  # 0: the simulator picks a free one
    privileged: bool = False  # lands at `#` as an AAA privilege-15 account does (no `enable` needed)


@derived
@cache
def sim_platforms() -> dict[str, dict[str, Any]]:
    """CLI behaviour of every platform the simulator can play (its lab.yaml ``sim:``), with what
    the simulator process needs from the rest of the folder (it does not load the registry)."""
    out: dict[str, dict[str, Any]] = {}
    for key, p in platforms().items():
        if p.lab is None or p.lab.sim is None:
            continue
        out[key] = {
            **p.lab.sim.model_dump(),
            "lab_dir": str(p.lab.dir),  # set whenever sim: is (the model checks)
            "hostname_re": p.grammar.hostname.pattern,
            "config_end": p.grammar.config_end[0] if p.grammar.config_end else "end",
        }
    return out


def lab_dir(platform: str) -> Path:
    """The platform's lab folder: sample configs (*.cfg) and show/ outputs."""
    return Path(sim_platforms()[platform]["lab_dir"])


def default_config(platform: str) -> Path:
    return lab_dir(platform) / str(sim_platforms()[platform]["config"])


# ---------------------------------------------------------------- the parent side


@dataclass
class SshSim(Proc):
    """A running simulator process; ``ports`` maps device name to its TCP port."""

    workdir: Path = Path()
    devices: dict[str, SimDevice] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    host_keys: dict[str, str] = field(default_factory=dict)  # device -> "ssh-ed25519 AAAA..."

    def known_hosts_lines(self, names: list[str] | None = None) -> list[str]:
        return [f"[127.0.0.1]:{self.ports[n]} {self.host_keys[n]}" for n in (names or list(self.ports))]

    def write_known_hosts(self, path: Path, names: list[str] | None = None) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(self.known_hosts_lines(names)) + "\n", encoding="ascii")
        return path

    def received(self, name: str) -> list[str]:
        """Every command line the device has received, in order."""
        log = self.workdir / f"{name}.commands.log"
        if not log.exists():
            return []
        return log.read_text(encoding="utf-8", errors="replace").splitlines()

    def pause(self, *names: str) -> None:
        """Make these devices unreachable (connections are dropped) until resume()."""
        paused = self.workdir / "paused.json"
        current = set(json.loads(paused.read_text())) if paused.exists() else set()
        tmp = paused.with_suffix(".tmp")
        tmp.write_text(json.dumps(sorted(current | set(names))))
        tmp.rename(paused)

    def resume(self) -> None:
        (self.workdir / "paused.json").unlink(missing_ok=True)

    def config_path(self, name: str) -> Path:
        return Path(self.devices[name].config or default_config(self.devices[name].platform))


def simdevices_for(
    devices: Iterable[Device], password: str | None = None, enable_secret: str | None = None
) -> list[SimDevice]:
    """One simulated device per inventory device that has a simulated platform (its ``vendor``),
    on the device's ``ssh_port`` (0 = any free port), named and prompting as the device."""
    out = []
    for d in devices:
        if d.vendor not in sim_platforms():
            continue
        sd = SimDevice(d.name, d.vendor, hostname=d.name, port=d.ssh_port or 0)
        if password is not None:
            sd.password = password
        if enable_secret is not None:
            sd.enable_secret = enable_secret
        out.append(sd)
    return out


def start_sshsim(devices: list[SimDevice], workdir: Path, timeout: float = 60.0) -> SshSim:
    """Start one simulator process serving ``devices`` on 127.0.0.1; returns when all listen."""
    import asyncssh

    private_dir(workdir)  # host keys, the spec with the lab password, command logs
    host_keys: dict[str, str] = {}
    spec_devices = []
    for d in devices:
        if d.platform not in sim_platforms():
            raise ValueError(f"sshsim: no simulated platform {d.platform!r}; known: {', '.join(sim_platforms())}")
        key_file = workdir / f"{d.name}.hostkey"
        if not key_file.exists():
            key = asyncssh.generate_private_key("ssh-ed25519")
            key.write_private_key(str(key_file))
        key = asyncssh.read_private_key(str(key_file))
        host_keys[d.name] = " ".join(key.export_public_key("openssh").decode().split()[:2])
        spec_devices.append({**asdict(d), "host_key": str(key_file), "sim": sim_platforms()[d.platform]})
    ready = workdir / "sshsim.ready.json"
    ready.unlink(missing_ok=True)
    spec = workdir / "sshsim.spec.json"
    write_private(spec, json.dumps({"devices": spec_devices, "ready": str(ready), "workdir": str(workdir)}))
    proc = start("sshsim", [sys.executable, "-m", "netmon.lab.sshsim", str(spec)], workdir / "sshsim.log")
    try:
        wait_for(ready.exists, timeout, "sshsim", proc.popen)
    except RuntimeError:
        proc.stop()
        raise
    ports = {k: int(v) for k, v in json.loads(ready.read_text()).items()}
    return SshSim(
        proc.name,
        proc.popen,
        proc.log,
        workdir=workdir,
        devices={d.name: d for d in devices},
        ports=ports,
        host_keys=host_keys,
    )


@dataclass
class LabSsh(SshSim):
    """The built-in lab's SSH side (netmon lab / netmon demo): what netmon.yaml needs."""

    username: str = "netadmin"
    password: str = ""
    ssh_settings: dict[str, Any] = field(default_factory=dict)


def start_lab_ssh(devices: Iterable[Device], workdir: Path) -> LabSsh:
    """Simulators for every inventory device with a simulated platform, logged into as an AAA
    privilege-15 account (no enable secret), with a fresh random lab password and a
    known_hosts file written for strict host-key checking."""
    import secrets

    password = secrets.token_urlsafe(12)
    sims = simdevices_for(devices, password=password)
    for sd in sims:
        sd.privileged = True
        # Variety for the demo and the compliance scan: each device serves one of its platform's
        # sample configs, chosen by name so a restarted lab serves the same one.
        choices = sorted(lab_dir(sd.platform).glob("*.cfg"))
        sd.config = str(choices[zlib.crc32(sd.name.encode()) % len(choices)])
    sim = start_sshsim(sims, workdir, timeout=120)
    known = sim.write_known_hosts(workdir / "known_hosts")
    return LabSsh(
        sim.name,
        sim.popen,
        sim.log,
        workdir=sim.workdir,
        devices=sim.devices,
        ports=sim.ports,
        host_keys=sim.host_keys,
        username="netadmin",
        password=password,
        ssh_settings={"known_hosts": str(known), "command_timeout": 20.0, "device_budget": 60.0},
    )


# ---------------------------------------------------------------- the simulator process


def _huge_filler(p: dict[str, Any], size: int) -> str:
    """Realistic bulk: a long ACL, as a device with years of accumulated rules has (the
    platform's lab.yaml ``huge_*`` templates: {n5}/{n10} rule numbers, {a}.{b}.{c} addresses)."""
    lines: list[str] = [p["huge_header"]]
    total = 0
    i = 0
    while total < size:
        a, b, c = (i >> 16) & 255, (i >> 8) & 255, i & 255
        line = str(p["huge_rule"]).format(n5=i * 5 + 5, n10=i * 10 + 10, a=a, b=b, c=c)
        lines.append(line)
        total += len(line) + 1
        i += 1
    lines.append(p["huge_footer"])
    return "\n".join(lines) + "\n"


class _Device:
    def __init__(self, spec: dict[str, Any], workdir: Path) -> None:
        self.spec = spec
        self.name: str = spec["name"]
        self.platform: str = spec["platform"]
        self.p: dict[str, Any] = spec["sim"]
        self.faults: list[str] = list(spec.get("faults") or [])
        self.rejected = {f.split(":", 1)[1].strip() for f in self.faults if f.startswith("reject:")}
        self.log_path = workdir / f"{self.name}.commands.log"
        self.paused_file = workdir / "paused.json"
        self._huge_cache: str | None = None

    def config_text(self) -> str:
        path = self.config_path()
        text = path.read_bytes().decode("utf-8", errors="surrogateescape")
        if self.spec.get("hostname"):
            text = re.sub(
                self.p["hostname_re"],
                lambda m: m.group(0).replace(m.group(1), self.spec["hostname"]),
                text,
                count=1,
                flags=re.M,
            )
        if "huge" in self.faults:
            if self._huge_cache is None:
                self._huge_cache = _huge_filler(self.p, HUGE_BYTES)
            marker = "\n" + str(self.p["config_end"])
            idx = text.rfind(marker)
            text = text[: idx + 1] + self._huge_cache + text[idx + 1 :] if idx >= 0 else text + self._huge_cache
        if self.p.get("clock_period"):
            # IOS rewrites its NTP clock-period estimate as the clock drifts: a volatile line.
            text = re.sub(
                r"^ntp clock-period \d+", f"ntp clock-period {random.randint(17000000, 17999999)}", text, flags=re.M
            )
        if self.p.get("current_configuration_bytes"):
            text = re.sub(
                r"^Current configuration : \d+ bytes", f"Current configuration : {len(text)} bytes", text, flags=re.M
            )
        return text

    def hostname(self) -> str:
        if self.spec.get("hostname"):
            return str(self.spec["hostname"])
        path = self.config_path()
        m = re.search(self.p["hostname_re"], path.read_text(encoding="utf-8", errors="replace"), re.M)
        return m.group(1) if m else self.name

    def encode(self, text: str) -> bytes:
        if "non_utf8" in self.faults:
            # Older VRP/Comware releases print Chinese descriptions in GBK.
            return text.encode("gbk", errors="replace")
        return text.encode("utf-8", errors="surrogateescape")

    def config_path(self) -> Path:
        return Path(self.spec.get("config") or Path(self.p["lab_dir"]) / str(self.p["config"]))

    def show_output(self, command: str) -> str | None:
        path = Path(self.p["lab_dir"]) / "show" / (command.replace(" ", "_") + ".txt")
        if "/" in command or not path.exists():
            return None
        return path.read_text(encoding="utf-8")

    def paused(self) -> bool:
        try:
            return self.name in json.loads(self.paused_file.read_text())
        except (OSError, ValueError):
            return False

    def log(self, line: str) -> None:
        with self.log_path.open("a", encoding="utf-8", errors="replace") as fh:
            fh.write(line + "\n")


class _Session:
    """One interactive shell: echo, prompts, paging, enable, commands."""

    def __init__(self, dev: _Device, process: Any) -> None:
        self.dev = dev
        self.p = dev.p
        self.proc = process
        self.host = dev.hostname()
        self.enabled = self.p.get("prompt_enable") is None or bool(dev.spec.get("privileged"))
        self.paging = True
        self.silent = False  # no_prompt fault after it triggered
        self.buf = b""

    def prompt(self) -> str:
        fmt = self.p["prompt_enable"] if (self.enabled and self.p.get("prompt_enable")) else self.p["prompt_user"]
        return str(fmt).format(host=self.host)

    def write(self, data: bytes) -> None:
        self.proc.stdout.write(data)

    async def read_line(self, echo: bool = True) -> str | None:
        """A line as a terminal delivers it; CR, LF or CRLF end it."""
        while True:
            for i, b in enumerate(self.buf):
                if b in (10, 13):
                    line, rest = self.buf[:i], self.buf[i + 1 :]
                    if b == 13 and rest[:1] == b"\n":
                        rest = rest[1:]
                    self.buf = rest
                    if echo:
                        self.write(line + b"\r\n")
                    else:
                        self.write(b"\r\n")
                    return line.decode("utf-8", errors="replace")
            data = await self.proc.stdin.read(4096)
            if not data:
                return None
            self.buf += data

    async def read_key(self) -> bytes | None:
        if not self.buf:
            data = await self.proc.stdin.read(4096)
            if not data:
                return None
            self.buf += data
        k, self.buf = self.buf[:1], self.buf[1:]
        if k == b"\r" and self.buf[:1] == b"\n":
            self.buf = self.buf[1:]
        return k

    async def send_output(self, text: str) -> bool:
        """Write output with CRLF, paging while paging is on. False if the user quit paging."""
        body = text.replace("\r\n", "\n").rstrip("\n")
        lines = body.split("\n") if body else []
        if not self.paging or len(lines) <= PAGE_LINES:
            data = self.dev.encode("\r\n".join(lines) + ("\r\n" if lines else ""))
            for i in range(0, len(data), CHUNK):
                self.write(data[i : i + CHUNK])
                await self.proc.stdout.drain()
            return True
        shown = 0
        step = PAGE_LINES
        while shown < len(lines):
            chunk = lines[shown : shown + step]
            self.write(self.dev.encode("\r\n".join(chunk) + "\r\n"))
            shown += len(chunk)
            if shown >= len(lines):
                break
            self.write(self.p["more"].encode())
            key = await self.read_key()
            self.write(self.p["more_erase"].encode())
            if key is None or key not in (b" ", b"\r", b"\n"):
                return False
            step = PAGE_LINES if key == b" " else 1
        return True

    async def hang_in_config(self, text: str) -> None:
        data = self.dev.encode(text.replace("\n", "\r\n"))
        self.write(data[: len(data) // 3])
        await self.proc.stdout.drain()
        await asyncio.Event().wait()  # hangs until the client gives up and the connection closes

    def error(self, command: str) -> str:
        prompt_len = len(self.prompt())
        caret = " " * (prompt_len + max(len(command.split()[0]) if command.split() else 0, 0)) + "^"
        return str(self.p["error"]).format(caret=caret)

    async def run(self) -> None:
        motd = str(self.p.get("motd") or "").format(now=time.strftime("%Y-%m-%d %H:%M:%S+08:00"))
        if motd:
            self.write(motd.replace("\n", "\r\n").encode())
        self.write(self.prompt().encode())
        while True:
            line = await self.read_line()
            if line is None:
                return
            command = " ".join(line.split())
            if command:
                self.dev.log(command)
            out = await self.handle(command)
            if out is False:
                return
            if not self.silent:
                self.write(self.prompt().encode())

    async def handle(self, command: str) -> bool | None:
        p = self.p
        if not command:
            return None
        if command in ("quit", "exit", "logout"):
            self.proc.exit(0)
            return False
        if command in p["paging_off"]:
            self.paging = False
            return None
        if command in p["accept_silently"]:
            return None
        if command == "enable" and p.get("prompt_enable"):
            if self.enabled:
                return None
            self.write(b"Password: ")
            secret = await self.read_line(echo=False)
            if secret is not None and secret == self.dev.spec["enable_secret"]:
                self.enabled = True
            else:
                self.write(b"% Access denied\r\n")
            return None
        if command in self.dev.rejected:
            self.write(self.error(command).replace("\n", "\r\n").encode())
            return None
        if command == p["running_config"]:
            if p.get("prompt_enable") and not self.enabled:
                self.write(self.error(command).replace("\n", "\r\n").encode())
                return None
            text = self.dev.config_text()
            if "hang" in self.dev.faults:
                await self.hang_in_config(text)
                return False
            await self.send_output(text)
            if "no_prompt" in self.dev.faults:
                self.silent = True
            return None
        out = self.dev.show_output(command)
        if out is None:
            self.write(self.error(command).replace("\n", "\r\n").encode())
            return None
        await self.send_output(out)
        return None


async def _serve(spec: dict[str, Any]) -> None:
    import asyncssh

    workdir = Path(spec["workdir"])
    ports: dict[str, int] = {}
    servers = []

    for dspec in spec["devices"]:
        dev = _Device(dspec, workdir)
        keys = [asyncssh.import_public_key(k) for k in dspec.get("authorized_keys") or []]

        def make_server(dev: _Device = dev, keys: list[Any] = keys) -> asyncssh.SSHServer:
            class Server(asyncssh.SSHServer):
                def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
                    self.conn = conn
                    if dev.paused():
                        conn.abort()  # its uplink is "down" (netmon lab fault): the session dies at once

                def begin_auth(self, username: str) -> bool:
                    if dev.p.get("auth_banner"):
                        # e.g. IOS shows `banner login` before authentication.
                        self.conn.send_auth_banner(str(dev.p["auth_banner"]))
                    return True

                def password_auth_supported(self) -> bool:
                    return True

                def validate_password(self, username: str, password: str) -> bool:
                    return bool(username == dev.spec["username"] and password == dev.spec["password"])

                def public_key_auth_supported(self) -> bool:
                    return bool(keys)

                def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
                    return username == dev.spec["username"] and any(key.public_data == k.public_data for k in keys)

            return Server()

        async def process_factory(process: asyncssh.SSHServerProcess[bytes], dev: _Device = dev) -> None:
            try:
                await _Session(dev, process).run()
            except (asyncssh.Error, ConnectionError, BrokenPipeError):
                pass
            finally:
                with contextlib.suppress(Exception):
                    process.exit(0)

        server = await asyncssh.create_server(
            make_server,
            "127.0.0.1",
            int(dspec.get("port") or 0),
            server_host_keys=[dspec["host_key"]],
            process_factory=process_factory,
            encoding=None,
            line_editor=False,
            allow_scp=False,
            keepalive_interval=0,
        )
        servers.append(server)
        ports[dev.name] = int(server.sockets[0].getsockname()[1])

    tmp = Path(spec["ready"] + ".tmp")
    tmp.write_text(json.dumps(ports))
    tmp.rename(spec["ready"])
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Serve simulated network devices over SSH (netmon lab).")
    ap.add_argument("spec", type=Path, help="JSON spec written by start_sshsim()")
    args = ap.parse_args(argv)
    spec = json.loads(args.spec.read_text())
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(spec))


if __name__ == "__main__":
    main()
