"""Compliance scan throughput: 1,000 generated configurations of about 1,500 lines, mlps-l3 pack.

Prints configs/s on one core (CPU seconds, time.process_time, one process) for netmon's full scan
(read + decode + detect + parse + 45 rules with evidence) and, on the same files in the same run,
the CPU time ciscoconfparse2 needs just to parse them (no rule evaluated). ciscoconfparse2 cannot
share .venv with hier_config, so it lives in .venv-bench, created here on first use.

    .venv/bin/python bench/bench_compliance.py [--count 1000] [--lines 1500] [--no-peer]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from netmon.compliance import load_standard, scan_files  # noqa: E402

SKELETONS = ROOT / "tests" / "compliance" / "configs"
OUT = ROOT / "bench" / "out" / "compliance"
BENCH_VENV = ROOT / ".venv-bench"
GOAL = 100.0  # configs/s on one core

# Interface blocks per dialect, the bulk of a real access/aggregation switch config.
IFACE = {
    "huawei_vrp": "#\ninterface GigabitEthernet0/0/{i}\n description user-port-{i}\n port link-type access\n"
    " port default vlan {vlan}\n stp edged-port enable\n",
    "h3c_comware": "#\ninterface GigabitEthernet1/0/{i}\n port link-mode bridge\n description user-port-{i}\n"
    " port access vlan {vlan}\n stp edged-port\n",
    "cisco_ios": "!\ninterface GigabitEthernet1/0/{i}\n description user-port-{i}\n switchport mode access\n"
    " switchport access vlan {vlan}\n spanning-tree portfast\n",
}
ACL_RULE = {
    "huawei_vrp": " rule {n} permit tcp source 10.{a}.0.0 0.0.255.255 destination 10.30.{b}.10 0 destination-port eq {p}\n",
    "h3c_comware": " rule {n} permit tcp source 10.{a}.0.0 0.0.255.255 destination 10.30.{b}.10 0 destination-port eq {p}\n",
    "cisco_ios": " permit tcp 10.{a}.0.0 0.0.255.255 host 10.30.{b}.10 eq {p}\n",
}
ANCHOR = {"huawei_vrp": "#\naaa\n", "h3c_comware": "#\nhwtacacs scheme", "cisco_ios": "!\nrouter ospf"}
SKELETON_FILES = {
    "huawei_vrp": ["huawei_compliant.cfg", "huawei_noncompliant.cfg"],
    "h3c_comware": ["h3c_compliant.cfg", "h3c_noncompliant.cfg"],
    "cisco_ios": ["cisco_compliant.cfg", "cisco_noncompliant.cfg"],
}
# Lines some generated devices drop, so verdicts vary across the fleet.
DROPPABLE = [
    "ip ssh version 2",
    " stelnet server enable",
    " ssh server enable",
    " ntp-service authentication enable",
    "ntp authenticate",
    " idle-timeout 5 0",
    " exec-timeout 5 0",
]


def generate(count: int, lines: int, out: Path) -> list[Path]:
    rng = random.Random(7)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.cfg"):
        old.unlink()
    vendors = list(IFACE)
    paths = []
    for n in range(count):
        vendor = vendors[n % 3]
        skel = (SKELETONS / rng.choice(SKELETON_FILES[vendor])).read_text(encoding="utf-8")
        for drop in DROPPABLE:
            if rng.random() < 0.15:
                skel = skel.replace(drop + "\n", "", 1)
        need = lines - skel.count("\n")
        acl_lines = need // 6
        acl_head = "#\nacl number 3999\n" if vendor != "cisco_ios" else f"!\nip access-list extended BENCH-{n}\n"
        acl = acl_head + "".join(
            ACL_RULE[vendor].format(
                n=5 * (k + 1), a=rng.randrange(256), b=rng.randrange(256), p=rng.choice((22, 443, 8443))
            )
            for k in range(acl_lines)
        )
        ifaces = "".join(
            IFACE[vendor].format(i=k + 1, vlan=rng.randrange(10, 400)) for k in range(max(0, (need - acl_lines) // 6))
        )
        head, sep, tail = skel.partition(ANCHOR[vendor])
        if not sep:
            # The skeleton lacks the anchor (h3c_noncompliant has no hwtacacs scheme): insert
            # before its last line. Appending after `return` would make a second, headless
            # configuration that a scan rightly refuses (and that older parsers silently skipped).
            head, sep, tail = skel.rpartition("\n#\nreturn" if vendor != "cisco_ios" else "\n!\nend")
            head += "\n"
            sep = sep[1:]
        text = head + ifaces + acl + sep + tail
        p = out / f"{vendor}-{n:04d}.cfg"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


PEER_SCRIPT = r"""
import json, sys, time
from ciscoconfparse2 import CiscoConfParse
files = json.loads(sys.stdin.read())
t0 = time.process_time()
objs = 0
for path, vendor in files:
    parse = CiscoConfParse(path, syntax="ios", comment_delimiters=["#"] if vendor != "cisco_ios" else ["!"],
                           loguru=False)
    objs += len(parse.objs)
