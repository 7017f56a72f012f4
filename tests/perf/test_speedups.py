"""The mypyc-compiled hot path (netmon/speedups.py) gives what its plain-Python source gives.

Each compiled module is compared with the same source loaded as plain Python beside it (a
second module object from the .py file): BER decoding of random and of damaged varbind lists,
line-protocol encoding of random points (refusals included) and counter rates. Without a
compiled build (a worktree, or a machine without a compiler) these tests skip with the reason;
`make test` builds it first, so CI runs them.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netmon import speedups
from netmon.model import Point

COMPILED, LISTED = speedups.status()
needs_build = pytest.mark.skipif(COMPILED < LISTED, reason="no compiled build here (make compiled)")


def _pure(name: str) -> ModuleType:
    """``name`` loaded again from its .py source, as plain Python (its relative imports resolve
    to the package's other modules as usual)."""
    src = speedups.ROOT / (name.replace(".", "/") + ".py")
    spec = importlib.util.spec_from_file_location(name + "_pure", src)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    mod.__package__ = name.rpartition(".")[0]
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _outcome(fn: Callable[[], object]) -> object:
    try:
        return ("ok", fn())
    except Exception as exc:  # the same failure, class and message, is part of "the same result"
        return ("raised", type(exc).__name__, str(exc))


@needs_build
def test_every_listed_module_runs_compiled() -> None:
    for src in speedups.sources():
        name = ".".join(src.relative_to(speedups.ROOT).with_suffix("").parts)
        mod = importlib.import_module(name)
        assert mod.__file__ is not None and not mod.__file__.endswith(".py"), name
    assert speedups.stale() == []


@needs_build
def test_compiled_modules_import_outside_the_project_folder(tmp_path: Path) -> None:
    # The console script (`netmon demo`, systemd's `netmon run`) does not have the project root on
    # sys.path: the shared library must sit inside a package (netmon/hotpath__mypyc.*.so).
    names = [".".join(s.relative_to(speedups.ROOT).with_suffix("").parts) for s in speedups.sources()]
    code = f"import importlib; print(all(not importlib.import_module(n).__file__.endswith('.py') for n in {names!r}))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert out.returncode == 0 and out.stdout.strip() == "True", out.stderr[-2000:]


# --- BER ----------------------------------------------------------------------------------------
ber = importlib.import_module("collectors.snmp.ber")
ber_py = _pure("collectors.snmp.ber")

_oids = st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=14).map(lambda arcs: (1, 3, 6, 1, *arcs))
_values = st.one_of(
    st.integers(0, 2**64 - 1).map(lambda v: ber.tlv(ber.COUNTER64, v.to_bytes(9, "big").lstrip(b"\0") or b"\0")),
    st.integers(0, 2**32 - 1).map(lambda v: ber.tlv(ber.COUNTER32, v.to_bytes(5, "big").lstrip(b"\0") or b"\0")),
    st.integers(-(2**31), 2**31 - 1).map(ber.enc_int),
    st.binary(max_size=300).map(lambda b: ber.tlv(ber.OCTET_STRING, b)),
    st.sampled_from([ber.NULL, ber.NO_SUCH_OBJECT, ber.END_OF_MIB_VIEW]).map(lambda t: bytes([t, 0])),
    st.binary(min_size=4, max_size=4).map(lambda b: ber.tlv(ber.IP_ADDRESS, b)),
)
_varbind_lists = st.lists(st.tuples(_oids, _values), max_size=40).map(
    lambda vbs: b"".join(ber.tlv(ber.SEQUENCE, ber.enc_oid(o) + v) for o, v in vbs)
)


@needs_build
@settings(max_examples=300, deadline=None)
@given(_varbind_lists)
def test_ber_decodes_as_the_source_does(buf: bytes) -> None:
    assert ber.__file__ != ber_py.__file__
    assert _outcome(lambda: ber.varbinds_of(buf, 0, len(buf))) == _outcome(lambda: ber_py.varbinds_of(buf, 0, len(buf)))


