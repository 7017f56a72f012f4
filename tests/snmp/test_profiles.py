"""Vendor health profiles: every YAML file loads, aggregation and firmware-quirk filters work."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors.snmp.engine import ValueType, VarBind, parse_oid
from collectors.snmp.health_profiles import FALLBACK, evaluate, load_profiles, profile_for
from netmon import platforms as registry
from netmon.errors import InputError

PLATFORMS = Path(registry.__file__).parent


def col(oid: str, values: dict[int, int | bytes], typ: ValueType = ValueType.INTEGER) -> tuple:
    base = parse_oid(oid)
    return base, [VarBind((*base, i), typ, v) for i, v in values.items()]


def test_every_vendor_has_a_profile_and_each_entry_says_why():
    profs = load_profiles()
    for vendor in ("huawei_vrp", "h3c_comware", "cisco_ios", "ruijie_rgos", "zte_zxros"):
        assert profile_for(vendor).platforms == [vendor]
    assert profile_for("no_such_vendor").name == "host_resources"
    for path in PLATFORMS.glob("*/health.yaml"):
        text = path.read_text()
        name = FALLBACK if path.parent.name == "common" else path.parent.name
        # every source line is preceded by a comment somewhere in its field block
        assert text.count("#") >= len(profs[name].fields), path


def test_h3c_placeholders_are_dropped_and_fans_counted():
    prof = profile_for("h3c_comware")
    walked = dict(
        [
            col("1.3.6.1.4.1.25506.2.6.1.1.1.1.6", {1: 0, 2: 37}),
            col("1.3.6.1.4.1.25506.2.6.1.1.1.1.12", {1: 65535, 2: 41}),  # 65535 = no sensor
            col("1.3.6.1.4.1.25506.8.35.9.1.1.1.2", {1: 1, 2: 2, 3: 3}),  # active, deactive, absent
        ]
    )
    r = evaluate(prof, walked)
    assert r.fields["cpu_pct"] == 37
    assert r.fields["temp_c"] == 41
    assert r.fields["fans_total"] == 2 and r.fields["fans_failed"] == 1


def test_old_h3c_tree_is_the_fallback():
    walked = dict([col("1.3.6.1.4.1.2011.10.2.6.1.1.1.1.6", {97: 12})])
    assert evaluate(profile_for("h3c_comware"), walked).fields["cpu_pct"] == 12


def test_cisco_memory_total_and_percent_from_pools():
    walked = dict(
        [
            col("1.3.6.1.4.1.9.9.48.1.1.1.5", {1: 300, 2: 100}, ValueType.GAUGE32),
            col("1.3.6.1.4.1.9.9.48.1.1.1.6", {1: 500, 2: 100}, ValueType.GAUGE32),
        ]
    )
    f = evaluate(profile_for("cisco_ios"), walked).fields
    assert f["mem_used_bytes"] == 400 and f["mem_total_bytes"] == 1000 and f["mem_pct"] == 40.0
    assert "mem_free_bytes" not in f


def test_host_resources_ram_row_only():
    walked = dict(
        [
            col(
                "1.3.6.1.2.1.25.2.3.1.2",
                {1: (1, 3, 6, 1, 2, 1, 25, 2, 1, 2), 2: (1, 3, 6, 1, 2, 1, 25, 2, 1, 4)},
                ValueType.OID,
            ),
            col("1.3.6.1.2.1.25.2.3.1.4", {1: 1024, 2: 4096}),
            col("1.3.6.1.2.1.25.2.3.1.5", {1: 1000, 2: 99999}),
            col("1.3.6.1.2.1.25.2.3.1.6", {1: 250, 2: 99}),
        ]
    )
    f = evaluate(profile_for(None), walked).fields
    assert f["mem_total_bytes"] == 1024 * 1000 and f["mem_used_bytes"] == 1024 * 250 and f["mem_pct"] == 25.0


def test_broken_profile_is_a_clear_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    site = tmp_path / "acme_os"
    site.mkdir()
    (site / "platform.yaml").write_text("display: Acme OS\nsysobjectid: ['1.3.6.1.4.1.99999']\n")
    (site / "health.yaml").write_text("cpu_pct:\n  - {oid: 1.2.3, agg: median}\n")
    monkeypatch.setenv(registry.ENV_PATH, str(tmp_path))
    registry.reload()
    try:
        with pytest.raises(InputError) as exc:
            load_profiles()
        msg = str(exc.value)
        assert f"{site / 'health.yaml'}:2: health.cpu_pct.0.agg" in msg, msg
    finally:
        monkeypatch.delenv(registry.ENV_PATH)
        registry.reload()


_values = st.one_of(
    st.integers(-(2**63), 2**64), st.binary(max_size=12), st.none(), st.tuples(st.integers(0, 99), st.integers(0, 99))
)
_types = st.sampled_from(list(ValueType))


@given(rows=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 9), _types, _values), max_size=40))
def test_any_answer_evaluates_without_error(rows):
    """Whatever an agent returns in the profile columns, evaluation yields numbers or nothing."""
    for prof in load_profiles().values():
        cols = prof.columns()
        walked: dict = {c: [] for c in cols}
        for ci, idx, typ, val in rows:
            c = cols[ci % len(cols)]
            walked[c].append(VarBind((*c, idx), typ, val))
        fields = evaluate(prof, walked).fields
        assert all(isinstance(v, int | float) for v in fields.values())
