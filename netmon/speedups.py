"""Compiled hot path: the modules of the per-poll path built into C extensions by mypyc.

The same typed Python source is compiled (mypyc, part of mypy) and the extension sits beside
it (``ber.cpython-311-*.so`` next to ``ber.py``); Python imports the extension first. Measured
with ``bench/bench_hotpath.py`` and ``bench/bench_scale.py`` (docs/PERFORMANCE.md): the BER
decoder, table assembly, rates, line-protocol encoding, alert evaluation and the SQLite
sink's split take about a quarter to a third less CPU per device-poll. Nothing else changes:
without a compiler (or with ``python -m netmon.speedups clean``) the same modules run as
plain Python, and the test suite passes either way.

A compiled module older than its source would silently run old code, so ``stale()`` lists
them: ``netmon/__init__`` warns, the test suite refuses to start, and ``make`` rebuilds them
(``make compiled``) whenever a source changes.

    python -m netmon.speedups status | build | clean
"""

from __future__ import annotations

import importlib.machinery
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIST = Path(__file__).with_name("compiled-modules.txt")


def sources() -> list[Path]:
    """The modules built by mypyc (netmon/compiled-modules.txt: one path per line, # comments)."""
    lines = (ln.split("#", 1)[0].strip() for ln in LIST.read_text(encoding="utf-8").splitlines())
    return [ROOT / ln for ln in lines if ln]


def extension(src: Path) -> Path | None:
    """The compiled extension beside ``src``, if one was built."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        ext = src.with_name(src.stem + suffix)
        if ext.is_file():
            return ext
    return None


# The code shared by the compiled modules goes into one library, ``netmon/hotpath__mypyc.*.so``:
# inside a package, so it imports wherever netmon does (a console script's sys.path holds the
# packages, not the project root where mypyc would put a hash-named one).
GROUP = "netmon.hotpath"
_BUILD = """
import sys
from setuptools import setup
from mypyc.build import mypycify
setup(name="netmon-hotpath", packages=[], py_modules=[],
      ext_modules=mypycify(sys.argv[1:], group_name="GROUP"),
      script_args=["build_ext", "--inplace", "--build-temp", "build/mypyc-temp"])
""".replace("GROUP", GROUP)


def _helper_libs() -> list[Path]:
    return sorted([*ROOT.glob("*__mypyc.*.so"), *(ROOT / "netmon").glob("hotpath__mypyc.*.so")])


def stale() -> list[Path]:
    """Sources whose compiled extension is older than they are (the extension would run old code)."""
    out = []
    for src in sources():
        ext = extension(src)
        if ext is not None and src.is_file() and ext.stat().st_mtime < src.stat().st_mtime:
            out.append(src)
    return out


def status() -> tuple[int, int]:
    """(compiled modules, modules in the list)."""
    srcs = sources()
    return sum(extension(s) is not None for s in srcs), len(srcs)


def clean() -> int:
    removed = 0
    for src in sources():
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            ext = src.with_name(src.stem + suffix)
            if ext.is_file():
                ext.unlink()
                removed += 1
    for lib in _helper_libs():
        lib.unlink()
        removed += 1
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    return removed


def build() -> int:
    """Compile the listed modules with mypyc; on failure remove partial output (pure Python stays)."""
    try:
        import mypyc.build  # noqa: F401  (part of mypy)
    except ImportError:
        print("netmon speedups: mypyc not found (pip install mypy); running as plain Python", file=sys.stderr)
        return 1
    clean()
    srcs = [str(s.relative_to(ROOT)) for s in sources()]
    print(f"netmon speedups: compiling {len(srcs)} modules with mypyc (a few minutes)...", file=sys.stderr)
    done = subprocess.run([sys.executable, "-c", _BUILD, *srcs], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        clean()
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        print(f"netmon speedups: mypyc failed; running as plain Python\n{tail}", file=sys.stderr)
        return 1
    n, total = status()
    print(f"netmon speedups: {n} of {total} modules compiled", file=sys.stderr)
    return 0 if n == total else 1


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "status"
    if cmd == "build":
        return build()
    if cmd == "clean":
        print(f"netmon speedups: removed {clean()} files", file=sys.stderr)
        return 0
    if cmd == "status":
        n, total = status()
        print(f"compiled: {n} of {total} hot-path modules (mypyc)")
        for src in stale():
            print(f"STALE: {src.relative_to(ROOT)} changed after it was compiled: run `make compiled`")
        return 1 if stale() else 0
    print("usage: python -m netmon.speedups status | build | clean", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