@needs_build
@settings(max_examples=300, deadline=None)
@given(_varbind_lists, st.data())
def test_ber_fails_on_damaged_input_as_the_source_does(buf: bytes, data: st.DataObject) -> None:
    if buf:
        at = data.draw(st.integers(0, len(buf) - 1))
        buf = buf[:at] + bytes([data.draw(st.integers(0, 255))]) + buf[at + 1 : data.draw(st.integers(at, len(buf)))]
    assert _outcome(lambda: ber.varbinds_of(buf, 0, len(buf))) == _outcome(lambda: ber_py.varbinds_of(buf, 0, len(buf)))


# --- line protocol --------------------------------------------------------------------------------
lineproto = importlib.import_module("netmon.storage.lineproto")
lineproto_py = _pure("netmon.storage.lineproto")

_field_values = st.one_of(
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=30),
    st.just([1, 2]),  # not a field type: refused with a reason, not a crash
)
_points = st.lists(
    st.builds(
        Point,
        st.sampled_from(["interface", "health", "", "a b,c"]),
        st.dictionaries(st.sampled_from(["device", "ifName", "ifAlias", "x y"]), st.text(max_size=12), max_size=4),
        st.dictionaries(st.sampled_from(["in_octets", "in_bps", "oper", "descr", "time"]), _field_values, max_size=4),
        st.integers(0, 2**62),
    ),
    max_size=20,
)


@needs_build
@settings(max_examples=300, deadline=None)
@given(_points)
def test_line_protocol_is_the_sources_byte_for_byte(points: list[Point]) -> None:
    got = lineproto.Encoder().encode(points)
    want = lineproto_py.Encoder().encode(points)
    assert got[:2] == want[:2]
    assert [str(e) for e in got[2]] == [str(e) for e in want[2]]


# --- rates ----------------------------------------------------------------------------------------
rates = importlib.import_module("collectors.snmp.rates")
rates_py = _pure("collectors.snmp.rates")

_counters = st.dictionaries(st.sampled_from(["in_octets", "out_octets", "in_errors"]), st.integers(0, 2**64 - 1))


@needs_build
@settings(max_examples=300, deadline=None)
@given(_counters, _counters, st.floats(0, 1e6), st.booleans(), st.one_of(st.none(), st.integers(0, 400_000)))
def test_rates_are_the_sources(a: dict[str, int], b: dict[str, int], dt: float, hc: bool, speed: int | None) -> None:
    def both(mod: ModuleType) -> object:
        prev = mod.Sample(1000.0, 100, 0, a, hc)
        cur = mod.Sample(1000.0 + dt, 100 + int(dt * 100), 0, b, hc)
        return _outcome(lambda: mod.rates(prev, cur, speed))

    got, want = both(rates), both(rates_py)
    if got != want and isinstance(got, tuple) and got[0] == "ok":  # NaN == NaN is False
        assert str(got) == str(want)
    else:
        assert got == want


# --- the staleness guard (no build needed) --------------------------------------------------------
def test_a_compiled_module_older_than_its_source_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "hot.py"
    src.write_text("x = 1\n")
    ext = tmp_path / ("hot" + importlib.machinery.EXTENSION_SUFFIXES[0])
    ext.write_bytes(b"")
    monkeypatch.setattr(speedups, "sources", lambda: [src])
    old = time.time() - 60
    os.utime(ext, (old, old))
    assert speedups.stale() == [src]
    os.utime(src, (old - 60, old - 60))
    assert speedups.stale() == []
    assert speedups.status() == (1, 1)
    ext.unlink()
    assert speedups.status() == (0, 1)


def test_the_list_names_real_typed_sources() -> None:
    srcs = speedups.sources()
    assert srcs, "netmon/compiled-modules.txt lists no module"
    for src in srcs:
        assert src.is_file(), src
        assert "from __future__ import annotations" in src.read_text(encoding="utf-8"), src