print(json.dumps({"cpu_s": time.process_time() - t0, "objects": objs}))
"""


def ensure_peer() -> Path | None:
    py = BENCH_VENV / "bin" / "python"
    if py.exists() and subprocess.run([str(py), "-c", "import ciscoconfparse2"], capture_output=True).returncode == 0:
        return py
    print(f"creating {BENCH_VENV} with ciscoconfparse2 (first run only) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "ciscoconfparse2"], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"could not install ciscoconfparse2 ({r.stderr.strip()[-300:]}); peer skipped")
        return None
    return py


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--lines", type=int, default=1500)
    ap.add_argument("--no-peer", action="store_true", help="skip ciscoconfparse2")
    args = ap.parse_args()

    paths = generate(args.count, args.lines, OUT)
    total_lines = sum(p.read_text(encoding="utf-8").count("\n") for p in paths)
    print(f"{len(paths)} configs, {total_lines / len(paths):.0f} lines on average, in {OUT}")

    std = load_standard("mlps-l3")
    t0, w0 = time.process_time(), time.perf_counter()
    run = scan_files(paths, std)
    cpu, wall = time.process_time() - t0, time.perf_counter() - w0
    assert not run.problems, run.problems[:3]
    findings = sum(len(r.findings) for r in run.results)
    fails = sum(r.counts()["FAIL"] for r in run.results)
    rate = len(paths) / cpu
    print(
        f"netmon scan (mlps-l3, {len(std.rules)} rules): {cpu:.2f} CPU s ({wall:.2f} s wall) -> "
        f"{rate:.0f} configs/s on one core ({1000 * cpu / len(paths):.2f} ms/config); "
        f"{findings} findings, {fails} FAIL; goal >= {GOAL:.0f}/s: {'met' if rate >= GOAL else 'NOT met'}"
    )

    # where the time goes: parse alone vs rules
    from netmon.compliance.scanner import no_cycle_gc
    from netmon.compliance.source import load_device_config

    t1 = time.process_time()
    with no_cycle_gc():  # as the scan runs
        for p in paths:
            # One at a time and released, as the scan does.
            load_device_config(p.read_bytes(), str(p)).tree.release()
    parse_cpu = time.process_time() - t1
    print(f"  of which read+decode+detect+parse: {parse_cpu:.2f} CPU s; rules+evidence: {cpu - parse_cpu:.2f} CPU s")

    if args.no_peer:
        return
    py = ensure_peer()
    if py is None:
        return
    files = [(str(p), p.name.split("-", 1)[0]) for p in paths]
    r = subprocess.run([str(py), "-c", PEER_SCRIPT], input=json.dumps(files), capture_output=True, text=True)
    if r.returncode != 0:
        print(f"ciscoconfparse2 failed: {r.stderr.strip()[-500:]}")
        return
    peer = json.loads(r.stdout.strip().splitlines()[-1])
    peer_rate = len(paths) / peer["cpu_s"]
    print(
        f"ciscoconfparse2 parse only: {peer['cpu_s']:.2f} CPU s -> {peer_rate:.0f} configs/s "
        f"({peer['objects']} line objects)"
    )
    print(
        f"ratio: netmon full scan is {peer['cpu_s'] / cpu:.1f}x the speed of ciscoconfparse2's parse alone "
        f"(netmon parse alone: {peer['cpu_s'] / parse_cpu:.1f}x)"
    )


if __name__ == "__main__":
    main()
