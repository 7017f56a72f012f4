"""net-snmp ``snmpd`` on 127.0.0.1:<free UDP port>, with a v2c community and a v3 user for
every auth/priv combination net-snmp 5.9 supports (MD5, SHA, SHA-224/256/384/512 x none,
DES, AES, AES-192, AES-256, plus a noAuthNoPriv user).

Real kernel interface counters come from its IF-MIB: start it from a process inside a network
namespace to serve that namespace's interfaces (bench/bench_snmp.py does). The v3 users are
``createUser`` lines in the -c config (``-C`` reads nothing else), state goes to a temporary
persistent directory, and stop() removes both, pass phrases included.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from netmon.config import SnmpCredential

from .procs import Proc, free_port, start, wait_for

# net-snmp's names for the protocols (snmpd.conf createUser, snmpget -a/-x) by netmon's.
AUTH_PROTOCOLS = {"md5": "MD5", "sha": "SHA", "sha224": "SHA-224", "sha256": "SHA-256", "sha384": "SHA-384",
                  "sha512": "SHA-512"}  # fmt: skip
PRIV_PROTOCOLS = {"des": "DES", "aes": "AES", "aes192": "AES-192", "aes256": "AES-256"}


@dataclass(frozen=True)
class V3User:
    name: str
    auth: str  # netmon name: "none", "md5", "sha", ...
    auth_key: str
    priv: str  # "none", "des", "aes", "aes192", "aes256"
    priv_key: str

    def __repr__(self) -> str:  # keys stay out of test logs
        return f"V3User({self.name!r}, auth={self.auth}, priv={self.priv})"

    @property
    def level(self) -> str:
        return "noAuthNoPriv" if self.auth == "none" else "authNoPriv" if self.priv == "none" else "authPriv"

    def credential(self, auth_key: str | None = None, priv_key: str | None = None) -> SnmpCredential:
        """This user as a resolved credential (optionally with other keys, to test failures)."""
        return SnmpCredential(
            version="3",
            user=self.name,
            auth_protocol=self.auth,  # type: ignore[arg-type]
            auth_key=SecretStr(auth_key or self.auth_key) if self.auth != "none" else None,
            priv_protocol=self.priv,  # type: ignore[arg-type]
            priv_key=SecretStr(priv_key or self.priv_key) if self.priv != "none" else None,
        )

    def net_snmp_args(self) -> list[str]:
        """The -v3 options of snmpget/snmpbulkwalk for this user."""
        args = ["-v3", "-u", self.name, "-l", self.level]
        if self.auth != "none":
            args += ["-a", AUTH_PROTOCOLS[self.auth], "-A", self.auth_key]
        if self.priv != "none":
            args += ["-x", PRIV_PROTOCOLS[self.priv], "-X", self.priv_key]
        return args


@dataclass
class Snmpd:
    proc: Proc
    host: str
    port: int
    community: str
    users: list[V3User]
    workdir: Path

    def user(self, auth: str = "sha", priv: str = "aes") -> V3User:
        for u in self.users:
            if u.auth == auth and u.priv == priv:
                return u
        raise KeyError(f"no snmpd lab user with auth={auth} priv={priv}")

    def v2c(self, community: str | None = None) -> SnmpCredential:
        return SnmpCredential(version="2c", community=SecretStr(community or self.community))

    def stop(self) -> None:
        self.proc.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def all_users() -> list[V3User]:
    """One user per combination; pass phrases are random per lab (>= 8 chars, as net-snmp wants)."""
    users = [V3User("noauth", "none", "", "none", "")]
    for auth in AUTH_PROTOCOLS:
        for priv in ("none", *PRIV_PROTOCOLS):
            users.append(
                V3User(
                    f"u_{auth}_{priv}", auth, "a-" + secrets.token_hex(6), priv,
                    "p-" + secrets.token_hex(6) if priv != "none" else "",
                )
            )  # fmt: skip
    return users


def snmpd_binary() -> str | None:
    return shutil.which("snmpd") or ("/usr/sbin/snmpd" if Path("/usr/sbin/snmpd").exists() else None)


def start_snmpd(
    workdir: Path | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    community: str | None = None,
    users: list[V3User] | None = None,
    timeout: float = 15.0,
    extra: list[str] | None = None,
) -> Snmpd:
    """Start snmpd in the foreground (-f -Lf log -C -c conf) and wait until it answers.
    ``extra``: more snmpd.conf lines (e.g. ``sysObjectID 1.3.6.1.4.1.99999.1`` to play a platform)."""
    binary = snmpd_binary()
    if binary is None:
        raise RuntimeError("snmpd is not installed (Debian package snmpd)")
    work = Path(tempfile.mkdtemp(prefix="netmon-snmpd-", dir=workdir))
    persist = work / "persist"
    persist.mkdir()
    port = port or free_port(socket.SOCK_DGRAM, host)
    community = community or "lab-" + secrets.token_hex(4)
    users = users if users is not None else all_users()
    conf = work / "snmpd.conf"
    lines = [
        f"agentAddress udp:{host}:{port}" if ":" not in host else f"agentAddress udp6:[{host}]:{port}",
        f"rocommunity {community} default" if ":" not in host else f"rocommunity6 {community} default",
        # Bursts from many pollers overflow the default receive buffer (PERFORMANCE-NOTES.md).
        "[snmp] serverRecvBuf 4194304",
        # State (engine boots, usmUser table) goes to the temp dir, not /var/lib/snmp.
        f"[snmp] persistentDir {persist}",
        "sysLocation netmon lab",
        "sysContact noc@example.invalid",
        *(extra or []),
    ]
    for u in users:
        lines.append(
            f"rouser -s usm {u.name} {'noauth' if u.auth == 'none' else 'auth' if u.priv == 'none' else 'priv'}"
        )
    created = []
    for u in users:
        if u.auth == "none":
            created.append(f"createUser {u.name}")
            continue
        line = f'createUser {u.name} {AUTH_PROTOCOLS[u.auth]} "{u.auth_key}"'
        if u.priv != "none":
            line += f' {PRIV_PROTOCOLS[u.priv]} "{u.priv_key}"'
        created.append(line)
    # -C reads only the -c file, so the users are created from it; it holds pass phrases.
    conf.write_text("\n".join(lines + created) + "\n")
    conf.chmod(0o600)
    log = work / "snmpd.log"
    argv = [binary, "-f", "-Lf", str(log), "-C", "-c", str(conf), "-p", str(work / "snmpd.pid")]
    env = {"PATH": "/usr/sbin:/usr/bin:/bin", "SNMP_PERSISTENT_DIR": str(persist), "MIBS": ""}
    proc = start("snmpd", argv, log.with_suffix(".out"), env=env)
    proc.log = log
    handle = Snmpd(proc, host, port, community, users, work)
    try:
        wait_for(lambda: _answers(host, port, community), timeout, f"snmpd on {host}:{port}", proc.popen)
    except RuntimeError as e:
        tail = proc.log_tail()
        handle.stop()
        raise RuntimeError(f"{e}\n{tail}") from None
    return handle


def _answers(host: str, port: int, community: str) -> bool:
    """A raw v2c GET of sysUpTime.0; true when any SNMP response comes back."""
    from collectors.snmp import ber

    pkt = ber.enc_community_message(ber.V2C, community.encode(), ber.enc_pdu(ber.GET, 1, [(1, 3, 6, 1, 2, 1, 1, 3, 0)]))
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.3)
        s.sendto(pkt, (host, port))
        data = s.recv(65535)
    return ber.community_head(data).tag == ber.RESPONSE
