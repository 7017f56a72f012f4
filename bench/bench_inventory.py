"""Load + validate the ~33,000-device national inventory and build its topology; draw a
20,000-device same-site chain with `netmon inventory tree`.

Prints wall time, CPU time and peak RSS of a fresh process doing just that (goal < 3 s, < 300 MB).
The tree figure is the CPU the drawing costs beyond loading the same file (`tree` minus
`validate`, child CPU seconds), per 1,000 devices, for 5,000 and 20,000: linear means the same
figure for both (issue 16: the drawing was quadratic, 68 s for 20,000).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from netmon.inventory import Topology, load_inventory
t_import = time.perf_counter() - t0
inv = load_inventory([__import__("pathlib").Path(sys.argv[1])])
topo = Topology(inv)
n_desc = len(topo.descendants(topo.roots()[0]))
# VmHWM, not ru_maxrss: the latter keeps the forked parent's size across exec.
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"devices": len(inv), "wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0,
                  "import_s": t_import, "peak_rss_mb": hwm / 1024,
                  "below_root": n_desc}))
"""


def _cli_cpu(*args: str) -> float:
    """CPU seconds (user + system) of one `netmon` command in a fresh process."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "netmon", *args], capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_tree_chain() -> None:
    from netmon.inventory.generate import dump_csv, generate_chain

    per_k = {}
    with tempfile.TemporaryDirectory() as d:
        for n in (5_000, 20_000):
            path = Path(d) / f"chain{n}.csv"
            path.write_text(dump_csv(generate_chain(n)), encoding="utf-8")
            load = min(_cli_cpu("inventory", "validate", "-i", str(path)) for _ in range(2))
            tree = min(_cli_cpu("inventory", "tree", "-i", str(path)) for _ in range(2))
            per_k[n] = (tree - load) / (n / 1000)
            print(
                f"inventory tree, same-site chain of {n} devices: cpu {tree:.2f} s (validate alone {load:.2f} s); "
                f"drawing {max(tree - load, 0):.2f} s = {per_k[n] * 1000:.1f} ms per 1,000 devices"
            )
    print(
        f"  drawing cost per device, 20,000 vs 5,000: ratio {per_k[20_000] / per_k[5_000]:.2f} (1.0 = linear; "
        "was quadratic: ~4 for 4x the devices)"
    )


def main() -> None:
    from netmon.inventory.generate import dump, dump_csv, generate

    doc = generate("national")
    with tempfile.TemporaryDirectory() as d:
        for fmt, text in (("csv", dump_csv(doc)), ("yaml", dump(doc))):
            path = Path(d) / f"national.{fmt}"
            path.write_text(text, encoding="utf-8")
            size_mb = path.stat().st_size / 1e6
            out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True)
            r = json.loads(out.stdout)
            print(f"national inventory as {fmt.upper()}: {r['devices']} devices, {size_mb:.1f} MB")
            print(
                f"  load+validate+topology: wall {r['wall_s']:.2f} s (goal < 3 s), cpu {r['cpu_s']:.2f} s, "
                f"peak RSS {r['peak_rss_mb']:.0f} MB (goal < 300 MB)"
            )


if __name__ == "__main__":
    main()
    bench_tree_chain()
