"""Benchmark: backup of 200 simulated devices with the default concurrency.

Runs, in one go against the same simulator process:
  1. peer: the OpenSSH client (C), one `ssh` per device, same concurrency, fetching just the
     running config (paging off + show/display + quit) with key auth and strict host keys;
  2. netmon, running config only (the same work as the peer);
  3. netmon, the full default command set (config + version, interfaces, LLDP, ARP, routes,
     users, TextFSM parsing) into a fresh archive.
Prints wall, CPU seconds (netmon process incl. worker threads; the peer's children; the
simulator's own), devices/s, ratios, and where a session's time goes.

    .venv/bin/python bench/bench_ssh.py [--devices 200] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncssh  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from collectors.ssh import SshSettings  # noqa: E402
from netmon.archive import ConfigArchive, run_backup  # noqa: E402
from netmon.config import SshCredential  # noqa: E402
from netmon.inventory import Device  # noqa: E402
from netmon.lab.sshsim import SimDevice, sim_platforms, start_sshsim  # noqa: E402

PLATFORMS = ["huawei_vrp", "h3c_comware", "cisco_ios", "ruijie_rgos", "zte_zxros"]
ENABLE = "lab-En4ble"


def proc_cpu(pid: int) -> float:
    """utime+stime of a process (seconds), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def peer_script(platform: str) -> bytes:
    p = sim_platforms()[platform]
    lines = []
    if p.get("prompt_enable"):
        lines += ["enable", ENABLE]
    lines += [p["paging_off"][0], p["running_config"], "quit"]
    return ("\n".join(lines) + "\n").encode()


async def run_peer(
    devs: list[SimDevice], ports: dict[str, int], key: Path, known: Path, conc: int
) -> tuple[float, int]:
    sem = asyncio.Semaphore(conc)
    ok = 0

    async def one(d: SimDevice) -> None:
        nonlocal ok
        async with sem:
            proc = await asyncio.create_subprocess_exec(
                "ssh",
                "-T",
                "-i",
                str(key),
                "-p",
                str(ports[d.name]),
                "-o",
                f"UserKnownHostsFile={known}",
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "BatchMode=yes",
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "ConnectTimeout=10",
                f"{d.username}@127.0.0.1",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
            out, _ = await asyncio.wait_for(proc.communicate(peer_script(d.platform)), 120)
            if b"\nreturn" in out or b"\nend" in out:
                ok += 1

    t0 = time.monotonic()
    await asyncio.gather(*(one(d) for d in devs))
    return time.monotonic() - t0, ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=SshSettings().concurrency)
    args = ap.parse_args()
    if not shutil.which("ssh"):
        sys.exit("bench_ssh: the OpenSSH client `ssh` is needed for the peer run (apt-get install openssh-client)")
    work = Path(tempfile.mkdtemp(prefix="bench_ssh-"))
    key = asyncssh.generate_private_key("ssh-ed25519")
    key_path = work / "id_ed25519"
    key.write_private_key(str(key_path))
    key_path.chmod(0o600)
    pub = key.export_public_key("openssh").decode()
    devs = [
        SimDevice(f"dev{i:03d}", PLATFORMS[i % len(PLATFORMS)], authorized_keys=[pub], hostname=f"BENCH-{i:03d}")
        for i in range(args.devices)
    ]
    print(f"starting {len(devs)} simulated devices ({', '.join(PLATFORMS)}) ...", flush=True)
    sim = start_sshsim(devs, work / "sim", timeout=120)
    try:
        known = sim.write_known_hosts(work / "known_hosts")
        inv = [
            Device(
                name=d.name,
                address="127.0.0.1",
                ssh_port=sim.ports[d.name],
                network="intranet",
                tier="county",
                region="广东/韶关",
                site="bench",
                role="access",
                vendor=d.platform,
                ssh="bench",
            )
            for d in devs
        ]
        cred = SshCredential(username="netadmin", key_file=key_path, enable_secret=SecretStr(ENABLE))
        rows = []

        # 1. peer
        sim0, ch0 = proc_cpu(sim.pid), children_cpu()
        wall, ok = asyncio.run(run_peer(devs, sim.ports, key_path, known, args.concurrency))
        rows.append(("peer: OpenSSH ssh, config only", wall, children_cpu() - ch0, proc_cpu(sim.pid) - sim0, ok, None))

        # 2./3. netmon
        for label, commands in (("netmon, config only", ["running_config"]), ("netmon, full command set", None)):
            settings = SshSettings(
                known_hosts=known, concurrency=args.concurrency, **({"commands": commands} if commands else {})
            )
            archive = ConfigArchive(work / f"archive-{len(rows)}")
            sim0, cpu0 = proc_cpu(sim.pid), time.process_time()
            t0 = time.monotonic()
            report = asyncio.run(run_backup(inv, settings, archive, lambda n: cred))
            wall = time.monotonic() - t0
            ok = sum(1 for r in report.results if r.ok)
            rows.append((label, wall, time.process_time() - cpu0, proc_cpu(sim.pid) - sim0, ok, report))

        print(f"\nbackup of {len(devs)} devices, concurrency {args.concurrency}, on {os.cpu_count()} cores")
        print(
            f"{'run':34} {'wall s':>7} {'dev/s':>6} {'client CPU s':>12} {'CPU ms/dev':>10} {'sim CPU s':>9} {'ok':>4}"
        )
        for label, wall, cpu, scpu, ok, _ in rows:
            print(
                f"{label:34} {wall:7.1f} {len(devs) / wall:6.1f} {cpu:12.2f} {1000 * cpu / len(devs):10.1f} "
                f"{scpu:9.2f} {ok:4d}"
            )
        peer, cfg_only, full = rows
        print(
            f"\nratios vs peer (config only): wall x{cfg_only[1] / peer[1]:.2f}, client CPU x{cfg_only[2] / peer[2]:.2f}"
        )
        print(f"full command set vs config only: wall x{full[1] / cfg_only[1]:.2f}, CPU x{full[2] / cfg_only[2]:.2f}")

        rep = full[5]
        assert rep is not None
        phases: dict[str, list[float]] = {}
        for r in rep.results:
            for k, v in r.timings.items():
                phases.setdefault(k, []).append(v)
        total = sum(statistics.mean(v) for v in phases.values())
        print("\nwhere a session's time goes (full command set, mean seconds per device):")
        for k, v in sorted(phases.items(), key=lambda kv: -statistics.mean(kv[1])):
            print(f"  {k:16} {statistics.mean(v):6.3f}  ({100 * statistics.mean(v) / total:4.1f} %)  max {max(v):.3f}")
        sess = statistics.mean(r.duration_s for r in rep.results)
        print(
            f"  {'session total':16} {sess:6.3f}   x {len(devs)} devices / {args.concurrency} at once "
            f"= {sess * len(devs) / args.concurrency:.1f} s ideal wall"
        )
        failed = [r for r in rep.results if not r.ok]
        if failed:
            print(
                f"\n{len(failed)} failed: "
                + ", ".join(f"{r.device.name}={r.error.kind.value}" for r in failed[:10] if r.error)
            )
    finally:
        sim.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
