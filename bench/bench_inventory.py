"""Load + validate the ~33,000-device national inventory and build its topology.

Prints wall time, CPU time and peak RSS of a fresh process doing just that (goal < 3 s, < 300 MB).
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
            print(f"  load+validate+topology: wall {r['wall_s']:.2f} s (goal < 3 s), cpu {r['cpu_s']:.2f} s, "
                  f"peak RSS {r['peak_rss_mb']:.0f} MB (goal < 300 MB)")


if __name__ == "__main__":
    main()
